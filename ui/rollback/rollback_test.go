package rollback

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/theme"
)

// items renders the builder's selection as "Action Component" or
// "Keep Component", in order.
func items(its []model.RollbackItem) string {
	out := make([]string, len(its))
	for i, it := range its {
		what := string(it.Action)
		if it.Keep {
			what = "Keep"
		}
		out[i] = what + " " + it.Component.String()
	}
	return strings.Join(out, ", ")
}

func TestOpeningShowsTheDraftBuilderAndStoresNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.screen("alice", 80, 24)
	if !m.builder() {
		t.Fatal("a deployment without a rollback should open the draft builder")
	}
	want := "Override ApexClass:InvoiceService, Override ApexClass:InvoiceServiceTest, Delete CustomField:Invoice__c.Due_Date__c"
	if got := items(m.draft); got != want {
		t.Errorf("draft = %s\nwant    %s (the field was created by the deploy, the classes existed)", got, want)
	}
	view := m.View()
	for _, s := range []string{"New rollback of DR-0001", "Verified", "CR-0001 Invoice due dates · uat → production",
		"[x] Delete    CustomField  Invoice__c.Due_Date__c", "created by DR-0001", "3 of 3 to roll back · approvers bob and carol"} {
		if !strings.Contains(view, s) {
			t.Errorf("view lacks %q:\n%s", s, view)
		}
	}
	if rbs, err := w.as("alice").Rollbacks(w.dr.ID); err != nil || len(rbs) != 0 {
		t.Errorf("opening the builder stored %v (%v); nothing is stored before create", rbs, err)
	}
}

func TestSpaceAndAChooseWhatRollsBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.screen("alice", 80, 24)
	steps := []struct {
		keys  []string
		draft string
		help  string
	}{
		{[]string{"space"}, "Keep Override Delete", "space a enter esc"},
		{[]string{"j", "j", "space"}, "Keep Override Keep", "space a enter esc"},
		{[]string{"k", "space"}, "Keep Keep Keep", "space a esc"},
		{[]string{"a"}, "Override Override Delete", "space a enter esc"},
		{[]string{"a"}, "Keep Keep Keep", "space a esc"},
		{[]string{"G", "space"}, "Keep Keep Delete", "space a enter esc"},
	}
	for _, s := range steps {
		press(m, s.keys...)
		var got []string
		for _, it := range m.draft {
			if it.Keep {
				got = append(got, "Keep")
			} else {
				got = append(got, string(it.Action))
			}
		}
		if strings.Join(got, " ") != s.draft {
			t.Fatalf("after %v: draft %v, want %s", s.keys, got, s.draft)
		}
		if h := enabled(m); h != s.help {
			t.Errorf("after %v: help offers %q, want %q", s.keys, h, s.help)
		}
	}
	press(m, "a", "a") // nothing selected again
	// Enter creates nothing and says the rule on the status line.
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || m.busy != "" {
		t.Fatalf("enter with nothing selected: root got %v, busy %q", out, m.busy)
	}
	if e, ok := out[0].(common.ErrMsg); !ok || !errors.Is(e.Err, model.ErrNothingSelected) {
		t.Errorf("enter with nothing selected said %v, want the NothingSelected rule", out[0])
	}
	if !strings.Contains(m.View(), "Select at least one component to roll back") {
		t.Errorf("the builder should say why it cannot create:\n%s", m.View())
	}
	if help := m.keys.All.Help().Desc; help != "all" {
		t.Errorf("with nothing selected, a should offer all, says %q", help)
	}
}

func TestBuilderMovingKeysAndWheel(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// 12 lines leave room for two of the three rows.
	m := w.screen("alice", 80, 12)
	if got := m.rowsVisible(); got != 2 {
		t.Fatalf("rowsVisible = %d, want 2", got)
	}
	steps := []struct {
		input          any
		cursor, offset int
	}{
		{"j", 1, 0}, {"down", 2, 1}, {"j", 2, 1}, {"k", 1, 1}, {"up", 0, 0}, {"k", 0, 0},
		{"G", 2, 1}, {"g", 0, 0}, {"pgdown", 2, 1}, {"pgup", 0, 0},
		{tea.MouseButtonWheelDown, 1, 0}, {tea.MouseButtonWheelUp, 0, 0},
	}
	for _, s := range steps {
		switch in := s.input.(type) {
		case string:
			press(m, in)
		case tea.MouseButton:
			m.Update(tea.MouseMsg{Button: in, Action: tea.MouseActionPress})
		}
		if m.cursor != s.cursor || m.offset != s.offset {
			t.Fatalf("after %v: cursor %d offset %d, want %d %d", s.input, m.cursor, m.offset, s.cursor, s.offset)
		}
	}
	press(m, "G")
	if view := m.View(); strings.Contains(view, "InvoiceService ") || !strings.Contains(view, "Due_Date__c") {
		t.Errorf("at the bottom only the last two rows should be drawn:\n%s", view)
	}
}

