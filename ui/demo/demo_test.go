package demo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"relman/model"
	"relman/store"
)

func samples(t *testing.T) *Options {
	t.Helper()
	return &Options{Samples: os.DirFS(filepath.Join("..", "..", "testdata", "orgs"))}
}

// TestDemoSeedsEveryStatusAndRestarts starts a demo in a folder, checks the
// environments answer through the simulated orgs and every CR status is
// seeded with history, then starts it again in the same folder: the
// simulators get new addresses, the environments follow, nothing is seeded
// twice, and the audit chain still verifies.
func TestDemoSeedsEveryStatusAndRestarts(t *testing.T) {
	ctx := context.Background()
	opts := samples(t)
	opts.Dir = t.TempDir()
	d, err := Start(ctx, *opts)
	if err != nil {
		t.Fatal(err)
	}
	firstURL := d.Envs[0].URL
	svc, err := d.As("alice")
	if err != nil {
		t.Fatal(err)
	}
	crs, err := svc.ListCRs(store.CRQuery{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[model.Status]int{}
	for _, cr := range crs {
		statuses[cr.Status()]++
	}
	for _, s := range model.Statuses {
		if statuses[s] == 0 {
			t.Errorf("no seeded change request is %s (have %v)", s, statuses)
		}
	}
	for _, env := range d.Envs {
		if !env.Passed() {
			t.Errorf("environment %s did not pass Test Connection: %+v", env.Name, env.LastTest)
		}
	}
	// Monitoring: one change delivered by relman, two made in Setup.
	changes, err := svc.ChangeLogs(store.ChangeLogQuery{Env: "production"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.ChangeLog{}
	for _, c := range changes {
		got[c.Component.String()] = c
	}
	if c := got["CustomField:Invoice__c.Tax_Rate__c"]; c.Status != model.StatusCompliant || !c.ByRelman {
		t.Errorf("the relman-delivered change: %+v", c)
	}
	for _, name := range []string{"Flow:Invoice_Before_Save", "CustomField:Account.Legacy_Fax__c"} {
		if c := got[name]; c.Status != model.StatusNonCompliant || c.Who != "Dana Admin" {
			t.Errorf("the change made in Setup to %s: %+v", name, c)
		}
	}
	if len(changes) != 3 {
		t.Errorf("the demo seeds %d changes, want 3: %+v", len(changes), changes)
	}
	waiting, _, err := svc.WaitingFor("alice", 0)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("nothing waits for alice's approval: %v", err)
	}
	// The demo holds a key per person, private to its folder: bob can act.
	for _, u := range Users {
		if info, err := os.Stat(d.KeyPath(u)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s's key: %v %v, want a 0600 file", u, info, err)
		}
	}
	bob, err := d.As("Bob")
	if err != nil || bob.User != "bob" || bob.Signer == nil {
		t.Fatalf("demo as Bob = %+v, %v", bob, err)
	}
	if _, err := d.As("mallory"); err == nil {
		t.Error("the demo acted as mallory, whose key it does not hold")
	}
	bobKey := bob.Signer.PublicKey()
	d.Close()

	d, err = Start(ctx, *opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	alice, err := d.As("alice")
	if err != nil {
		t.Fatal(err)
	}
	again, err := alice.ListCRs(store.CRQuery{})
	if err != nil || len(again) != len(crs) {
		t.Fatalf("restart: %d CRs (was %d), %v", len(again), len(crs), err)
	}
	if again, err := d.As("bob"); err != nil || again.Signer.PublicKey() != bobKey {
		t.Errorf("restart: bob's key changed or is lost: %v", err)
	}
	if res, err := d.Store.Verify(); err != nil || !res.OK || res.Unsigned != 0 {
		t.Errorf("restart: Verify = %+v, %v", res, err)
	}
	if d.Envs[0].URL == firstURL || !d.Envs[0].Passed() {
		t.Fatalf("restarted production env %+v (first URL %s)", d.Envs[0], firstURL)
	}
	res, err := d.Store.Verify()
	if err != nil || !res.OK {
		t.Fatalf("audit chain after restart: %+v %v", res, err)
	}
}
