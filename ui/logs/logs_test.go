package logs

import (
	"strings"
	"testing"

	"relman/model"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
	"relman/ui/theme"
)

func TestGoldens(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run("all/"+size.name, func(t *testing.T) {
			_, m := open(t, fixture(t).Deps(t, "alice"), 0, size.w, size.h)
			requireFrame(t, m.View(), size.h)
		})
		// A failed validation: the test, its message and stack trace.
		t.Run("DR-0002/"+size.name, func(t *testing.T) {
			_, m := open(t, fixture(t).Deps(t, "alice"), 2, size.w, size.h)
			requireFrame(t, m.View(), size.h)
		})
		// A failed deploy: the component, file, line and problem.
		t.Run("DR-0003/"+size.name, func(t *testing.T) {
			_, m := open(t, fixture(t).Deps(t, "alice"), 3, size.w, size.h)
			requireFrame(t, m.View(), size.h)
		})
	}
	t.Run("empty", func(t *testing.T) {
		_, m := open(t, deploytest.Open(t, t.TempDir()+"/relman.db", "alice"), 0, 78, 21)
		requireFrame(t, m.View(), 21)
	})
}

func TestEveryAttemptNewestFirst(t *testing.T) {
	t.Parallel()
	_, m := open(t, fixture(t).Deps(t, "alice"), 0, 158, 45)
	if len(m.visible) != 12 {
		t.Fatalf("%d logs, want 12", len(m.visible))
	}
	first, last := m.entries[m.visible[0]].l, m.entries[m.visible[11]].l
	if first.Deployment != 5 || last.Deployment != 1 || m.entries[m.visible[11]].attempt != 1 {
		t.Errorf("first %s, last %s", first.Key(), last.Key())
	}
	view := m.View()
	for _, want := range []string{"12 attempts", "ATTEMPT", "KIND", "STATUS", "PROGRESS", "STARTED", "JOB", "USER", "TOOK",
		"Validation Failed", "0AfXXX", "11/12 tests (1 failed)", "9 references, 1 missing", "3/3 the same, 0 differ"} {
		if !strings.Contains(deploytest.Stable(view), want) {
			t.Errorf("no %q in\n%s", want, view)
		}
	}
}

func TestMovingShowsEachAttemptsFailures(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 0, 78, 21)
	for i := 0; i < len(m.visible) && (m.entries[m.visible[m.cursor]].l.Kind != model.LogValidate ||
		m.entries[m.visible[m.cursor]].l.Deployment != 2); i++ {
		d.Key("j")
	}
	if view := m.View(); !strings.Contains(view, "Test failures (1)") || !strings.Contains(view, "✗ InvoiceTotalsTest.neverNegative") {
		t.Fatalf("DR-0002/4's failures are not shown:\n%s", view)
	}
	d.Key("j")
	if strings.Contains(m.View(), "neverNegative") {
		t.Error("the failures pane did not follow the cursor")
	}
	d.Key("k")
	d.Key("enter")
	if m.focus != focusDetails || !strings.Contains(keys(m), "esc back to logs") {
		t.Fatalf("enter did not focus the failures: %s", keys(m))
	}
	cursor := m.cursor
	d.Key("j")
	if m.cursor != cursor {
		t.Error("j moved the table while the failures had focus")
	}
	d.Key("esc")
	if m.focus != focusTable {
		t.Error("esc did not return to the table")
	}
	d.Key("tab")
	if m.focus != focusDetails {
		t.Error("tab did not focus the failures")
	}
	d.Key("tab")
	d.Key("G")
	if m.cursor != len(m.visible)-1 {
		t.Errorf("G: cursor %d", m.cursor)
	}
	d.Key("g")
	if m.cursor != 0 {
		t.Errorf("g: cursor %d", m.cursor)
	}
	d.Key("pgdown")
	if m.cursor != m.tableRows() {
		t.Errorf("pgdown: cursor %d, rows %d", m.cursor, m.tableRows())
	}
	d.Key("pgup")
	if m.cursor != 0 {
		t.Errorf("pgup: cursor %d", m.cursor)
	}
}

func TestLongFailuresScroll(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 2, 78, 12)
	d.Key("enter")
	d.Key("j")
	if m.details.YOffset != 1 {
		t.Errorf("j scrolled the failures to %d", m.details.YOffset)
	}
	d.Key("G")
	d.Key("g")
	if m.details.YOffset != 0 {
		t.Errorf("g left the failures at %d", m.details.YOffset)
	}
}

func TestStatusFilterCycles(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 0, 158, 45)
	var seen []string
	for {
		d.Key("f")
		if m.status == "" {
			break
		}
		seen = append(seen, string(m.status))
		for _, i := range m.visible {
			if s := outcomeOf(m.entries[i].l); s != m.status {
				t.Errorf("filter %s shows a %s log (%s)", m.status, s, m.entries[i].l.Status)
			}
		}
		if !strings.Contains(m.View(), " · "+string(m.status)) {
			t.Errorf("the filter %s is not shown", m.status)
		}
	}
	// The four groups, not the org's status words; only what is present.
	want := "succeeded failed"
	if got := strings.Join(seen, " "); got != want {
		t.Errorf("statuses cycled %q, want %q", got, want)
	}
	if len(m.visible) != 12 {
		t.Errorf("after a full cycle %d logs show", len(m.visible))
	}
}

