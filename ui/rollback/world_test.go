package rollback

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/sim"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/identity/identitytest"
)

func TestMain(m *testing.M) {
	// Goldens are plain text in UTC, whatever the machine's terminal and zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	dir, err := os.MkdirTemp("", "relman-rollback-")
	if err != nil {
		panic(err)
	}
	tpl.dir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// t0 is the fixed clock's start.
var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// deployed lists what the deployment of every test changes in production:
// InvoiceService and its test exist there (Override), the field does not
// (Delete).
var deployed = []string{"ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomField:Invoice__c.Due_Date__c"}

// tpl is the world every test starts from, built once per test binary
// (a real deploy polls the org for a few seconds): a store and the org
// directories as the deployment left them.
var tpl struct {
	once sync.Once
	dir  string
	dr   int64
	now  time.Time
	err  error
}

// world is a real store in a temporary directory, simulated production and
// uat orgs serving private copies of testdata/orgs over loopback, and a
// clock the test moves. Its deployment (DR-0001, uat → production) ran to
// Verified, so it can be rolled back.
type world struct {
	t    *testing.T
	st   *store.Store
	now  time.Time
	dirs map[string]string
	dr   model.DeploymentRecord
}

// newWorld copies the template into the test's own directory and serves
// its orgs from there.
func newWorld(t *testing.T) *world {
	t.Helper()
	tpl.once.Do(func() { tpl.dr, tpl.now, tpl.err = buildTemplate(tpl.dir) })
	if tpl.err != nil {
		t.Fatalf("building the deployed world: %v", tpl.err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(tpl.dir)); err != nil {
		t.Fatal(err)
	}
	// The store refuses a key file others may read; CopyFS made it 0644.
	if err := os.Chmod(filepath.Join(dir, "relman.db.key"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, st: st, now: tpl.now, dirs: map[string]string{}}
	alice := w.as("alice")
	for _, name := range []string{"production", "uat"} {
		w.dirs[name] = filepath.Join(dir, "orgs", name)
		srv, err := startOrg(w.dirs[name], name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		env, err := alice.Environment(name)
		if err != nil {
			t.Fatal(err)
		}
		env.URL, env.Credentials = srv.URL(), model.Credentials{RefreshToken: srv.RefreshToken()}
		w.must(alice.UpdateEnvironment(env, false))
	}
	if w.dr, err = alice.Deployment(tpl.dr); err != nil {
		t.Fatal(err)
	}
	return w
}

// startOrg serves the org directory dir as a simulated org; production is
// of kind production, any other a sandbox.
func startOrg(dir, name string) (*sim.Server, error) {
	kind := model.KindSandbox
	if name == "production" {
		kind = model.KindProduction
	}
	return sim.Start(context.Background(), sim.Config{Dir: dir, Kind: string(kind), TestDuration: time.Millisecond})
}

// buildTemplate copies testdata's production and uat orgs into dir, adds
// them as environments, and takes a change request through approval and a
// deployment from uat to production, as alice with bob and carol
// approving. It returns the deployment's id and the clock's last reading.
func buildTemplate(dir string) (int64, time.Time, error) {
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		return 0, time.Time{}, err
	}
	now := t0
	if err := identitytest.Register(st, "alice", "bob", "carol"); err != nil {
		return 0, now, err
	}
	as := func(user string) *actions.Service {
		s := actions.New(st, identitytest.Actor(user))
		s.Now = func() time.Time { return now }
		return s
	}
	alice, bob, carol := as("alice"), as("bob"), as("carol")
	for _, name := range []string{"production", "uat"} {
		orgDir := filepath.Join(dir, "orgs", name)
		if err := os.CopyFS(orgDir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", name))); err != nil {
			return 0, now, err
		}
		srv, err := startOrg(orgDir, name)
		if err != nil {
			return 0, now, err
		}
		defer srv.Close()
		kind := model.KindSandbox
		if name == "production" {
			kind = model.KindProduction
		}
		if _, err := alice.AddEnvironment(model.Environment{Name: name, Kind: kind, Connection: model.ConnSalesforce,
			URL: srv.URL(), Auth: model.AuthRefreshToken, ClientID: "relman",
			Credentials: model.Credentials{RefreshToken: srv.RefreshToken()}}); err != nil {
			return 0, now, err
		}
	}
	var cs []metadata.Component
	for _, s := range deployed {
		c, err := metadata.ParseComponent(s)
		if err != nil {
			return 0, now, err
		}
		cs = append(cs, c)
	}
	now = now.Add(time.Hour)
	cr, err := alice.CreateCR("production", model.CRFields{Name: "Invoice due dates", Overview: "Finance wants due dates.",
		Customizations: cs, Approvers: []string{"bob", "carol"}})
	if err != nil {
		return 0, now, err
	}
	steps := []func() error{
		func() error { _, err := alice.SubmitCR(cr.ID); return err },
		func() error { _, err := bob.ApproveCR(cr.ID, ""); return err },
		func() error { _, err := carol.ApproveCR(cr.ID, ""); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return 0, now, err
		}
	}
	now = now.Add(time.Hour)
	d, err := alice.NewDeployment(cr.ID, "uat", "production", model.DeploymentFields{})
	if err != nil {
		return 0, now, err
	}
	ctx := context.Background()
	steps = []func() error{
		func() error { _, err := alice.SubmitDeployment(d.ID); return err },
		func() error { _, err := bob.ApproveDeployment(d.ID, ""); return err },
		func() error { _, err := carol.ApproveDeployment(d.ID, ""); return err },
		func() error { _, _, err := alice.Retrieve(ctx, d.ID, nil); return err },
		func() error { d, _, err = alice.Deploy(ctx, d.ID, false, nil); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return 0, now, err
		}
		now = now.Add(10 * time.Minute)
	}
	if d.Status != model.DeployVerified {
		return 0, now, fmt.Errorf("%s ended %s, want Verified", d.Key(), d.Status)
	}
	return d.ID, now.Add(time.Hour), nil
}

// as is a service acting as user on the world's store and clock.
func (w *world) as(user string) *actions.Service {
	s := identitytest.As(w.t, w.st, user)
	s.Now = func() time.Time { return w.now }
	return s
}

func (w *world) must(_ any, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func components(t *testing.T, specs ...string) []metadata.Component {
	t.Helper()
	out := make([]metadata.Component, len(specs))
	for i, s := range specs {
		c, err := metadata.ParseComponent(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = c
	}
	return out
}
