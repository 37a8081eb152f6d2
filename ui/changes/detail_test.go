package changes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/changes/screentest"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/identity/identitytest"
)

// shownDetail returns the detail screen showing change request id.
func shownDetail(t *testing.T, deps common.Deps, id int64, w, h int) *Detail {
	t.Helper()
	s := NewDetail(deps)
	s.SetSize(w, h)
	s, cmd := s.Update(common.ShowMsg{ID: id})
	s.Update(screentest.Await[detailLoadedMsg](t, cmd))
	return s.(*Detail)
}

// answer sends keys to an open dialog and feeds back its answer; the
// returned command is what the screen did with the answer.
func answer(t *testing.T, d *Detail, keys ...string) tea.Cmd {
	t.Helper()
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = d.Update(screentest.Key(k))
	}
	_, cmd = d.Update(screentest.Await[dialog.DoneMsg](t, cmd))
	return cmd
}

// act runs an action command and returns the screen's status or error text,
// after applying the answer and the reload that follows it.
func act(t *testing.T, d *Detail, cmd tea.Cmd) (status string, isErr bool) {
	t.Helper()
	_, next := d.Update(screentest.Await[actionDoneMsg](t, cmd))
	r := screentest.Start(t, next)
	d.Update(screentest.Take[detailLoadedMsg](t, r))
	return screentest.TakeStatus(t, r)
}

func TestDetailShowsEverythingAboutAChangeRequest(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 1, 160, 200)
	if d.data.cr.Key() != "CR-0001" || len(d.data.history) != 6 || len(d.data.deployments) != 1 ||
		len(d.data.children) != 1 || d.data.children[0].ID != 3 {
		t.Fatalf("loaded %s with %d events, %d deployments, children %v", d.data.cr.Key(), len(d.data.history),
			len(d.data.deployments), d.data.cr.Children)
	}
	view := d.View()
	for _, want := range []string{"Invoice due dates and regions", "Pending Approval", "⚑ added after approval",
		"Proposed customizations (1)", "ValidationRule  Invoice__c.Due_Date_After_Invoice_Date",
		"bob    Approved 4d ago on an earlier scope: no longer counts", "“Looks right.”",
		"since then the push back of CR-0003 added CustomField:Account.Region__c",
		"copy     CR-0003  uat", "DR-0001  uat → production  Draft", "History (6)", "alice  push-back",
		"Read-only — CR-0001 is Pending Approval"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	child := shownDetail(t, fixture.Deps(t, "alice"), 3, 160, 60)
	if v := child.View(); !strings.Contains(v, "copy of  CR-0001  production") {
		t.Errorf("the copy does not name its parent:\n%s", v)
	}
}

func TestDetailActionsFollowTheRules(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	cases := []struct {
		id      int64
		enabled string
	}{
		{1, "x"},         // pending, alice requested: only cancel
		{3, "e p x"},     // alice's copy in uat, pushed back: edit, push back, cancel; no submit
		{4, ""},          // bob's, rejected: nothing for alice
		{6, "y x C"},     // approved: sync, cancel, complete
		{7, "e x"},       // in progress, alice's, no approvers: no submit
		{8, "a r"},       // bob's, pending, alice listed: approve, reject
		{2, ""}, {5, ""}, // completed, cancelled
	}
	for _, c := range cases {
		d := shownDetail(t, deps, c.id, 80, 24)
		var got []string
		for _, b := range []struct {
			k  string
			on bool
		}{{"e", d.keys.Edit.Enabled()}, {"s", d.keys.Submit.Enabled()}, {"a", d.keys.Approve.Enabled()},
			{"r", d.keys.Reject.Enabled()}, {"y", d.keys.Sync.Enabled()}, {"p", d.keys.PushBack.Enabled()},
			{"x", d.keys.Cancel.Enabled()}, {"C", d.keys.Complete.Enabled()}} {
			if b.on {
				got = append(got, b.k)
			}
		}
		if strings.Join(got, " ") != c.enabled {
			t.Errorf("CR-%04d: enabled %q, want %q", c.id, strings.Join(got, " "), c.enabled)
		}
	}
	// A refused key acts on nothing; it says the rule and the fix on the
	// status line, as the CLI does.
	d := shownDetail(t, deps, 1, 80, 24)
	for _, k := range []string{"e", "s", "a", "r", "y", "p", "C"} {
		_, cmd := d.Update(screentest.Key(k))
		if d.dialog.Open() || d.picking {
			t.Errorf("%s on CR-0001 opened something", k)
		}
		var re *model.RuleError
		if got := screentest.Await[common.ErrMsg](t, cmd); !errors.As(got.Err, &re) || re.Fix == "" {
			t.Errorf("%s on CR-0001 said %v, want a rule with its fix", k, got.Err)
		}
	}
}

