package deploy

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/deploy/deploytest"
)

// sizes are the bodies the root gives a screen in terminals of 80×24 and
// 160×48 (less the padding, the header and the two footer lines).
var sizes = []struct {
	name string
	w, h int
}{{"80x24", 78, 21}, {"160x48", 158, 45}}

func requireGolden(t *testing.T, view string) {
	t.Helper()
	golden.RequireEqual(t, []byte(deploytest.Stable(view)))
}

// requireFrame checks a view fits a body of height lines, then its golden.
func requireFrame(t *testing.T, view string, height int) {
	t.Helper()
	if got := len(strings.Split(view, "\n")); got > height {
		t.Errorf("view is %d lines for a body of %d", got, height)
	}
	requireGolden(t, view)
}

// openDetail shows record id on a new detail screen and waits for it.
func openDetail(t *testing.T, deps common.Deps, id int64, w, h int) (*deploytest.Driver, *Detail) {
	t.Helper()
	m := NewDetail(deps).(*Detail)
	d := deploytest.NewDriver(t, m, w, h)
	d.Send(common.ShowMsg{ID: id})
	d.Until("the record to load", func() bool { return m.data != nil && !m.loading })
	return d, m
}

// enabled lists the help of the enabled short-help keys: what the footer shows.
func enabled(s common.Screen) string {
	var out []string
	for _, b := range s.ShortHelp() {
		if b.Enabled() {
			out = append(out, b.Help().Key)
		}
	}
	return strings.Join(out, " ")
}

func TestDetailGoldens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		id   int64
		user string
	}{
		{"DR-0001_missing_dependency", 1, "alice"},
		{"DR-0002_validation_failed", 2, "alice"},
		{"DR-0003_deploy_failed", 3, "alice"},
		{"DR-0004_validated", 4, "alice"},
		{"DR-0005_verified", 5, "alice"},
		{"DR-0006_pending_as_carol", 6, "carol"},
		{"DR-0007_draft", 7, "alice"},
		{"DR-0008_rejected", 8, "alice"},
	}
	for _, c := range cases {
		for _, size := range sizes {
			t.Run(c.name+"/"+size.name, func(t *testing.T) {
				_, m := openDetail(t, depsAs(t, c.user), c.id, size.w, size.h)
				requireFrame(t, m.View(), size.h)
			})
		}
	}
}

// TestDetailKeysFollowTheRules checks the footer never offers what the
// rules refuse: each record, as each user, shows exactly its actions.
func TestDetailKeysFollowTheRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id   int64
		user string
		want string
	}{
		{1, "alice", "a R D V enter/x l esc"}, // missing dependency: a adds it
		{2, "alice", "R D V enter/x l esc"},   // failed validation: try again
		{4, "alice", "R D V enter/x Q l esc"}, // validated: quick deploy too
		{5, "alice", "C b l o esc"},           // verified: complete the CR, roll back, open the compare
		{5, "bob", "C b l o esc"},             // an approver may complete too
		{6, "carol", "a r l esc"},             // carol still has to decide
		{6, "bob", "l esc"},                   // bob has decided
		{6, "alice", "l esc"},                 // the requester cannot decide
		{7, "alice", "s l esc"},               // draft: the requester submits
		{7, "bob", "l esc"},                   // only the requester submits
		{8, "alice", "s l esc"},               // rejected: submit again
	}
	for _, c := range cases {
		_, m := openDetail(t, depsAs(t, c.user), c.id, 158, 45)
		if got := enabled(m); got != c.want {
			t.Errorf("DR-%04d as %s: keys %q, want %q", c.id, c.user, got, c.want)
		}
	}
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "alice"), 7, 78, 21)
	d.Key("s")
	if st := deploytest.UntilOut[common.StatusMsg](d); !strings.Contains(st.Text, "DR-0007 is Pending Approval") {
		t.Errorf("status %q", st.Text)
	}
	d.Until("the reload", func() bool { return m.data.d.Status == model.DeployPending })
	if !strings.Contains(m.View(), "Waiting for bob to approve.") {
		t.Errorf("after submit:\n%s", m.View())
	}
}

