package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"relman/store"
	"relman/ui/identity/identitytest"
)

// TestMain lets the test binary stand in for the relman binary: when
// RELMAN_BE_MAIN is set it runs main with the given arguments, so journeys
// exercise the real process boundary (arguments, stdout, stderr, exit code).
func TestMain(m *testing.M) {
	if os.Getenv("RELMAN_BE_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	code := m.Run()
	_ = tmuxCmd("kill-server").Run() // the tmux journeys' own server, if they started it
	os.Exit(code)
}

// relmanCLI runs relman commands against one store as a given user, who
// proves it with their own key (identitytest), as relman requires.
type relmanCLI struct {
	t     *testing.T
	store string
	// keys, when set, holds the users' private keys as keys/USER (the
	// demo's); otherwise each user acts with their identitytest key.
	keys string
}

// newCLI is relman on the store at path with the test team registered:
// alice (the admin), bob, carol and dave, then others, each with every role.
func newCLI(t *testing.T, path string, others ...string) relmanCLI {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := identitytest.Register(st, append(identitytest.Team, others...)...); err != nil {
		t.Fatal(err)
	}
	return relmanCLI{t: t, store: path}
}

// env is the environment of a relman process acting as user on the store.
func (c relmanCLI) env(user string) []string {
	env := append(os.Environ(), "RELMAN_BE_MAIN=1", "RELMAN_STORE="+c.store)
	if c.keys != "" {
		return append(env, "RELMAN_IDENTITY="+filepath.Join(c.keys, user), "RELMAN_USER="+user, "SSH_AUTH_SOCK=")
	}
	return append(env, identitytest.Env(c.t, user)...)
}

type result struct {
	code           int
	stdout, stderr string
}

func (c relmanCLI) run(user string, args ...string) result {
	c.t.Helper()
	return c.runWith(c.env(user), args...)
}

// runWith runs one relman command with exactly the environment env.
func (c relmanCLI) runWith(env []string, args ...string) result {
	c.t.Helper()
	return c.runInput(env, "", args...)
}

// runInput runs one relman command with exactly the environment env,
// reading stdin.
func (c relmanCLI) runInput(env []string, stdin string, args ...string) result {
	c.t.Helper()
	self, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("relman %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// ok runs a command that must succeed and decodes its JSON result into v.
func (c relmanCLI) ok(user string, v any, args ...string) {
	c.t.Helper()
	r := c.run(user, append(args, "--json")...)
	if r.code != 0 {
		c.t.Fatalf("relman %s (as %s) exited %d:\n%s%s", strings.Join(args, " "), user, r.code, r.stdout, r.stderr)
	}
	env := lastJSON(c.t, r.stdout, args)
	if env.Status != 0 {
		c.t.Fatalf("relman %s: status %d in %q", strings.Join(args, " "), env.Status, r.stdout)
	}
	if v != nil {
		if err := json.Unmarshal(env.Result, v); err != nil {
			c.t.Fatalf("relman %s: result %s: %v", strings.Join(args, " "), env.Result, err)
		}
	}
}

// envelopeJSON is the closing envelope of a command's JSON output.
type envelopeJSON struct {
	Status   int             `json:"status"`
	Result   json.RawMessage `json:"result"`
	Name     string          `json:"name"`
	Message  string          `json:"message"`
	ExitCode int             `json:"exitCode"`
}

// lastJSON reads stdout as a stream of JSON values — NDJSON progress
// events, then the envelope — checks every value before the last is a
// progress event, and returns the envelope.
func lastJSON(t *testing.T, stdout string, args []string) envelopeJSON {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var values []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("relman %s: bad JSON output %q: %v", strings.Join(args, " "), stdout, err)
		}
		values = append(values, v)
	}
	if len(values) == 0 {
		t.Fatalf("relman %s: no JSON output", strings.Join(args, " "))
	}
	for _, v := range values[:len(values)-1] {
		var ev struct {
			Event string `json:"event"`
		}
		if err := json.Unmarshal(v, &ev); err != nil || ev.Event != "progress" {
			t.Fatalf("relman %s: %s before the envelope is not a progress event", strings.Join(args, " "), v)
		}
		if strings.Contains(string(v), "\n") || strings.Count(string(v), "\n") > 0 {
			continue
		}
	}
	var env envelopeJSON
	if err := json.Unmarshal(values[len(values)-1], &env); err != nil {
		t.Fatalf("relman %s: bad envelope %s: %v", strings.Join(args, " "), values[len(values)-1], err)
	}
	return env
}

// refused runs a command that must fail with the given exit code and JSON
// error name, and returns the message.
func (c relmanCLI) refused(user string, code int, name string, args ...string) string {
	c.t.Helper()
	r := c.run(user, append(args, "--json")...)
	env := lastJSON(c.t, r.stdout, args)
	if r.code != code || env.ExitCode != code || env.Status != code || env.Name != name {
		c.t.Fatalf("relman %s: exit %d name %q (%s), want exit %d name %q", strings.Join(args, " "), r.code, env.Name, env.Message, code, name)
	}
	return env.Message
}

type crJSON struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"`
	ApprovalStatus string  `json:"approvalStatus"`
	Parent         *string `json:"parent"`
	Deployments    []string
	Revision       int `json:"revision"`
	Customizations []struct{ Type, FullName string }
	Approvers      []struct {
		User, Decision string
		Current        bool
	}
}

