package deploy

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/changes/screentest"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
)

// openList shows the deployment records and waits for them.
func openList(t *testing.T, deps common.Deps, w, h int) (*deploytest.Driver, *List) {
	t.Helper()
	m := NewList(deps).(*List)
	d := deploytest.NewDriver(t, m, w, h)
	d.Init()
	d.Until("the records to load", func() bool { return m.ready })
	return d, m
}

func keys(m *List) []int64 {
	out := make([]int64, len(m.rows))
	for i, r := range m.rows {
		out[i] = r.d.ID
	}
	return out
}

func TestListGoldens(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run(size.name, func(t *testing.T) {
			_, m := openList(t, depsAs(t, "alice"), size.w, size.h)
			requireFrame(t, m.View(), size.h)
		})
	}
	t.Run("empty", func(t *testing.T) {
		_, m := openList(t, deploytest.Open(t, filepath.Join(t.TempDir(), "relman.db"), "alice"), 78, 21)
		requireGolden(t, m.View())
	})
}

func TestListNewestFirstAndMoving(t *testing.T) {
	t.Parallel()
	d, m := openList(t, depsAs(t, "alice"), 78, 8)
	if got := keys(m); len(got) != 8 || got[0] != 8 || got[7] != 1 {
		t.Fatalf("order %v, want DR-0008 … DR-0001", got)
	}
	d.Key("j")
	d.Key("down")
	if m.cursor != 2 {
		t.Errorf("cursor %d after two downs", m.cursor)
	}
	d.Key("G")
	if m.cursor != 7 || m.offset != 7-m.pageRows()+1 {
		t.Errorf("G: cursor %d, offset %d", m.cursor, m.offset)
	}
	if !strings.Contains(m.View(), "› DR-0001") {
		t.Errorf("the cursor's row is off screen:\n%s", m.View())
	}
	d.Key("pgup")
	d.Key("g")
	if m.cursor != 0 || m.offset != 0 {
		t.Errorf("g: cursor %d, offset %d", m.cursor, m.offset)
	}
	d.Key("pgdown")
	if m.cursor != m.pageRows() {
		t.Errorf("pgdown: cursor %d", m.cursor)
	}
	d.Key("k")
	d.Key("enter")
	if o := deploytest.UntilOut[common.OpenMsg](d); o.Screen != common.ScreenDeployment || o.ID != m.rows[m.cursor].d.ID {
		t.Errorf("enter opened %+v", o)
	}
}

func TestListReloadsOnStoreChangeKeepingTheCursor(t *testing.T) {
	t.Parallel()
	deps := depsAs(t, "alice")
	d, m := openList(t, deps, 78, 21)
	d.Key("j")
	d.Key("j") // DR-0006
	if _, err := deps.Svc.NewDeployment(1, "uat", "production", model.DeploymentFields{}); err != nil {
		t.Fatal(err)
	}
	d.Send(common.StoreChangedMsg{Head: 99})
	d.Until("the new record", func() bool { return len(m.rows) == 9 })
	if m.rows[0].d.ID != 9 || m.rows[m.cursor].d.ID != 6 {
		t.Errorf("rows %v, cursor on DR-%04d", keys(m), m.rows[m.cursor].d.ID)
	}
}

