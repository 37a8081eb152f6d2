package environments_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"relman/store"
	"relman/ui"
	"relman/ui/common"
	"relman/ui/environments"
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

// TestJourneyAddADirectoryAndTestIt: from an empty store, open
// Environments, add uat as a directory, save it with ctrl+t and read the
// org's answer.
func TestJourneyAddADirectoryAndTestIt(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	orgDir := filepath.Join(dir, "uat")
	if err := os.CopyFS(orgDir, os.DirFS("../../testdata/orgs/uat")); err != nil {
		t.Fatal(err)
	}
	svc := identitytest.As(t, st, "alice")
	svc.Now = func() time.Time { return time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC) }
	deps := common.Deps{Svc: svc, Styles: theme.Default()}
	app := ui.New(deps, map[common.ScreenID]common.Screen{
		common.ScreenChanges:           placeholder{"Change Requests"},
		common.ScreenApprovals:         placeholder{"Approvals"},
		common.ScreenEnvironments:      environments.NewList(deps),
		common.ScreenEnvironmentEditor: environments.NewEditor(deps),
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

	tm.Type("3")
	waitFor("No environments yet")
	tm.Type("n")
	waitFor("Add environment", "ctrl+s save")
	tm.Type("uat")
	for range 3 { // kind (sandbox), connection (directory), directory
		tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	}
	waitFor("› Directory")
	tm.Type(orgDir)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlT})
	waitFor("Test Connection to uat OK", "✓ Connected", "API version   62.0")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	env, err := svc.Environment("uat")
	if err != nil {
		t.Fatal(err)
	}
	if env.Dir != orgDir || !env.Passed() || env.LastTest.APIVersion != "62.0" {
		t.Errorf("stored uat: dir %s, last test %+v", env.Dir, env.LastTest)
	}
}
