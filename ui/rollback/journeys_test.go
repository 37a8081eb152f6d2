package rollback

import (
	"context"
	"errors"
	"strings"
	"testing"

	"relman/model"
	"relman/ui/approvals"
	"relman/ui/changes"
	"relman/ui/common"
	"relman/ui/deploy"
	"relman/ui/theme"
)

// view is a screen's frame with its wrapping undone, so a sentence reads
// whole wherever it broke.
func view(s common.Screen) string { return strings.Join(strings.Fields(s.View()), " ") }

// A rollback waiting for bob is in his Approvals queue: he decides on it
// there, and Enter opens it on the Rollback screen.
func TestRollbackWaitsInApprovals(t *testing.T) {
	w := newWorld(t)
	rb := w.rollback(model.RollbackPending)
	s := approvals.New(common.Deps{Svc: w.as("bob"), Styles: theme.Default()})
	s.SetSize(160, 40)
	pump(t, s, s.Init())
	v := view(s)
	for _, want := range []string{rb.Key(), "rollback of " + w.dr.Key() + " in production", "Rollback · alice · production", "Rolls back ·"} {
		if !strings.Contains(v, want) {
			t.Errorf("bob's queue lacks %q:\n%s", want, s.View())
		}
	}
	out := pump(t, s, press(s, "enter"))
	if len(out) != 1 || out[0] != (common.OpenMsg{Screen: common.ScreenRollback, ID: w.dr.ID}) {
		t.Fatalf("enter on %s sent %v", rb.Key(), out)
	}
	press(s, "a")
	typeText(s, "restores the old layout")
	out = pump(t, s, press(s, "enter"))
	if len(out) != 1 || !strings.Contains(out[0].(common.StatusMsg).Text, "You approved "+rb.Key()) {
		t.Fatalf("approving sent %v", out)
	}
	if got := w.stored(rb.ID); got.Approvers[0].User != "bob" || got.Approvers[0].Decision != model.DecisionApproved {
		t.Fatalf("%s approvers after bob's approval: %+v", rb.Key(), got.Approvers)
	}
}

// Once rolled back, the deployment and its change request say so, and
// list the rollback with its status.
func TestRolledBackShowsOnDeploymentAndChangeRequest(t *testing.T) {
	w := newWorld(t)
	rb := w.rollback(model.RollbackApproved)
	alice := w.as("alice")
	if _, _, err := alice.RunRollback(context.Background(), rb.ID, nil); err != nil {
		t.Fatal(err)
	}
	deps := common.Deps{Svc: alice, Styles: theme.Default()}

	d := deploy.NewDetail(deps)
	d.SetSize(120, 40)
	_, cmd := d.Update(common.ShowMsg{ID: w.dr.ID})
	pump(t, d, cmd)
	v := view(d)
	for _, want := range []string{"Rolled Back", "Rolled back by " + rb.Key(), "b shows the rollback", "Rollbacks 1", rb.Key() + " Rolled Back"} {
		if !strings.Contains(v, want) {
			t.Errorf("the deployment lacks %q:\n%s", want, d.View())
		}
	}
	if strings.Contains(v, "Deploy Changes is blocked") {
		t.Errorf("the rolled-back deployment reads as blocked:\n%s", d.View())
	}
	if out := pump(t, d, press(d, "b")); len(out) != 1 || out[0] != (common.OpenMsg{Screen: common.ScreenRollback, ID: w.dr.ID}) {
		t.Fatalf("b on the rolled-back deployment sent %v", out)
	}

	c := changes.NewDetail(deps)
	c.SetSize(160, 60)
	_, cmd = c.Update(common.ShowMsg{ID: w.dr.CR})
	pump(t, c, cmd)
	v = view(c)
	for _, want := range []string{"rolled back (" + rb.Key() + ")", "Rollbacks (1)", rb.Key() + " of " + w.dr.Key() + " in production Rolled Back"} {
		if !strings.Contains(v, want) {
			t.Errorf("the change request lacks %q:\n%s", want, c.View())
		}
	}
}

// A change request whose latest deployment is a Draft does not offer C
// complete; pressing it says the rule. Its deployed-and-verified one did.
func TestCompleteNotOfferedWithADraftDeployment(t *testing.T) {
	w := newWorld(t)
	alice := w.as("alice")
	deps := common.Deps{Svc: alice, Styles: theme.Default()}
	open := func() common.Screen {
		c := changes.NewDetail(deps)
		c.SetSize(160, 60)
		_, cmd := c.Update(common.ShowMsg{ID: w.dr.CR})
		pump(t, c, cmd)
		return c
	}
	if f := footerOf(open()); !strings.Contains(f, "C complete") {
		t.Fatalf("with %s verified, the footer lacks C complete: %q", w.dr.Key(), f)
	}
	draft, err := alice.NewDeployment(w.dr.CR, "uat", "production", model.DeploymentFields{})
	if err != nil {
		t.Fatal(err)
	}
	c := open()
	if f := footerOf(c); strings.Contains(f, "C complete") {
		t.Fatalf("with %s a Draft, the footer offers C complete: %q", draft.Key(), f)
	}
	out := pump(t, c, press(c, "C"))
	if len(out) != 1 {
		t.Fatalf("C sent %v", out)
	}
	if e, ok := out[0].(common.ErrMsg); !ok || !errors.Is(e.Err, model.ErrNotCompletable) || !strings.Contains(e.Err.Error(), draft.Key()+" is Draft") {
		t.Fatalf("C said %v", out[0])
	}
}

// footerOf is what a screen's footer offers now.
func footerOf(s common.Screen) string {
	var out []string
	for _, b := range s.ShortHelp() {
		if b.Enabled() {
			out = append(out, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(out, " • ")
}
