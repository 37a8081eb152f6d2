package main

// Helpers shared by the reliability_*_test.go files: commands under a
// deadline, simulated orgs with faults, and reading a store file directly
// to check what the CLI left in it.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/actions"
)

// timed is a result and how long the command took; hung is set when the
// deadline killed it.
type timed struct {
	result
	took time.Duration
	hung bool
}

// runFor runs one relman command with a deadline: a command that outlives
// it is killed and reported as hung. env adds variables to the process.
func (c relmanCLI) runFor(d time.Duration, env []string, user string, args ...string) timed {
	c.t.Helper()
	self, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(c.env(user), env...)
	cmd.WaitDelay = 2 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	res := timed{result: result{stdout: out.String(), stderr: errb.String()}, took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.hung, res.code = true, -1
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		c.t.Fatalf("relman %v: %v", args, err)
	}
	return res
}

// envelope decodes the closing JSON envelope of a --json run (nil when the
// output holds none, e.g. after a crash).
func (r timed) envelope() *envelopeJSON {
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var last json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return nil
		}
		last = v
	}
	var env envelopeJSON
	if last == nil || json.Unmarshal(last, &env) != nil {
		return nil
	}
	return &env
}

// faultyOrg starts `relman sim` on a copy of a sample org with the given
// --fault flags and adds it to the store as an environment reached with a
// refresh token through the real client. It returns the org's URL.
func (c relmanCLI) faultyOrg(t *testing.T, name, kind, testMS string, faults ...string) (dir, url string) {
	t.Helper()
	dir = copyOrg(t, name)
	args := []string{"sim", "--dir", dir, "--kind", kind, "--test-ms", testMS}
	for _, f := range faults {
		args = append(args, "--fault", f)
	}
	org := startSimProcess(t, args)
	c.ok("alice", nil, "env", "add", name, "--kind", kind, "--url", org.url, "--auth", "refresh-token",
		"--refresh-token", org.refresh, "--client-id", "relman")
	return dir, org.url
}

// readStore opens the store file in this process to look at what the CLI
// left in it, as any second relman would.
func readStore(t testing.TB, path string) *actions.Service {
	t.Helper()
	st, err := store.Open(path, store.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatalf("the store does not open: %v", err)
	}
	return actions.New(st, model.Actor{User: "auditor"}) // reads only: no key needed
}

// auditEvents reads every audit event of the store.
func auditEvents(t testing.TB, svc *actions.Service) []model.AuditEvent {
	t.Helper()
	var evs []model.AuditEvent
	if err := svc.Store.View(func(tx *store.Tx) error {
		var err error
		evs, err = tx.AuditEvents(store.AuditQuery{})
		return err
	}); err != nil {
		t.Fatalf("reading the audit trail: %v", err)
	}
	return evs
}

// verifyChain checks the audit chain in process and through the CLI.
func (c relmanCLI) verifyChain(t testing.TB) int {
	t.Helper()
	r := c.runFor(60*time.Second, nil, "auditor", "audit", "--verify", "--json")
	env := r.envelope()
	if r.code != 0 || env == nil {
		t.Fatalf("audit --verify exited %d: %s%s", r.code, r.stdout, r.stderr)
	}
	var v struct {
		Events int  `json:"events"`
		OK     bool `json:"ok"`
	}
	if err := json.Unmarshal(env.Result, &v); err != nil || !v.OK {
		t.Fatalf("audit --verify = %s (%v)", env.Result, err)
	}
	return v.Events
}

// fileDigest is the SHA-256 of a file's bytes.
func fileDigest(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// interruptAfter sends SIGINT to a running command after d, the way an
// admin presses Ctrl-C, kills it if it has not stopped deadline later, and
// returns how long it took to stop after the interrupt.
func (c relmanCLI) interruptAfter(d, deadline time.Duration, user string, args ...string) (timed, time.Duration) {
	c.t.Helper()
	self, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = c.env(user)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	select {
	case <-done:
		// It finished before the interrupt.
		return timedOf(cmd, &out, &errb, time.Since(start), false), 0
	case <-time.After(d):
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	sent := time.Now()
	select {
	case <-done:
		return timedOf(cmd, &out, &errb, time.Since(start), false), time.Since(sent)
	case <-time.After(deadline):
		_ = cmd.Process.Kill()
		<-done
		return timedOf(cmd, &out, &errb, time.Since(start), true), time.Since(sent)
	}
}

func timedOf(cmd *exec.Cmd, out, errb *bytes.Buffer, took time.Duration, hung bool) timed {
	r := timed{result: result{stdout: out.String(), stderr: errb.String()}, took: took, hung: hung}
	if hung {
		r.code = -1
	} else if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
	}
	return r
}

// tempStore is a store path in a fresh directory.
func tempStore(t testing.TB) string {
	return filepath.Join(t.TempDir(), "relman.db")
}
