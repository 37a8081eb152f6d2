package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tuiUser is relman's terminal UI, run in tmux as one demo user with their
// own key, the way a person would open it.
type tuiUser struct {
	tmuxSession
	user string
}

// openTUI starts relman on the demo's store as user, in a w×h terminal,
// and waits for its first screen.
func openTUI(t *testing.T, store, keys, user string, w, h int) tuiUser {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s := tuiUser{newTmuxSession(t, "tui-"+user), user}
	cmdline := "RELMAN_BE_MAIN=1 NO_COLOR=1 SSH_AUTH_SOCK= RELMAN_STORE=" + store + " RELMAN_IDENTITY=" + filepath.Join(keys, user) +
		" RELMAN_USER=" + user + " " + self
	s.tmux("new-session", "-d", "-s", s.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmdline)
	t.Cleanup(func() { _ = tmuxCmd("kill-session", "-t", s.name).Run() })
	s.waitFor("10 change requests") // the first screen, at any width
	return s
}

// keys sends each key in turn (tmux key names: Enter, Tab, Escape, or
// a character).
func (s tuiUser) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.tmux("send-keys", "-t", s.name, k)
	}
}

// typeText types text literally.
func (s tuiUser) typeText(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", s.name, "-l", text)
}

// quit presses q and waits for relman to end (nothing may be running).
func (s tuiUser) quit() {
	s.t.Helper()
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for tmuxCmd("has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("q did not quit %s's relman:\n%s", s.user, s.tmux("capture-pane", "-p", "-t", s.name))
		}
		time.Sleep(50 * time.Millisecond) // waiting on tmux, bounded by the deadline
	}
}

// footer is the screen's last line: the key help.
func (s tuiUser) footer() string {
	lines := strings.Split(strings.TrimRight(s.tmux("capture-pane", "-p", "-t", s.name), "\n"), "\n")
	return lines[len(lines)-1]
}

// retrieveAndCheckDR1 opens DR-0001 from the Deployments tab, retrieves
// its package and checks its dependencies. Each step's end is on the
// status line, written as its keys change.
func (s tuiUser) retrieveAndCheckDR1() {
	s.t.Helper()
	s.keys("5")
	s.waitFor("3 deployment records")
	s.keys("G", "Enter") // the oldest: DR-0001
	s.waitFor("R retrieve")
	s.keys("R")
	s.waitFor("DR-0001: Retrieve finished")
	s.keys("D")
	s.waitFor("DR-0001: Check dependencies finished")
}

// approveAll has user approve, in the Approvals tab, the n records that
// wait for them, watching the tab's count go down.
func approveAll(t *testing.T, store, keys, user string, waiting, n int) {
	t.Helper()
	s := openTUI(t, store, keys, user, 140, 40) // wide enough for every tab's full title
	s.waitFor("2 Approvals (" + strconv.Itoa(waiting) + ")")
	s.keys("2")
	s.waitFor("Waiting for " + user)
	for i := range n {
		s.keys("a")
		s.waitFor("comment (optional)")
		s.keys("Enter")
		if left := waiting - i - 1; left > 0 {
			s.waitFor("2 Approvals (" + strconv.Itoa(left) + ")")
		} else {
			s.waitFor("Nothing waiting for you")
		}
	}
	s.quit()
}