func TestCRFilter(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 0, 78, 21)
	d.Key("/")
	if !m.Capturing() || keys(m) != "enter apply · esc cancel" {
		t.Fatalf("/ did not open the CR filter: capturing %v, keys %s", m.Capturing(), keys(m))
	}
	d.Type("DR-3")
	d.Key("enter")
	if !m.editing || !strings.Contains(m.View(), "expected a CR id") {
		t.Fatalf("a wrong id was taken:\n%s", m.View())
	}
	for range 4 {
		d.Key("backspace")
	}
	d.Type("cr-3")
	d.Key("enter")
	if m.editing || m.cr != 3 || len(m.visible) != 2 {
		t.Fatalf("CR-0003 filter: editing %v, cr %d, %d logs", m.editing, m.cr, len(m.visible))
	}
	for _, i := range m.visible {
		if m.entries[i].l.Deployment != 2 {
			t.Errorf("CR-0003's filter shows %s", m.entries[i].l.Key())
		}
	}
	d.Key("f")
	if got := keys(m); !strings.Contains(got, "esc clear filters") || strings.Contains(got, "esc back") {
		t.Errorf("keys with filters: %s", got)
	}
	d.Key("esc")
	if m.cr != 0 || m.status != "" || len(m.visible) != 12 {
		t.Errorf("esc left cr %d, status %q", m.cr, m.status)
	}
	d.Key("esc")
	deploytest.UntilOut[common.BackMsg](d)
	d.Key("/")
	d.Type("5")
	d.Key("esc")
	if m.editing || m.cr != 0 {
		t.Error("esc while typing applied the filter")
	}
}

func TestOneRecordsLogs(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 5, 78, 21)
	if len(m.visible) != 3 || !strings.Contains(m.View(), "DR-0005 only") {
		t.Fatalf("DR-0005's logs: %d\n%s", len(m.visible), m.View())
	}
	if !strings.Contains(keys(m), "a all records") {
		t.Errorf("keys %s", keys(m))
	}
	d.Key("a")
	if m.scope != 0 || len(m.visible) != 12 || strings.Contains(keys(m), "a all records") {
		t.Errorf("a: scope %d, %d logs, keys %s", m.scope, len(m.visible), keys(m))
	}
	d.Send(common.ShowMsg{ID: 3})
	d.Until("DR-0003's logs", func() bool { return !m.loading })
	if len(m.visible) != 2 || m.cursor != 0 {
		t.Errorf("DR-0003: %d logs, cursor %d", len(m.visible), m.cursor)
	}
}

func TestReloadsWhenTheStoreChanges(t *testing.T) {
	t.Parallel()
	deps := fixture(t).Isolated(t, "alice")
	d, m := open(t, deps, 4, 78, 21)
	if _, _, err := deps.Svc.CheckDependencies(t.Context(), 4, nil); err != nil {
		t.Fatal(err)
	}
	d.Send(common.StoreChangedMsg{Head: 99})
	d.Until("the new attempt", func() bool { return len(m.visible) == 4 })
}

func TestCoverageWarningsAndStackTraces(t *testing.T) {
	t.Parallel()
	l := model.DeploymentLog{ID: 7, Deployment: 2, Kind: model.LogValidate, Status: model.LogValidationFailed, JobID: "0Af000000000001AAA",
		User: "alice", Started: deploytest.Now, Completed: deploytest.Now.Add(95e9), Message: "1/1 components, 2/2 tests, 1 test failures",
		TestFailures: []model.TestFailure{{Class: "InvoiceTotalsTest", Method: "neverNegative", Message: "System.AssertException: Assertion Failed",
			StackTrace: "Class.InvoiceTotalsTest.neverNegative: line 10, column 1\nClass.InvoiceTotalsTest.helper: line 20, column 1"}},
		CoverageWarnings: []string{"Test coverage of selected Apex Class InvoiceService is 61%, at least 75% test coverage is required"},
		Coverage:         &model.Coverage{Covered: 50, Lines: 80, Below: []model.ClassCoverage{{Type: "ApexClass", Name: "InvoiceService", Covered: 22, Lines: 36}}}}
	got := strings.Join(detailLines(theme.Default(), entry{l: l, attempt: 2}, 72), "\n")
	for _, want := range []string{"DR-0002 attempt 2 · validate", "job 0Af000000000001AAA · by alice", "finished 2025-03-14 12:01 (took 1m35s)", "Test failures (1)", "✗ InvoiceTotalsTest.neverNegative",
		"      Class.InvoiceTotalsTest.neverNegative: line 10, column 1", "      Class.InvoiceTotalsTest.helper: line 20, column 1",
		"Coverage warnings (1)", "! Test coverage of selected Apex Class InvoiceService is 61%, at least", "75% test coverage is required",
		"    ApexClass InvoiceService: 61% (22 of 36 lines)"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if w := len([]rune(line)); w > 72 {
			t.Errorf("line wider than 72: %q", line)
		}
	}
}

func TestNextStatus(t *testing.T) {
	t.Parallel()
	present := []outcome{outcomeSucceeded, outcomeFailed}
	for _, c := range []struct{ cur, want outcome }{
		{outcomeAll, outcomeSucceeded}, {outcomeSucceeded, outcomeFailed}, {outcomeFailed, outcomeAll}, {outcomeCancelled, outcomeSucceeded},
	} {
		if got := nextStatus(c.cur, present); got != c.want {
			t.Errorf("after %q: %q, want %q", c.cur, got, c.want)
		}
	}
	if got := nextStatus("", nil); got != "" {
		t.Errorf("nothing present: %q", got)
	}
}

func TestAReloadKeepsTheFailuresScrolled(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 2, 78, 12)
	d.Key("enter")
	d.Key("j")
	d.Send(common.StoreChangedMsg{Head: 99})
	d.Until("the reload", func() bool { return !m.loading })
	if m.details.YOffset != 1 {
		t.Errorf("a reload moved the failures to %d", m.details.YOffset)
	}
}
