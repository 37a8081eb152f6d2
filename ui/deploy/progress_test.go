package deploy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
	"relman/ui/theme"
)

// t0 is when the synthetic deploy started: 100 s before the fixed clock.
var t0 = deploytest.Now.Add(-100 * time.Second)

// syntheticDetail shows a record DR-0009 whose deploy runs in this
// session, without a store or an org: the events are fed by the test.
func syntheticDetail(tb testing.TB, w, h int) *Detail {
	tb.Helper()
	svc := &actions.Service{User: "alice", Now: func() time.Time { return deploytest.Now }}
	m := NewDetail(common.Deps{Svc: svc, Styles: theme.Default()}).(*Detail)
	comps := deploytest.Comps("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomField:Invoice__c.Due_Date__c")
	cr := model.ChangeRequest{ID: 3, Name: "Invoice due dates", ApprovalStatus: model.ApprovalApproved, CompletionStatus: model.CompletionInProgress}
	d := model.DeploymentRecord{ID: 9, CR: 3, Source: "uat", Target: "production", Components: comps,
		TestLevel: model.RunLocalTests, Requester: "alice", ApprovalStatus: model.ApprovalApproved, Status: model.DeployInProgress,
		Package: &model.Package{SHA256: strings.Repeat("ab", 32), Size: 4321, Components: comps, RetrievedAt: t0.Add(-time.Hour)}}
	d.Approvers = []model.Approver{{User: "bob", Decision: model.DecisionApproved, At: t0.Add(-2 * time.Hour), ScopeHash: d.ScopeHash()}}
	logs := []model.DeploymentLog{{ID: 30, Deployment: 9, Kind: model.LogRetrieve, Status: model.LogRetrieveCompleted, User: "alice",
		Started: t0.Add(-time.Hour), Completed: t0.Add(-time.Hour), Message: "retrieved 3 of 3 components from uat",
		ComponentsTotal: 3, ComponentsDeployed: 3}}
	m.id = 9
	m.loaded(detailLoadedMsg{seq: m.loadSeq, data: &detailData{d: d, cr: cr, logs: logs, scope: d.ScopeHash(),
		target: model.Environment{Name: "production", Kind: model.KindProduction}}})
	m.SetSize(w, h)
	r := newRun(m.deps.Styles, d.Key(), 1, stepDeploy, planOf(stepDeploy, ""), t0)
	r.setWidth(m.barWidth())
	m.gen, m.runs[9] = 1, r
	return m
}

func testFailures(n int) []model.TestFailure {
	out := make([]model.TestFailure, n)
	for i := range out {
		out[i] = model.TestFailure{Class: "InvoiceServiceTest", Method: fmt.Sprintf("case%05d", i),
			Message:    "System.AssertException: Assertion Failed: Expected: 120.00, Actual: 100.00",
			StackTrace: fmt.Sprintf("Class.InvoiceServiceTest.case%05d: line 12, column 1", i)}
	}
	return out
}

// running is the deploy 100 s in: components done, 22 of 40 tests run, two
// of them failed.
func running() []actions.Event {
	job := actions.Event{Deployment: "DR-0009", Stage: actions.StageDeploy, Log: 31, JobID: "0Af8d0000AbCdEfGhI",
		Status: model.LogInProgress, ComponentsTotal: 14, ComponentsDeployed: 14, TestsTotal: 40}
	first, later := job, job
	first.TestsCompleted, first.At, first.Detail = 10, t0.Add(30*time.Second), "Running Test: InvoiceServiceTest.case00009"
	// 22 ran: the org counts 20 passed as completed and 2 as errors.
	later.TestsCompleted, later.TestErrors, later.At = 20, 2, t0.Add(90*time.Second)
	later.Detail, later.TestFailures = "Running Test: InvoiceServiceTest.markPaidSetsStatusAndDate", testFailures(2)
	return []actions.Event{
		{Deployment: "DR-0009", Stage: actions.StageDeploy, Status: model.LogPending, At: t0,
			Detail: "taking a snapshot of production's copies for rollback"},
		first, later}
}

