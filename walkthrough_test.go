package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startDemoServe runs `relman demo --serve` in dir and returns the store it
// prints once its simulated orgs are up.
func startDemoServe(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "demo", "--serve", "--dir", dir, "--test-ms", "5")
	cmd.Env = append(os.Environ(), "RELMAN_BE_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	store, envs := "", 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "store="):
			store = strings.TrimPrefix(line, "store=")
		case strings.HasPrefix(line, "env="):
			envs++
		case strings.HasPrefix(line, "ready:"):
			if store == "" || envs != 3 {
				t.Fatalf("demo --serve printed store %q and %d environments", store, envs)
			}
			return store
		}
	}
	t.Fatal("demo --serve ended before it was ready")
	return ""
}

// TestREADMEWalkthrough is the README's walkthrough, command by command,
// against the demo's simulated orgs: the seeded CR-0001 grew after approval
// when its UAT copy was pushed back, so bob and carol approve it again;
// DR-0001 (uat → production) is approved, retrieved, checked, validated
// with tests, deployed and verified; CR-0001 completes; then the deployment
// is rolled back with its own approval.
func TestREADMEWalkthrough(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	c := relmanCLI{t: t, store: startDemoServe(t, dir), keys: filepath.Join(dir, "keys")}
	var list []crJSON
	c.ok("alice", &list, "cr", "list")
	if len(list) != 10 {
		t.Fatalf("the demo seeds %d change requests, want 10", len(list))
	}
	var cr crJSON
	c.ok("alice", &cr, "cr", "show", "CR-0001")
	if cr.Status != "Pending Approval" {
		t.Fatalf("CR-0001 is %s", cr.Status)
	}
	c.ok("bob", nil, "cr", "approve", "CR-0001", "--comment", "validation rule looks right")
	c.ok("carol", &cr, "cr", "approve", "CR-0001")
	if cr.Status != "Approved" {
		t.Fatalf("CR-0001 after re-approval is %s", cr.Status)
	}
	c.ok("alice", nil, "compare", "uat", "production", "--cr", "CR-0001")
	c.ok("alice", nil, "deploy", "submit", "DR-0001")
	c.ok("bob", nil, "deploy", "approve", "DR-0001")
	c.ok("carol", nil, "deploy", "approve", "DR-0001")
	c.ok("alice", nil, "deploy", "retrieve", "DR-0001")
	// The UAT permission set grants Account.Region__c, which only CR-0003
	// brings: Check Dependencies catches it before any validation fails.
	var d deployJSON
	c.ok("alice", &d, "deploy", "deps", "DR-0001", "--add-missing")
	missing := []string{}
	for _, dep := range d.Dependencies {
		if dep.Where == "missing" {
			missing = append(missing, dep.To.Type+":"+dep.To.FullName)
		}
	}
	if strings.Join(missing, ",") != "CustomField:Account.Region__c" {
		t.Fatalf("missing dependencies %v, want the Region__c field", missing)
	}
	c.ok("alice", &cr, "cr", "show", "CR-0001")
	c.ok("alice", &d, "deploy", "show", "DR-0001")
	if cr.Status != "Pending Approval" || d.ApprovalStatus != "Pending Approval" || d.Package != nil {
		t.Fatalf("after adding a dependency: CR %s, DR %s, package %v", cr.Status, d.ApprovalStatus, d.Package)
	}
	for _, u := range []string{"bob", "carol"} {
		c.ok(u, nil, "cr", "approve", "CR-0001")
		c.ok(u, nil, "deploy", "approve", "DR-0001")
	}
	for _, step := range []string{"retrieve", "deps", "validate", "run"} {
		c.ok("alice", nil, "deploy", step, "DR-0001")
	}
	c.ok("alice", &d, "deploy", "show", "DR-0001")
	if d.Status != "Verified" {
		t.Fatalf("DR-0001 is %s: %+v", d.Status, d.Logs)
	}
	c.ok("alice", &cr, "cr", "complete", "CR-0001")
	if cr.Status != "Completed" {
		t.Fatalf("CR-0001 is %s", cr.Status)
	}
	var rb struct {
		ID, Status string
	}
	c.ok("alice", &rb, "rollback", "new", "DR-0001")
	c.ok("alice", nil, "rollback", "submit", rb.ID)
	c.ok("bob", nil, "rollback", "approve", rb.ID)
	c.ok("carol", nil, "rollback", "approve", rb.ID)
	c.ok("alice", &rb, "rollback", "run", rb.ID)
	if rb.Status != "Rolled Back" {
		t.Fatalf("%s is %s", rb.ID, rb.Status)
	}
	var verify struct{ OK bool }
	c.ok("alice", &verify, "audit", "--verify")
	if !verify.OK {
		t.Fatal("audit chain broken after the walkthrough")
	}
}

