package editor_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"relman/model"
	"relman/model/metadata"
	"relman/ui"
	"relman/ui/changes/screentest"
)

// TestJourneyCreateSaveAndSubmit drives the whole application as a user
// would: from the change request list, create a change request with two
// customizations picked with the fuzzy picker and one proposed, save it,
// and submit it from its detail screen. It waits on what is on screen,
// never on time.
func TestJourneyCreateSaveAndSubmit(t *testing.T) {
	tpl, err := screentest.Build(t.TempDir(), "../../testdata/orgs")
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
	key := func(k tea.KeyType, times int) {
		for range times {
			tm.Send(tea.KeyMsg{Type: k})
		}
	}

	waitFor("Invoice viewer permissions")
	tm.Type("n")
	waitFor("▸ Name") // the form has loaded and the name has focus
	tm.Type("Invoice due dates")
	waitFor("Invoice due dates")
	key(tea.KeyTab, 4) // change type, home env, overview, customizations
	waitFor("41 of 41 components")
	tm.Type("invstatus")
	waitFor(" 1 of 41 components") // not the "41 of 41" already on screen
	key(tea.KeyEnter, 1)
	waitFor("1 chosen")
	key(tea.KeyEsc, 1) // clears the search
	tm.Type("invlayout")
	waitFor("▸   Layout:Invoice__c-Invoice Layout") // under the cursor, not just listed
	key(tea.KeyEnter, 1)
	waitFor("2 chosen")
	key(tea.KeyTab, 2) // the chosen list, then proposed
	tm.Type("CustomField:Invoice__c.Due_Date__c")
	key(tea.KeyEnter, 1)
	waitFor("• CustomField:Invoice__c.Due_Date__c")
	key(tea.KeyTab, 2) // the proposed list, then approvers
	tm.Type("bob, carol")
	waitFor("bob, carol")
	key(tea.KeyCtrlS, 1)
	waitFor("Saved CR-0009", "CR-0009  Invoice due dates")
	tm.Type("s")
	waitFor("Submit CR-0009 for approval?")
	tm.Type("y")
	waitFor("Submitted CR-0009 for approval")
	key(tea.KeyCtrlC, 1)
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	cr, err := deps.Svc.CR(9)
	if err != nil {
		t.Fatal(err)
	}
	comps := func(s ...string) []metadata.Component {
		var out []metadata.Component
		for _, c := range s {
			parsed, _ := metadata.ParseComponent(c)
			out = append(out, parsed)
		}
		return out
	}
	if cr.Name != "Invoice due dates" || cr.Status() != model.StatusPending ||
		!slices.Equal(cr.Customizations, comps("CustomField:Invoice__c.Status__c", "Layout:Invoice__c-Invoice Layout")) ||
		!slices.Equal(cr.Proposed, comps("CustomField:Invoice__c.Due_Date__c")) || len(cr.Approvers) != 2 {
		t.Fatalf("stored %+v", cr)
	}
}
