package deploy_test

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"relman/model"
	"relman/ui"
	"relman/ui/common"
	"relman/ui/deploy"
	"relman/ui/deploy/deploytest"
	"relman/ui/logs"
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

// TestJourneyLiveDeploy follows a deploy to a slow simulated production
// through the whole app: open the record, deploy, watch the tests run,
// see it verified, read its logs. Like every test with orgs of its own,
// it runs first, while the shared fixture is built.
func TestJourneyLiveDeploy(t *testing.T) {
	w := deploytest.NewWorld(t, "../../testdata/orgs", 100*time.Millisecond)
	d := w.ReadyDeployment("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomField:Invoice__c.Due_Date__c")
	deps := w.Deps("alice")
	app := ui.New(deps, map[common.ScreenID]common.Screen{
		common.ScreenChanges:      placeholder{"Change Requests"},
		common.ScreenApprovals:    placeholder{"Approvals"},
		common.ScreenEnvironments: placeholder{"Environments"},
		common.ScreenDeployments:  deploy.NewList(deps),
		common.ScreenDeployment:   deploy.NewDetail(deps),
		common.ScreenLogs:         logs.New(deps),
	})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))
	waitFor := func(what ...any) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, w := range what {
				switch w := w.(type) {
				case string:
					if !bytes.Contains(b, []byte(w)) {
						return false
					}
				case *regexp.Regexp:
					if !w.Match(b) {
						return false
					}
				}
			}
			return true
		}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}

	tm.Send(common.OpenMsg{Screen: common.ScreenDeployments})
	waitFor("DR-0001", "Retrieve Completed")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("CR-0001 Invoice service", "enter/x deploy")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("Deploy DR-0001 to production with RunLocalTests?")
	tm.Type("y")
	// The tests run for a while in production: their bar moves.
	waitFor("Running Test:", regexp.MustCompile(`Tests\s+[█░]+ [1-9]\d*/\d+`))
	waitFor("Verified", "✓ Deploy finished", "all 3 components are the same in uat and production")
	tm.Type("l")
	waitFor("DR-0001 only", "DR-0001 #3", "verify", "Succeeded")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	got, err := deps.Svc.Deployment(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.DeployVerified {
		t.Errorf("DR-0001 is %s after the journey", got.Status)
	}
}