func TestDetailEditOpensTheEditor(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 7, 80, 24)
	_, cmd := d.Update(screentest.Key("e"))
	if got := screentest.Await[common.OpenMsg](t, cmd); got != (common.OpenMsg{Screen: common.ScreenEditor, ID: 7}) {
		t.Fatalf("e = %+v", got)
	}
}

// Submit with no approver is not offered (no "Each approver () will
// decide" question); pressing s says the rule, the CLI's words.
func TestDetailSubmitRefusalShowsTheRule(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 7, 80, 24)
	_, cmd := d.Update(screentest.Key("s"))
	if d.dialog.Open() {
		t.Fatal("s asks to submit a change request with no approver")
	}
	err := screentest.Await[common.ErrMsg](t, cmd).Err
	if !errors.Is(err, model.ErrNoApprovers) || err.Error() != "submitting needs at least one approver: CR-0007 lists no approvers. Add one with --approver." {
		t.Fatalf("s said %v; want the NoApprovers rule", err)
	}
	if d.data.cr.Status() != model.StatusInProgress {
		t.Fatal("the refused submit changed the change request")
	}
}

func TestDetailSubmitAndNo(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	if _, err := deps.Svc.EditCR(7, model.CREdit{AddApprovers: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	d := shownDetail(t, deps, 7, 80, 24)
	d.Update(screentest.Key("s"))
	if cmd := answer(t, d, "n"); cmd != nil {
		t.Fatal("n still submitted")
	}
	d.Update(screentest.Key("s"))
	text, isErr := act(t, d, answer(t, d, "y"))
	if isErr || text != "Submitted CR-0007 for approval" || d.data.cr.Status() != model.StatusPending {
		t.Fatalf("status %q (error %v), CR status %s", text, isErr, d.data.cr.Status())
	}
}

func TestDetailApproveWithAComment(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 8, 80, 24)
	d.Update(screentest.Key("a"))
	if !d.Capturing() {
		t.Fatal("the approve prompt does not capture typing")
	}
	for _, r := range "OK for me" {
		d.Update(screentest.Key(string(r)))
	}
	text, _ := act(t, d, answer(t, d, "enter"))
	if text != "Approved CR-0008: waiting for the other approvers" {
		t.Fatalf("status %q", text)
	}
	a := d.data.cr.Approvers[0]
	if a.User != "alice" || a.Decision != model.DecisionApproved || a.Comment != "OK for me" {
		t.Fatalf("alice's decision %+v", a)
	}
	if d.keys.Approve.Enabled() {
		t.Error("approve still offered after deciding")
	}
}

func TestDetailRejectNeedsAComment(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 8, 80, 24)
	d.Update(screentest.Key("r"))
	if _, cmd := d.Update(screentest.Key("enter")); cmd != nil || !d.dialog.Open() {
		t.Fatal("an empty rejection comment was accepted")
	}
	for _, r := range "Too broad" {
		d.Update(screentest.Key(string(r)))
	}
	text, _ := act(t, d, answer(t, d, "enter"))
	if text != "Rejected CR-0008" || d.data.cr.Status() != model.StatusRejected {
		t.Fatalf("status %q, CR %s", text, d.data.cr.Status())
	}
}

func TestDetailSyncPicksASandboxThenOpensTheCopy(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 6, 80, 24)
	d.Update(screentest.Key("y"))
	if !d.picking || len(d.data.sandboxes) != 2 {
		t.Fatalf("y: picking %v with sandboxes %v", d.picking, d.data.sandboxes)
	}
	d.Update(screentest.Key("esc"))
	if d.picking {
		t.Fatal("esc does not close the picker")
	}
	d.Update(screentest.Key("y"))
	d.Update(screentest.Key("j")) // dev, then uat: environments are listed by name
	_, cmd := d.Update(screentest.Key("enter"))
	if d.busy != "Testing connection to uat…" || !strings.Contains(d.View(), "Testing connection to uat…") {
		t.Fatalf("busy %q while syncing", d.busy)
	}
	_, next := d.Update(screentest.Await[actionDoneMsg](t, cmd))
	r := screentest.Start(t, next)
	if got := screentest.Take[common.StatusMsg](t, r); got.Text != "Synced as CR-0009" {
		t.Fatalf("status %q", got.Text)
	}
	d.Update(screentest.Take[detailLoadedMsg](t, r))
	if d.id != 9 || d.data.cr.Parent != 6 || d.data.cr.Env != "uat" {
		t.Fatalf("showing CR-%04d (parent %d, env %s) after the sync", d.id, d.data.cr.Parent, d.data.cr.Env)
	}
	if d.keys.Back.Help().Desc != "back to CR-0006" {
		t.Errorf("esc says %q", d.keys.Back.Help().Desc)
	}
	_, cmd = d.Update(screentest.Key("esc"))
	d.Update(screentest.Await[detailLoadedMsg](t, cmd))
	if d.id != 6 || len(d.data.children) != 1 {
		t.Fatalf("esc went to CR-%04d with copies %v; want CR-0006 and its new copy", d.id, d.data.cr.Children)
	}
	_, cmd = d.Update(screentest.Key("esc"))
	screentest.Await[common.BackMsg](t, cmd)
}

