package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"relman/model"
	"relman/store"
)

// crashTrials is how many times TestKilledMidWriteLosesNothing kills relman.
const crashTrials = 100

// crashWork is the state a crash trial picks its next command from, and
// what commands that reported success created: all of it must survive.
type crashWork struct {
	t         *testing.T
	c         relmanCLI
	rng       *rand.Rand
	uat, prod string
	// confirmed are ids and names that a command reported created.
	confirmedCRs, confirmedLogs []string
	confirmedEnvs               []string
	envSeq                      int
	// typical is how long each kind of command takes when left alone.
	typical map[string]time.Duration
}

// next picks a write-heavy command that is valid for the store's current
// state: create, edit, submit, approve, reject, cancel a CR, add an
// environment, or compare with the result saved (whole orgs or a CR's
// components).
func (w *crashWork) next() (kind, user string, args []string) {
	w.t.Helper()
	crs, err := readStore(w.t, w.c.store).ListCRs(store.CRQuery{})
	if err != nil {
		w.t.Fatal(err)
	}
	pick := func(ok func(model.ChangeRequest) bool) string {
		var ids []string
		for _, cr := range crs {
			if ok(cr) {
				ids = append(ids, cr.Key())
			}
		}
		if len(ids) == 0 {
			return ""
		}
		return ids[w.rng.IntN(len(ids))]
	}
	editable := func(cr model.ChangeRequest) bool {
		return cr.CompletionStatus == model.CompletionInProgress && (cr.ApprovalStatus == model.ApprovalNone || cr.ApprovalStatus == model.ApprovalRejected)
	}
	pending := func(cr model.ChangeRequest) bool { return cr.ApprovalStatus == model.ApprovalPending }
	components := func(n int) []string {
		var out []string
		for range n {
			out = append(out, "--component", fmt.Sprintf("ApexClass:Class%04d", w.rng.IntN(5000)))
		}
		return out
	}
	switch r := w.rng.IntN(100); {
	case r < 25 || len(crs) == 0:
		name := fmt.Sprintf("Change %d %s", w.rng.IntN(1e6), strings.Repeat("é", w.rng.IntN(200)))
		return "cr new", "alice", append([]string{"cr", "new", "--env", "production", "--name", name,
			"--overview", strings.Repeat("why ", w.rng.IntN(500)), "--approver", "bob", "--approver", "carol"}, components(1+w.rng.IntN(60))...)
	case r < 40:
		if id := pick(editable); id != "" {
			return "cr edit", "alice", append([]string{"cr", "edit", id, "--overview", fmt.Sprintf("revised %d", w.rng.IntN(1e6))}, components(w.rng.IntN(20))...)
		}
	case r < 52:
		if id := pick(editable); id != "" {
			return "cr submit", "alice", []string{"cr", "submit", id}
		}
	case r < 72:
		// An approver who has not decided on the current scope.
		var choices [][2]string
		for _, cr := range crs {
			if !pending(cr) {
				continue
			}
			for _, a := range cr.Approvers {
				if a.Decision == model.DecisionNone || a.ScopeHash != cr.ScopeHash() {
					choices = append(choices, [2]string{cr.Key(), a.User})
				}
			}
		}
		if len(choices) > 0 {
			ch := choices[w.rng.IntN(len(choices))]
			if r < 67 {
				return "cr approve", ch[1], []string{"cr", "approve", ch[0], "--comment", "ok"}
			}
			return "cr reject", ch[1], []string{"cr", "reject", ch[0], "--comment", "not yet"}
		}
	case r < 75:
		if id := pick(editable); id != "" {
			return "cr cancel", "alice", []string{"cr", "cancel", id, "--reason", "superseded"}
		}
	case r < 82:
		w.envSeq++
		return "env add", "alice", []string{"env", "add", fmt.Sprintf("sandbox-%d-%d", w.envSeq, w.rng.IntN(1e6)), "--kind", "sandbox", "--dir", w.uat}
	case r < 92:
		if id := pick(func(model.ChangeRequest) bool { return true }); id != "" {
			return "compare --cr", "alice", []string{"compare", "uat", "production", "--cr", id}
		}
	default:
		return "compare", "alice", []string{"compare", "uat", "production"}
	}
	return w.next()
}

// confirm records what a successful command created.
func (w *crashWork) confirm(kind string, stdout string) {
	env := timed{result: result{stdout: stdout}}.envelope()
	if env == nil {
		w.t.Fatalf("%s succeeded without a JSON envelope: %q", kind, stdout)
	}
	var v struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		CompareLog string `json:"compareLog"`
	}
	if err := json.Unmarshal(env.Result, &v); err != nil {
		w.t.Fatal(err)
	}
	switch kind {
	case "cr new":
		w.confirmedCRs = append(w.confirmedCRs, v.ID)
	case "env add":
		w.confirmedEnvs = append(w.confirmedEnvs, v.Name)
	case "compare", "compare --cr":
		w.confirmedLogs = append(w.confirmedLogs, v.CompareLog)
	}
}

