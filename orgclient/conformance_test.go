package orgclient_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/salesforce"
	"relman/orgclient/sim"
)

// simOrg starts a simulated org on a copy of a sample org.
func simOrg(t *testing.T, name string, cfg sim.Config) *sim.Server {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "testdata", "orgs", name))); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	if cfg.TestDuration == 0 {
		cfg.TestDuration = time.Millisecond
	}
	srv, err := sim.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func client(t *testing.T, srv *sim.Server, opts ...salesforce.Option) *salesforce.Client {
	t.Helper()
	c, err := salesforce.New(salesforce.Config{LoginURL: srv.URL(), Auth: model.AuthRefreshToken, ClientID: "relman",
		Credentials: model.Credentials{RefreshToken: srv.RefreshToken()}},
		append([]salesforce.Option{salesforce.WithPollInterval(2*time.Millisecond, 20*time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientAgainstTheSimulator runs every operation of the real client
// against a simulated org over loopback HTTP: the two are each held to
// the wire protocol, and this is where they meet.
func TestClientAgainstTheSimulator(t *testing.T) {
	ctx := context.Background()
	srv := simOrg(t, "production", sim.Config{})
	c := client(t, srv)

	id, err := c.Identity(ctx)
	if err != nil || id.OrgID != srv.OrgID() || id.Username == "" {
		t.Fatalf("identity = %+v, %v", id, err)
	}
	limits, err := c.Limits(ctx)
	if err != nil || limits["DailyApiRequests"].Max == 0 {
		t.Fatalf("limits = %v, %v", limits, err)
	}
	desc, err := c.DescribeMetadata(ctx)
	if err != nil || len(desc.MetadataObjects) < 60 {
		t.Fatalf("describe: %d types, %v", len(desc.MetadataObjects), err)
	}
	props, err := c.ListMetadata(ctx, []salesforce.ListQuery{{Type: "ApexClass"}, {Type: "CustomLabel"}, {Type: "NoSuchType"}})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[metadata.Component]bool{}
	for _, p := range props {
		listed[p.Component()] = true
	}
	service := metadata.Component{Type: "ApexClass", FullName: "InvoiceService"}
	if !listed[service] || !listed[metadata.Component{Type: "CustomLabel", FullName: "Invoice_Paid_Message"}] {
		t.Fatalf("list lacks known components: %v", listed)
	}

	missing := metadata.Component{Type: "CustomField", FullName: "Invoice__c.Due_Date__c"}
	res, err := c.RetrieveAndWait(ctx, salesforce.RetrieveRequest{Components: []metadata.Component{service, missing}}, nil)
	if err != nil || len(res.ZipFile) == 0 || len(res.Messages) != 1 {
		t.Fatalf("retrieve: %d bytes, messages %+v, %v", len(res.ZipFile), res.Messages, err)
	}
	items, err := metadata.ReadMDAPIZip(bytes.NewReader(res.ZipFile), int64(len(res.ZipFile)))
	if err != nil || len(items) != 1 || items[0].Component != service {
		t.Fatalf("retrieved items %v, %v", items, err)
	}

	// A check-only deploy with the org's local tests, then quick deploy.
	validation, err := c.Deploy(ctx, bytes.NewReader(res.ZipFile), salesforce.DeployOptions{CheckOnly: true, TestLevel: model.RunLocalTests, RollbackOnError: true})
	if err != nil {
		t.Fatal(err)
	}
	var seen []salesforce.DeployStatus
	v, err := c.WaitDeploy(ctx, validation, func(r salesforce.DeployResult) { seen = append(seen, r.Status) })
	if err != nil || !v.Success || !v.CheckOnly || v.NumberTestsTotal == 0 || v.NumberTestsCompleted != v.NumberTestsTotal {
		t.Fatalf("validation = %+v (seen %v), %v", v, seen, err)
	}
	quick, err := c.DeployRecentValidation(ctx, validation)
	if err != nil {
		t.Fatal(err)
	}
	if q, err := c.WaitDeploy(ctx, quick, nil); err != nil || !q.Success || q.CheckOnly {
		t.Fatalf("quick deploy = %+v, %v", q, err)
	}
	if _, err := c.DeployRecentValidation(ctx, validation); err == nil {
		t.Fatal("a validation was quick-deployed twice")
	}

	// Cancel a deploy while its tests run.
	slow := simOrg(t, "production", sim.Config{TestDuration: 200 * time.Millisecond})
	sc := client(t, slow)
	job, err := sc.Deploy(ctx, bytes.NewReader(res.ZipFile), salesforce.DeployOptions{TestLevel: model.RunLocalTests, RollbackOnError: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.CancelDeploy(ctx, job); err != nil {
		t.Fatal(err)
	}
	final, err := sc.WaitDeploy(ctx, job, nil)
	if err != nil || final.Status != salesforce.DeployStatus("Canceled") || final.Success {
		t.Fatalf("cancelled deploy = %s success %v, %v", final.Status, final.Success, err)
	}

	deps, err := c.Dependencies(ctx, []metadata.Component{service})
	if err != nil || len(deps) == 0 {
		t.Fatalf("dependencies of %s: %v, %v", service, deps, err)
	}
}

// TestClientRidesOutOrgFaults runs the client against simulated orgs that
// expire sessions, answer with HTTP 500s and run out of API requests.
func TestClientRidesOutOrgFaults(t *testing.T) {
	ctx := context.Background()
	expiring := client(t, simOrg(t, "production", sim.Config{Faults: sim.Faults{ExpireSessionAfter: 2}}))
	for i := 0; i < 6; i++ {
		if _, err := expiring.ListMetadata(ctx, []salesforce.ListQuery{{Type: "ApexClass"}}); err != nil {
			t.Fatalf("call %d with sessions expiring every 2 calls: %v", i, err)
		}
	}
	flaky := client(t, simOrg(t, "production", sim.Config{Faults: sim.Faults{ErrorRate: 0.3, Seed: 7}}), salesforce.WithRetries(6))
	for i := 0; i < 6; i++ {
		if _, err := flaky.DescribeMetadata(ctx); err != nil {
			t.Fatalf("describe %d with 30%% HTTP 500s: %v", i, err)
		}
	}
	limited := client(t, simOrg(t, "production", sim.Config{Faults: sim.Faults{RequestLimit: 3}}))
	var err error
	for i := 0; i < 5 && err == nil; i++ {
		_, err = limited.DescribeMetadata(ctx)
	}
	if !errors.Is(err, salesforce.ErrRequestLimit) {
		t.Fatalf("after the request limit: %v", err)
	}
}