func TestDetailPushBackReportsTheDeploymentRecord(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 3, 80, 24)
	d.Update(screentest.Key("p"))
	text, isErr := act(t, d, answer(t, d, "y"))
	if isErr || text != "Pushed CR-0003 back to CR-0001 as DR-0002" {
		t.Fatalf("status %q (error %v)", text, isErr)
	}
}

func TestDetailCancelNeedsAReason(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 7, 80, 24)
	d.Update(screentest.Key("x"))
	if _, cmd := d.Update(screentest.Key("enter")); cmd != nil {
		t.Fatal("an empty reason was accepted")
	}
	for _, r := range "Not needed" {
		d.Update(screentest.Key(string(r)))
	}
	text, _ := act(t, d, answer(t, d, "enter"))
	if text != "Cancelled CR-0007" || d.data.cr.CancelReason != "Not needed" {
		t.Fatalf("status %q, reason %q", text, d.data.cr.CancelReason)
	}
	if d.keys.Cancel.Enabled() || d.keys.Edit.Enabled() {
		t.Error("a cancelled change request still offers actions")
	}
}

func TestDetailComplete(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 6, 80, 24)
	d.Update(screentest.Key("C"))
	text, _ := act(t, d, answer(t, d, "y"))
	if text != "Completed CR-0006" || d.data.cr.Status() != model.StatusCompleted {
		t.Fatalf("status %q, CR %s", text, d.data.cr.Status())
	}
}

func TestDetailIgnoresOtherScreensDialogs(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 7, 80, 24)
	d.Update(screentest.Key("x"))
	if _, cmd := d.Update(dialog.DoneMsg{Tag: "approvals.reject", OK: true, Text: "x"}); cmd != nil {
		t.Fatal("acted on another screen's dialog")
	}
}

func TestDetailScrollsAndGoesBack(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 1, 80, 12)
	steps := []struct {
		key  string
		want func(y int) bool
	}{
		{"j", func(y int) bool { return y == 1 }}, {"down", func(y int) bool { return y == 2 }},
		{"k", func(y int) bool { return y == 1 }}, {"G", func(y int) bool { return y > 10 }},
		{"g", func(y int) bool { return y == 0 }}, {"pgdown", func(y int) bool { return y > 3 }},
		{"pgup", func(y int) bool { return y == 0 }}, {"end", func(y int) bool { return y > 10 }},
		{"home", func(y int) bool { return y == 0 }}, {"space", func(y int) bool { return y > 3 }},
		{"ctrl+b", func(y int) bool { return y == 0 }}, {"ctrl+f", func(y int) bool { return y > 3 }},
	}
	for _, s := range steps {
		d.Update(screentest.Key(s.key))
		if !s.want(d.viewport.YOffset) {
			t.Fatalf("after %s the body is at line %d", s.key, d.viewport.YOffset)
		}
	}
	_, cmd := d.Update(screentest.Key("esc"))
	screentest.Await[common.BackMsg](t, cmd)
}

func TestDetailReloadsWhenTheStoreChanges(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	d := shownDetail(t, deps, 8, 80, 24)
	carol := identitytest.As(t, deps.Svc.Store, "carol")
	carol.Now = deps.Svc.Now
	if _, err := carol.ApproveCR(8, "ok"); err != nil {
		t.Fatal(err)
	}
	_, cmd := d.Update(common.StoreChangedMsg{Head: 99})
	d.Update(screentest.Await[detailLoadedMsg](t, cmd))
	if !strings.Contains(d.View(), "carol  Approved") {
		t.Fatalf("carol's approval does not show:\n%s", d.View())
	}
}