// TestDemoCoverageAndNoTestRun: the demo's DR-0002 failed validation on
// code coverage alone; `deploy log`, its JSON and a new attempt say why.
// NoTestRun to production is refused with the rule and the fix.
func TestDemoCoverageAndNoTestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	c := relmanCLI{t: t, store: startDemoServe(t, dir), keys: filepath.Join(dir, "keys")}
	r := c.run("alice", "deploy", "log", "DR-0002")
	for _, want := range []string{"Validation Failed", "InvoiceService: Test coverage of selected Apex Class is",
		"at least 75% test coverage is required", "ApexClass InvoiceService: "} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("deploy log DR-0002 (exit %d) lacks %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	var d struct {
		Logs []struct {
			Kind, Status                string
			ComponentErrors, TestErrors int
			CoverageWarnings            []string
			Coverage                    *struct{ Covered, Lines int }
		}
	}
	c.ok("alice", &d, "deploy", "show", "DR-0002")
	last := d.Logs[len(d.Logs)-1]
	if last.Kind != "validate" || last.ComponentErrors+last.TestErrors != 0 || len(last.CoverageWarnings) != 1 || last.Coverage == nil ||
		last.Coverage.Covered >= last.Coverage.Lines {
		t.Errorf("the validation log %+v", last)
	}
	// Validating again fails the same way, and the one-line summary says why.
	r = c.run("alice", "deploy", "validate", "DR-0002")
	if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "coverage under 75%: ApexClass InvoiceService 45%") {
		t.Errorf("validate again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	var list []crJSON
	c.ok("alice", &list, "cr", "list")
	approved := ""
	for _, cr := range list {
		if cr.Status == "Approved" {
			approved = cr.ID
		}
	}
	msg := c.refused("alice", 1, "NoTestRunInProductionError", "deploy", "new", "--cr", approved, "--from", "uat", "--to", "production", "--test-level", "NoTestRun")
	if !strings.Contains(msg, "Salesforce refuses NoTestRun in production") || !strings.Contains(msg, "RunLocalTests") {
		t.Errorf("NoTestRun to production: %q", msg)
	}
}

// tmuxSession drives the real binary in a terminal the way a person would.
type tmuxSession struct {
	t    *testing.T
	name string
}

// newTmuxSession names a session unique within this test process, on the
// process's own tmux server.
func newTmuxSession(t *testing.T, purpose string) tmuxSession {
	keepTmuxServer.Do(func() {
		// A tmux server exits with its last session; the next test's
		// new-session could then reach a server on its way out ("server
		// exited unexpectedly"). One idle session keeps it up until
		// TestMain stops it.
		_ = tmuxCmd("new-session", "-d", "-s", "relman-keeper").Run()
	})
	return tmuxSession{t: t, name: fmt.Sprintf("relman-%s-%s", purpose, strings.ReplaceAll(filepath.Base(t.TempDir()), ".", ""))}
}

// tmuxSocket is this test process's own tmux server: another go test run,
// or anyone's `tmux kill-server` on the default server, never touches the
// terminals these tests drive.
var (
	tmuxSocket     = fmt.Sprintf("relman-test-%d", os.Getpid())
	keepTmuxServer sync.Once
)

// tmuxCmd is a tmux command on this process's own server, without any
// user configuration.
func tmuxCmd(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", tmuxSocket, "-f", "/dev/null"}, args...)...)
}

func (s tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := tmuxCmd(args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// waitFor polls the screen until it shows want.
func (s tmuxSession) waitFor(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.tmux("capture-pane", "-p", "-t", s.name)
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, screen)
		}
		time.Sleep(50 * time.Millisecond) // polling a terminal we do not own; the wait is the deadline above
	}
}

// TestDemoInTmux runs `relman demo` in a real terminal (tmux) at 80×24 and
// walks its screens: the change request list, a CR's detail, the approvals
// queue, the environments, then quits.
func TestDemoInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the demo smoke test needs a terminal to drive (apt-get install tmux)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s := newTmuxSession(t, "smoke")
	cmdline := "RELMAN_BE_MAIN=1 NO_COLOR=1 " + self + " demo --dir " + filepath.Join(t.TempDir(), "demo")
	s.tmux("new-session", "-d", "-s", s.name, "-x", "80", "-y", "24", cmdline)
	t.Cleanup(func() { _ = tmuxCmd("kill-session", "-t", s.name).Run() })

	s.waitFor("10 change requests")
	s.tmux("send-keys", "-t", s.name, "G", "Enter")
	s.waitFor("Finance wants to see when each invoice is due")
	// Esc and the next key sent at once read as Alt+key, as in any
	// terminal; a person pauses, the test waits for the list.
	s.tmux("send-keys", "-t", s.name, "Escape")
	s.waitFor("10 change requests")
	s.tmux("send-keys", "-t", s.name, "2")
	s.waitFor("Account region field")
	s.tmux("send-keys", "-t", s.name, "3")
	s.waitFor("production")
	s.tmux("send-keys", "-t", s.name, "q")
	deadline := time.Now().Add(10 * time.Second)
	for tmuxCmd("has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit the demo:\n%s", s.tmux("capture-pane", "-p", "-t", s.name))
		}
		time.Sleep(50 * time.Millisecond) // same: waiting on tmux, bounded by the deadline
	}
}