func TestEnterCreatesTheRollbackWithTheSelection(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.screen("alice", 80, 24)
	press(m, "j", "space") // keep InvoiceServiceTest
	cmd := press(m, "enter")
	if m.busy == "" || enabled(m) != "esc" || !strings.Contains(m.View(), "Creating…") {
		t.Fatalf("while creating, the screen should say so and offer no key but esc; help %q", enabled(m))
	}
	out := settle(t, m, cmd)
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "Created RB-0001 (Draft) — s submits it for approval"}) {
		t.Fatalf("root got %v", out)
	}
	rb := w.stored(1)
	if got, want := items(rb.Items), "Override ApexClass:InvoiceService, Keep ApexClass:InvoiceServiceTest, Delete CustomField:Invoice__c.Due_Date__c"; got != want {
		t.Errorf("stored items = %s, want %s", got, want)
	}
	if rb.Requester != "alice" || rb.Status != model.RollbackDraft || rb.Target != "production" {
		t.Errorf("stored %+v", rb)
	}
	if m.builder() || !strings.Contains(m.View(), "RB-0001 · Roll back DR-0001 in production") {
		t.Errorf("after create the screen should show RB-0001:\n%s", m.View())
	}
}

func TestCtrlSCreatesAndNDraftsAnother(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackDraft, "CustomField:Invoice__c.Due_Date__c")
	m := w.screen("alice", 80, 24)
	if m.builder() || m.data.rb.ID != 1 {
		t.Fatal("a deployment with a rollback opens on its latest")
	}
	press(m, "n")
	if !m.builder() || items(m.draft) != "Override ApexClass:InvoiceService, Override ApexClass:InvoiceServiceTest, Delete CustomField:Invoice__c.Due_Date__c" {
		t.Fatalf("n should open a fresh builder, got %v", items(m.draft))
	}
	if m.keys.Back.Help().Desc != "cancel" {
		t.Errorf("esc in a second draft cancels it, help says %q", m.keys.Back.Help().Desc)
	}
	if cmd := press(m, "esc"); cmd != nil || m.builder() {
		t.Fatal("esc should cancel the new draft and show RB-0001 again, not leave")
	}
	press(m, "n", "space")
	out := settle(t, m, press(m, "ctrl+s"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "Created RB-0002 (Draft) — s submits it for approval"}) {
		t.Fatalf("root got %v", out)
	}
	if m.builder() || m.data.rb.ID != 2 || items(w.stored(2).Items) != "Keep ApexClass:InvoiceService, Override ApexClass:InvoiceServiceTest, Delete CustomField:Invoice__c.Due_Date__c" {
		t.Errorf("the screen should show the new RB-0002 with InvoiceService kept; shows %v", m.data.rb.Key())
	}
}

func TestSubmitAsksFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackDraft)
	m := w.screen("alice", 80, 24)
	press(m, "s")
	if !m.dialog.Open() || !m.Capturing() {
		t.Fatal("s should ask before submitting")
	}
	view := m.View()
	for _, s := range []string{"Submit RB-0001 for approval?", "bob and carol will be asked to approve rolling back 3", "components"} {
		if !strings.Contains(view, s) {
			t.Errorf("the question lacks %q:\n%s", s, view)
		}
	}
	if out := settle(t, m, press(m, "n")); len(out) != 0 || w.stored(1).Status != model.RollbackDraft {
		t.Fatalf("n should submit nothing; root got %v", out)
	}
	press(m, "s")
	out := settle(t, m, press(m, "y"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "Submitted RB-0001 — waiting for bob, carol"}) {
		t.Fatalf("root got %v", out)
	}
	if w.stored(1).Status != model.RollbackPending || !strings.Contains(m.View(), "Pending Approval") {
		t.Errorf("RB-0001 should be pending and shown so:\n%s", m.View())
	}
	if h := enabled(m); h != "esc" {
		t.Errorf("alice waits for her approvers: help offers %q", h)
	}
}

