package rollback

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/actions"
)

// jobID matches the org job ids the simulated org makes up on each run.
var jobID = regexp.MustCompile(`0Af[0-9A-Za-z]{15}`)

// requireGolden compares the view with the test's golden file, org job ids
// masked (same width, so the layout is what is compared).
func requireGolden(t *testing.T, view string) {
	t.Helper()
	golden.RequireEqual(t, []byte(MaskJobIDs(view)))
}

func TestGolden(t *testing.T) {
	t.Parallel()
	sizes := [][2]int{{80, 24}, {160, 48}}
	cases := []struct {
		name  string
		user  string
		state model.RollbackStatus // "" for no rollback
		keys  []string
		setup func(w *world, m *Model)
	}{
		{name: "builder", user: "alice"},
		{name: "builder_keep_one", user: "alice", keys: []string{"j", "space"}},
		{name: "builder_nothing_selected", user: "alice", keys: []string{"a"}},
		{name: "draft", user: "alice", state: model.RollbackDraft},
		{name: "submit_confirm", user: "alice", state: model.RollbackDraft, keys: []string{"s"}},
		{name: "pending_for_bob", user: "bob", state: model.RollbackPending},
		{name: "approve_prompt", user: "bob", state: model.RollbackPending, keys: []string{"a"}},
		{name: "reject_prompt_required", user: "carol", state: model.RollbackPending, keys: []string{"r", "enter"}},
		{name: "rejected", user: "alice", state: model.RollbackRejected},
		{name: "run_confirm", user: "alice", state: model.RollbackApproved, keys: []string{"x"}},
		{name: "running", user: "alice", state: model.RollbackApproved, setup: playRunning},
		{name: "rolled_back", user: "alice", state: model.RollbackApproved, setup: runIt},
		{name: "failed", user: "alice", state: model.RollbackApproved, setup: func(w *world, m *Model) {
			if err := os.Remove(w.orgFile("production", "objects", "Invoice__c", "fields", "Due_Date__c.field-meta.xml")); err != nil {
				w.t.Fatal(err)
			}
			runIt(w, m)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if c.state != "" {
				w.rollback(c.state)
			}
			m := w.screen(c.user, 80, 24)
			if c.setup != nil {
				c.setup(w, m)
			}
			press(m, c.keys...)
			// One world renders at both sizes: a run happens once.
			for _, size := range sizes {
				t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
					m.SetSize(size[0], size[1])
					requireGolden(t, m.View())
				})
			}
		})
	}
	t.Run("not_rollbackable/80x24", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		d, err := w.as("alice").NewDeployment(w.dr.CR, "uat", "production", model.DeploymentFields{})
		if err != nil {
			t.Fatal(err)
		}
		w.dr = d
		requireGolden(t, w.screen("alice", 80, 24).View())
	})
}

// runIt runs the shown rollback to its end.
func runIt(w *world, m *Model) {
	press(m, "x")
	pump(w.t, m, press(m, "y"))
}

// playRunning starts a run but plays the org itself: the rollback is
// halfway, with one failure reported.
func playRunning(w *world, m *Model) {
	press(m, "x")
	m.Update(press(m, "y")())
	m.Update(runMsg{rb: 1, gen: 1, events: []actions.Event{{Stage: actions.StageDeploy, Log: 4,
		Status: model.LogRollbackInProgress, Detail: "Running tests", ComponentsTotal: 3, ComponentsDeployed: 2,
		ComponentErrors: 1, TestsTotal: 11, TestsCompleted: 4,
		ComponentFailures: []model.ComponentFailure{{Type: "ApexClass", Name: "InvoiceService", File: "classes/InvoiceService.cls",
			Line: 12, Column: 5, Problem: "Variable does not exist: Due_Date__c"}}}}})
}