func TestApproveWithAComment(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "carol"), 6, 78, 21)
	d.Key("a")
	if !m.Capturing() || !strings.Contains(m.View(), "Approve DR-0006?") {
		t.Fatalf("a did not open the comment prompt:\n%s", m.View())
	}
	if got := enabled(m); got != "enter esc" {
		t.Errorf("help while the prompt is open: %q", got)
	}
	d.Type("Checked the tests.")
	d.Key("enter")
	deploytest.UntilOut[common.StatusMsg](d)
	d.Until("the reload", func() bool { return m.data.d.Status == model.DeployApproved })
	for _, a := range m.data.d.Approvers {
		if a.User == "carol" && a.Comment != "Checked the tests." {
			t.Errorf("carol's decision %+v", a)
		}
	}
}

func TestRejectNeedsAComment(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "carol"), 6, 78, 21)
	d.Key("r")
	d.Key("enter")
	if !m.dialog.Open() || !strings.Contains(m.View(), "required") {
		t.Fatalf("an empty rejection was accepted:\n%s", m.View())
	}
	d.Type("Wrong test level.")
	d.Key("enter")
	deploytest.UntilOut[common.StatusMsg](d)
	d.Until("the reload", func() bool { return m.data.d.Status == model.DeployRejected })
}

func TestDialogsOfOtherScreensAreIgnored(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "carol"), 6, 78, 21)
	d.Key("a")
	// Another screen's dialog answers with the same words: not ours.
	d.Send(dialog.DoneMsg{Tag: "changes.detail.approve", OK: true})
	if m.busy != "" || !m.dialog.Open() {
		t.Fatal("acted on another screen's dialog")
	}
	d.Key("esc")
	if m.dialog.Open() || m.Capturing() {
		t.Fatal("esc did not close the prompt")
	}
}

func TestAddMissingDependencies(t *testing.T) {
	t.Parallel()
	deps := depsAs(t, "alice")
	d, m := openDetail(t, deps, 1, 78, 21)
	if !strings.Contains(m.View(), "Deploy Changes") && !strings.Contains(strings.Join(m.detailLines(), "\n"), "a adds the 1 missing component to CR-0002") {
		t.Errorf("the missing dependency is not explained:\n%s", strings.Join(m.detailLines(), "\n"))
	}
	d.Key("a")
	if view := m.View(); !strings.Contains(view, "Add 1 missing component to CR-0002?") || !strings.Contains(view, "CustomField:Invoice__c.Due_Date__c") {
		t.Fatalf("confirmation:\n%s", view)
	}
	d.Key("y")
	if st := deploytest.UntilOut[common.StatusMsg](d); !strings.Contains(st.Text, "need approving again") {
		t.Errorf("status %q", st.Text)
	}
	cr, err := deps.Svc.CR(2)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Status() != model.StatusPending {
		t.Errorf("CR-0002 is %s after adding a dependency", cr.Status())
	}
	d.Until("the reload", func() bool { return m.data.cr.Status() == model.StatusPending })
	if m.keys.Retrieve.Enabled() || m.keys.AddMissing.Enabled() {
		t.Errorf("steps still offered on a CR pending approval: %q", enabled(m))
	}
}