func TestApproveWithAComment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackPending)
	m := w.screen("bob", 80, 24)
	press(m, "a")
	if !m.dialog.Open() || !strings.Contains(m.View(), "Approve RB-0001: roll back 3 components in production") {
		t.Fatalf("a should ask for a comment, naming the rollback:\n%s", m.View())
	}
	typeText(m, "Field must go")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You approved RB-0001 — still waiting for carol"}) {
		t.Fatalf("root got %v", out)
	}
	rb := w.stored(1)
	if a := rb.Approvers[0]; a.User != "bob" || a.Decision != model.DecisionApproved || a.Comment != "Field must go" {
		t.Errorf("bob's stored decision = %+v", a)
	}
	if !strings.Contains(m.View(), "✓ bob (you) approved · “Field must go”") || enabled(m) != "esc" {
		t.Errorf("bob's decision should show and a/r go away (help %q):\n%s", enabled(m), m.View())
	}
	c := w.screen("carol", 80, 24)
	press(c, "a")
	out = settle(t, c, press(c, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You approved RB-0001 — it is now Approved"}) {
		t.Fatalf("carol's root got %v", out)
	}
}

func TestRejectNeedsAComment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackPending)
	m := w.screen("carol", 80, 24)
	press(m, "r")
	if out := settle(t, m, press(m, "enter")); len(out) != 0 || !m.dialog.Open() || !strings.Contains(m.View(), "required") {
		t.Fatalf("an empty rejection should be refused in the prompt; root got %v:\n%s", out, m.View())
	}
	typeText(m, "keep the field")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "You rejected RB-0001"}) {
		t.Fatalf("root got %v", out)
	}
	if rb := w.stored(1); rb.Status != model.RollbackRejected || rb.Approvers[1].Comment != "keep the field" {
		t.Errorf("stored %s with %+v", rb.Status, rb.Approvers)
	}
	a := w.screen("alice", 80, 24)
	if h := enabled(a); h != "s n esc" {
		t.Errorf("a rejected rollback can be resubmitted or redrafted by alice; help offers %q", h)
	}
	if !strings.Contains(a.View(), "✗ carol rejected · “keep the field”") {
		t.Errorf("the rejection should show:\n%s", a.View())
	}
}

func TestEscCancelsADecision(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackPending)
	m := w.screen("bob", 80, 24)
	press(m, "a")
	if out := settle(t, m, press(m, "esc")); len(out) != 0 || m.dialog.Open() || m.busy != "" {
		t.Fatalf("esc should close the prompt and decide nothing; root got %v", out)
	}
	if rb := w.stored(1); rb.ApprovalStatus != model.ApprovalPending || rb.Approvers[0].Decision != model.DecisionNone {
		t.Errorf("RB-0001 = %+v, want bob still undecided", rb.Approvers[0])
	}
}

func TestKeysFollowTheUserAndTheState(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		state model.RollbackStatus
		user  string
		help  string
	}{
		{model.RollbackDraft, "alice", "s n esc"},
		{model.RollbackDraft, "bob", "n esc"},
		{model.RollbackPending, "alice", "esc"},
		{model.RollbackPending, "bob", "a r esc"},
		{model.RollbackPending, "dave", "esc"},
		{model.RollbackApproved, "alice", "x esc"},
		{model.RollbackApproved, "bob", "x esc"},
		{model.RollbackRejected, "alice", "s n esc"},
		{model.RollbackRejected, "bob", "n esc"},
	}
	for _, c := range cases {
		w.rollback(c.state)
		if h := enabled(w.screen(c.user, 80, 24)); h != c.help {
			t.Errorf("%s as %s: help offers %q, want %q", c.state, c.user, h, c.help)
		}
	}
	// Keys the rules refuse open nothing; each says its rule and fix.
	m := w.screen("dave", 80, 24) // the latest is Rejected: dave may only draft anew
	for _, k := range []string{"s", "a", "r", "x"} {
		out := settle(t, m, press(m, k))
		var re *model.RuleError
		if m.dialog.Open() || len(out) != 1 {
			t.Fatalf("%s as dave: dialog %v, root got %v", k, m.dialog.Open(), out)
		}
		if e, ok := out[0].(common.ErrMsg); !ok || !errors.As(e.Err, &re) || re.Fix == "" {
			t.Errorf("%s as dave said %v, want a rule with its fix", k, out[0])
		}
	}
}

