package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// lossyProxy stands between relman and a simulated org on loopback. It
// passes every call through, rewriting the org's own URL (as token answers
// carry it in instance_url) to its own, except the first real deploy
// (checkOnly false): that one it either forwards and then drops the answer
// (the org deployed, relman never hears), or drops before it reaches the
// org.
type lossyProxy struct {
	srv        *httptest.Server
	org        string
	forwardLot bool // true: the org gets the deploy, relman loses the answer
	mu         sync.Mutex
	dropped    int
	// lose arms the loss; a proxy built only to tamper leaves it off.
	lose bool
	// tamper, when set, rewrites the org's answers: the hostile org.
	tamper func(answer []byte) []byte
	// rewriteRequest, when set, rewrites a request body; false answers
	// 400 invalid_grant instead of forwarding it.
	rewriteRequest func(body []byte) ([]byte, bool)
	// answer, when set and returning a writer for a request, answers it
	// itself (streaming, for answers too large to hold) instead of the org.
	answer func(body []byte) func(w http.ResponseWriter)
}

func newLossyProxy(t *testing.T, orgURL string, forward bool) *lossyProxy {
	p := &lossyProxy{org: orgURL, forwardLot: forward, lose: true}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func isRealDeploy(body []byte) bool {
	return bytes.Contains(body, []byte("<deploy><ZipFile>")) && bytes.Contains(body, []byte("<checkOnly>false</checkOnly>"))
}

func (p *lossyProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	drop := p.lose && isRealDeploy(body) && p.dropped == 0
	if drop {
		p.dropped++
	}
	tamper, rewrite, own := p.tamper, p.rewriteRequest, p.answer
	p.mu.Unlock()
	if own != nil {
		if write := own(body); write != nil {
			write(w)
			return
		}
	}
	if rewrite != nil {
		var pass bool
		if body, pass = rewrite(body); !pass {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"expired access/refresh token"}`))
			return
		}
	}
	if drop && !p.forwardLot {
		hangUp(w)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.org+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if drop {
		hangUp(w)
		return
	}
	answer = bytes.ReplaceAll(answer, []byte(p.org), []byte(p.srv.URL))
	if tamper != nil {
		answer = tamper(answer)
	}
	for k, vs := range resp.Header {
		if k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// realDeploys counts the org's deploys that were not validations, from its
// Tooling API's DeployRequest.
func realDeploys(t *testing.T, org simOrg) int {
	t.Helper()
	q := url.Values{"q": {"SELECT Id, CheckOnly FROM DeployRequest"}}.Encode()
	req, err := http.NewRequest(http.MethodGet, org.url+"/services/data/v62.0/tooling/query/?"+q, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+org.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Records []struct {
			CheckOnly bool `json:"CheckOnly"`
		} `json:"records"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("DeployRequest query: HTTP %d, %v", resp.StatusCode, err)
	}
	n := 0
	for _, r := range page.Records {
		if !r.CheckOnly {
			n++
		}
	}
	return n
}

// lostAnswerRun sets up uat and production (behind a proxy that loses the
// first deploy when lose is set) and an approved, retrieved deployment.
func lostAnswerRun(t *testing.T, lose, forward bool) (relmanCLI, simOrg, string) {
	c, prod, _, dr := proxiedRun(t, lose, forward)
	return c, prod, dr
}

// proxiedRun is lostAnswerRun that also hands back the proxy in front of
// production, for tests that hold or rewrite its calls.
func proxiedRun(t *testing.T, lose, forward bool) (relmanCLI, simOrg, *lossyProxy, string) {
	c := newCLI(t, tempStore(t))
	uat := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "uat"), "--kind", "sandbox", "--test-ms", "5"})
	prod := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "production"), "--kind", "production", "--test-ms", "5"})
	proxy := newLossyProxy(t, prod.url, forward)
	proxy.lose = lose
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--url", uat.url, "--auth", "refresh-token",
		"--refresh-token", uat.refresh, "--client-id", "relman")
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--url", proxy.srv.URL, "--auth", "refresh-token",
		"--refresh-token", prod.refresh, "--client-id", "relman")
	cr := c.approvedCR(t, "--name", "Due dates", "--component", "ApexClass:InvoiceService", "--component", "ApexClass:InvoiceServiceTest",
		"--component", "CustomField:Invoice__c.Due_Date__c")
	var d deployJSON
	c.ok("alice", &d, "deploy", "new", "--cr", cr, "--from", "uat", "--to", "production", "--test-level", "RunLocalTests")
	c.approveDeployment(t, "alice", d.ID)
	c.ok("alice", nil, "deploy", "retrieve", d.ID)
	return c, prod, proxy, d.ID
}