func TestRetrieveAndCheckDependencies(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, isolated(t, "alice"), 4, 78, 21)
	d.Key("R")
	if m.keys.Retrieve.Enabled() || m.current() == nil {
		t.Fatal("a second step could start while the first runs")
	}
	d.Until("the retrieve to finish", func() bool { r := m.current(); return r.done && m.data.seq >= r.reloadSeq })
	if r := m.current(); r.err != nil || r.stages[0] != stageDone {
		t.Fatalf("retrieve: %v, stages %v", r.err, r.stages)
	}
	if st := deploytest.UntilOut[common.StatusMsg](d); !strings.Contains(st.Text, "retrieved 3 of 3 components from uat") {
		t.Errorf("status %q", st.Text)
	}
	// The same content again: its validation still holds for quick deploy,
	// but its dependencies need checking again.
	if !m.keys.Quick.Enabled() {
		t.Error("quick deploy refused for identical content")
	}
	if got := m.stages(); got != [5]stageState{stageDone, stageSkipped, stageDone} {
		t.Errorf("stages after a new retrieve: %v", got)
	}
	d.Key("D")
	d.Until("the dependency check", func() bool { r := m.current(); return r.step == stepDependencies && r.done })
	if r := m.current(); r.err != nil || !strings.Contains(r.detail, "0 missing") {
		t.Fatalf("dependencies: %v, %q", r.err, r.detail)
	}
}

func TestValidationFailureStreamsItsErrors(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, isolated(t, "alice"), 2, 78, 21)
	d.Key("V")
	d.Until("the validation to end", func() bool { return m.current().done })
	r := m.current()
	var failed *actions.JobFailedError
	if !errors.As(r.err, &failed) || failed.Status != model.LogValidationFailed {
		t.Fatalf("validation error %v", r.err)
	}
	if len(r.errs.items) != 1 || r.errs.items[0].what != "test InvoiceTotalsTest.neverNegative" ||
		!strings.Contains(r.errs.items[0].message, "totals must never be negative") {
		t.Fatalf("errors %q", r.errs.items)
	}
	if e := deploytest.UntilOut[common.ErrMsg](d); !strings.Contains(e.Err.Error(), "Validation Failed") {
		t.Errorf("status line %v", e.Err)
	}
	view := m.View()
	for _, want := range []string{"✗ Validate failed after", "Validation Failed: 1/1 components, 12/13 tests, 1 test failures",
		"Tests      ████████████████████████████████████████ 13/13 · 1 failed", "Errors (1)",
		"✗ test InvoiceTotalsTest.neverNegative\n  System.AssertException: Assertion Failed: totals must never be negative"} {
		if !strings.Contains(view, want) {
			t.Errorf("no %q in\n%s", want, view)
		}
	}
	d.Key("tab")
	if m.focus != focusErrors || !strings.Contains(m.View(), "↑/↓ scroll · tab details") {
		t.Errorf("tab did not focus the errors:\n%s", m.View())
	}
	d.Key("tab")
	if m.focus != focusDetails {
		t.Error("tab did not return to the details")
	}
}

// TestQuickDeployRefusedThenDeploy: DR-0004's validation is fresh, but
// DR-0005 changed production's copies since, so quick deploy is refused
// with the reason, and the deploy offered instead runs to verified.
func TestQuickDeployRefusedThenDeploy(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, isolated(t, "alice"), 4, 78, 21)
	d.Key("Q")
	if !strings.Contains(m.View(), "Quick deploy DR-0004 to production?") {
		t.Fatalf("Q did not ask:\n%s", m.View())
	}
	d.Key("y")
	d.Until("the refusal", func() bool { r := m.current(); return r != nil && r.done })
	view := m.View()
	for _, want := range []string{"Deploy DR-0004 to production with RunLocalTests?",
		"Quick deploy is not possible: the target's copies of these", "components changed since the validation."} {
		if !strings.Contains(view, want) {
			t.Errorf("no %q in\n%s", want, view)
		}
	}
	d.Key("y")
	d.Until("the deploy to be verified", func() bool {
		r := m.current()
		return r.step == stepDeploy && r.done && m.data.seq >= r.reloadSeq
	})
	if r := m.current(); r.err != nil || m.data.d.Status != model.DeployVerified {
		t.Fatalf("deploy: %v; record %s", r.err, m.data.d.Status)
	}
	if got := m.stages(); got != [5]stageState{stageDone, stageDone, stageDone, stageDone, stageDone} {
		t.Errorf("stages %v", got)
	}
}

