package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/store"
)

// commandDeadline bounds every relman command these tests run: one that
// outlives it is a hang, whatever the org does.
const commandDeadline = 90 * time.Second

// whatToDo are the phrases by which a message tells an admin what to do
// next (cli.md: "Errors … name what to do next").
var whatToDo = []string{"try again", "relman deploy resume", "wait", "check ", "contact support", "run `relman", "restore", "split"}

// faultRun drives one deployment record through Deploy Changes the way an
// admin at a terminal would against unreliable orgs: run a step, read the
// message when it fails, run it again — or `relman deploy resume` when the
// message says so — and keeps count of every attempt, so that no attempt
// can go missing from the deployment's logs.
type faultRun struct {
	t    *testing.T
	c    relmanCLI
	cr   string
	dr   string
	drID int64
	// orgs are the environments' names and URLs: a failure must name one.
	orgs []string
	// attempts counts, per log kind, the attempts that reached an org.
	attempts map[model.LogKind]int
	// failures, resumes and compares are figures for the report.
	failures, resumes, compares int
	unclear                     map[string]bool
	lost                        []string
}

func newFaultRun(t *testing.T, c relmanCLI, orgs ...string) *faultRun {
	return &faultRun{t: t, c: c, orgs: orgs, attempts: map[model.LogKind]int{}, unclear: map[string]bool{}}
}