func snapshotOf(t *testing.T, c relmanCLI, dr string) string {
	t.Helper()
	id, err := model.ParseID(model.PrefixDeployment, dr)
	if err != nil {
		t.Fatal(err)
	}
	d, err := readStore(t, c.store).Deployment(id)
	if err != nil {
		t.Fatal(err)
	}
	return d.SnapshotBlob
}

// A deploy whose answer is lost after the org deployed becomes "Submitted
// — outcome unknown", never Failed; nothing else runs (not a second
// `deploy run`, which would deploy twice and overwrite the snapshot);
// `deploy resume` finds the job through DeployRequest, follows it and
// verifies. The org deployed exactly once and the first snapshot stays.
func TestLostDeployAnswerIsFoundNotRepeated(t *testing.T) {
	t.Parallel()
	c, prod, dr := lostAnswerRun(t, true, true)
	runWithAnswerLost(t, c, "deploy", dr)
	var shown deployJSON
	c.ok("auditor", &shown, "deploy", "show", dr)
	if shown.Status != string(model.DeployOutcomeUnknown) {
		t.Fatalf("after the lost answer %s is %q, want %q", dr, shown.Status, model.DeployOutcomeUnknown)
	}
	snap := snapshotOf(t, c, dr)
	for _, verb := range []string{"run", "validate", "retrieve"} {
		msg := c.refused("alice", 1, "OutcomeUnknownError", "deploy", verb, dr)
		if !strings.Contains(msg, "deploy resume") {
			t.Errorf("deploy %s refused with %q; want it to say `deploy resume`", verb, msg)
		}
	}
	var resumed deployJSON
	c.ok("alice", &resumed, "deploy", "resume", dr)
	if resumed.Status != string(model.DeployVerified) {
		t.Fatalf("after resume %s is %s, want Verified", dr, resumed.Status)
	}
	if n := realDeploys(t, prod); n != 1 {
		t.Errorf("the org ran %d deploys, want exactly 1", n)
	}
	if got := snapshotOf(t, c, dr); got != snap || got == "" {
		t.Errorf("snapshot %q became %q: the first pre-deploy snapshot must stay", snap, got)
	}
	c.verifyChain(t)
	t.Logf("answer lost: refused run/validate/retrieve, resume found the job, 1 deploy in the org, snapshot kept")
}

// A deploy lost before it reached the org is also outcome-unknown at
// first; `deploy resume` asks the org, which lists no such job, closes the
// attempt, and the next run deploys once.
func TestLostDeployRequestIsClosedAndRunAgain(t *testing.T) {
	t.Parallel()
	c, prod, dr := lostAnswerRun(t, true, false)
	if r := c.run("alice", "deploy", "run", dr, "--json"); r.code == 0 {
		t.Fatalf("deploy run with the request lost exited 0")
	}
	r := c.run("alice", "deploy", "resume", dr, "--json")
	env := lastJSON(t, r.stdout, []string{"deploy", "resume"})
	if r.code == 0 || !strings.Contains(env.Message, "never started") || !strings.Contains(env.Message, "relman deploy run "+dr) {
		t.Fatalf("resume of a deploy the org never got: exit %d, %q", r.code, env.Message)
	}
	var d deployJSON
	c.ok("alice", &d, "deploy", "run", dr)
	if d.Status != string(model.DeployVerified) {
		t.Fatalf("%s is %s after the second run, want Verified", dr, d.Status)
	}
	if n := realDeploys(t, prod); n != 1 {
		t.Errorf("the org ran %d deploys, want exactly 1", n)
	}
	c.verifyChain(t)
}

// A release manager abandons an attempt whose job cannot be settled, with
// a reason; the signed events verify, and editing the record it left behind
// relman's back fails `audit --verify`.
func TestAbandonOutcomeUnknown(t *testing.T) {
	t.Parallel()
	c, _, dr := lostAnswerRun(t, true, true)
	if r := c.run("alice", "deploy", "run", dr, "--json"); r.code == 0 {
		t.Fatalf("deploy run with the answer lost exited 0")
	}
	c.refused("alice", 2, "ReasonRequiredError", "deploy", "abandon", dr)
	var d deployJSON
	c.ok("alice", &d, "deploy", "abandon", dr, "--reason", "job not in Deployment Status; checked with the Salesforce admin")
	if d.Status != string(model.DeployApproved) {
		t.Fatalf("after abandon %s is %s, want Approved (may be deployed again)", dr, d.Status)
	}
	if last := d.Logs[len(d.Logs)-1]; last.Status != string(model.LogAbandoned) {
		t.Fatalf("the abandoned attempt's log is %s, want %s", last.Status, model.LogAbandoned)
	}
	c.refused("alice", 1, "NotAbandonableError", "deploy", "abandon", dr, "--reason", "again")
	c.verifyChain(t)

	editedBehindRelmansBack(t, c, "deployments", `"status":"Approved"`, `"status":"Verified"`)
}