func TestNewDeploymentForm(t *testing.T) {
	t.Parallel()
	deps := depsAs(t, "alice")
	d, m := openList(t, deps, 78, 21)
	d.Key("n")
	d.Until("the choices", func() bool { return !m.form.loading })
	f := m.form
	if got := f.choices(); len(got) != 5 || got[0] != "CR-0005 Invoice service" {
		t.Fatalf("change requests offered: %q", got)
	}
	requireGolden(t, m.View())
	d.Key("esc")
	if m.form != nil {
		t.Fatal("esc on the first question did not close the form")
	}
	d.Key("n")
	d.Until("the choices", func() bool { return !m.form.loading })
	f = m.form
	for i := 0; i < 5 && f.choices()[f.cursor] != "CR-0001 Invoice due dates"; i++ {
		d.Key("j")
	}
	d.Key("enter")
	if f.step != askSource || f.choices()[f.cursor] != "uat (sandbox)" {
		t.Fatalf("step %d, source choices %q", f.step, f.choices())
	}
	d.Key("enter")
	if f.step != askTarget || f.choices()[f.cursor] != "production (production) · home of CR-0001" {
		t.Fatalf("step %d, target choices %q at %d", f.step, f.choices(), f.cursor)
	}
	d.Key("enter")
	if f.step != askLevel || f.choices()[f.cursor] != "RunLocalTests · default for production" {
		t.Fatalf("level %q", f.choices()[f.cursor])
	}
	d.Key("esc")
	if f.step != askTarget {
		t.Fatal("esc did not go back a question")
	}
	d.Key("enter")
	d.Key("k") // RunSpecifiedTests
	if got := enabled(m); got != "enter ↑/k ↓/j esc" || f.keys.Choose.Help().Desc != "choose" {
		t.Errorf("help %q (%s)", got, f.keys.Choose.Help().Desc)
	}
	d.Key("enter")
	if f.step != askTests || !m.Capturing() {
		t.Fatal("RunSpecifiedTests did not ask for the tests")
	}
	if got := enabled(m); got != "enter esc" || f.keys.Choose.Help().Desc != "create" {
		t.Errorf("help while typing tests %q (%s)", got, f.keys.Choose.Help().Desc)
	}
	d.Type("InvoiceServiceTest, InvoiceTriggerHandlerTest")
	d.Key("enter")
	open := deploytest.UntilOut[common.OpenMsg](d)
	if open.Screen != common.ScreenDeployment || open.ID != 9 || m.form != nil {
		t.Fatalf("after create: open %+v, form %v", open, m.form)
	}
	if st := deploytest.UntilOut[common.StatusMsg](d); !strings.Contains(st.Text, "Created DR-0009") {
		t.Errorf("status %q", st.Text)
	}
	dr, err := deps.Svc.Deployment(9)
	if err != nil {
		t.Fatal(err)
	}
	if dr.CR != 1 || dr.Source != "uat" || dr.Target != "production" || dr.TestLevel != model.RunSpecifiedTests ||
		strings.Join(dr.Tests, ",") != "InvoiceServiceTest,InvoiceTriggerHandlerTest" {
		t.Errorf("created %+v", dr)
	}
}

// refusedForm fills the new-deployment form for CR-0005 from uat to
// production, moving up the test levels ups times from the default, enters
// extra, and returns the form's view once it shows a refusal.
func refusedForm(t *testing.T, ups int, extra ...string) string {
	t.Helper()
	d, m := openList(t, depsAs(t, "alice"), 78, 21)
	d.Key("n")
	d.Until("the choices", func() bool { return !m.form.loading })
	f := m.form
	d.Key("enter") // CR-0005
	d.Key("enter") // uat
	d.Key("enter") // production
	for range ups {
		d.Key("k")
	}
	for _, k := range append([]string{"enter"}, extra...) {
		d.Key(k)
	}
	d.Until("the refusal", func() bool { return f.err != nil })
	if m.form == nil {
		t.Fatal("the refusal closed the form")
	}
	return m.View()
}

func TestNewDeploymentRefusalStaysInTheForm(t *testing.T) {
	t.Parallel()
	// RunSpecifiedTests with no tests.
	if view := refusedForm(t, 1, "enter"); !strings.Contains(view, "RunSpecifiedTests") {
		t.Fatalf("the refusal is not shown in the form:\n%s", view)
	}
}

// TestNewDeploymentNoTestRunToProductionRefused: the org would refuse
// NoTestRun, so the form does, with the rule and the fix.
func TestNewDeploymentNoTestRunToProductionRefused(t *testing.T) {
	t.Parallel()
	if view := refusedForm(t, 2); !strings.Contains(view, "refuses NoTestRun in production") || !strings.Contains(view, "RunLocalTests") {
		t.Fatalf("the refusal is not shown in the form:\n%s", view)
	}
}

func TestNewDeploymentWithNothingApproved(t *testing.T) {
	t.Parallel()
	d, m := openList(t, deploytest.Open(t, filepath.Join(t.TempDir(), "relman.db"), "alice"), 78, 21)
	d.Key("n")
	d.Until("the choices", func() bool { return !m.form.loading })
	if !strings.Contains(m.View(), "No change request is approved and in progress") || enabled(m) != "esc" {
		t.Errorf("empty form:\n%s", m.View())
	}
}

// A rolled-back record names the rollback that undid it, as its detail
// does; the others read their status alone.
func TestListNamesTheRollbackOfARolledBackRecord(t *testing.T) {
	t.Parallel()
	deps := depsAs(t, "alice")
	screentest.RolledBack(t, deps.Svc.Store, 1)
	_, m := openList(t, deps, 160, 20)
	var dr1, dr2 string
	for _, line := range strings.Split(ansi.Strip(m.View()), "\n") {
		switch strings.TrimLeft(line, " ›")[:min(len(strings.TrimLeft(line, " ›")), 8)] {
		case "DR-0001 ":
			dr1 = line
		case "DR-0002 ":
			dr2 = line
		}
	}
	if !strings.Contains(dr1, "Rolled Back (RB-0001)") {
		t.Fatalf("DR-0001's row %q does not name its rollback", dr1)
	}
	if dr2 == "" || strings.Contains(dr2, "Rolled Back") {
		t.Fatalf("DR-0002's row %q", dr2)
	}
}