// try runs one command with --json under the deadline.
func (f *faultRun) try(args ...string) (timed, *envelopeJSON) {
	f.t.Helper()
	r := f.c.runFor(commandDeadline, nil, "alice", append(args, "--json")...)
	if r.hung {
		f.t.Fatalf("relman %s hung: still running after %s", strings.Join(args, " "), commandDeadline)
	}
	env := r.envelope()
	if env == nil {
		f.t.Fatalf("relman %s exited %d without a JSON envelope:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	if r.code != 0 {
		f.failures++
		f.judge(args, env)
		f.t.Logf("relman %s: exit %d %s: %s", strings.Join(args, " "), r.code, env.Name, env.Message)
	}
	return r, env
}

// judge checks that a failure names the org and says what to do.
func (f *faultRun) judge(args []string, env *envelopeJSON) {
	named := false
	for _, o := range f.orgs {
		named = named || strings.Contains(env.Message, o)
	}
	hint := false
	for _, h := range whatToDo {
		hint = hint || strings.Contains(strings.ToLower(env.Message), h)
	}
	if !named || !hint {
		// One report per kind of message: the org's numbers and ids vary.
		key := fmt.Sprintf("relman %s → %s: %s", args[0]+" "+args[1], env.Name, redactNumbers(env.Message))
		f.unclear[key] = true
	}
}

// redactNumbers shortens a message to its shape, for grouping.
func redactNumbers(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if !strings.HasSuffix(b.String(), "#") {
				b.WriteByte('#')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// refusedByRule reports whether a failure is a rule refusing the step
// before it touched an org (its JSON name is a rule's code).
func refusedByRule(env *envelopeJSON) bool {
	switch env.Name {
	case "", "RelmanError", "DeployFailedError", "StillRunningError", "PartialSuccessError":
		return false
	}
	return true
}

func (f *faultRun) logs() []model.DeploymentLog {
	f.t.Helper()
	ls, err := readStore(f.t, f.c.store).Logs(f.drID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ls
}

func countKind(ls []model.DeploymentLog, kinds ...model.LogKind) int {
	n := 0
	for _, l := range ls {
		for _, k := range kinds {
			if l.Kind == k {
				n++
			}
		}
	}
	return n
}

// step runs `deploy VERB` until it succeeds, at most max times, resuming
// when told to. Every attempt that was not refused by a rule must add
// exactly one log of its kind; a resume adds none.
func (f *faultRun) step(verb string, kind model.LogKind, max int) bool {
	f.t.Helper()
	for i := 1; i <= max; i++ {
		before := countKind(f.logs(), kind)
		r, env := f.try("deploy", verb, f.dr)
		after := countKind(f.logs(), kind)
		if !refusedByRule(env) {
			f.attempts[kind]++
			if after != before+1 {
				f.lost = append(f.lost, fmt.Sprintf("attempt %d of `deploy %s` left %d new %s logs, want 1 (it ended: %s)",
					i, verb, after-before, kind, env.Message))
			}
		}
		if r.code == 0 {
			return true
		}
		if strings.Contains(env.Message, "relman deploy resume") && f.resume(max) {
			return true
		}
	}
	return false
}

// resume runs `deploy resume` until it succeeds or stops asking for another.
func (f *faultRun) resume(max int) bool {
	f.t.Helper()
	for range max {
		before := f.logs()
		r, env := f.try("deploy", "resume", f.dr)
		f.resumes++
		after := f.logs()
		if countKind(after, model.LogValidate, model.LogDeploy, model.LogQuickDeploy) != countKind(before, model.LogValidate, model.LogDeploy, model.LogQuickDeploy) {
			f.lost = append(f.lost, "`deploy resume` opened a new validate/deploy log instead of finishing the one it re-attached to")
		}
		if r.code == 0 {
			return true
		}
		if !strings.Contains(env.Message, "relman deploy resume") {
			return false
		}
	}
	return false
}

// compare runs a comparison until it succeeds (at most max times): each
// success, and only a success, saves one Compare Log.
func (f *faultRun) compare(max int, args ...string) bool {
	f.t.Helper()
	for range max {
		before := len(compareLogs(f.t, f.c.store))
		r, _ := f.try(append([]string{"compare"}, args...)...)
		after := len(compareLogs(f.t, f.c.store))
		want := before
		if r.code == 0 {
			want++
		}
		if after != want {
			f.lost = append(f.lost, fmt.Sprintf("a compare that exited %d left %d new compare logs, want %d", r.code, after-before, want-before))
		}
		if r.code == 0 {
			f.compares++
			return true
		}
	}
	return false
}

func compareLogs(t testing.TB, path string) []model.CompareLog {
	t.Helper()
	var cls []model.CompareLog
	if err := readStore(t, path).Store.View(func(tx *store.Tx) error {
		var err error
		cls, err = tx.ListCompareLogs(0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return cls
}

// envTest runs Test Connection until it passes.
func (f *faultRun) envTest(name string, max int) bool {
	for range max {
		if r, _ := f.try("env", "test", name); r.code == 0 {
			return true
		}
	}
	return false
}

// prepare creates an approved CR and an approved deployment record of it
// from uat to production.
func (f *faultRun) prepare() {
	f.t.Helper()
	f.cr = f.c.approvedCR(f.t, "--name", "Due dates", "--component", "ApexClass:InvoiceService",
		"--component", "ApexClass:InvoiceServiceTest", "--component", "CustomField:Invoice__c.Due_Date__c")
	var d deployJSON
	f.c.ok("alice", &d, "deploy", "new", "--cr", f.cr, "--from", "uat", "--to", "production", "--test-level", "RunLocalTests")
	f.c.approveDeployment(f.t, "alice", d.ID)
	f.dr = d.ID
	id, err := model.ParseID(model.PrefixDeployment, d.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	f.drID = id
}

// finish checks what must hold after all of it: nothing unclear, nothing
// lost, every log closed with its start and finish in the audit trail,
// `deploy show --json` listing every log, and the chain verifying.
func (f *faultRun) finish(wantStatus model.DeploymentStatus) {
	f.t.Helper()
	if len(f.unclear) > 0 {
		var msgs []string
		for m := range f.unclear {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		f.t.Errorf("%d kinds of failure do not name the org (%v) or do not say what to do:\n  %s", len(msgs), f.orgs, strings.Join(msgs, "\n  "))
	}
	for _, l := range f.lost {
		f.t.Errorf("lost: %s", l)
	}
	if f.dr == "" {
		f.c.verifyChain(f.t)
		return
	}
	svc := readStore(f.t, f.c.store)
	d, err := svc.Deployment(f.drID)
	if err != nil {
		f.t.Fatal(err)
	}
	if wantStatus != "" && d.Status != wantStatus {
		f.t.Errorf("%s ended %s, want %s", f.dr, d.Status, wantStatus)
	}
	logs := f.logs()
	for kind, n := range f.attempts {
		if got := countKind(logs, kind); got != n {
			f.t.Errorf("%d %s attempts reached an org, %d %s logs are stored", n, kind, got, kind)
		}
	}
	var events []model.AuditEvent
	if err := svc.Store.View(func(tx *store.Tx) error {
		var err error
		events, err = tx.AuditEvents(store.AuditQuery{Entity: model.EntityDeploymentLog})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	actions := map[string][]string{}
	for _, e := range events {
		actions[e.EntityID] = append(actions[e.EntityID], e.Action)
	}
	for _, l := range logs {
		if l.Running() {
			f.t.Errorf("log %s (%s, job %s) was never closed", l.Key(), l.Kind, l.JobID)
		}
		if a := strings.Join(actions[l.Key()], " "); !strings.HasPrefix(a, "start") || !strings.HasSuffix(a, "finish") {
			f.t.Errorf("log %s has audit actions %q, want start … finish", l.Key(), a)
		}
		if l.Status == "" || (!l.Running() && strings.HasSuffix(string(l.Status), "In Progress")) {
			f.t.Errorf("log %s closed with status %q", l.Key(), l.Status)
		}
	}
	var shown deployJSON
	f.c.ok("auditor", &shown, "deploy", "show", f.dr)
	if len(shown.Logs) != len(logs) {
		f.t.Errorf("`deploy show --json` lists %d logs, the store holds %d", len(shown.Logs), len(logs))
	}
	events2 := f.c.verifyChain(f.t)
	f.t.Logf("%s: %s after %d failed commands and %d resumes; attempts %v; %d logs; %d compares saved; %d audit events verified",
		f.dr, d.Status, f.failures, f.resumes, f.attempts, len(logs), f.compares, events2)
}

// stop ends a scenario that cannot go on, after reporting everything the
// attempts so far showed.
func (f *faultRun) stop(format string, a ...any) {
	f.t.Helper()
	f.t.Errorf(format, a...)
	f.finish("")
	f.t.FailNow()
}

// TestDeployChangesOnFaultyOrgs runs Deploy Changes through the CLI
// against simulated orgs that misbehave the ways real ones do. Each
// scenario runs every command under a deadline and, like an admin, runs
// a failed command again (or `deploy resume` when told to); every failure
// must name the org and say what to do, and at the end no attempt's log
// is missing, every log is closed, and the audit chain verifies.
func TestDeployChangesOnFaultyOrgs(t *testing.T) {
	t.Run("latency, 15% HTTP 500s, sessions expiring every 5 calls", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t, tempStore(t))
		faults := []string{"latency=20ms", "error-rate=0.15", "expire-session-after=5"}
		_, prodURL := c.faultyOrg(t, "production", "production", "5", append(faults, "seed=101")...)
		_, uatURL := c.faultyOrg(t, "uat", "sandbox", "5", append(faults, "seed=202")...)
		f := newFaultRun(t, c, "production", "uat", prodURL, uatURL)
		for _, env := range []string{"production", "uat"} {
			if !f.envTest(env, 6) {
				f.stop("Test Connection to %s never passed in 6 tries", env)
			}
		}
		// A whole-org comparison: every listMetadata, retrieve and poll
		// meets the faults; retries and token refresh must carry it.
		if !f.compare(4, "uat", "production") {
			f.stop("comparing the whole orgs never succeeded in 4 tries")
		}
		f.prepare()
		if !f.compare(6, "uat", "production", "--cr", f.cr) {
			f.stop("comparing the CR's components never succeeded in 6 tries")
		}
		for _, s := range []struct {
			verb string
			kind model.LogKind
		}{{"retrieve", model.LogRetrieve}, {"validate", model.LogValidate}, {"run", model.LogDeploy}} {
			if !f.step(s.verb, s.kind, 8) {
				f.stop("`deploy %s` never succeeded in 8 tries", s.verb)
			}
		}
		f.finish(model.DeployVerified)
	})

	t.Run("connections dropped mid-poll", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t, tempStore(t))
		// uat loses 5% of all answers; production loses 25% of the answers
		// to deploy and retrieve polls, after the org did the work.
		_, uatURL := c.faultyOrg(t, "uat", "sandbox", "5", "latency=10ms", "drop=0.05", "seed=303")
		_, prodURL := c.faultyOrg(t, "production", "production", "100", "latency=10ms", "drop=0.25@checkDeployStatus+checkRetrieveStatus", "seed=404")
		f := newFaultRun(t, c, "production", "uat", prodURL, uatURL)
		f.prepare()
		if !f.compare(10, "uat", "production", "--cr", f.cr) {
			f.stop("comparing the CR's components never succeeded in 10 tries")
		}
		if !f.step("retrieve", model.LogRetrieve, 10) {
			f.stop("`deploy retrieve` never succeeded in 10 tries")
		}
		// Polls are safe to repeat: an answer cut off mid-poll is asked
		// again, so validation rides the drops out (or, past the retries,
		// is resumed by the admin; f.step does both and records it).
		if !f.step("validate", model.LogValidate, 10) {
			f.stop("`deploy validate` never succeeded in 10 tries")
		}
		if !f.step("run", model.LogDeploy, 12) {
			f.stop("`deploy run` never succeeded in 12 tries")
		}
		f.finish(model.DeployVerified)
	})

	t.Run("request limit", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t, tempStore(t))
		_, uatURL := c.faultyOrg(t, "uat", "sandbox", "5")
		_, prodURL := c.faultyOrg(t, "production", "production", "5", "request-limit=16")
		f := newFaultRun(t, c, "production", "uat", prodURL, uatURL)
		f.prepare()
		if !f.step("retrieve", model.LogRetrieve, 2) {
			f.stop("retrieve from uat (no limit) failed")
		}
		// Validations until production's allocation runs out: then every
		// command that needs production stops with the limit named.
		var limited *envelopeJSON
		for i := 0; i < 8 && limited == nil; i++ {
			before := countKind(f.logs(), model.LogValidate)
			r, env := f.try("deploy", "validate", f.dr)
			f.attempts[model.LogValidate]++
			if after := countKind(f.logs(), model.LogValidate); after != before+1 {
				f.lost = append(f.lost, fmt.Sprintf("a validate attempt that exited %d left %d new validate logs, want 1 (%s)", r.code, after-before, env.Message))
			}
			if r.code != 0 {
				limited = env
			}
		}
		if limited == nil {
			f.stop("8 validations never reached production's request limit of 16 calls")
		}
		if r := c.runFor(commandDeadline, nil, "alice", "deploy", "run", f.dr, "--json"); r.code != 1 || r.envelope() == nil {
			t.Errorf("deploy run over the limit: exit %d %s%s", r.code, r.stdout, r.stderr)
		} else {
			f.judge([]string{"deploy", "run"}, r.envelope())
			limited = r.envelope()
		}
		if !strings.Contains(limited.Message, "REQUEST_LIMIT_EXCEEDED") || !strings.Contains(limited.Message, "wait and try again") {
			t.Errorf("over the request limit: %q does not name the limit and say to wait", limited.Message)
		}
		f.finish("")
	})

	t.Run("an org that stops answering", func(t *testing.T) {
		t.Parallel()
		c := newCLI(t, tempStore(t))
		_, uatURL := c.faultyOrg(t, "uat", "sandbox", "5")
		_, prodURL := c.faultyOrg(t, "production", "production", "5", "latency=10m")
		f := newFaultRun(t, c, "production", "uat", prodURL, uatURL)
		f.prepare()
		if !f.step("retrieve", model.LogRetrieve, 2) {
			f.stop("retrieve from uat failed")
		}
		// --wait bounds a step: it must end soon after, saying what to do.
		r := c.runFor(20*time.Second, nil, "alice", "deploy", "validate", f.dr, "--wait", "2s", "--json")
		if r.hung || r.took > 10*time.Second || r.code == 0 || r.envelope() == nil {
			t.Errorf("deploy validate --wait 2s against a silent org: exit %d after %s (hung %v)\n%s%s", r.code, r.took, r.hung, r.stdout, r.stderr)
		} else {
			f.attempts[model.LogValidate]++
			f.failures++
			f.judge([]string{"deploy", "validate"}, r.envelope())
		}
		// Commands without --wait stop at Ctrl-C, promptly, with a message.
		for _, args := range [][]string{
			{"compare", "uat", "production", "--cr", f.cr},
			{"env", "test", "production"},
			{"deploy", "run", f.dr},
		} {
			r, after := c.interruptAfter(1500*time.Millisecond, 10*time.Second, "alice", args...)
			switch {
			case r.hung:
				t.Errorf("relman %s did not stop within 10 s of Ctrl-C", strings.Join(args, " "))
			case r.code == 0:
				t.Errorf("relman %s against a silent org succeeded?\n%s", strings.Join(args, " "), r.stdout)
			case !strings.Contains(r.stderr, "relman: "):
				t.Errorf("relman %s stopped by Ctrl-C after %s without a message: %q", strings.Join(args, " "), after, r.stderr)
			default:
				t.Logf("relman %s, Ctrl-C after 1.5 s: exit %d %s later: %s", strings.Join(args, " "), r.code, after.Round(time.Millisecond), strings.TrimSpace(r.stderr))
			}
		}
		f.finish("")
	})
}

// TestDropFaultThroughTheCLI checks that `relman sim --fault drop=…` is
// accepted and refused like the other faults.
func TestDropFaultThroughTheCLI(t *testing.T) {
	t.Parallel()
	c := newCLI(t, tempStore(t))
	msg := c.refused("alice", 2, "UsageError", "sim", "--dir", copyOrg(t, "production"), "--fault", "drop=2")
	if !strings.Contains(msg, "drop") || !strings.Contains(msg, "between 0 and 1") {
		t.Fatalf("drop=2: %q", msg)
	}
	// Every API answer is lost; sign-in and Test Connection (userinfo)
	// are not API calls and still work, a comparison cannot.
	org := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "production"), "--fault", "drop=1"})
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--url", org.url, "--auth", "access-token", "--token", org.token)
	c.ok("alice", nil, "env", "test", "production")
	r := c.runFor(commandDeadline, nil, "alice", "compare", "production", copyOrg(t, "uat"), "--json")
	env := r.envelope()
	if r.code != 1 || env == nil || !strings.Contains(env.Message, "production") {
		t.Fatalf("compare with an org that drops every answer: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("compare with an org that drops every answer: %s", env.Message)
}
