package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// orgs starts `relman sim` for each sample org and adds it as an
// environment reached through the real client with a refresh token.
func (c relmanCLI) orgs(t *testing.T, testMS string, names ...string) map[string]string {
	t.Helper()
	dirs := map[string]string{}
	for _, name := range names {
		kind := "sandbox"
		if name == "production" {
			kind = "production"
		}
		dir := copyOrg(t, name)
		dirs[name] = dir
		org := startSimProcess(t, []string{"sim", "--dir", dir, "--kind", kind, "--test-ms", testMS})
		c.ok("alice", nil, "env", "add", name, "--kind", kind, "--url", org.url, "--auth", "refresh-token",
			"--refresh-token", org.refresh, "--client-id", "relman")
	}
	return dirs
}

type deployJSON struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	ApprovalStatus string `json:"approvalStatus"`
	TestLevel      string `json:"testLevel"`
	Package        *struct {
		SHA256     string `json:"sha256"`
		Components []struct{ Type, FullName string }
	} `json:"package"`
	Dependencies []struct {
		To    struct{ Type, FullName string } `json:"to"`
		Where string                          `json:"where"`
	} `json:"dependencies"`
	ValidationID string `json:"validationId"`
	Logs         []struct {
		Kind           string `json:"kind"`
		JobID          string `json:"jobId"`
		Status         string `json:"status"`
		TestsTotal     int    `json:"testsTotal"`
		TestsCompleted int    `json:"testsCompleted"`
		TestErrors     int    `json:"testErrors"`
		TestFailures   []struct {
			Class, Method, Message, StackTrace string
		} `json:"testFailures"`
	} `json:"logs"`
}

// approvedCR creates a CR as alice with bob and carol approving it.
func (c relmanCLI) approvedCR(t *testing.T, args ...string) string {
	t.Helper()
	var cr crJSON
	c.ok("alice", &cr, append([]string{"cr", "new", "--env", "production", "--approver", "bob", "--approver", "carol"}, args...)...)
	c.ok("alice", nil, "cr", "submit", cr.ID)
	c.ok("bob", nil, "cr", "approve", cr.ID)
	c.ok("carol", nil, "cr", "approve", cr.ID)
	return cr.ID
}

// approveDeployment submits a deployment as requester and has bob and carol approve it.
func (c relmanCLI) approveDeployment(t *testing.T, requester, id string) {
	t.Helper()
	c.ok(requester, nil, "deploy", "submit", id)
	c.ok("bob", nil, "deploy", "approve", id)
	c.ok("carol", nil, "deploy", "approve", id, "--comment", "reviewed the diff")
}

// TestDeploymentJourney walks the whole process through the CLI against
// three simulated orgs: create CR → approve → sync → push back → compare
// → approve the deployment → retrieve → dependencies → validate (tests run
// in the target) → deploy → verify → complete.
func TestDeploymentJourney(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	dirs := c.orgs(t, "5", "production", "uat", "dev")
	cr := c.approvedCR(t, "--name", "Invoice due dates", "--component", "ApexClass:InvoiceService",
		"--component", "ApexClass:InvoiceServiceTest", "--component", "Layout:Invoice__c-Invoice Layout",
		"--proposed", "CustomField:Invoice__c.Due_Date__c")
	var child crJSON
	c.ok("alice", &child, "cr", "sync", cr, "--to", "uat")
	var push struct {
		Deployment string `json:"deployment"`
	}
	c.ok("alice", &push, "cr", "push", child.ID)
	dr := push.Deployment
	var cmp struct {
		Summary map[string]int `json:"summary"`
	}
	c.ok("alice", &cmp, "compare", "uat", "production", "--cr", cr)
	if cmp.Summary["different"]+cmp.Summary["onlyInSource"] != 4 {
		t.Fatalf("compare for %s: %v", cr, cmp.Summary)
	}
	c.refused("bob", 1, "NotPendingError", "deploy", "approve", dr)
	c.ok("alice", nil, "deploy", "submit", dr)
	c.refused("alice", 1, "SelfApprovalError", "deploy", "approve", dr)
	c.ok("bob", nil, "deploy", "approve", dr)
	c.ok("carol", nil, "deploy", "approve", dr)

	var d deployJSON
	c.ok("alice", &d, "deploy", "retrieve", dr)
	if d.Package == nil || len(d.Package.Components) != 4 || len(d.Package.SHA256) != 64 {
		t.Fatalf("retrieved package = %+v", d.Package)
	}
	c.ok("alice", &d, "deploy", "deps", dr)
	for _, dep := range d.Dependencies {
		if dep.Where == "missing" {
			t.Errorf("dependency %s:%s reported missing", dep.To.Type, dep.To.FullName)
		}
	}
	c.ok("alice", &d, "deploy", "validate", dr)
	validate := d.Logs[len(d.Logs)-1]
	if validate.Status != "Validation Completed" || d.ValidationID == "" || validate.TestsTotal == 0 || validate.TestsCompleted != validate.TestsTotal {
		t.Fatalf("validation log = %+v, validation id %q", validate, d.ValidationID)
	}
	c.ok("alice", &d, "deploy", "run", dr)
	if d.Status != "Verified" {
		t.Fatalf("after run %s is %s: %+v", dr, d.Status, d.Logs)
	}
	kinds := []string{}
	for _, l := range d.Logs {
		kinds = append(kinds, l.Kind+":"+l.Status)
	}
	want := "retrieve:Retrieve Completed dependencies:Succeeded validate:Validation Completed deploy:Succeeded verify:Succeeded"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("logs %v\nwant %s", kinds, want)
	}
	deployed, err := os.ReadFile(filepath.Join(dirs["production"], "force-app", "main", "default", "objects", "Invoice__c", "fields", "Due_Date__c.field-meta.xml"))
	if err != nil || !strings.Contains(string(deployed), "<fullName>Due_Date__c</fullName>") {
		t.Fatalf("the deploy did not reach production's metadata: %v", err)
	}
	var done crJSON
	c.ok("alice", &done, "cr", "complete", cr)
	if done.Status != "Completed" {
		t.Fatalf("%s is %s", cr, done.Status)
	}
	var verify struct{ OK bool }
	c.ok("alice", &verify, "audit", "--verify")
	if !verify.OK {
		t.Fatal("audit chain broken after the journey")
	}
}

