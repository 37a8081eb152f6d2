package main

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"relman/model"
	"relman/store"
)

// TestKilledTUILosesNothing kills the terminal UI (SIGKILL, in a real
// terminal) at a random moment while it saves a change request typed into
// its editor, ten times. After each kill the store opens, the audit chain
// verifies, and the CR is either stored whole, with its create event, or
// not at all.
func TestKilledTUILosesNothing(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: killing the TUI needs a terminal to run it in (apt-get install tmux)")
	}
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	rng := rand.New(rand.NewPCG(11, 7))
	saved := 0
	for trial := 1; trial <= 10; trial++ {
		s := startTUI(t, c.store)
		s.tmux("send-keys", "-t", s.name, "n")
		s.waitFor("New change request")
		name := fmt.Sprintf("Typed in the UI %d", trial)
		s.tmux("send-keys", "-t", s.name, "-l", name)
		s.waitFor(name)
		pid, err := strconv.Atoi(strings.TrimSpace(s.tmux("display-message", "-p", "-t", s.name, "#{pane_pid}")))
		if err != nil {
			t.Fatal(err)
		}
		s.tmux("send-keys", "-t", s.name, "C-s")
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond) // a random point of the save, not a wait for it
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		_ = tmuxCmd("kill-session", "-t", s.name).Run()

		svc := readStore(t, c.store)
		crs, err := svc.ListCRs(store.CRQuery{})
		if err != nil {
			t.Fatalf("trial %d: the store does not open after the kill: %v", trial, err)
		}
		var cr *model.ChangeRequest
		for i := range crs {
			if crs[i].Name == name {
				cr = &crs[i]
			}
		}
		if cr != nil {
			saved++
			events, err := svc.CRHistory(cr.ID)
			if err != nil || len(events) != 1 || events[0].Action != "create" {
				t.Fatalf("trial %d: %s is stored without its create event: %v %v", trial, cr.Key(), events, err)
			}
		}
		if len(crs) != saved {
			t.Fatalf("trial %d: %d CRs stored, %d saves seen", trial, len(crs), saved)
		}
		c.verifyChain(t)
	}
	t.Logf("10 kills of the TUI while saving: %d saves had committed, %d had not; the chain verified each time", saved, 10-saved)
}
