package deploy

import (
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
)

// fakeAbandoner records the close it is asked for; the real one is the
// actions layer's (issue 15), tested there.
type fakeAbandoner struct {
	dr     int64
	reason string
}

func (f *fakeAbandoner) AbandonDeploy(dr int64, reason string) (model.DeploymentRecord, model.DeploymentLog, error) {
	f.dr, f.reason = dr, reason
	return model.DeploymentRecord{ID: dr}, model.DeploymentLog{Kind: model.LogDeploy, Status: "Abandoned"}, nil
}

// A deploy left running by an earlier relman, and not followed by this
// one, can be closed with a reason: A asks for it and hands it on.
func TestAbandonALostDeploy(t *testing.T) {
	w := deploytest.NewWorld(t, samples, 500*time.Millisecond)
	d := w.ReadyDeployment("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest")
	deps := w.Deps("alice")
	quitDuringDeploy(t, deps.Svc, d.ID)

	m := NewDetail(deps).(*Detail)
	if m.abandon != nil {
		t.Log("the service can abandon: the real one is under test")
	}
	fake := &fakeAbandoner{}
	m.abandon = fake
	drv := deploytest.NewDriver(t, m, 120, 30)
	drv.Send(common.ShowMsg{ID: d.ID}) // no Init: nothing re-attaches
	drv.Until("the record", func() bool { return m.data != nil && !m.loading })
	if !strings.Contains(enabled(m), "A") {
		t.Fatalf("a deploy running unfollowed does not offer A: %q", enabled(m))
	}
	drv.Key("A")
	if view := m.View(); !strings.Contains(view, "Abandon the deploy of DR-0001") {
		t.Fatalf("A did not ask why:\n%s", view)
	}
	drv.Key("enter")
	if fake.dr != 0 || !m.dialog.Open() {
		t.Fatal("abandoned without a reason")
	}
	drv.Type("org was reset")
	drv.Key("enter")
	if st := deploytest.UntilOut[common.StatusMsg](drv); !strings.Contains(st.Text, "it can be deployed again") {
		t.Errorf("status %q", st.Text)
	}
	if fake.dr != d.ID || fake.reason != "org was reset" {
		t.Fatalf("abandoned %d with %q", fake.dr, fake.reason)
	}
}
