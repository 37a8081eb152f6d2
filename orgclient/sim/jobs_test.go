package sim

import (
	"fmt"
	"slices"
	"testing"
)

// TestJobTableForgetsOldFinishedJobs: the table keeps maxJobs, dropping
// the oldest finished jobs and never a running one.
func TestJobTableForgetsOldFinishedJobs(t *testing.T) {
	tab := jobTable{deploys: map[string]*deployJob{}}
	for i := range maxJobs + 3 {
		tab.addDeploy(&deployJob{id: fmt.Sprint(i), done: i != 1}) // job 1 still runs
	}
	if len(tab.deploys) != maxJobs || len(tab.deployOrder) != maxJobs {
		t.Fatalf("%d jobs, %d ids; want %d", len(tab.deploys), len(tab.deployOrder), maxJobs)
	}
	for _, id := range []string{"0", "2", "3"} {
		if _, ok := tab.deploys[id]; ok {
			t.Errorf("old finished job %s kept", id)
		}
	}
	if _, ok := tab.deploys["1"]; !ok || tab.deployOrder[0] != "1" || !slices.Contains(tab.deployOrder, fmt.Sprint(maxJobs+2)) {
		t.Errorf("running job dropped or order broken: %v…", tab.deployOrder[:3])
	}
}