// editedBehindRelmansBack edits the first record of bucket holding from
// straight in the bbolt file; `audit --verify` must then fail.
func editedBehindRelmansBack(t *testing.T, c relmanCLI, bucket, from, to string) {
	t.Helper()
	db, err := bolt.Open(c.store, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	edited := false
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		return b.ForEach(func(k, v []byte) error {
			if edited || !bytes.Contains(v, []byte(from)) {
				return nil
			}
			edited = true
			return b.Put(append([]byte{}, k...), bytes.Replace(v, []byte(from), []byte(to), 1))
		})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil || !edited {
		t.Fatalf("editing %s: %v (found %s: %v)", bucket, err, from, edited)
	}
	if msg := c.refused("alice", 1, "RelmanError", "audit", "--verify"); !strings.Contains(msg, "changed outside relman") {
		t.Errorf("audit --verify after a record in %s was edited: %q", bucket, msg)
	}
}

// approvedRollback deploys a deployment to production (behind a proxy
// that loses nothing yet) and approves its rollback.
func approvedRollback(t *testing.T, forward bool) (relmanCLI, simOrg, *lossyProxy, string) {
	c, prod, proxy, dr := proxiedRun(t, false, forward)
	var d deployJSON
	c.ok("alice", &d, "deploy", "run", dr)
	var rb rollbackJSON
	c.ok("alice", &rb, "rollback", "new", dr)
	c.ok("alice", nil, "rollback", "submit", rb.ID)
	c.ok("bob", nil, "rollback", "approve", rb.ID)
	c.ok("carol", nil, "rollback", "approve", rb.ID)
	return c, prod, proxy, rb.ID
}

// lostRollbackRun is approvedRollback whose proxy then loses the next real
// deploy: the rollback's.
func lostRollbackRun(t *testing.T, forward bool) (relmanCLI, simOrg, string) {
	c, prod, proxy, rb := approvedRollback(t, forward)
	proxy.mu.Lock()
	proxy.lose = true
	proxy.mu.Unlock()
	return c, prod, rb
}

type rollbackJSON struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// A rollback whose answer is lost after the org ran it is "Submitted —
// outcome unknown", never Failed; a second `rollback run` is refused;
// `rollback resume` finds the job through DeployRequest, follows it and
// validates. The org ran the rollback exactly once.
func TestLostRollbackAnswerIsFoundNotRepeated(t *testing.T) {
	t.Parallel()
	c, prod, rb := lostRollbackRun(t, true)
	runWithAnswerLost(t, c, "rollback", rb)
	var shown rollbackJSON
	c.ok("auditor", &shown, "rollback", "show", rb)
	if shown.Status != string(model.RollbackOutcomeUnknown) {
		t.Fatalf("after the lost answer %s is %q, want %q", rb, shown.Status, model.RollbackOutcomeUnknown)
	}
	if msg := c.refused("alice", 1, "OutcomeUnknownError", "rollback", "run", rb); !strings.Contains(msg, "rollback resume") {
		t.Errorf("a second rollback run refused with %q; want it to say `rollback resume`", msg)
	}
	rolledBackOnce(t, c, prod, rb, "resume")
}

// rolledBackOnce runs `rollback VERB RB`, which must end Rolled Back with
// the org having run exactly the deploy and one rollback.
func rolledBackOnce(t *testing.T, c relmanCLI, prod simOrg, rb, verb string) {
	t.Helper()
	var done rollbackJSON
	c.ok("alice", &done, "rollback", verb, rb)
	if done.Status != string(model.RollbackDone) {
		t.Fatalf("after rollback %s %s is %s, want %s", verb, rb, done.Status, model.RollbackDone)
	}
	if n := realDeploys(t, prod); n != 2 {
		t.Errorf("the org ran %d deploys, want exactly 2 (the deploy and one rollback)", n)
	}
	c.verifyChain(t)
}

// A rollback lost before it reached the org: `rollback resume` finds no
// job, closes the attempt, and the next run rolls back once. A release
// manager may instead abandon an attempt with a reason.
func TestLostRollbackRequestIsClosedOrAbandoned(t *testing.T) {
	t.Parallel()
	c, prod, rb := lostRollbackRun(t, false)
	if r := c.run("alice", "rollback", "run", rb, "--json"); r.code == 0 {
		t.Fatalf("rollback run with the request lost exited 0")
	}
	c.refused("alice", 2, "ReasonRequiredError", "rollback", "abandon", rb)
	r := c.run("alice", "rollback", "resume", rb, "--json")
	env := lastJSON(t, r.stdout, []string{"rollback", "resume"})
	if r.code == 0 || !strings.Contains(env.Message, "never started") || !strings.Contains(env.Message, "relman rollback run "+rb) {
		t.Fatalf("resume of a rollback the org never got: exit %d, %q", r.code, env.Message)
	}
	rolledBackOnce(t, c, prod, rb, "run")
}

// A release manager abandons a rollback whose job cannot be settled, with
// a reason: it may run again; the signed events verify, and editing the
// rollback it left behind relman's back fails `audit --verify`.
func TestAbandonRollbackOutcomeUnknown(t *testing.T) {
	t.Parallel()
	c, _, rb := lostRollbackRun(t, true)
	if r := c.run("alice", "rollback", "run", rb, "--json"); r.code == 0 {
		t.Fatalf("rollback run with the answer lost exited 0")
	}
	var shown struct {
		rollbackJSON
		Logs []struct{ Status string } `json:"logs"`
	}
	c.ok("alice", &shown, "rollback", "abandon", rb, "--reason", "job not in Deployment Status; checked with the Salesforce admin")
	if shown.Status != string(model.RollbackApproved) || len(shown.Logs) != 1 || shown.Logs[0].Status != string(model.LogAbandoned) {
		t.Fatalf("after abandon %s is %+v, want Approved with its one log Abandoned", rb, shown)
	}
	c.refused("alice", 1, "NotAbandonableError", "rollback", "abandon", rb, "--reason", "again")
	c.verifyChain(t)

	editedBehindRelmansBack(t, c, "rollbacks", `"status":"Approved"`, `"status":"Rolled Back"`)
}

// Two `rollback run` at once: the org holds the first run's deploy call
// open until the second run has ended. The second is refused while the
// first is in flight, and the org runs the rollback once.
func TestTwoRollbackRunsAtOnceRollBackOnce(t *testing.T) {
	t.Parallel()
	c, prod, proxy, rb := approvedRollback(t, false)
	first, second := overlapping(t, c, proxy, "rollback", "run", rb, "--json")
	oneGotThrough(t, first, second, rb)
	if n := realDeploys(t, prod); n != 2 {
		t.Errorf("the org ran %d deploys, want exactly 2 (the deploy and one rollback)", n)
	}
	c.verifyChain(t)
}

// oneGotThrough checks two overlapping runs on id: the second refused
// with DeployRunningError naming id, the first through.
func oneGotThrough(t *testing.T, first, second timed, id string) {
	t.Helper()
	if env := second.envelope(); second.hung || second.code == 0 || env == nil || env.Name != "DeployRunningError" || !strings.Contains(env.Message, id) {
		t.Errorf("the second run on %s, started while the first was in flight: exit %d %s%s; want DeployRunningError naming %s", id, second.code, second.stdout, second.stderr, id)
	}
	if first.hung || first.code != 0 {
		t.Fatalf("the first run on %s: hung %v, exit %d %s%s", id, first.hung, first.code, first.stdout, first.stderr)
	}
}

// overlapping runs alice's command twice, the second while the proxy
// holds the first one's real deploy call open, so the two certainly
// overlap; the first is released once the second has ended.
func overlapping(t *testing.T, c relmanCLI, proxy *lossyProxy, args ...string) (first, second timed) {
	t.Helper()
	inFlight, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	proxy.mu.Lock()
	proxy.rewriteRequest = func(body []byte) ([]byte, bool) {
		if isRealDeploy(body) {
			once.Do(func() { close(inFlight) })
			<-release
		}
		return body, true
	}
	proxy.mu.Unlock()
	done := make(chan timed, 1)
	go func() { done <- c.runFor(commandDeadline, nil, "alice", args...) }()
	select {
	case <-inFlight:
	case r := <-done:
		close(release)
		t.Fatalf("the first %v ended before its deploy reached the org: exit %d %s%s", args, r.code, r.stdout, r.stderr)
	case <-time.After(commandDeadline):
		close(release)
		t.Fatalf("the first %v never reached the org", args)
	}
	second = c.runFor(commandDeadline, nil, "alice", args...)
	close(release)
	return <-done, second
}

// runWithAnswerLost runs `relman KIND run ID` while the org's answer is
// lost: it must fail, saying the outcome is unknown and how to resume.
func runWithAnswerLost(t *testing.T, c relmanCLI, kind, id string) {
	t.Helper()
	r := c.run("alice", kind, "run", id, "--json")
	env := lastJSON(t, r.stdout, []string{kind, "run"})
	if r.code == 0 || !strings.Contains(env.Message, string(model.DeployOutcomeUnknown)) || !strings.Contains(env.Message, "relman "+kind+" resume "+id) {
		t.Fatalf("%s run with the answer lost: exit %d, %q; want the outcome-unknown state and `%s resume`", kind, r.code, env.Message, kind)
	}
}