func TestDetailGoldens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			deps := fixture.Deps(t, "alice")
			w, h := size[0], size[1]
			t.Run("stale approvals", func(t *testing.T) {
				golden.RequireEqual(t, shownDetail(t, deps, 1, w, h).View())
			})
			t.Run("copy", func(t *testing.T) {
				golden.RequireEqual(t, shownDetail(t, deps, 3, w, h).View())
			})
			t.Run("confirm submit", func(t *testing.T) {
				if _, err := deps.Svc.EditCR(7, model.CREdit{AddApprovers: []string{"bob"}}); err != nil {
					t.Fatal(err)
				}
				d := shownDetail(t, deps, 7, w, h)
				d.Update(screentest.Key("s"))
				golden.RequireEqual(t, d.View())
			})
			t.Run("sandbox picker", func(t *testing.T) {
				d := shownDetail(t, deps, 6, w, h)
				d.Update(screentest.Key("y"))
				golden.RequireEqual(t, d.View())
			})
			t.Run("syncing", func(t *testing.T) {
				d := shownDetail(t, deps, 6, w, h)
				d.Update(screentest.Key("y"))
				d.Update(screentest.Key("enter")) // the command is never run
				golden.RequireEqual(t, d.View())
			})
			t.Run("reject prompt", func(t *testing.T) {
				d := shownDetail(t, deps, 8, w, h)
				d.Update(screentest.Key("r"))
				golden.RequireEqual(t, d.View())
			})
		})
	}
}

// TestColourNeverLeaksAsText renders every screen state in colour: an
// escape sequence mangled into text (by cleaning or truncating styled text)
// would show as "[38;5;75m" on screen, which ASCII goldens cannot catch.
func TestColourNeverLeaksAsText(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	deps := fixture.Deps(t, "alice")
	views := map[string]string{}
	for _, id := range []int64{1, 3, 6, 8} {
		for _, w := range []int{78, 158} {
			d := shownDetail(t, deps, id, w, 200)
			views[fmt.Sprintf("detail CR-%04d at %d", id, w)] = d.View()
			d.Update(screentest.Key("y"))
			views[fmt.Sprintf("picker CR-%04d at %d", id, w)] = d.View()
		}
	}
	for _, w := range []int{60, 78, 158} {
		l := loadedList(t, deps, w, 30)
		views[fmt.Sprintf("list at %d", w)] = l.View()
		s, _ := press(l, "/")
		typeFilter(t, s, "inv")
		views[fmt.Sprintf("filtered list at %d", w)] = l.View()
	}
	for name, v := range views {
		if plain := ansi.Strip(v); strings.Contains(plain, "[38;") || strings.Contains(plain, "[0m") || strings.Contains(plain, "\x1b") {
			t.Errorf("%s shows escape sequences as text:\n%s", name, plain)
		}
	}
}

func TestDetailPushBackSaysWhenTheParentNeedsApprovingAgain(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	child, err := deps.Svc.SyncCR(context.Background(), 6, "uat")
	if err != nil {
		t.Fatal(err)
	}
	region := metadata.Component{Type: "CustomField", FullName: "Account.Region__c"}
	if _, err := deps.Svc.EditCR(child.ID, model.CREdit{AddCustomizations: []metadata.Component{region}}); err != nil {
		t.Fatal(err)
	}
	d := shownDetail(t, deps, child.ID, 80, 24)
	d.Update(screentest.Key("p"))
	text, isErr := act(t, d, answer(t, d, "y"))
	if isErr || text != "Pushed back to CR-0006 as DR-0002; re-approval needed (1 added)" {
		t.Fatalf("status %q (error %v)", text, isErr)
	}
	if len(text) > 78 {
		t.Errorf("the status does not fit 80 columns: %d characters", len(text))
	}
}

func TestDetailEscStopsASync(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 6, 80, 24)
	d.Update(screentest.Key("y"))
	_, cmd := d.Update(screentest.Key("enter"))
	if d.keys.Back.Help().Desc != "stop the sync" || !strings.Contains(d.View(), "(esc stops the sync)") {
		t.Fatalf("while syncing esc says %q", d.keys.Back.Help().Desc)
	}
	d.Update(screentest.Key("esc")) // before the command has even started
	_, next := d.Update(screentest.Await[actionDoneMsg](t, cmd))
	r := screentest.Start(t, next)
	if text, isErr := screentest.TakeStatus(t, r); isErr || text != "Stopped: the sync did not happen" {
		t.Fatalf("status %q (error %v)", text, isErr)
	}
	d.Update(screentest.Take[detailLoadedMsg](t, r))
	if d.busy != "" || d.id != 6 {
		t.Fatalf("busy %q on CR-%04d after stopping", d.busy, d.id)
	}
}