// play updates m with a batch of the run's events (and its result), then
// plays the progress bars' animation to its end. The command Update
// returns is not run: it holds the feed's wait and the reload.
func play(m *Detail, events []actions.Event, result *runResult) {
	m.Update(runMsg{dr: 9, gen: 1, events: events, result: result})
	var cmds []tea.Cmd
	for _, r := range m.runs {
		// A stiff spring reaches its mark in a frame or two.
		r.compBar.SetSpringOptions(1000, 1)
		r.testBar.SetSpringOptions(1000, 1)
		cmds = append(cmds, setPercent(&r.compBar, r.compBar.Percent()), setPercent(&r.testBar, r.testBar.Percent()))
	}
	// Frames go through the screen's Update, as the root delivers them.
	for len(cmds) > 0 {
		c := cmds[0]
		cmds = cmds[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			cmds = append(cmds, msg...)
		case progress.FrameMsg:
			_, next := m.Update(msg)
			cmds = append(cmds, next)
		}
	}
}

func TestProgressGoldens(t *testing.T) {
	t.Parallel()
	for _, size := range sizes {
		t.Run("running/"+size.name, func(t *testing.T) {
			t.Parallel()
			m := syntheticDetail(t, size.w, size.h)
			play(m, running(), nil)
			requireFrame(t, m.View(), size.h)
		})
		t.Run("verified/"+size.name, func(t *testing.T) {
			t.Parallel()
			m := syntheticDetail(t, size.w, size.h)
			events := running()[:2]
			play(m, events, nil)
			done := events[1]
			done.TestsCompleted, done.Status, done.Done, done.At = 40, model.LogSucceeded, true, t0.Add(150*time.Second)
			done.Detail = "14/14 components, 40/40 tests"
			verify := actions.Event{Stage: actions.StageVerify, Log: 32, Status: model.LogSucceeded, Done: true, At: done.At,
				Detail: "CL-0042: all 3 components are the same in uat and production"}
			play(m, []actions.Event{done, verify}, &runResult{})
			requireFrame(t, m.View(), size.h)
		})
		t.Run("failed/"+size.name, func(t *testing.T) {
			t.Parallel()
			m := syntheticDetail(t, size.w, size.h)
			failed := running()[2]
			failed.ComponentsDeployed, failed.ComponentErrors, failed.TestsTotal, failed.TestsCompleted = 13, 1, 0, 0
			failed.TestErrors, failed.TestFailures, failed.Done, failed.Status = 0, nil, true, model.LogFailed
			failed.ComponentFailures = []model.ComponentFailure{{Type: "ApexClass", Name: "InvoiceAging",
				File: "unpackaged/classes/InvoiceAging.cls", Line: 3, Column: 9, Problem: "Invalid type: AgingPolicy"}}
			play(m, []actions.Event{failed}, &runResult{err: &actions.JobFailedError{Deployment: "DR-0009",
				Status: model.LogFailed, Summary: "13/14 components, 1 component errors"}})
			requireFrame(t, m.View(), size.h)
		})
	}
}

func TestProgressShowsElapsedAndEstimate(t *testing.T) {
	t.Parallel()
	m := syntheticDetail(t, 78, 21)
	play(m, running(), nil)
	view := m.View()
	// 12 tests in the 60 s between the reports: 5 s a test, 18 to go, 10 s
	// of which passed since the last report.
	for _, want := range []string{"Deploy · InProgress · 1m40s elapsed · about 1m20s left",
		"Running Test: InvoiceServiceTest.markPaidSetsStatusAndDate", "14/14", "22/40 · 2 failed", "Errors (2)",
		"✗ test InvoiceServiceTest.case00001\n  System.AssertException: Assertion Failed"} {
		if !strings.Contains(view, want) {
			t.Errorf("no %q in\n%s", want, view)
		}
	}
	if got := m.stages(); got[3] != stageRunning || got[4] != stagePending {
		t.Errorf("stages %v", got)
	}
}

func TestErrorsDoNotRepeat(t *testing.T) {
	t.Parallel()
	m := syntheticDetail(t, 78, 21)
	play(m, running(), nil)
	play(m, running(), nil) // every poll reports the failures so far again
	if got := len(m.current().errs.items); got != 2 {
		t.Errorf("%d errors kept, want 2", got)
	}
}

