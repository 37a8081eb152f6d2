package approvals

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/identity/identitytest"
)

func TestMain(m *testing.M) {
	// Goldens are plain text in UTC, whatever the machine's terminal and zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	m.Run()
}

// t0 is the fixed clock's start.
var t0 = time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)

// world is a real store in a temporary directory with two directory
// environments copied from testdata/orgs, and a clock the test moves.
type world struct {
	t   *testing.T
	st  *store.Store
	now time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, st: st, now: t0}
	alice := w.as("alice")
	for _, e := range []struct {
		name string
		kind model.EnvKind
	}{{"production", model.KindProduction}, {"uat", model.KindSandbox}} {
		orgDir := filepath.Join(dir, "orgs", e.name)
		if err := os.CopyFS(orgDir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", e.name))); err != nil {
			t.Fatal(err)
		}
		w.must(alice.AddEnvironment(model.Environment{Name: e.name, Kind: e.kind, Connection: model.ConnLocal, Dir: orgDir}))
	}
	return w
}

// as is a service acting as user on the world's store and clock.
func (w *world) as(user string) *actions.Service {
	s := identitytest.As(w.t, w.st, user)
	s.Now = func() time.Time { return w.now }
	return s
}

func (w *world) tick(d time.Duration) { w.now = w.now.Add(d) }

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

// newCR creates and submits a change request by requester.
func (w *world) newCR(requester, name string, approvers []string, specs ...string) model.ChangeRequest {
	w.t.Helper()
	s := w.as(requester)
	cr, err := s.CreateCR("production", model.CRFields{Name: name, Overview: "Requested by finance.",
		Customizations: components(w.t, specs...), Approvers: approvers})
	if err != nil {
		w.t.Fatal(err)
	}
	if cr, err = s.SubmitCR(cr.ID); err != nil {
		w.t.Fatal(err)
	}
	return cr
}

// seedQueue gives bob, newest first: a CR whose scope changed after he
// approved it (CR-0003), a CR waiting for him and carol (CR-0002), and a
// deployment of an approved CR (DR-0001). Bob's own CR-0005 waits for alice
// only, and CR-0004 is CR-0003's synced copy, not pending.
func (w *world) seedQueue() {
	t := w.t
	bob := w.as("bob")
	w.tick(10 * time.Minute)
	cr1 := w.newCR("alice", "Retire legacy invoice export", []string{"bob"}, "ApexClass:InvoiceLegacyExport")
	w.must(bob.ApproveCR(cr1.ID, ""))
	w.tick(20 * time.Hour)
	d, err := w.as("alice").NewDeployment(cr1.ID, "uat", "production", model.DeploymentFields{})
	if err != nil {
		t.Fatal(err)
	}
	w.must(w.as("alice").SubmitDeployment(d.ID))

	w.tick(24 * time.Hour)
	w.newCR("alice", "Add Region field to Account", []string{"bob", "carol"},
		"CustomField:Account.Customer_Tier__c", "Layout:Account-Account Layout")

	w.tick(3 * time.Hour)
	cr3 := w.newCR("alice", "Invoice tax rate by region", []string{"bob"}, "CustomField:Invoice__c.Tax_Rate__c")
	w.must(bob.ApproveCR(cr3.ID, "fine by me"))
	alice := w.as("alice")
	w.must(alice.TestEnvironment(context.Background(), "production"))
	child, err := alice.SyncCR(context.Background(), cr3.ID, "uat")
	if err != nil {
		t.Fatal(err)
	}
	w.must(alice.EditCR(child.ID, model.CREdit{AddCustomizations: components(t, "ApexClass:InvoiceService")}))
	w.tick(40 * time.Minute)
	w.must(alice.PushBackCR(context.Background(), child.ID))

	w.tick(10 * time.Minute)
	w.newCR("bob", "Bob's own change", []string{"alice"}, "CustomLabel:Invoice_Paid_Message")
	w.tick(2 * time.Hour)
}