func copyOrg(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", "orgs", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestChangeRequestJourney walks the change-request half of the process
// through the relman binary: create → submit → self-approval refused → two
// approvers approve → sync to a sandbox → edit the copy → push back → the
// deployment record exists → the audit trail verifies, and tampering with
// the store is caught.
func TestChangeRequestJourney(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--dir", copyOrg(t, "uat"))

	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", "Invoice due dates",
		"--overview", "Track when invoices are due", "--component", "ApexClass:InvoiceService",
		"--proposed", "CustomField:Invoice__c.Due_Date__c", "--approver", "bob", "--approver", "carol")
	if cr.ID != "CR-0001" || cr.Status != "In Progress" || cr.Revision != 1 {
		t.Fatalf("new CR = %+v", cr)
	}
	c.refused("alice", 2, "InvalidComponentError", "cr", "new", "--env", "production", "--name", "bad",
		"--proposed", "CustomField:Due_Date__c")
	c.refused("alice", 2, "HomeNotProductionError", "cr", "new", "--env", "uat", "--name", "x")

	c.ok("alice", &cr, "cr", "submit", "CR-0001")
	if cr.Status != "Pending Approval" {
		t.Fatalf("submitted status = %s", cr.Status)
	}
	msg := c.refused("alice", 1, "SelfApprovalError", "cr", "approve", "1")
	if !strings.Contains(msg, "requester cannot approve") {
		t.Fatalf("self-approval message does not name the rule: %q", msg)
	}
	c.refused("carol", 2, "CommentRequiredError", "cr", "reject", "1")
	c.ok("bob", &cr, "cr", "approve", "1", "--comment", "looks right")
	if cr.Status != "Pending Approval" {
		t.Fatalf("after one approval status = %s", cr.Status)
	}
	c.refused("bob", 1, "AlreadyDecidedError", "cr", "approve", "1")
	c.ok("carol", &cr, "cr", "approve", "CR-0001")
	if cr.Status != "Approved" || cr.ApprovalStatus != "Approved" {
		t.Fatalf("after two approvals = %+v", cr)
	}

	var child crJSON
	c.ok("dave", &child, "cr", "sync", "1", "--to", "uat")
	if child.ID != "CR-0002" || child.Parent == nil || *child.Parent != "CR-0001" || child.Status != "In Progress" {
		t.Fatalf("child = %+v", child)
	}
	c.refused("alice", 1, "NotRequesterError", "cr", "edit", "2", "--overview", "mine")
	c.ok("dave", &child, "cr", "edit", "2", "--remove-component", "CustomField:Invoice__c.Due_Date__c",
		"--component", "CustomField:Invoice__c.Due_Date__c", "--component", "ValidationRule:Invoice__c.Due_Date_Required")
	if child.Revision != 2 || len(child.Customizations) != 3 {
		t.Fatalf("edited child = %+v", child)
	}

	var push struct {
		Parent             crJSON   `json:"parent"`
		Deployment         string   `json:"deployment"`
		AddedAfterApproval []string `json:"addedAfterApproval"`
	}
	c.ok("dave", &push, "cr", "push", "CR-0002")
	if push.Deployment != "DR-0001" || len(push.AddedAfterApproval) != 1 ||
		push.AddedAfterApproval[0] != "ValidationRule:Invoice__c.Due_Date_Required" {
		t.Fatalf("push = %+v", push)
	}
	c.ok("alice", &cr, "cr", "show", "CR-0001")
	if len(cr.Deployments) != 1 || cr.Deployments[0] != "DR-0001" || cr.Status != "Pending Approval" {
		t.Fatalf("parent after push = %+v", cr)
	}
	for _, a := range cr.Approvers {
		if a.Current {
			t.Fatalf("approval of %s survived the grown scope", a.User)
		}
	}

	var verify struct {
		Events int  `json:"events"`
		OK     bool `json:"ok"`
	}
	c.ok("alice", &verify, "audit", "--verify")
	if !verify.OK || verify.Events < 10 {
		t.Fatalf("verify = %+v", verify)
	}
	human := c.run("alice", "cr", "show", "1")
	for _, want := range []string{"CR-0001", "Invoice due dates", "Pending Approval", "bob", "earlier scope", "added after approval", "push-back"} {
		if !strings.Contains(human.stdout, want) {
			t.Errorf("`cr show 1` lacks %q:\n%s", want, human.stdout)
		}
	}
}

