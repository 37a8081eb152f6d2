package review_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	"relman/ui/common"
	"relman/ui/compare"
	"relman/ui/identity/identitytest"
	"relman/ui/review"
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

// TestJourneyReviewUATAgainstProduction: alice compares UAT with
// Production, steps through the flow's hunks, marks every component viewed
// and creates a change request from the two layout differences.
func TestJourneyReviewUATAgainstProduction(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	alice := identitytest.As(t, st, "alice")
	alice.Now = func() time.Time { return time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC) }
	for _, e := range []struct {
		name string
		kind model.EnvKind
	}{{"production", model.KindProduction}, {"uat", model.KindSandbox}} {
		orgDir := filepath.Join(dir, e.name)
		if err := os.CopyFS(orgDir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", e.name))); err != nil {
			t.Fatal(err)
		}
		if _, err := alice.AddEnvironment(model.Environment{Name: e.name, Kind: e.kind, Connection: model.ConnLocal, Dir: orgDir}); err != nil {
			t.Fatal(err)
		}
	}
	deps := common.Deps{Svc: alice, Styles: theme.Default()}
	app := ui.New(deps, map[common.ScreenID]common.Screen{
		common.ScreenChanges:      placeholder{"Change Requests"},
		common.ScreenApprovals:    placeholder{"Approvals"},
		common.ScreenEnvironments: placeholder{"Environments"},
		common.ScreenCompare:      compare.New(deps),
		common.ScreenReview:       review.New(deps),
	})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))
	waitFor := func(text ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, s := range text {
				if !bytes.Contains(b, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	keys := func(ks ...string) {
		for _, k := range ks {
			switch k {
			case "enter":
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			case "tab":
				tm.Send(tea.KeyMsg{Type: tea.KeyTab})
			case "space":
				tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			default:
				tm.Type(k)
			}
		}
	}

	// Compare (the 4th tab): choose the sides explicitly, then run.
	tm.Type("4")
	waitFor("Source", "Target", "Saved comparisons")
	keys("s")
	waitFor("Source: what would be deployed")
	keys("uat", "enter", "t")
	waitFor("Target: what would change")
	keys("prod", "enter")
	waitFor("compare", "uat → production")
	keys("enter")
	waitFor("CL-0001", "0/15 viewed", "Only in Source")

	// Step through the flow's hunks.
	keys("/", "before save", "enter")
	// Its diff is computed in the background: n before it shows would
	// have no hunk to go to.
	waitFor("Flow:Invoice_Before_Save", "hunk 1/4")
	keys("tab", "n")
	waitFor("hunk 2/4")
	keys("n", "n")
	waitFor("hunk 4/4")
	keys("p")
	waitFor("hunk 3/4")

	// Mark every component viewed, each V moving on to the next. Each mark
	// is saved before the next key: a V sent while the previous one is
	// still being saved would race it on a loaded machine.
	for i := 1; i < 15; i++ {
		keys("V")
		waitFor(fmt.Sprintf("%d/15 viewed", i))
	}
	keys("V")
	waitFor("all 15 viewed")

	// Create a change request from the two layout differences.
	keys("tab", "/", "account layout", "enter", "space", "]", "space")
	waitFor("2 selected")
	keys("c")
	waitFor("New change request")
	keys("enter")
	waitFor("New change request with 2 components")
	keys("Layouts for due dates and regions", "enter")
	waitFor("Created CR-0001")

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, []byte(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()))

	cr, err := alice.CR(1)
	if err != nil {
		t.Fatal(err)
	}
	want := []metadata.Component{{Type: "Layout", FullName: "Account-Account Layout"}, {Type: "Layout", FullName: "Invoice__c-Invoice Layout"}}
	if cr.Name != "Layouts for due dates and regions" || cr.Env != "production" || !slices.Equal(cr.Customizations, want) {
		t.Errorf("CR-0001 = %q in %s with %v", cr.Name, cr.Env, cr.Customizations)
	}
	logs, err := alice.CompareLogs(0)
	if err != nil || len(logs) != 1 {
		t.Fatalf("logs: %v, %v", logs, err)
	}
	for _, e := range logs[0].Entries {
		if e.Category != model.Same && !logs[0].Viewed(e.Component) {
			t.Errorf("%s is not stored as viewed", e.Component)
		}
	}
}