func TestDeployFailureNamesTheLine(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, isolated(t, "alice"), 3, 78, 21)
	d.Key("enter")
	if view := m.View(); !strings.Contains(view, "Deploy DR-0003 to production with RunLocalTests?") ||
		!strings.Contains(view, "production (production)") {
		t.Fatalf("enter did not confirm, naming target and test level:\n%s", view)
	}
	d.Key("n")
	d.Until("the answer", func() bool { return m.asked == "" })
	if m.current() != nil {
		t.Fatal("declining deployed anyway")
	}
	d.Key("x")
	d.Key("y")
	d.Until("the deploy to fail", func() bool { r := m.current(); return r != nil && r.done })
	r := m.current()
	if r.err == nil || r.stages[3] != stageFailed || r.stages[4] != stagePending {
		t.Fatalf("deploy: %v, stages %v", r.err, r.stages)
	}
	if len(r.errs.items) != 1 || !strings.HasPrefix(r.errs.items[0].what, "ApexClass InvoiceAging · classes/InvoiceAging.cls:3:") ||
		r.errs.items[0].message != "Invalid type: AgingPolicy" {
		t.Errorf("errors %q", r.errs.items)
	}
}

func TestNavigationKeys(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "alice"), 5, 78, 21)
	d.Key("l")
	if o := deploytest.UntilOut[common.OpenMsg](d); o.Screen != common.ScreenLogs || o.ID != 5 {
		t.Errorf("l opened %+v", o)
	}
	d.Key("o")
	if o := deploytest.UntilOut[common.OpenMsg](d); o.Screen != common.ScreenReview || o.ID != 1 {
		t.Errorf("o opened %+v", o)
	}
	d.Key("esc")
	deploytest.UntilOut[common.BackMsg](d)

	// DR-0004 has more to read than fits.
	d.Send(common.ShowMsg{ID: 4})
	d.Until("DR-0004", func() bool { return m.data != nil && m.data.d.ID == 4 })
	top := m.viewport.YOffset
	d.Key("j")
	d.Key("G")
	if m.viewport.YOffset <= top {
		t.Error("j/G did not scroll the details")
	}
	d.Key("g")
	if m.viewport.YOffset != 0 {
		t.Error("g did not go back to the top")
	}
	d.Key("pgdown")
	if m.viewport.YOffset != m.viewport.Height {
		t.Errorf("pgdown scrolled to %d, a page is %d", m.viewport.YOffset, m.viewport.Height)
	}
	d.Key("pgup")
	if m.viewport.YOffset != 0 {
		t.Error("pgup did not scroll back")
	}
	d.Key("k")
	if m.viewport.YOffset != 0 {
		t.Error("k scrolled above the top")
	}
}

func TestCompleteTheCR(t *testing.T) {
	t.Parallel()
	deps := depsAs(t, "alice")
	d, m := openDetail(t, deps, 5, 78, 21)
	d.Key("C")
	if !strings.Contains(m.View(), "Complete CR-0005?") {
		t.Fatalf("C did not ask:\n%s", m.View())
	}
	d.Key("y")
	if st := deploytest.UntilOut[common.StatusMsg](d); st.Text != "CR-0005 is Completed." {
		t.Errorf("status %q", st.Text)
	}
	d.Until("the reload", func() bool { return m.data.cr.CompletionStatus == model.CompletionCompleted })
	if m.keys.Complete.Enabled() {
		t.Error("C still offered on a completed CR")
	}
}

func TestKeysAreDisabledWhileADialogIsOpen(t *testing.T) {
	t.Parallel()
	_, m := openDetail(t, depsAs(t, "alice"), 4, 78, 21)
	m.Update(deploytest.Key("x"))
	for _, b := range []key.Binding{m.keys.Retrieve, m.keys.Logs, m.keys.Back, m.keys.Down} {
		if b.Enabled() {
			t.Errorf("%s enabled behind the dialog", b.Help().Key)
		}
	}
}