func TestRefusalReachesTheStatusLineWithTheRule(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackPending)
	m := w.screen("bob", 80, 24)
	// carol rejects from the command line while bob's screen still shows
	// RB-0001 pending.
	w.must(w.as("carol").RejectRollback(1, "not now"))
	press(m, "a")
	out := settle(t, m, press(m, "enter"))
	if len(out) != 1 {
		t.Fatalf("root got %v", out)
	}
	e, ok := out[0].(common.ErrMsg)
	if !ok || !errors.Is(e.Err, model.ErrNotPending) || !strings.Contains(e.Err.Error(), model.ErrNotPending.Rule) {
		t.Fatalf("root got %v, want the NotPending rule", out[0])
	}
	if m.busy != "" || m.data.rb.Status != model.RollbackRejected || enabled(m) != "n esc" {
		t.Errorf("after a refusal the screen should show what is stored and take keys again (help %q)", enabled(m))
	}
}

func TestRunRollsBackProduction(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackApproved)
	m := w.screen("alice", 80, 24)
	press(m, "x")
	view := m.View()
	for _, s := range []string{"Roll back 3 components in production?", "deletes 1 component DR-0001 created",
		"restores 2 components to the copy taken before DR-0001", "RunLocalTests"} {
		if !strings.Contains(view, s) {
			t.Errorf("the confirmation lacks %q:\n%s", s, view)
		}
	}
	if out := settle(t, m, press(m, "n")); len(out) != 0 || len(m.runs) != 0 {
		t.Fatalf("n should run nothing; root got %v", out)
	}
	press(m, "x")
	out := pump(t, m, press(m, "y"))
	if len(out) != 1 || out[0] != (common.StatusMsg{Text: "Rolled back 3 components in production"}) {
		t.Fatalf("root got %v", out)
	}
	view = m.View()
	for _, s := range []string{"✓ Rolled Back · 3 components in production", "Validated: production is back to its pre-deploy copies.",
		"DR-0001/4  Rollback Completed  3/3 components, 10/10 tests"} {
		if !strings.Contains(view, s) {
			t.Errorf("view lacks %q:\n%s", s, view)
		}
	}
	if rb := w.stored(1); rb.Status != model.RollbackDone || len(rb.Logs) != 1 {
		t.Errorf("stored %s with logs %v", rb.Status, rb.Logs)
	}
	if h := enabled(m); h != "esc" {
		t.Errorf("a rolled back deployment offers nothing more; help %q", h)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "orgs", "production", "force-app", "main", "default", "classes", "InvoiceService.cls"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(w.orgFile("production", "classes", "InvoiceService.cls")); err != nil || !bytes.Equal(got, want) {
		t.Errorf("InvoiceService is not back to its pre-deploy copy (%v)", err)
	}
	if _, err := os.Stat(w.orgFile("production", "objects", "Invoice__c", "fields", "Due_Date__c.field-meta.xml")); !os.IsNotExist(err) {
		t.Errorf("the field the deploy created is still in production (%v)", err)
	}
}

