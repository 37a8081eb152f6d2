package ui_test

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"relman/model"
	"relman/model/metadata"
	"relman/ui"
	"relman/ui/changes/screentest"
)

// TestJourneySyncEditPushBack drives the application as alice: open the
// approved CR-0006, sync it to UAT (the connection is tested first), edit
// the copy to add a component with the picker, save, and push it back —
// the deployment record appears under the parent, whose grown scope now
// needs approving again.
func TestJourneySyncEditPushBack(t *testing.T) {
	tpl, err := screentest.Build(t.TempDir(), "../testdata/orgs")
	if err != nil {
		t.Fatal(err)
	}
	deps := tpl.Deps(t, "alice")
	tm := teatest.NewTestModel(t, ui.New(deps, ui.Screens(deps)), teatest.WithInitialTermSize(120, 40))
	waitFor := func(texts ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(out []byte) bool {
			for _, s := range texts {
				if !bytes.Contains(out, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	press := func(k tea.KeyType, times int) {
		for range times {
			tm.Send(tea.KeyMsg{Type: k})
		}
	}

	waitFor("Invoice PDF footer wording")
	tm.Type("/")
	tm.Type("footer")
	press(tea.KeyEnter, 1) // apply the filter
	waitFor("▸ CR-0006")
	press(tea.KeyEnter, 1) // open it
	waitFor("CR-0006  Invoice PDF footer wording")
	tm.Type("y")
	waitFor("Sync CR-0006 to which sandbox?")
	press(tea.KeyDown, 1) // dev, then uat
	press(tea.KeyEnter, 1)
	waitFor("Synced as CR-0009", "CR-0009  Invoice PDF footer wording")
	tm.Type("e")
	waitFor("▸ Name")
	press(tea.KeyTab, 3)           // change type, overview, customizations (an existing CR keeps its home)
	waitFor("43 of 43 components") // uat, the copy's home
	tm.Type("duedate")
	waitFor("▸   CustomField:Invoice__c.Due_Date__c")
	press(tea.KeyEnter, 1)
	press(tea.KeyCtrlS, 1)
	waitFor("Saved CR-0009")
	tm.Type("p")
	waitFor("Push CR-0009 back")
	tm.Type("y")
	waitFor("DR-0002")
	press(tea.KeyCtrlC, 1)
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	parent, err := deps.Svc.CR(6)
	if err != nil {
		t.Fatal(err)
	}
	due := metadata.Component{Type: "CustomField", FullName: "Invoice__c.Due_Date__c"}
	if parent.Status() != model.StatusPending || len(parent.Deployments) != 1 || parent.Deployments[0] != 2 ||
		len(parent.AddedAfterApproval) != 1 || parent.AddedAfterApproval[0] != due {
		t.Fatalf("CR-0006 after the push back: status %s, deployments %v, added %v", parent.Status(), parent.Deployments, parent.AddedAfterApproval)
	}
	d, err := deps.Svc.Deployment(2)
	if err != nil || d.Source != "uat" || d.Target != "production" || d.Status != model.DeployDraft {
		t.Fatalf("DR-0002 = %+v, %v", d, err)
	}
}