// TestTamperedAuditIsNamed changes one byte of one stored audit event, the
// way someone editing the file outside relman would, and expects
// `relman audit --verify` to exit 1 naming that event.
func TestTamperedAuditIsNamed(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	for i := 0; i < 4; i++ {
		c.ok("alice", nil, "cr", "new", "--env", "production", "--name", "change "+string(rune('A'+i)))
	}
	db, err := bolt.Open(c.store, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tampered uint64
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		return b.ForEach(func(k, v []byte) error {
			i := bytes.Index(v, []byte("change C"))
			if i < 0 {
				return nil
			}
			tampered = binary.BigEndian.Uint64(k)
			changed := append([]byte{}, v...)
			changed[i+7] = 'X'
			return b.Put(append([]byte{}, k...), changed)
		})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if tampered == 0 {
		t.Fatal("no audit event holds the third change request's name")
	}
	want := fmt.Sprintf("event %d ", tampered)
	msg := c.refused("alice", 1, "RelmanError", "audit", "--verify")
	if !strings.Contains(msg, want) {
		t.Fatalf("verify message does not name %q: %q", want, msg)
	}
	if r := c.run("alice", "audit", "--verify"); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("human verify: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestSecretsNeverShown stores an environment with every kind of secret and
// checks that no output, error or byte of the store file reveals them.
func TestSecretsNeverShown(t *testing.T) {
	dir := t.TempDir()
	c := newCLI(t, filepath.Join(dir, "relman.db"))
	secrets := []string{"00D5g00000AbCdE!AQ8AQ.topsecretaccesstoken", "5Aep861refreshsecretvalue", "hunter2passwordsecret", "consumersecretvalue42"}
	urlFile := filepath.Join(dir, "auth.txt")
	if err := os.WriteFile(urlFile, []byte("force://PlatformCLI::5Aep861sfdxurlsecret@acme.my.salesforce.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, "5Aep861sfdxurlsecret")
	var outputs []string
	record := func(r result) { outputs = append(outputs, r.stdout, r.stderr) }
	for _, args := range [][]string{
		{"env", "add", "tok", "--kind", "production", "--url", "https://acme.my.salesforce.com", "--auth", "access-token", "--token", secrets[0]},
		{"env", "add", "ref", "--kind", "sandbox", "--url", "https://test.salesforce.com", "--auth", "refresh-token", "--refresh-token", secrets[1], "--client-id", "relman"},
		{"env", "add", "pw", "--kind", "sandbox", "--url", "https://test.salesforce.com", "--auth", "password", "--username", "a@b.c", "--password", secrets[2], "--client-id", "relman"},
		{"env", "add", "cc", "--kind", "sandbox", "--url", "https://test.salesforce.com", "--auth", "client-credentials", "--client-id", "relman", "--client-secret", secrets[3]},
		{"env", "add", "url", "--kind", "sandbox", "--url", "https://acme.my.salesforce.com", "--auth", "sfdx-url", "--sfdx-url-file", urlFile},
		{"env", "add", "tok", "--kind", "production", "--url", "https://x", "--auth", "access-token", "--token", secrets[0]},
		{"env", "list"}, {"env", "list", "--json"}, {"env", "show", "tok"}, {"env", "show", "pw", "--json"},
		{"env", "test", "tok"}, {"env", "test", "ref", "--json"}, {"audit"}, {"audit", "--format", "json"}, {"audit", "--format", "csv"},
	} {
		record(c.run("alice", args...))
	}
	raw, err := os.ReadFile(c.store)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(raw))
	for _, s := range secrets {
		for i, out := range outputs {
			if strings.Contains(out, s) {
				t.Errorf("secret %q appears in output %d:\n%s", s, i, out)
			}
		}
	}
	if !strings.Contains(outputs[16], "stored encrypted") {
		t.Errorf("env show does not say credentials are stored: %s", outputs[16])
	}
	for _, f := range []string{c.store, c.store + ".key"} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, err %v; want 0600", f, st.Mode().Perm(), err)
		}
	}
}