func TestFailedRunShowsWhyAndCanBeRetried(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackApproved, "CustomField:Invoice__c.Due_Date__c")
	// Someone deleted the field in production by hand: deleting it again
	// fails, and production (rollbackOnError) keeps everything.
	if err := os.Remove(w.orgFile("production", "objects", "Invoice__c", "fields", "Due_Date__c.field-meta.xml")); err != nil {
		t.Fatal(err)
	}
	m := w.screen("alice", 80, 24)
	press(m, "x")
	_, start := m.Update(press(m, "y")())
	// Leaving the screen does not stop the run.
	if back := press(m, "esc"); back == nil || back() != (common.BackMsg{}) {
		t.Fatal("esc should go back while the rollback runs")
	}
	out := pump(t, m, start)
	if len(out) != 1 {
		t.Fatalf("root got %v", out)
	}
	var failed *actions.JobFailedError
	if e, ok := out[0].(common.ErrMsg); !ok || !errors.As(e.Err, &failed) || failed.Status != model.LogRollbackFailed {
		t.Fatalf("root got %v, want the failed rollback job", out[0])
	}
	view := m.View()
	for _, s := range []string{"✗ Rollback failed · 1 component in production", "Rollback Failed",
		"✗ CustomField Invoice__c.Due_Date__c: Warning: No CustomField named:", "Invoice__c.Due_Date__c found"} {
		if !strings.Contains(view, s) {
			t.Errorf("view lacks %q:\n%s", s, view)
		}
	}
	if rb := w.stored(1); rb.Status != model.RollbackFailed {
		t.Errorf("stored %s, want Failed", rb.Status)
	}
	if h := enabled(m); h != "x n esc" {
		t.Errorf("a failed rollback can be run again or redrafted; help offers %q", h)
	}
}

func TestFailuresStreamAsTheyArrive(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackApproved)
	m := w.screen("alice", 80, 24)
	press(m, "x")
	m.Update(press(m, "y")()) // the run's commands are not run: the test plays the org
	if enabled(m) != "esc" || !strings.Contains(m.View(), "Rolling back 3 components in production") {
		t.Fatalf("a started run shows at once and turns x off; help %q:\n%s", enabled(m), m.View())
	}
	failure := model.ComponentFailure{Type: "ApexClass", Name: "InvoiceService", File: "classes/InvoiceService.cls",
		Line: 12, Column: 5, Problem: "Variable does not exist: Due_Date__c"}
	events := []actions.Event{
		{Stage: actions.StageDeploy, Log: 4, Status: model.LogRollbackInProgress, Detail: "Deploying", ComponentsTotal: 3, ComponentsDeployed: 1},
		{Stage: actions.StageDeploy, Log: 4, Status: model.LogRollbackInProgress, Detail: "Running tests", ComponentsTotal: 3,
			ComponentsDeployed: 2, ComponentErrors: 1, TestsTotal: 11, TestsCompleted: 4, ComponentFailures: []model.ComponentFailure{failure}},
	}
	for i, e := range events {
		_, next := m.Update(runMsg{rb: 1, gen: 1, events: []actions.Event{e}})
		if next == nil {
			t.Fatalf("event %d: the feed should be re-armed until the result", i)
		}
	}
	view := m.View()
	for _, s := range []string{"Rollback In Progress · Running tests", "2/3 · 1 error", "4/11",
		"✗ ApexClass InvoiceService: Variable does not exist: Due_Date__c", "classes/InvoiceService.cls:12:5"} {
		if !strings.Contains(view, s) {
			t.Errorf("the live panel lacks %q:\n%s", s, view)
		}
	}
	// A message of another run, or of none, is dropped.
	for _, msg := range []tea.Msg{runMsg{rb: 1, gen: 7}, runMsg{rb: 9, gen: 1}} {
		if _, cmd := m.Update(msg); cmd != nil {
			t.Errorf("%+v started a command", msg)
		}
	}
	err := errors.New("DR-0001: Rollback Failed: 2/3 components, 1 component errors")
	_, cmd := m.Update(runMsg{rb: 1, gen: 1, result: &runResult{err: err}})
	out := settle(t, m, cmd)
	if len(out) != 1 || out[0] != (common.ErrMsg{Err: err}) {
		t.Fatalf("root got %v", out)
	}
	if !strings.Contains(m.View(), "✗ Rollback failed") || !strings.Contains(m.View(), err.Error()) {
		t.Errorf("the panel should say how it ended:\n%s", m.View())
	}
}

func TestEscGoesBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.screen("alice", 80, 24)
	if cmd := press(m, "esc"); cmd == nil || cmd() != (common.BackMsg{}) {
		t.Error("esc in the builder should go back")
	}
	w.rollback(model.RollbackDraft)
	settle(t, m, func() tea.Msg { return common.StoreChangedMsg{Head: 9} })
	if m.builder() {
		t.Fatal("a rollback created elsewhere should replace the builder")
	}
	if cmd := press(m, "esc"); cmd == nil || cmd() != (common.BackMsg{}) {
		t.Error("esc on a rollback should go back")
	}
}

