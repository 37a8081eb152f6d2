package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"relman/model/sshsig/testkeys"
	"relman/ui/identity/identitytest"
)

// secretRun runs every relman command against simulated orgs whose
// environments carry every kind of secret, and keeps every byte relman
// printed so that none of it can hold a secret.
type secretRun struct {
	t       *testing.T
	c       relmanCLI
	env     []string // secret-bearing variables set for every command
	outputs []string
	ran     map[string]bool
}

// run runs one command with the secret-bearing variables (and extra ones),
// records its output and which command of `relman help` it was.
func (s *secretRun) run(user string, extra []string, wantCode int, args ...string) timed {
	s.t.Helper()
	r := s.c.runFor(commandDeadline, append(append([]string{}, s.env...), extra...), user, args...)
	// The command line holds secrets given as flags; only what relman
	// wrote is searched.
	s.outputs = append(s.outputs, fmt.Sprintf("the output of command %d (relman %s):\n%s\n%s", len(s.outputs)+1, commandName(args), r.stdout, r.stderr))
	if r.hung || (wantCode >= 0 && r.code != wantCode) {
		s.t.Fatalf("relman %s: exit %d (hung %v), want %d\n%s%s", strings.Join(args, " "), r.code, r.hung, wantCode, r.stdout, r.stderr)
	}
	s.ran[commandName(args)] = true
	return r
}

// commandName is the `relman help` name of a command line: "cr new", "audit".
func commandName(args []string) string {
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") && (args[0] == "cr" || args[0] == "env" || args[0] == "deploy" || args[0] == "rollback" || args[0] == "user") {
		return args[0] + " " + args[1]
	}
	return args[0]
}

// helpCommands lists the commands `relman help` offers.
func helpCommands(t *testing.T, c relmanCLI) []string {
	t.Helper()
	var out []string
	_, list, _ := strings.Cut(c.run("alice", "help").stdout, "commands:")
	for _, line := range strings.Split(list, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "relman" {
			continue
		}
		args := f[1:]
		if len(args) > 1 && strings.ContainsAny(args[1], "[-") || len(args) == 1 {
			args = args[:1]
		}
		if name := commandName(args); !strings.HasPrefix(name, "[") {
			out = append(out, name)
		}
	}
	return out
}

