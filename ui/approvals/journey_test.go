package approvals_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui"
	"relman/ui/approvals"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

// placeholder stands in for the screens this journey does not visit.
type placeholder struct{ title string }

func (p placeholder) ShortHelp() []key.Binding                { return nil }
func (p placeholder) FullHelp() [][]key.Binding               { return nil }
func (p placeholder) Init() tea.Cmd                           { return nil }
func (p placeholder) Update(tea.Msg) (common.Screen, tea.Cmd) { return p, nil }
func (p placeholder) View() string                            { return p.title }
func (p placeholder) SetSize(int, int)                        {}
func (p placeholder) Title() string                           { return p.title }
func (p placeholder) Capturing() bool                         { return false }

// TestJourneyApproveAlicesCR: bob opens Approvals, approves alice's change
// request with a comment, and sees it leave his queue.
func TestJourneyApproveAlicesCR(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC) }
	alice := identitytest.As(t, st, "alice")
	alice.Now = clock
	orgDir := filepath.Join(dir, "production")
	if err := os.CopyFS(orgDir, os.DirFS("../../testdata/orgs/production")); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.AddEnvironment(model.Environment{Name: "production", Kind: model.KindProduction,
		Connection: model.ConnLocal, Dir: orgDir}); err != nil {
		t.Fatal(err)
	}
	cr, err := alice.CreateCR("production", model.CRFields{Name: "Add Region field to Account",
		Customizations: []metadata.Component{{Type: "CustomField", FullName: "Account.Customer_Tier__c"}},
		Approvers:      []string{"bob", "carol"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SubmitCR(cr.ID); err != nil {
		t.Fatal(err)
	}

	bob := identitytest.As(t, st, "bob")
	bob.Now = clock
	deps := common.Deps{Svc: bob, Styles: theme.Default()}
	app := ui.New(deps, map[common.ScreenID]common.Screen{
		common.ScreenChanges:      placeholder{"Change Requests"},
		common.ScreenApprovals:    approvals.New(deps),
		common.ScreenEnvironments: placeholder{"Environments"},
	})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	waitFor := func(text ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, s := range text {
				if !bytes.Contains(b, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(5*time.Second))
	}

	tm.Type("2")
	waitFor("CR-0001", "Add Region field to Account", "a approve")
	tm.Type("a")
	waitFor("Approve CR-0001", "comment (optional)")
	tm.Type("Looks good")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("Nothing waiting for you", "You approved CR-0001")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, []byte(tm.FinalModel(t).View()))

	got, err := bob.CR(cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Approvers[0]; a.User != "bob" || a.Decision != model.DecisionApproved || a.Comment != "Looks good" {
		t.Errorf("bob's stored decision = %+v", a)
	}
}