func TestADeploymentThatIsNotDeployedCannotBeRolledBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d, err := w.as("alice").NewDeployment(w.dr.CR, "uat", "production", model.DeploymentFields{})
	if err != nil {
		t.Fatal(err)
	}
	m := New(common.Deps{Svc: w.as("alice"), Styles: theme.Default()}).(*Model)
	m.SetSize(80, 24)
	_, cmd := m.Update(common.ShowMsg{ID: d.ID})
	settle(t, m, cmd)
	view := m.View()
	if !strings.Contains(view, "New rollback of DR-0002") || !strings.Contains(oneLine(view), model.ErrNotRollbackable.Rule+": DR-0002 is Draft") {
		t.Errorf("the builder should say which rule refuses:\n%s", view)
	}
	if h := enabled(m); h != "esc" {
		t.Errorf("nothing can be chosen or created; help offers %q", h)
	}
	if cmd := press(m, "space", "a", "enter"); cmd != nil {
		t.Error("disabled keys should do nothing")
	}
}

func TestScrollingALongRollback(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rollback(model.RollbackApproved)
	m := w.screen("alice", 80, 12)
	n, h := len(m.doc), m.docHeight()
	if n <= h || !m.keys.Down.Enabled() {
		t.Fatalf("the document (%d lines) should overflow %d and offer scrolling", n, h)
	}
	last := n - h
	steps := []struct {
		input  any
		scroll int
	}{
		{"j", 1}, {"down", 2}, {"k", 1}, {"up", 0}, {"k", 0}, {"G", last}, {"j", last}, {"g", 0},
		{"pgdown", min(h, last)}, {"pgup", 0}, {tea.MouseButtonWheelDown, 1}, {tea.MouseButtonWheelUp, 0},
	}
	for _, s := range steps {
		switch in := s.input.(type) {
		case string:
			press(m, in)
		case tea.MouseButton:
			m.Update(tea.MouseMsg{Button: in, Action: tea.MouseActionPress})
		}
		if m.scroll != s.scroll {
			t.Fatalf("after %v: scroll %d, want %d", s.input, m.scroll, s.scroll)
		}
	}
	if !strings.Contains(m.View(), "more lines (j, pgdn)") {
		t.Errorf("the top of a long document should say there is more:\n%s", m.View())
	}
	press(m, "G")
	if view := m.View(); !strings.Contains(view, "Not run yet.") || strings.Contains(view, "more line") {
		t.Errorf("at the bottom the log shows:\n%s", view)
	}
}

func TestStaleAndForeignMessagesAreDropped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.screen("alice", 80, 24)
	_, older := m.Update(common.StoreChangedMsg{Head: 1})
	olderMsg := older() // reads before the rollback exists, answers after
	w.rollback(model.RollbackDraft)
	settle(t, m, func() tea.Msg { return common.StoreChangedMsg{Head: 2} })
	if m.builder() {
		t.Fatal("the reload should show RB-0001")
	}
	settle(t, m, func() tea.Msg { return olderMsg })
	if m.builder() {
		t.Error("a stale load replaced RB-0001 with the builder")
	}
	for _, msg := range []tea.Msg{
		dialog.DoneMsg{Tag: "approvals/approve", OK: true},
		dialog.DoneMsg{Tag: tagSubmit, OK: false},
		loadedMsg{seq: m.seq - 1, dr: w.dr.ID},
		runMsg{rb: 1, gen: 1},
		tea.WindowSizeMsg{Width: 10, Height: 5},
	} {
		if _, cmd := m.Update(msg); cmd != nil {
			t.Errorf("%T started a command", msg)
		}
	}
	if m.busy != "" || m.data.rb == nil || m.data.rb.Status != model.RollbackDraft || len(m.runs) != 0 {
		t.Errorf("state changed: busy %q, runs %d", m.busy, len(m.runs))
	}
	if _, cmd := New(common.Deps{Svc: w.as("alice"), Styles: theme.Default()}).Update(common.StoreChangedMsg{}); cmd != nil {
		t.Error("a screen never opened should not load on store changes")
	}
}
