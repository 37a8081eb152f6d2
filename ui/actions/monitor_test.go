package actions_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/sim"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/identity/identitytest"
)

// monitorWorld is a store with simulated production and uat orgs serving
// private copies of testdata/orgs, and a clock the test moves.
type monitorWorld struct {
	t    *testing.T
	st   *store.Store
	now  time.Time
	dirs map[string]string
}

func newMonitorWorld(t *testing.T) *monitorWorld {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	w := &monitorWorld{t: t, st: st, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), dirs: map[string]string{}}
	for _, name := range []string{"production", "uat"} {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", name))); err != nil {
			t.Fatal(err)
		}
		w.dirs[name] = dir
		kind := model.KindSandbox
		if name == "production" {
			kind = model.KindProduction
		}
		srv, err := sim.Start(context.Background(), sim.Config{Dir: dir, Kind: string(kind), TestDuration: time.Millisecond, AdminName: "Pat Admin"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		if _, err := w.as("alice").AddEnvironment(model.Environment{Name: name, Kind: kind, Connection: model.ConnSalesforce,
			URL: srv.URL(), Auth: model.AuthRefreshToken, ClientID: "relman",
			Credentials: model.Credentials{RefreshToken: srv.RefreshToken()}}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *monitorWorld) as(user string) *actions.Service {
	s := identitytest.As(w.t, w.st, user)
	s.Now = func() time.Time { return w.now }
	return s
}

func (w *monitorWorld) monitor() actions.MonitorResult {
	w.t.Helper()
	w.now = w.now.Add(time.Hour)
	res, err := w.as("alice").Monitor(context.Background(), "production", nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return res
}

// approvedCR creates and approves a change request for production holding cs.
func (w *monitorWorld) approvedCR(name string, cs ...string) model.ChangeRequest {
	w.t.Helper()
	var comps []metadata.Component
	for _, s := range cs {
		c, err := metadata.ParseComponent(s)
		if err != nil {
			w.t.Fatal(err)
		}
		comps = append(comps, c)
	}
	cr, err := w.as("alice").CreateCR("production", model.CRFields{Name: name, Overview: name, Customizations: comps, Approvers: []string{"bob", "carol"}})
	if err == nil {
		_, err = w.as("alice").SubmitCR(cr.ID)
	}
	if err == nil {
		_, err = w.as("bob").ApproveCR(cr.ID, "")
	}
	if err == nil {
		cr, err = w.as("carol").ApproveCR(cr.ID, "")
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return cr
}

func byComponent(cls []model.ChangeLog) map[string]model.ChangeLog {
	out := map[string]model.ChangeLog{}
	for _, c := range cls {
		out[c.Component.String()] = c
	}
	return out
}

// TestMonitorFindsOutOfBandChangesAndRecognisesRelmanDeployments is the
// issue's story: a baseline, an out-of-band flow edit and a field deleted
// in Setup (non-compliant, with who and why), a relman deployment
// (compliant), and the flow change resolved by linking an approved CR.
func TestMonitorFindsOutOfBandChangesAndRecognisesRelmanDeployments(t *testing.T) {
	w := newMonitorWorld(t)
	base := w.monitor()
	if !base.Snapshot.Baseline || len(base.Changes) != 0 || base.Snapshot.Components < 20 {
		t.Fatalf("baseline: %+v", base.Snapshot)
	}

	prod := filepath.Join(w.dirs["production"], "force-app/main/default")
	flow := filepath.Join(prod, "flows/Invoice_Before_Save.flow-meta.xml")
	body, err := os.ReadFile(flow)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(flow, []byte(strings.Replace(string(body), "</Flow>", "<!-- edited in Setup -->\n</Flow>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(prod, "objects/Account/fields/Billing_Contact_Email__c.field-meta.xml")); err != nil {
		t.Fatal(err)
	}

	cr := w.approvedCR("Invoice due dates", "ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomField:Invoice__c.Due_Date__c")
	ctx := context.Background()
	d, err := w.as("alice").NewDeployment(cr.ID, "uat", "production", model.DeploymentFields{})
	if err == nil {
		_, err = w.as("alice").SubmitDeployment(d.ID)
	}
	if err == nil {
		_, err = w.as("bob").ApproveDeployment(d.ID, "")
	}
	if err == nil {
		_, err = w.as("carol").ApproveDeployment(d.ID, "")
	}
	if err == nil {
		_, _, err = w.as("alice").Retrieve(ctx, d.ID, nil)
	}
	if err == nil {
		d, _, err = w.as("alice").Deploy(ctx, d.ID, false, nil)
	}
	if err != nil {
		t.Fatal(err)
	}

	res := w.monitor()
	got := byComponent(res.Changes)
	fl, ok := got["Flow:Invoice_Before_Save"]
	if !ok || fl.Kind != model.KindChanged || fl.Status != model.StatusNonCompliant || fl.Who != "Pat Admin" ||
		!strings.Contains(fl.Reason, "no change request") || fl.Category != model.CatAutomation {
		t.Fatalf("flow change: %+v", fl)
	}
	field := got["CustomField:Account.Billing_Contact_Email__c"]
	if field.Kind != model.KindDeleted || field.Status != model.StatusNonCompliant || field.Who != "Pat Admin" || field.Level != model.LevelFull {
		t.Fatalf("deleted field: %+v", field)
	}
	for _, c := range []string{"ApexClass:InvoiceService", "CustomField:Invoice__c.Due_Date__c"} {
		if cl := got[c]; !cl.ByRelman || cl.Status != model.StatusCompliant || cl.CoveredBy != d.Key() {
			t.Errorf("%s delivered by %s: %+v", c, d.Key(), cl)
		}
	}
	if res.NonCompliant() != 2 {
		t.Errorf("non-compliant: %d of %+v", res.NonCompliant(), res.Changes)
	}
	diffs, err := w.as("bob").ChangeDiff(fl)
	if err != nil || len(diffs) != 1 || diffs[0].Added != 1 {
		t.Fatalf("flow diff: %+v, %v", diffs, err)
	}

	if log, err := w.as("bob").ReviewChange(ctx, fl); err != nil || log.Counts[model.Different] != 1 || len(log.Entries) != 1 {
		t.Fatalf("review of the flow change: %+v, %v", log.Counts, err)
	}

	// Nothing changed since: no change logs.
	if again := w.monitor(); len(again.Changes) != 0 || again.Snapshot.Baseline {
		t.Fatalf("unchanged org: %+v", again.Changes)
	}

	// Resolving needs the approver role and an approved CR containing it.
	if err := identitytest.RegisterRoles(w.st, "erin", model.RoleRequester); err != nil {
		t.Fatal(err)
	}
	fix := w.approvedCR("Flow hotfix", "Flow:Invoice_Before_Save")
	if _, err := w.as("erin").ResolveChangeLog(fl.ID, fix.ID, "hotfix"); !errors.Is(err, model.ErrNotAllowed) {
		t.Fatalf("erin (requester) resolved: %v", err)
	}
	if _, err := w.as("bob").ResolveChangeLog(fl.ID, cr.ID, "wrong CR"); err == nil {
		t.Fatal("resolved with a CR that does not contain the flow")
	}
	resolved, err := w.as("bob").ResolveChangeLog(fl.ID, fix.ID, "emergency fix, approved after the fact")
	if err != nil || resolved.Status != model.StatusResolved || resolved.CoveredBy != fix.Key() {
		t.Fatalf("resolve: %+v, %v", resolved, err)
	}
	open, err := w.as("bob").ChangeLogs(store.ChangeLogQuery{Status: model.StatusNonCompliant})
	if err != nil || len(open) != 1 || open[0].Component.String() != "CustomField:Account.Billing_Contact_Email__c" {
		t.Fatalf("open changes: %+v, %v", open, err)
	}
	if v, err := w.st.Verify(); err != nil || !v.OK {
		t.Fatalf("audit verify: %+v, %v", v, err)
	}
}

// A policy at change-request makes the same out-of-band edit compliant
// once an approved CR holds it; policy changes need an admin.
func TestMonitorJudgesByPolicy(t *testing.T) {
	w := newMonitorWorld(t)
	w.monitor()
	if err := identitytest.RegisterRoles(w.st, "erin", model.RoleApprover); err != nil {
		t.Fatal(err)
	}
	if _, err := w.as("erin").SetPolicyLevel("production", model.CatCodeData, model.LevelLogOnly, nil); !errors.Is(err, model.ErrNotAllowed) {
		t.Fatalf("erin (no admin) changed the policy: %v", err)
	}
	if _, err := w.as("alice").SetPolicyLevel("production", model.CatCodeData, model.LevelChangeRequest, nil); err != nil {
		t.Fatal(err)
	}
	w.approvedCR("Tier field retired", "CustomField:Account.Billing_Contact_Email__c")
	if err := os.Remove(filepath.Join(w.dirs["production"], "force-app/main/default/objects/Account/fields/Billing_Contact_Email__c.field-meta.xml")); err != nil {
		t.Fatal(err)
	}
	res := w.monitor()
	cl := byComponent(res.Changes)["CustomField:Account.Billing_Contact_Email__c"]
	if cl.Status != model.StatusCompliant || cl.Level != model.LevelChangeRequest || cl.CoveredBy != "CR-0001" {
		t.Fatalf("deleted field under change-request: %+v", cl)
	}
	if v, err := w.st.Verify(); err != nil || !v.OK {
		t.Fatalf("audit verify: %+v, %v", v, err)
	}
}

// A policy's required approvers join every change request holding
// components of their category, when it is created and when it grows.
func TestPolicyApproversJoinChangeRequests(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	alice := identitytest.As(t, st, "alice")
	if _, err := alice.AddEnvironment(model.Environment{Name: "production", Kind: model.KindProduction, Connection: model.ConnLocal,
		Dir: filepath.Join("..", "..", "testdata", "orgs", "production")}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SetPolicyLevel(model.DefaultPolicy, model.CatAutomation, model.LevelChangeRequest, []string{"dave", "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SetPolicyLevel(model.DefaultPolicy, model.CatCodeData, model.LevelFull, []string{"carol"}); err != nil {
		t.Fatal(err)
	}
	flow, _ := metadata.ParseComponent("Flow:Invoice_Before_Save")
	cr, err := alice.CreateCR("production", model.CRFields{Name: "Flow", Customizations: []metadata.Component{flow}, Approvers: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	names := func(cr model.ChangeRequest) string {
		var out []string
		for _, a := range cr.Approvers {
			out = append(out, a.User)
		}
		return strings.Join(out, ",")
	}
	// alice is the requester: never her own approver.
	if got := names(cr); got != "bob,dave" {
		t.Fatalf("approvers at creation: %s", got)
	}
	field, _ := metadata.ParseComponent("CustomField:Account.Customer_Tier__c")
	cr, err = alice.EditCR(cr.ID, model.CREdit{AddCustomizations: []metadata.Component{field}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(cr); got != "bob,dave,carol" {
		t.Fatalf("approvers after adding a field: %s", got)
	}
}
