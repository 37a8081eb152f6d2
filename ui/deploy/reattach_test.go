package deploy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
)

// quitDuringDeploy deploys record id as a relman that quits as soon as the
// org's job id is stored: the job goes on in the org, unfollowed.
func quitDuringDeploy(t *testing.T, svc *actions.Service, id int64) {
	t.Helper()
	ctx, quit := context.WithCancel(context.Background())
	var once sync.Once
	_, _, err := svc.Deploy(ctx, id, false, func(e actions.Event) {
		if e.JobID != "" {
			once.Do(quit)
		}
	})
	if err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("the quitting deploy ended with %v", err)
	}
}

// TestReattachThenCancel: a relman quits while its deploy runs in a slow
// org; the next start re-attaches to the job and shows it running, and c
// cancels it in the org. Like every test with orgs of its own, it runs
// first, while the shared fixture is built.
func TestReattachThenCancel(t *testing.T) {
	w := deploytest.NewWorld(t, samples, 500*time.Millisecond)
	d := w.ReadyDeployment("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest")
	deps := w.Deps("alice")

	quitDuringDeploy(t, deps.Svc, d.ID)

	m := NewDetail(deps).(*Detail)
	drv := deploytest.NewDriver(t, m, 78, 21)
	drv.Init()
	if st := deploytest.UntilOut[common.StatusMsg](drv); !strings.Contains(st.Text, "Re-attached to unfinished jobs: DR-0001 deploy (job 0Af") {
		t.Errorf("status %q", st.Text)
	}
	drv.Send(common.ShowMsg{ID: d.ID})
	drv.Until("the resumed job's progress", func() bool { r := m.current(); return m.data != nil && r != nil && r.hasJob })
	if r := m.current(); r.step != stepResume || r.done || m.stages()[3] != stageRunning {
		t.Fatalf("resumed run %+v, stages %v", r, m.stages())
	}
	if view := m.View(); !strings.Contains(view, "Resume · Deploy") {
		t.Errorf("the re-attached job does not show as running:\n%s", view)
	}

	drv.Until("the job in the store", func() bool { return m.keys.Cancel.Enabled() })
	drv.Key("c")
	if view := m.View(); !strings.Contains(view, "Cancel the deploy of DR-0001?") {
		t.Fatalf("c did not ask:\n%s", view)
	}
	drv.Key("y")
	if st := deploytest.UntilOut[common.StatusMsg](drv); !strings.Contains(st.Text, "Asked production to cancel job") {
		t.Errorf("status %q", st.Text)
	}
	drv.Until("the run to stop", func() bool { return m.current().done })
	var failed *actions.JobFailedError
	// Cancelling is not failing: the stage, the panel and the status line
	// say cancelled, never failed.
	if r := m.current(); !errors.As(r.err, &failed) || failed.Status != model.LogCanceled || r.stages[3] != stageCancelled {
		t.Fatalf("cancelled run ended with %v, stages %v", r.err, r.stages)
	}
	if st := deploytest.UntilOut[common.StatusMsg](drv); !strings.Contains(st.Text, "DR-0001: Resume cancelled as asked") {
		t.Errorf("status after the cancel %q", st.Text)
	}
	drv.Until("the reload after the run", func() bool { return !m.loading && m.data.seq >= m.current().reloadSeq })
	view := m.View()
	if !strings.Contains(view, "⊘ Deploy") || !strings.Contains(view, "⊘ Resume cancelled after") || strings.Contains(view, "failed") {
		t.Errorf("a cancelled deploy reads as a failure:\n%s", view)
	}
}