// TestValidationWithAFailingTest deploys a test class with a method that
// asserts false: validation fails with exit 1 and the failure, with its
// message and stack trace, is in `deploy show --json`.
func TestValidationWithAFailingTest(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	dirs := c.orgs(t, "5", "production", "uat")
	classes := filepath.Join(dirs["uat"], "force-app", "main", "default", "classes")
	for name, content := range map[string]string{
		"InvoiceTotalsTest.cls": `@isTest
private class InvoiceTotalsTest {
    @isTest
    static void addsTax() {
        System.assertEquals(120.00, InvoiceService.totalWithTax(new Invoice__c(Amount__c = 100, Tax_Rate__c = 20)));
    }

    @isTest
    static void failsOnPurpose() {
        System.assert(false, 'totals must never be negative');
    }
}
`,
		"InvoiceTotalsTest.cls-meta.xml": classMeta,
	} {
		if err := os.WriteFile(filepath.Join(classes, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cr := c.approvedCR(t, "--name", "Tests", "--component", "ApexClass:InvoiceTotalsTest")
	var d deployJSON
	c.ok("dave", &d, "deploy", "new", "--cr", cr, "--from", "uat", "--to", "production")
	c.approveDeployment(t, "dave", d.ID)
	c.ok("dave", nil, "deploy", "retrieve", d.ID)
	r := c.run("dave", "deploy", "validate", d.ID)
	if r.code != 1 || !strings.Contains(r.stderr, "failsOnPurpose") || !strings.Contains(r.stderr, "Validation Failed") {
		t.Fatalf("validate exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	c.ok("dave", &d, "deploy", "show", d.ID)
	l := d.Logs[len(d.Logs)-1]
	if l.Kind != "validate" || l.Status != "Validation Failed" || l.TestErrors != 1 || len(l.TestFailures) != 1 {
		t.Fatalf("validate log = %+v", l)
	}
	f := l.TestFailures[0]
	if f.Class != "InvoiceTotalsTest" || f.Method != "failsOnPurpose" || !strings.Contains(f.Message, "totals must never be negative") || f.StackTrace == "" {
		t.Fatalf("test failure = %+v", f)
	}
	c.refused("dave", 1, "QuickDeployUnavailableError", "deploy", "run", d.ID, "--quick")
}

// TestMissingDependencyIsAddedToTheCR deploys a layout that shows a field
// the package lacks: Check Dependencies reports it missing, and
// --add-missing puts it on the CR, which then needs approving again.
func TestMissingDependencyIsAddedToTheCR(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	c.orgs(t, "5", "production", "uat")
	cr := c.approvedCR(t, "--name", "Layout only", "--component", "Layout:Invoice__c-Invoice Layout")
	var d deployJSON
	c.ok("alice", &d, "deploy", "new", "--cr", cr, "--from", "uat", "--to", "production")
	c.approveDeployment(t, "alice", d.ID)
	c.ok("alice", nil, "deploy", "retrieve", d.ID)
	c.ok("alice", &d, "deploy", "deps", d.ID, "--add-missing")
	missing := false
	for _, dep := range d.Dependencies {
		if dep.Where == "missing" && dep.To.Type == "CustomField" && dep.To.FullName == "Invoice__c.Due_Date__c" {
			missing = true
		}
	}
	if !missing {
		t.Fatalf("Due_Date__c not reported missing: %+v", d.Dependencies)
	}
	var shown crJSON
	c.ok("alice", &shown, "cr", "show", cr)
	if shown.Status != "Pending Approval" {
		t.Fatalf("%s after adding a dependency is %s", cr, shown.Status)
	}
	c.refused("alice", 1, "NotDeployableError", "deploy", "validate", d.ID)
}

// TestKilledDeployIsResumed kills the relman process running a deploy
// (SIGKILL, no chance to clean up) once the org's job id is stored, then
// `deploy resume` re-attaches to the job and finishes it to verified.
func TestKilledDeployIsResumed(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	c.orgs(t, "150", "production", "uat")
	cr := c.approvedCR(t, "--name", "Service change", "--component", "ApexClass:InvoiceService", "--component", "ApexClass:InvoiceServiceTest",
		"--component", "CustomField:Invoice__c.Due_Date__c")
	var d deployJSON
	c.ok("alice", &d, "deploy", "new", "--cr", cr, "--from", "uat", "--to", "production", "--test-level", "RunLocalTests")
	c.approveDeployment(t, "alice", d.ID)
	c.ok("alice", nil, "deploy", "retrieve", d.ID)

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command(self, "deploy", "run", d.ID)
	run.Env = c.env("alice")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var now deployJSON
		c.ok("alice", &now, "deploy", "show", d.ID)
		if n := len(now.Logs); n > 0 && now.Logs[n-1].Kind == "deploy" && now.Logs[n-1].JobID != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deploy's job id was never stored")
		}
	}
	if err := run.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	c.ok("alice", &d, "deploy", "show", d.ID)
	if l := d.Logs[len(d.Logs)-1]; l.Kind != "deploy" || l.Status == "Succeeded" {
		t.Fatalf("the killed run finished its log: %+v", l)
	}
	c.ok("alice", &d, "deploy", "resume", d.ID)
	if d.Status != "Verified" {
		t.Fatalf("after resume %s is %s: %+v", d.ID, d.Status, d.Logs)
	}
	c.refused("alice", 1, "NothingRunningError", "deploy", "resume", d.ID)
}

// TestRollbackJourney deploys a change that creates a field and changes a
// class, then rolls it back with its own approval: the created field is
// deleted, the class gets its pre-deploy copy back, and the logs show the
// Rollback statuses.
func TestRollbackJourney(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	dirs := c.orgs(t, "5", "production", "uat")
	cr := c.approvedCR(t, "--name", "Due dates", "--component", "ApexClass:InvoiceService", "--component", "ApexClass:InvoiceServiceTest",
		"--component", "CustomField:Invoice__c.Due_Date__c")
	var d deployJSON
	c.ok("alice", &d, "deploy", "new", "--cr", cr, "--from", "uat", "--to", "production")
	c.approveDeployment(t, "alice", d.ID)
	classFile := filepath.Join(dirs["production"], "force-app", "main", "default", "classes", "InvoiceService.cls")
	before, err := os.ReadFile(classFile)
	if err != nil {
		t.Fatal(err)
	}
	c.ok("alice", nil, "deploy", "retrieve", d.ID)
	c.ok("alice", &d, "deploy", "run", d.ID)
	if d.Status != "Verified" {
		t.Fatalf("deploy ended %s", d.Status)
	}

	var rb struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Items  []struct {
			Component struct{ Type, FullName string }
			Action    string
		} `json:"items"`
		Logs []struct{ Kind, Status string } `json:"logs"`
	}
	c.ok("alice", &rb, "rollback", "new", d.ID)
	actions := map[string]string{}
	for _, it := range rb.Items {
		actions[it.Component.Type+":"+it.Component.FullName] = it.Action
	}
	if actions["CustomField:Invoice__c.Due_Date__c"] != "Delete" || actions["ApexClass:InvoiceService"] != "Override" {
		t.Fatalf("rollback items = %v", actions)
	}
	c.refused("alice", 1, "RollbackNotApprovedError", "rollback", "run", rb.ID)
	c.ok("alice", nil, "rollback", "submit", rb.ID)
	c.refused("alice", 1, "SelfApprovalError", "rollback", "approve", rb.ID)
	c.ok("bob", nil, "rollback", "approve", rb.ID)
	c.ok("carol", nil, "rollback", "approve", rb.ID)
	c.ok("alice", &rb, "rollback", "run", rb.ID)
	if rb.Status != "Rolled Back" || len(rb.Logs) != 1 || rb.Logs[0].Kind != "rollback" || rb.Logs[0].Status != "Rollback Completed" {
		t.Fatalf("rollback = %+v", rb)
	}
	after, err := os.ReadFile(classFile)
	if err != nil || string(after) != string(before) {
		t.Fatalf("InvoiceService is not back to its pre-deploy copy (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dirs["production"], "force-app", "main", "default", "objects", "Invoice__c", "fields", "Due_Date__c.field-meta.xml")); !os.IsNotExist(err) {
		t.Fatalf("the field the deploy created is still there: %v", err)
	}
	c.ok("alice", &d, "deploy", "show", d.ID)
	if d.Status != "Rolled Back" {
		t.Fatalf("%s after the rollback is %s", d.ID, d.Status)
	}
}