func TestErrorListScrollsAndFollows(t *testing.T) {
	t.Parallel()
	m := syntheticDetail(t, 78, 21)
	ev := running()[2]
	ev.TestFailures = testFailures(50)
	play(m, []actions.Event{ev}, nil)
	r := m.current()
	rows := m.errRows
	if rows < 3 || rows > 50 {
		t.Fatalf("error rows %d", rows)
	}
	if !strings.Contains(m.View(), "case00049") || strings.Contains(m.View(), "case00000") {
		t.Fatal("the list does not follow the newest errors")
	}
	m.Update(deploytest.Key("tab"))
	m.Update(deploytest.Key("g"))
	if r.errs.follow || !strings.Contains(m.View(), "case00000") {
		t.Fatalf("g did not go to the first error:\n%s", m.View())
	}
	ev.TestFailures = testFailures(60)
	play(m, []actions.Event{ev}, nil)
	if !strings.Contains(m.View(), "case00000") {
		t.Error("a new error moved a list the user scrolled")
	}
	m.Update(deploytest.Key("G"))
	if !r.errs.follow || !strings.Contains(m.View(), "case00059") {
		t.Error("G did not return to following")
	}
	if n, want := strings.Count(m.panelView(), "✗ test"), shown(rows, 78); n != want || want != rows/2 {
		t.Errorf("%d errors drawn in %d rows, want %d", n, rows, want)
	}
}

func TestFeedNeverBlocksTheWorker(t *testing.T) {
	t.Parallel()
	f := newFeed()
	for i := range 10000 {
		f.Push(actions.Event{TestsCompleted: i})
	}
	f.Finish(runResult{})
	msg := waitCmd(f, 9, 1)().(runMsg)
	if len(msg.events) != 10000 || msg.result == nil || msg.events[9999].TestsCompleted != 9999 {
		t.Fatalf("got %d events, result %v", len(msg.events), msg.result)
	}
}

func TestStaleRunMessagesAreDropped(t *testing.T) {
	t.Parallel()
	m := syntheticDetail(t, 78, 21)
	m.Update(runMsg{dr: 9, gen: 0, events: running()})
	if m.current().hasJob {
		t.Error("a message of an earlier run was applied")
	}
}

func TestStagesOf(t *testing.T) {
	t.Parallel()
	pkg := model.DeploymentRecord{Package: &model.Package{}}
	log := func(id int64, k model.LogKind, s model.LogStatus) model.DeploymentLog {
		l := model.DeploymentLog{ID: id, Kind: k, Status: s}
		if outcomeOf(s) != outcomeRunning {
			l.Completed = t0
		}
		return l
	}
	cases := []struct {
		name string
		d    model.DeploymentRecord
		logs []model.DeploymentLog
		want [5]stageState
	}{
		{"nothing yet", model.DeploymentRecord{}, nil, [5]stageState{}},
		{"deployed without validating", pkg, []model.DeploymentLog{log(1, model.LogRetrieve, model.LogRetrieveCompleted),
			log(2, model.LogDeploy, model.LogSucceeded), log(3, model.LogVerify, model.LogSucceeded)},
			[5]stageState{stageDone, stageSkipped, stageSkipped, stageDone, stageDone}},
		{"a new retrieve voids what came before", pkg, []model.DeploymentLog{log(1, model.LogRetrieve, model.LogRetrieveCompleted),
			log(2, model.LogValidate, model.LogValidationFailed), log(3, model.LogRetrieve, model.LogRetrieveCompleted)},
			[5]stageState{stageDone}},
		{"validation running", pkg, []model.DeploymentLog{log(1, model.LogRetrieve, model.LogRetrieveCompleted),
			log(2, model.LogValidate, model.LogValidationInProgress)},
			[5]stageState{stageDone, stageSkipped, stageRunning}},
		{"package dropped when the scope grew", model.DeploymentRecord{}, []model.DeploymentLog{
			log(1, model.LogRetrieve, model.LogRetrieveCompleted), log(2, model.LogDeps, model.LogSucceeded)}, [5]stageState{}},
	}
	for _, c := range cases {
		if got := stagesOf(c.d, c.logs); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// BenchmarkProgressFrame measures one frame of the live view — a spinner
// tick through Update, then View — with 10 and with 10,000 errors: the cost
// must not grow with the errors.
func BenchmarkProgressFrame(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("errors=%d", n), func(b *testing.B) {
			m := syntheticDetail(b, 78, 21)
			ev := running()[2]
			ev.TestFailures = testFailures(n)
			play(m, []actions.Event{ev}, nil)
			if got := len(m.current().errs.items); got != n {
				b.Fatalf("%d errors", got)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.Update(m.spinner.Tick())
				_ = m.View()
			}
		})
	}
}
