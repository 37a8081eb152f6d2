package deploytest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

// World is a test's own simulated production (production) and uat
// (sandbox) orgs, added as environments of a new store.
type World struct {
	tb    testing.TB
	Store *store.Store
	Orgs  map[string]*Org
}

// NewWorld starts the orgs from the sample orgs in samples; each Apex test
// method takes testDuration, so a slow org shows its progress.
func NewWorld(tb testing.TB, samples string, testDuration time.Duration) *World {
	tb.Helper()
	dir := tb.TempDir()
	w := &World{tb: tb, Orgs: map[string]*Org{}}
	for _, name := range []string{"production", "uat"} {
		o, err := StartOrg(context.Background(), samples, filepath.Join(dir, "orgs"), name, testDuration)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = o.Server.Close() })
		w.Orgs[name] = o
	}
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		tb.Fatal(err)
	}
	w.Store = st
	for _, name := range []string{"production", "uat"} {
		if _, err := w.As("alice").AddEnvironment(w.Orgs[name].Environment()); err != nil {
			tb.Fatal(err)
		}
	}
	return w
}

// As is the use cases acting as user, on the fixed clock.
func (w *World) As(user string) *actions.Service {
	svc := identitytest.As(w.tb, w.Store, user)
	svc.Now = func() time.Time { return Now }
	return svc
}

// Deps are screen dependencies acting as user.
func (w *World) Deps(user string) common.Deps {
	return common.Deps{Svc: w.As(user), Styles: theme.Default()}
}

// ReadyDeployment makes what a deploy needs: a change request of the
// components created by alice and approved by bob and carol, a deployment
// record of it from uat to production at the default test level,
// submitted, approved by both, and its package retrieved from uat.
func (w *World) ReadyDeployment(components ...string) model.DeploymentRecord {
	w.tb.Helper()
	alice := w.As("alice")
	must := func(err error) {
		if err != nil {
			w.tb.Fatal(err)
		}
	}
	cr, err := alice.CreateCR("production", model.CRFields{Name: "Invoice service", Customizations: Comps(components...),
		Approvers: []string{"bob", "carol"}})
	must(err)
	_, err = alice.SubmitCR(cr.ID)
	must(err)
	for _, u := range []string{"bob", "carol"} {
		_, err = w.As(u).ApproveCR(cr.ID, "")
		must(err)
	}
	d, err := alice.NewDeployment(cr.ID, "uat", "production", model.DeploymentFields{})
	must(err)
	_, err = alice.SubmitDeployment(d.ID)
	must(err)
	for _, u := range []string{"bob", "carol"} {
		_, err = w.As(u).ApproveDeployment(d.ID, "")
		must(err)
	}
	d, _, err = alice.Retrieve(context.Background(), d.ID, nil)
	must(err)
	return d
}