// TestNewAdminFinishesTheProcessInTheTUI is the README walkthrough done by
// a new admin in the terminal UI only, in tmux against the demo's
// simulated orgs: bob and carol approve with their own keys in Approvals
// (the tab counts what waits); alice opens DR-0001 from CR-0001's detail,
// submits it (and is told why she cannot approve it), compares uat with
// production for CR-0001, retrieves, checks dependencies and adds the
// missing one, validates (quitting then asks, saying the job goes on),
// deploys, reads the logs, completes CR-0001 and drafts the rollback from
// the deployment; bob and carol approve the rollback in Approvals; alice
// runs it; DR-0001 and CR-0001 then say rolled back, and Enter on the
// rollback's line opens it. (Creating and editing a CR in the editor is
// part B's, issue 16b; the demo seeds them.)
func TestNewAdminFinishesTheProcessInTheTUI(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the journey needs a terminal to drive (apt-get install tmux)")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	store, keys := startDemoServe(t, dir), filepath.Join(dir, "keys")

	// The pushed-back copy grew CR-0001: bob and carol approve it again.
	approveAll(t, store, keys, "bob", 1, 1)
	approveAll(t, store, keys, "carol", 2, 1) // and bob's CR-0003 waits for her

	alice := openTUI(t, store, keys, "alice", 120, 40)
	alice.keys("1", "Enter") // the most recently changed CR: CR-0001
	alice.waitFor("Read-only — CR-0001 is Approved")
	alice.keys("Tab", "Tab")
	alice.waitFor("enter open DR-0001")
	alice.keys("Enter")
	alice.waitFor("Draft: the requester submits it (s) for approval by bob, carol.")
	alice.keys("s")
	alice.waitFor("DR-0001 is Pending Approval: its approvers are asked now.")
	alice.keys("a")
	alice.waitFor("the requester cannot approve or reject their own request: alice is the requester. Ask a listed approver.")
	// Compare uat with production for CR-0001 and open the review.
	alice.keys("4", "s")
	alice.waitFor("Source: what would be deployed")
	alice.typeText("uat")
	alice.keys("Enter", "c")
	alice.waitFor("Only the components of a change request")
	alice.typeText("CR-0001")
	alice.keys("Enter")
	alice.waitFor("CR-0001 Invoice due dates  6 components")
	alice.keys("Enter")
	alice.waitFor("uat → production · alice") // a new Compare Log (the demo already holds some)
	alice.quit()

	approveAll(t, store, keys, "bob", 1, 1)
	approveAll(t, store, keys, "carol", 2, 1)

	alice = openTUI(t, store, keys, "alice", 120, 40)
	alice.retrieveAndCheckDR1()
	// The missing dependency is a warning on the stage and the run, not a
	// green tick.
	alice.waitFor("! Dependencies warnings")
	alice.waitFor("! Check dependencies finished in")
	alice.keys("a")
	alice.waitFor("Add 1 missing component to CR-0001?")
	alice.keys("y")
	alice.waitFor("Added the missing components to CR-0001 (now Pending Approval)")
	alice.quit()

	approveAll(t, store, keys, "bob", 2, 2)
	approveAll(t, store, keys, "carol", 3, 2)

	alice = openTUI(t, store, keys, "alice", 120, 40)
	alice.retrieveAndCheckDR1()
	alice.keys("V")
	alice.waitFor("Validate · ")
	alice.keys("q")
	screen := alice.waitFor("Quit relman while it runs 1 job?")
	if !strings.Contains(screen, "DR-0001 Validate") || !strings.Contains(screen, "The org goes on with the job") {
		t.Errorf("the quit question does not say what goes on:\n%s", screen)
	}
	if f := alice.footer(); strings.Contains(f, "q quit") {
		t.Errorf("the quit question's footer offers q quit: %q", f)
	}
	alice.keys("n")
	alice.waitFor("DR-0001: Validate finished")
	alice.keys("x")
	alice.waitFor("Deploy DR-0001 to production with RunLocalTests?")
	alice.keys("y")
	alice.waitFor("Verified: C completes CR-0001.")
	alice.keys("l")
	alice.waitFor("DR-0001 only")
	alice.keys("Escape")
	alice.waitFor("b rollback")
	alice.keys("C")
	alice.waitFor("Complete CR-0001?")
	alice.keys("y")
	alice.waitFor("CR-0001 is Completed.")
	alice.keys("b")
	alice.waitFor("New rollback of DR-0001")
	alice.keys("Enter")
	alice.waitFor("Created RB-0001 (Draft)")
	alice.keys("s")
	alice.waitFor("Submit RB-0001 for approval?")
	alice.keys("y")
	alice.waitFor("Submitted RB-0001")
	alice.quit()

	approveAll(t, store, keys, "bob", 1, 1)
	approveAll(t, store, keys, "carol", 2, 1)

	// At 80×24 the footers still end with ? help • q quit.
	alice = openTUI(t, store, keys, "alice", 80, 24)
	alice.keys("5")
	alice.waitFor("3 deployment records")
	alice.keys("G", "Enter") // the oldest: DR-0001
	alice.waitFor("b rollback")
	if f := strings.TrimRight(alice.footer(), " "); !strings.HasSuffix(f, "? help • q quit") {
		t.Errorf("deployment footer at 80 columns: %q", f)
	}
	alice.keys("b")
	alice.waitFor("x run")
	alice.keys("x")
	alice.waitFor("Roll back 7 components in production?")
	alice.keys("y")
	alice.waitFor("production is back to its pre-deploy copies")
	alice.keys("Escape")
	alice.waitFor("Rolled back by RB-0001 in production.")
	alice.keys("1", "Enter")
	alice.waitFor("rolled back (RB-0001)")
	alice.keys("Tab", "Tab", "Tab")
	alice.waitFor("enter open RB-0001")
	alice.keys("Enter")
	alice.waitFor("RB-0001 · Roll back DR-0001 in production")
	alice.quit()
}