// TestNoSecretLeavesRelman adds environments with an access token (from
// SF_ACCESS_TOKEN), a refresh token, a password (RELMAN_PASSWORD), a client
// secret (RELMAN_CLIENT_SECRET), an SFDX auth URL with a client secret, and
// a JWT private key; runs every command `relman help` lists, successful
// and failing, with those variables set, against simulated orgs; and finds
// no token, password or key in any stdout, stderr, audit export or byte of
// the store file. The store, its key and its directory are private, and a
// key file others can read is refused with a message naming chmod 600.
func TestNoSecretLeavesRelman(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	c := newCLI(t, filepath.Join(dir, "relman.db"))
	const (
		accessToken  = "00D8d0000SeCrEtA!AQ8AQaccessTokenSecretValue0123456789abcdefXYZ"
		uatPassword  = "hunter2-Passw0rd-SECRET-tokenABCDEF"
		wrongPass    = "wrong-Passw0rd-SECRET-zyxwv"
		clientSecret = "ConsumerSecretValue4242424242SECRET"
		urlSecret    = "UrlClientSecret9876543210SECRET"
	)
	prod := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "production"), "--kind", "production", "--test-ms", "5", "--token", accessToken})
	uat := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "uat"), "--kind", "sandbox", "--test-ms", "5",
		"--username", "admin@acme.test", "--password", uatPassword})
	sfdxURL := "force://PlatformCLI:" + urlSecret + ":" + uat.refresh + "@" + strings.TrimPrefix(uat.url, "http://")
	urlFile := filepath.Join(t.TempDir(), "auth-url.txt")
	keyFile := filepath.Join(t.TempDir(), "server.key")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := x509.MarshalPKCS1PrivateKey(rsaKey)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})
	for f, b := range map[string][]byte{urlFile: []byte(sfdxURL + "\n"), keyFile: keyPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	secrets := map[string]string{"access token": accessToken, "production refresh token": prod.refresh, "uat refresh token": uat.refresh,
		"password": uatPassword, "wrong password": wrongPass, "client secret": clientSecret, "SFDX URL client secret": urlSecret,
		"SFDX auth URL": sfdxURL}
	// Pieces of the private key, in the forms it could leak in.
	b64 := base64.StdEncoding.EncodeToString(der)
	for i := 0; i+48 <= len(b64); i += 200 {
		secrets[fmt.Sprintf("JWT key (base64 at %d)", i)] = b64[i : i+48]
	}
	secrets["JWT key (hex)"] = hex.EncodeToString(der[40:72])
	// The SSH private keys the users act with: read by relman, never shown.
	for _, u := range []string{"alice", "bob", "carol", "erin"} {
		pemText, err := os.ReadFile(identitytest.IdentityFile(t, u))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(pemText)
		body := base64.StdEncoding.EncodeToString(block.Bytes)
		secrets[u+"'s SSH private key (base64)"] = body[len(body)-60 : len(body)-12]
		secrets[u+"'s SSH private key (hex)"] = hex.EncodeToString(block.Bytes[len(block.Bytes)-60 : len(block.Bytes)-28])
	}

	s := &secretRun{t: t, c: c, ran: map[string]bool{"sim": true},
		env: []string{"SF_ACCESS_TOKEN=" + accessToken, "RELMAN_PASSWORD=" + uatPassword, "RELMAN_CLIENT_SECRET=" + clientSecret}}
	only := func(v string) []string {
		return []string{"SF_ACCESS_TOKEN=", "RELMAN_PASSWORD=", "RELMAN_CLIENT_SECRET=", v}
	}

	// Environments, each added with only the variable its method reads.
	s.run("alice", only(""), 0, "env", "add", "production", "--kind", "production", "--url", prod.url, "--auth", "refresh-token",
		"--refresh-token", prod.refresh, "--client-id", "relman")
	s.run("alice", only("RELMAN_PASSWORD="+uatPassword), 0, "env", "add", "uat", "--kind", "sandbox", "--url", uat.url, "--auth", "password",
		"--username", "admin@acme.test", "--client-id", "relman")
	s.run("alice", only("SF_ACCESS_TOKEN="+accessToken), 0, "env", "add", "prod-token", "--kind", "production", "--url", prod.url, "--auth", "access-token")
	s.run("alice", only(""), 0, "env", "add", "uat-url", "--kind", "sandbox", "--url", uat.url, "--auth", "sfdx-url", "--sfdx-url-file", urlFile)
	s.run("alice", only("RELMAN_CLIENT_SECRET="+clientSecret), 0, "env", "add", "cc", "--kind", "sandbox", "--url", uat.url, "--auth", "client-credentials", "--client-id", "relman")
	s.run("alice", only(""), 0, "env", "add", "jwt", "--kind", "sandbox", "--url", uat.url, "--auth", "jwt", "--client-id", "relman",
		"--username", "admin@acme.test", "--key", keyFile)
	s.run("alice", only(""), 0, "env", "add", "wrong-pw", "--kind", "sandbox", "--url", uat.url, "--auth", "password",
		"--username", "admin@acme.test", "--password", wrongPass, "--client-id", "relman")
	s.run("alice", nil, 1, "env", "add", "production", "--kind", "production", "--url", prod.url, "--auth", "access-token", "--token", accessToken)
	s.run("alice", nil, 0, "env", "list")
	s.run("alice", nil, 0, "env", "list", "--json")
	for _, e := range []string{"production", "uat", "prod-token", "uat-url", "cc", "jwt", "wrong-pw"} {
		if r := s.run("alice", nil, 0, "env", "show", e); e != "jwt" && !strings.Contains(r.stdout, "stored encrypted") {
			t.Errorf("env show %s does not say the credentials are stored encrypted:\n%s", e, r.stdout)
		}
		s.run("alice", nil, 0, "env", "show", e, "--json")
	}
	for _, e := range []string{"production", "uat", "prod-token", "uat-url"} {
		s.run("alice", nil, 0, "env", "test", e)
	}
	for _, e := range []string{"cc", "jwt", "wrong-pw"} { // refused by the org
		s.run("alice", nil, 1, "env", "test", e)
		s.run("alice", nil, 1, "env", "test", e, "--json")
	}

	// Change requests, through sync and push back.
	s.run("alice", nil, 0, "cr", "new", "--env", "production", "--name", "Due dates", "--component", "ApexClass:InvoiceService",
		"--component", "ApexClass:InvoiceServiceTest", "--proposed", "CustomField:Invoice__c.Due_Date__c", "--approver", "bob", "--approver", "carol")
	s.run("alice", nil, 0, "cr", "edit", "1", "--overview", "Track when invoices are due")
	s.run("alice", nil, 0, "cr", "submit", "1")
	s.run("bob", nil, 0, "cr", "approve", "1")
	s.run("carol", nil, 0, "cr", "approve", "1", "--comment", "fine")
	s.run("dave", nil, 0, "cr", "sync", "1", "--to", "uat")
	s.run("dave", nil, 0, "cr", "push", "2")
	s.run("alice", nil, 0, "cr", "new", "--env", "production", "--name", "Other", "--component", "ApexClass:InvoiceService", "--approver", "bob")
	s.run("alice", nil, 0, "cr", "submit", "3")
	s.run("bob", nil, 2, "cr", "reject", "3")
	s.run("bob", nil, 0, "cr", "reject", "3", "--comment", "not now")
	s.run("alice", nil, 0, "cr", "cancel", "3", "--reason", "superseded")
	s.run("alice", nil, 0, "cr", "list")
	s.run("alice", nil, 0, "cr", "show", "1")
	s.run("alice", nil, 0, "cr", "show", "1", "--json")

	// Comparisons through every kind of sign-in, and one that fails.
	pkg := filepath.Join(t.TempDir(), "pkg")
	s.run("alice", nil, 0, "compare", "uat", "production", "--cr", "1", "--package-xml", pkg)
	s.run("alice", nil, 0, "compare", "uat-url", "prod-token", "--type", "ApexClass", "--json")
	s.run("alice", nil, 1, "compare", "wrong-pw", "production")
	s.run("alice", nil, 1, "compare", "cc", "production", "--json")
	s.run("alice", nil, 0, "diff", "uat", "production", "ApexClass:InvoiceService")

	// Deploy Changes on the pushed-back deployment record.
	s.run("dave", nil, 0, "deploy", "submit", "1")
	s.run("bob", nil, 0, "deploy", "approve", "1")
	s.run("carol", nil, 0, "deploy", "approve", "1")
	s.run("alice", nil, 0, "deploy", "list")
	for _, step := range []string{"retrieve", "deps", "validate", "run"} {
		s.run("alice", nil, 0, "deploy", step, "1", "--json")
	}
	s.run("alice", nil, 1, "deploy", "resume", "1")
	s.run("alice", nil, 1, "deploy", "cancel", "1")
	s.run("alice", nil, 1, "deploy", "abandon", "1", "--reason", "nothing to abandon: refused")
	s.run("alice", nil, 0, "deploy", "show", "1")
	s.run("alice", nil, 0, "deploy", "log", "1")
	s.run("alice", nil, 0, "deploy", "log", "1", "--json")
	s.run("alice", nil, 0, "cr", "complete", "1")
	// A second record, of another change request, rejected.
	s.run("alice", nil, 0, "cr", "new", "--env", "production", "--name", "Label", "--component", "CustomLabel:Invoice_Paid_Message", "--approver", "bob")
	s.run("alice", nil, 0, "cr", "submit", "4")
	s.run("bob", nil, 0, "cr", "approve", "4")
	s.run("alice", nil, 0, "deploy", "new", "--cr", "4", "--from", "uat-url", "--to", "prod-token")
	s.run("alice", nil, 0, "deploy", "submit", "2")
	s.run("bob", nil, 0, "deploy", "reject", "2", "--comment", "use DR-0001")

	// Rollback, rejected once, then approved and run.
	s.run("alice", nil, 0, "rollback", "new", "1")
	s.run("alice", nil, 0, "rollback", "submit", "1")
	s.run("bob", nil, 0, "rollback", "reject", "1", "--comment", "wait")
	s.run("alice", nil, 0, "rollback", "submit", "1")
	s.run("bob", nil, 0, "rollback", "approve", "1")
	s.run("carol", nil, 0, "rollback", "approve", "1")
	// Monitoring: a baseline before the rollback, the rollback found by
	// the next snapshot, its change logs, the policy and the report.
	s.run("alice", nil, 0, "monitor", "production")
	s.run("alice", nil, 0, "rollback", "run", "1", "--json")
	s.run("alice", nil, 0, "rollback", "show", "1")
	s.run("alice", nil, 1, "rollback", "resume", "1")
	s.run("alice", nil, 1, "rollback", "abandon", "1", "--reason", "nothing to abandon: refused")
	s.run("alice", nil, 0, "monitor", "production", "--json")
	s.run("alice", nil, 0, "changes", "list")
	s.run("alice", nil, 0, "changes", "list", "--format", "csv")
	s.run("alice", nil, 0, "changes", "show", "1", "--json")
	s.run("bob", nil, 1, "changes", "resolve", "1", "--note", "rolled back by relman")
	s.run("alice", nil, 0, "policy", "show", "--json")
	s.run("alice", nil, 0, "policy", "set", "automation", "full", "--approver", "bob")
	s.run("alice", nil, 0, "policy", "type", "Layout", "control")
	s.run("auditor", nil, 0, "report", "compliance", "--from", "2020-01-01", "--to", "2099-12-31")

	// The audit trail in every form, and an environment removed.
	s.run("alice", nil, 0, "env", "rm", "cc")
	for _, f := range []string{"csv", "json", "md"} {
		s.run("auditor", nil, 0, "audit", "--format", f)
	}
	s.run("auditor", nil, 0, "audit")
	s.run("auditor", nil, 0, "audit", "--json")
	s.run("auditor", nil, 0, "audit", "--cr", "1")
	s.run("auditor", nil, 0, "audit", "--verify")
	exported := t.TempDir()
	s.run("auditor", nil, 0, "audit", "export", "--dir", exported)
	for _, f := range []string{"allowed_signers", "1.msg", "1.sig"} {
		b, err := os.ReadFile(filepath.Join(exported, f))
		if err != nil {
			t.Fatal(err)
		}
		s.outputs = append(s.outputs, "the exported "+f+":\n"+string(b))
	}
	s.run("carol", nil, 0, "audit", "checkpoint")
	s.run("carol", nil, 0, "backup", filepath.Join(t.TempDir(), "backup.db"))

	// Users and their keys.
	erinPub := identitytest.IdentityFile(t, "erin") + ".pub"
	s.run("alice", nil, 0, "user", "add", "erin", "--public-key", erinPub, "--role", "requester")
	s.run("auditor", nil, 0, "user", "list")
	s.run("auditor", nil, 0, "user", "show", "erin", "--json")
	s.run("alice", nil, 0, "user", "key", "add", "erin", "--public-key-string", testkeys.Of("erin-laptop").PublicKey())
	s.run("erin", nil, 0, "user", "key", "rm", "erin", testkeys.Of("erin-laptop").Fingerprint())
	s.run("alice", nil, 0, "user", "rm", "erin")

	// The demo: simulated orgs and a seeded store of its own, served
	// until interrupted. Its orgs' tokens are random, so their shapes are
	// looked for: "<orgId>!AQ8AQ…" access tokens, "5Aep861…" refresh tokens.
	demoDir := t.TempDir()
	demo := serveUntilReady(t, c, "ready: RELMAN_STORE=", "demo", "--serve", "--dir", demoDir)
	s.ran["demo"] = true
	tokenShape := regexp.MustCompile(`!AQ8AQ[A-Za-z0-9._]{10,}|5Aep861[A-Za-z0-9._]{10,}`)
	demoStore, err := os.ReadFile(filepath.Join(demoDir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"relman demo's output": demo.stdout + demo.stderr, "the demo's store": string(demoStore)} {
		if m := tokenShape.FindString(text); m != "" {
			t.Errorf("a token (%.12s…) appears in %s", m, where)
		}
	}

	var missing []string
	for _, name := range helpCommands(t, c) {
		if !s.ran[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("commands of `relman help` this test never ran: %v", missing)
	}

	storeKey, err := os.ReadFile(c.store + ".key")
	if err != nil {
		t.Fatal(err)
	}
	secrets["store key (hex)"] = hex.EncodeToString(storeKey)
	secrets["store key (base64)"] = base64.StdEncoding.EncodeToString(storeKey)
	raw, err := os.ReadFile(c.store)
	if err != nil {
		t.Fatal(err)
	}
	places := append(append([]string{}, s.outputs...), "the store file:\n"+string(raw))
	if files, err := os.ReadDir(pkg); err == nil {
		for _, f := range files {
			b, _ := os.ReadFile(filepath.Join(pkg, f.Name()))
			places = append(places, "package "+f.Name()+":\n"+string(b))
		}
	}
	names := make([]string, 0, len(secrets))
	for name := range secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, place := range places {
			if strings.Contains(place, secrets[name]) {
				t.Errorf("the %s appears in %s", name, firstLines(place, 1))
			}
		}
	}
	if strings.Contains(string(raw), string(storeKey)) {
		t.Error("the store key's bytes are in the store file")
	}
	t.Logf("%d commands (%d of `relman help`) ran; %d outputs and the store file (%d bytes) hold none of %d secrets",
		len(s.outputs), len(s.ran), len(places)-1, len(raw), len(secrets))

	for f, want := range map[string]os.FileMode{c.store: 0o600, c.store + ".key": 0o600, c.store + ".lock": 0o600, dir: 0o700 | os.ModeDir} {
		if st, err := os.Stat(f); err != nil || st.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", f, st.Mode(), err, want)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".relman-key-*")); len(leftovers) > 0 {
		t.Errorf("temporary key files left behind: %v", leftovers)
	}

	// A key file others can read is refused, naming the fix; the store
	// is not touched; once private again it works.
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(c.store+".key", mode); err != nil {
			t.Fatal(err)
		}
		before := fileDigest(t, c.store)
		for _, args := range [][]string{{"env", "test", "production"}, {"env", "add", "another", "--kind", "sandbox", "--url", prod.url,
			"--auth", "access-token", "--token", accessToken}, {"compare", "uat", "production", "--cr", "1"}} {
			r := c.runFor(commandDeadline, s.env, "alice", append(args, "--json")...)
			env := r.envelope()
			if r.code != 1 || env == nil || !strings.Contains(env.Message, "chmod 600 "+c.store+".key") {
				t.Errorf("key file mode %04o: relman %s exited %d: %s%s", mode, strings.Join(args, " "), r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, accessToken) {
				t.Error("the refusal shows the access token")
			}
		}
		if fileDigest(t, c.store) != before {
			t.Errorf("key file mode %04o: a refused command changed the store", mode)
		}
	}
	if err := os.Chmod(c.store+".key", 0o600); err != nil {
		t.Fatal(err)
	}
	s.run("alice", nil, 0, "env", "test", "production")
}

// serveUntilReady runs a serving command until it prints ready, then
// interrupts it and returns what it printed.
func serveUntilReady(t *testing.T, c relmanCLI, ready string, args ...string) timed {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = c.env("alice")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				break wait
			}
			stdout.WriteString(l + "\n")
			if strings.Contains(l, ready) {
				break wait
			}
		case <-deadline:
			t.Errorf("relman %s was not ready in 30 s", strings.Join(args, " "))
			break wait
		}
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	for l := range lines {
		stdout.WriteString(l + "\n")
	}
	_ = cmd.Wait()
	return timed{result: result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: errb.String()}}
}
