package rollback_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"relman/model"
	"relman/ui"
	"relman/ui/common"
	"relman/ui/rollback"
	"relman/ui/theme"
)

// app is user's relman: every screen of ui.Screens plus the Rollback
// screen, in a real Bubble Tea program at 80×24.
func app(t *testing.T, w *rollback.World, user string) *teatest.TestModel {
	t.Helper()
	deps := common.Deps{Svc: w.As(user), Styles: theme.Default()}
	screens := ui.Screens(deps)
	screens[common.ScreenRollback] = rollback.New(deps)
	return teatest.NewTestModel(t, ui.New(deps, screens), teatest.WithInitialTermSize(80, 24))
}

// waitFor waits until everything in text has appeared in tm's output
// since the last wait.
func waitFor(t *testing.T, tm *teatest.TestModel, text ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range text {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second))
}

// TestJourneyRollBackADeployment: alice opens the rollback of her verified
// deployment, creates it and submits it; bob approves it in his relman,
// carol from elsewhere; alice's relman notices, she runs it, leaves the
// screen while it runs, and comes back to find production as it was
// before the deployment.
func TestJourneyRollBackADeployment(t *testing.T) {
	t.Parallel()
	w := rollback.NewWorld(t)
	dr := w.Deployment()
	open := common.OpenMsg{Screen: common.ScreenRollback, ID: dr}

	alice := app(t, w, "alice")
	alice.Send(open)
	waitFor(t, alice, "New rollback of DR-0001", "3 of 3 to roll back", "enter create")
	alice.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, alice, "Created RB-0001 (Draft)", "s submit")
	alice.Type("s")
	waitFor(t, alice, "Submit RB-0001 for approval?")
	alice.Type("y")
	waitFor(t, alice, "Submitted RB-0001 — waiting for bob, carol")

	bob := app(t, w, "bob")
	bob.Send(open)
	waitFor(t, bob, "RB-0001 · Roll back DR-0001 in production", "a approve")
	bob.Type("a")
	waitFor(t, bob, "comment (optional)")
	bob.Type("Field must go")
	bob.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, bob, "You approved RB-0001 — still waiting for carol")
	if err := bob.Quit(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.As("carol").ApproveRollback(1, ""); err != nil {
		t.Fatal(err)
	}

	// Alice's relman polls the store: the approvals reach her screen.
	waitFor(t, alice, "x run")
	alice.Type("x")
	waitFor(t, alice, "Roll back 3 components in production?")
	alice.Type("y")
	waitFor(t, alice, "Rolling back 3 components in production")
	alice.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, alice, "Rolled back 3 components in production")
	alice.Send(open)
	waitFor(t, alice, "✓ Rolled Back · 3 components in production")
	if err := alice.Quit(); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, []byte(rollback.MaskJobIDs(alice.FinalModel(t).View())))

	rb, err := w.As("alice").Rollback(1)
	if err != nil || rb.Status != model.RollbackDone {
		t.Fatalf("RB-0001 = %s (%v), want Rolled Back", rb.Status, err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "orgs", "production", "force-app", "main", "default", "classes", "InvoiceService.cls"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(w.OrgFile("production", "classes", "InvoiceService.cls")); err != nil || !bytes.Equal(got, want) {
		t.Errorf("InvoiceService in production is not its pre-deploy copy (%v)", err)
	}
	if _, err := os.Stat(w.OrgFile("production", "objects", "Invoice__c", "fields", "Due_Date__c.field-meta.xml")); !os.IsNotExist(err) {
		t.Errorf("production still has the Due_Date__c field the deployment created (%v)", err)
	}
}