func TestDetailQuickActionsCannotBeStopped(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 6, 80, 24)
	d.Update(screentest.Key("C"))
	answer(t, d, "y")
	if d.busy == "" || d.keys.Back.Enabled() {
		t.Fatalf("busy %q, esc enabled %v; want esc off while completing", d.busy, d.keys.Back.Enabled())
	}
}

// Tab walks the linked records and Enter opens the selected one: a copy
// on this screen (esc comes back), a deployment record on its own.
func TestDetailEnterOpensALinkedRecord(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 1, 160, 48)
	if strings.Contains(footer(d), "enter") {
		t.Fatalf("enter offered with no link selected: %q", footer(d))
	}
	d.Update(screentest.Key("tab"))
	if !strings.Contains(d.View(), "▸ copy     CR-0003") || !strings.Contains(footer(d), "enter open CR-0003") {
		t.Fatalf("tab did not select the copy:\n%s\nfooter %q", d.View(), footer(d))
	}
	_, cmd := d.Update(screentest.Key("enter"))
	d.Update(screentest.Await[detailLoadedMsg](t, cmd))
	if d.data.cr.ID != 3 {
		t.Fatalf("enter opened %s, want CR-0003", d.data.cr.Key())
	}
	d.Update(screentest.Key("tab"))
	if d.selected() != "CR-0001" {
		t.Fatalf("the copy's first link is %q, want its parent CR-0001", d.selected())
	}
	_, cmd = d.Update(screentest.Key("esc"))
	d.Update(screentest.Await[detailLoadedMsg](t, cmd))
	if d.data.cr.ID != 1 {
		t.Fatalf("esc went to %s, want CR-0001", d.data.cr.Key())
	}
	d.Update(screentest.Key("tab"))
	d.Update(screentest.Key("tab"))
	_, cmd = d.Update(screentest.Key("enter"))
	if got := screentest.Await[common.OpenMsg](t, cmd); got != (common.OpenMsg{Screen: common.ScreenDeployment, ID: 1}) {
		t.Fatalf("enter on DR-0001 = %+v", got)
	}
}

// footer is what the help line offers: the enabled short-help keys.
func footer(d *Detail) string {
	var out []string
	for _, b := range d.ShortHelp() {
		if b.Enabled() {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(out, " · ")
}

// A change request whose deployment was rolled back says so in its
// header, and lists the rollback as a link to open.
func TestDetailSaysRolledBack(t *testing.T) {
	d := shownDetail(t, fixture.Deps(t, "alice"), 1, 160, 48)
	if strings.Contains(d.View(), "rolled back") {
		t.Fatal("CR-0001 reads rolled back before any rollback")
	}
	// The loaded data as a completed rollback of DR-0001 leaves it (the
	// rollback journey itself runs against orgs in ui/rollback).
	d.data.rollbacks = []model.Rollback{{ID: 2, Deployment: 1, CR: 1, Target: "production", Requester: "bob",
		Status: model.RollbackDone}}
	d.data.links = linksOf(d.data)
	d.refreshContent()
	view := d.View()
	for _, want := range []string{"Pending Approval · rolled back (RB-0002)", "Rollbacks (1)", "RB-0002  of DR-0001 in production  Rolled Back"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	for range 3 {
		d.Update(screentest.Key("tab"))
	}
	_, cmd := d.Update(screentest.Key("enter"))
	if got := screentest.Await[common.OpenMsg](t, cmd); got != (common.OpenMsg{Screen: common.ScreenRollback, ID: 1}) {
		t.Fatalf("enter on RB-0002 = %+v", got)
	}
}

// An approver the policy requires for the scope says so beside the
// decision; one listed by choice does not.
func TestDetailShowsApproversRequiredByPolicy(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	if _, err := deps.Svc.SetPolicyLevel(model.DefaultPolicy, model.CatCodeData, model.LevelChangeRequest, []string{"carol"}); err != nil {
		t.Fatal(err)
	}
	if _, err := deps.Svc.EditCR(7, model.CREdit{AddApprovers: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	d := shownDetail(t, deps, 7, 160, 200)
	var bob, carol string
	for _, l := range strings.Split(ansi.Strip(d.View()), "\n") {
		switch {
		case strings.Contains(l, "· bob"):
			bob = l
		case strings.Contains(l, "· carol"):
			carol = l
		}
	}
	if !strings.Contains(carol, "(required by policy: Code and Data Model)") {
		t.Fatalf("carol's line %q does not say the policy requires her", carol)
	}
	if bob == "" || strings.Contains(bob, "required by policy") {
		t.Fatalf("bob's line %q; want him listed, not as required by policy", bob)
	}
}