// how a trial kills its command.
const (
	killAtRandom   = "at a random time"
	killInWriteTxn = "inside a write transaction"
)

// victim runs one command and SIGKILLs it, either after a random delay
// within its usual run time or the moment it holds the store's write lock.
// It returns whether the kill hit the running process and, if the command
// finished first, its stdout.
func (w *crashWork) victim(how, kind, user string, args []string) (killed, inTxn bool, stdout string, code int) {
	w.t.Helper()
	self, err := os.Executable()
	if err != nil {
		w.t.Fatal(err)
	}
	cmd := exec.Command(self, append(args, "--json")...)
	cmd.Env = w.c.env(user)
	var out bytes.Buffer
	cmd.Stdout = &out
	lockProbe, err := os.Open(w.c.store)
	if err != nil {
		w.t.Fatal(err)
	}
	defer lockProbe.Close()
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	switch how {
	case killAtRandom:
		d := time.Duration(w.rng.Int64N(int64(w.typical[kind])*3/2 + 1))
		select {
		case <-done:
		case <-time.After(d):
		}
	case killInWriteTxn:
		deadline := time.Now().Add(10 * time.Second)
	spin:
		for time.Now().Before(deadline) {
			select {
			case <-done:
				break spin
			default:
			}
			if writerHoldsLock(lockProbe) {
				inTxn = true
				// Somewhere inside the transaction: now, or a few
				// microseconds into its writes and fsyncs.
				if n := w.rng.IntN(400); n > 0 {
					time.Sleep(time.Duration(n) * time.Microsecond)
				}
				break spin
			}
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	killed = ws.Signaled() && ws.Signal() == syscall.SIGKILL
	return killed, inTxn && killed, out.String(), cmd.ProcessState.ExitCode()
}

// writerHoldsLock reports whether another process holds the store file's
// exclusive lock (a write transaction), by failing to take a shared one.
func writerHoldsLock(f *os.File) bool {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return false
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}

// TestKilledMidWriteLosesNothing SIGKILLs relman 100 times in the middle
// of write-heavy CLI work on one store — change requests created, edited,
// submitted, approved, rejected, cancelled; environments added;
// comparisons saved — half the time at a random moment of the command's
// run, half the time while it holds the store's write lock. After every
// kill the store opens, `audit --verify` passes, no record is half-written
// (every record has the audit events that made it, and its fields agree
// with them), and everything a command reported as done is still there.
// (A deploy killed mid-run is TestKilledDeployIsResumed; the TUI is not
// covered here.)
func TestKilledMidWriteLosesNothing(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RELMAN_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("RELMAN_CRASH_SEED=%d", seed)
	c := newCLI(t, tempStore(t))
	w := &crashWork{t: t, c: c, rng: rand.New(rand.NewPCG(seed, 9)), uat: copyOrg(t, "uat"), prod: copyOrg(t, "production"),
		typical: map[string]time.Duration{}}
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", w.prod)
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--dir", w.uat)
	// How long each kind of command runs when left alone: the quickest
	// of three runs, so that random kills land inside the run.
	samples := map[string]int{}
	for done := 0; done < 9; {
		kind, user, args := w.next()
		start := time.Now()
		r := c.run(user, append(args, "--json")...)
		if r.code != 0 {
			t.Fatalf("relman %s: exit %d %s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		took := time.Since(start)
		if d, ok := w.typical[kind]; !ok || took < d {
			w.typical[kind] = took
		}
		if samples[kind]++; samples[kind] == 3 {
			done++
		}
		w.confirm(kind, r.stdout)
	}
	t.Logf("commands take %v when left alone", w.typical)

	start := time.Now()
	outcomes := map[string]int{}
	for trial := 1; trial <= crashTrials; trial++ {
		// Some work runs to completion first; then one command is killed.
		for range w.rng.IntN(3) {
			kind, user, args := w.next()
			r := c.run(user, append(args, "--json")...)
			if r.code != 0 {
				t.Fatalf("trial %d: relman %s: exit %d %s%s", trial, strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
			w.confirm(kind, r.stdout)
		}
		how := killAtRandom
		if trial%2 == 0 {
			how = killInWriteTxn
		}
		kind, user, args := w.next()
		killed, inTxn, stdout, code := w.victim(how, kind, user, args)
		switch {
		case inTxn:
			outcomes["killed inside a write transaction"]++
		case killed:
			outcomes["killed elsewhere in its run"]++
		case code == 0:
			outcomes["finished before the kill"]++
			w.confirm(kind, stdout)
		default:
			t.Fatalf("trial %d: relman %s exited %d before the kill: %s", trial, strings.Join(args, " "), code, stdout)
		}
		w.check(trial, kind, args)
	}
	t.Logf("%d trials in %s: %v", crashTrials, time.Since(start).Round(time.Millisecond), outcomes)
	if outcomes["killed inside a write transaction"] < crashTrials/4 {
		t.Errorf("only %d kills landed inside a write transaction", outcomes["killed inside a write transaction"])
	}
}

// check opens the store after a kill and holds it to the rules.
func (w *crashWork) check(trial int, kind string, args []string) {
	t := w.t
	t.Helper()
	fail := func(format string, a ...any) {
		t.Fatalf("trial %d, after killing `relman %s`: %s", trial, strings.Join(args, " "), fmt.Sprintf(format, a...))
	}
	st, err := store.Open(w.c.store, store.WithTimeout(10*time.Second))
	if err != nil {
		fail("the store does not open: %v", err)
	}
	res, err := st.Verify()
	if err != nil || !res.OK {
		fail("the audit chain does not verify: %+v %v", res, err)
	}
	if trial%10 == 0 {
		w.c.verifyChain(t)
	}
	svc := readStore(t, w.c.store)
	events := auditEvents(t, svc)
	byEntity := map[string][]model.AuditEvent{}
	for _, e := range events {
		byEntity[e.Entity+" "+e.EntityID] = append(byEntity[e.Entity+" "+e.EntityID], e)
	}
	count := func(entity, action string) int {
		n := 0
		for _, e := range events {
			if e.Entity == entity && e.Action == action {
				n++
			}
		}
		return n
	}

	crs, err := svc.ListCRs(store.CRQuery{})
	if err != nil {
		fail("listing change requests: %v", err)
	}
	if n := count(model.EntityChangeRequest, "create"); n != len(crs) {
		fail("%d change requests are stored, %d create events recorded", len(crs), n)
	}
	for _, cr := range crs {
		evs := byEntity[model.EntityChangeRequest+" "+cr.Key()]
		if len(evs) == 0 || evs[0].Action != "create" {
			fail("%s has no create event first (%d events)", cr.Key(), len(evs))
		}
		edits, approval, cancelled := 0, model.ApprovalNone, false
		for _, e := range evs {
			switch e.Action {
			case "edit":
				edits++
				if s, ok := e.Details["approvalStatus"]; ok {
					approval = model.ApprovalStatus(s)
				}
			case "submit":
				approval = model.ApprovalPending
			case "approve", "reject":
				approval = model.ApprovalStatus(e.Details["approvalStatus"])
			case "cancel":
				cancelled = true
			}
		}
		if cr.Revision != 1+edits {
			fail("%s is at revision %d after %d edit events", cr.Key(), cr.Revision, edits)
		}
		if cr.ApprovalStatus != approval {
			fail("%s is %s, its events say %s", cr.Key(), cr.ApprovalStatus, approval)
		}
		if cancelled != (cr.CompletionStatus == model.CompletionCancelled) {
			fail("%s is %s, cancel event recorded: %v", cr.Key(), cr.CompletionStatus, cancelled)
		}
		links := 0
		for _, e := range evs {
			if e.Action == "compare" {
				links++
			}
		}
		if links != len(cr.CompareLogs) {
			fail("%s links %d compare logs, %d link events recorded", cr.Key(), len(cr.CompareLogs), links)
		}
	}
	for _, id := range w.confirmedCRs {
		if !slices.ContainsFunc(crs, func(cr model.ChangeRequest) bool { return cr.Key() == id }) {
			fail("%s, reported created, is gone", id)
		}
	}

	envs, err := svc.Environments()
	if err != nil {
		fail("listing environments: %v", err)
	}
	if n := count(model.EntityEnvironment, "add") - count(model.EntityEnvironment, "remove"); n != len(envs) {
		fail("%d environments are stored, the audit trail adds %d", len(envs), n)
	}
	for _, e := range envs {
		if evs := byEntity[model.EntityEnvironment+" "+e.Name]; len(evs) == 0 || evs[0].Action != "add" {
			fail("environment %s has no add event", e.Name)
		}
	}
	for _, name := range w.confirmedEnvs {
		if !slices.ContainsFunc(envs, func(e model.Environment) bool { return e.Name == name }) {
			fail("environment %s, reported added, is gone", name)
		}
	}

	cls := compareLogs(t, w.c.store)
	if n := count(model.EntityCompareLog, "compare"); n != len(cls) {
		fail("%d compare logs are stored, %d compare events recorded", len(cls), n)
	}
	for _, cl := range cls {
		if len(byEntity[model.EntityCompareLog+" "+cl.Key()]) != 1 {
			fail("%s has no compare event", cl.Key())
		}
		if cl.CR != 0 {
			cr, err := svc.CR(cl.CR)
			if err != nil || !slices.Contains(cr.CompareLogs, cl.ID) {
				fail("%s was run for %s but is not linked to it (%v)", cl.Key(), model.FormatID(model.PrefixChangeRequest, cl.CR), err)
			}
		}
	}
	for _, key := range w.confirmedLogs {
		if !slices.ContainsFunc(cls, func(cl model.CompareLog) bool { return cl.Key() == key }) {
			fail("%s, reported saved, is gone", key)
		}
	}
}
