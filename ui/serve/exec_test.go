package serve

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// A command over SSH prints what it prints locally and exits with the same
// code: the same cli.Run, acting as the key's user.
func TestCommandsOverSSHMatchLocal(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"cr", "list", "--json"}, 0},
		{[]string{"cr", "show", "1"}, 0},
		{[]string{"cr", "show", "CR-0999", "--json"}, 2},
		{[]string{"cr", "complete", "1"}, 1},
		{[]string{"cr", "frobnicate"}, 2},
		{[]string{"audit", "--verify", "--json"}, 0},
	}
	for _, c := range cases {
		out, errOut, code := f.ssh("bob", c.args...)
		if code != c.code {
			t.Errorf("ssh %v: exit %d, want %d\nstderr: %s", c.args, code, c.code, errOut)
		}
		wantOut, wantErr := f.local("bob", c.code, c.args...)
		if out != wantOut || errOut != wantErr {
			t.Errorf("ssh %v differs from local:\nssh stdout %q\nlocal      %q\nssh stderr %q\nlocal      %q", c.args, out, wantOut, errOut, wantErr)
		}
	}
	// A command on a terminal (ssh -t) prints the same lines, ended for a
	// terminal.
	plain, _, _ := f.ssh("bob", "cr", "show", "1")
	onTTY, errOut, code := f.ssh("bob", "-tt", "cr", "show", "1")
	if code != 0 || strings.ReplaceAll(onTTY, "\r\n", "\n") != plain {
		t.Errorf("ssh -tt cr show 1: exit %d, stdout %q (stderr %q), want the lines of %q", code, onTTY, errOut, plain)
	}
	// Neither a command nor a terminal: say what to do.
	if _, errOut, code := f.ssh("bob", "-T"); code != 2 || !strings.Contains(errOut, "give a command") {
		t.Errorf("ssh -T without a command: exit %d, stderr %q; want 2 saying what to do", code, errOut)
	}
	// `relman` in front reads like the local command line and means the same.
	withName, _, code := f.ssh("bob", "relman", "cr", "list", "--json")
	without, _, _ := f.ssh("bob", "cr", "list", "--json")
	if code != 0 || withName != without {
		t.Errorf("ssh relman cr list: exit %d, output %q, want %q", code, withName, without)
	}
}

// The session acts as the user whose key authenticated it: what bob does
// over SSH is recorded as bob's, whatever name he logs in with.
func TestCommandActsAsTheKeysUser(t *testing.T) {
	f := newFixture(t, nil)
	cmd := f.sshArgs("bob")
	// Log in as "alice@" with bob's key: the name typed proves nothing.
	cmd[len(cmd)-1] = "alice@127.0.0.1"
	out, errOut, code := runSSH(t, append(cmd, "cr", "approve", "1", "--json"))
	if code != 0 {
		t.Fatalf("approve over SSH: exit %d\n%s%s", code, out, errOut)
	}
	show, _ := f.local("alice", 0, "cr", "show", "1", "--json")
	var got struct {
		Result struct {
			ApprovalStatus string `json:"approvalStatus"`
			Approvers      []struct{ User, Decision string }
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(show), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Result.Approvers) != 1 || got.Result.Approvers[0].User != "bob" || got.Result.Approvers[0].Decision != "Approved" {
		t.Errorf("approvers after bob's approval over SSH: %+v", got.Result.Approvers)
	}
	audit, _ := f.local("alice", 0, "audit", "--cr", "1", "--format", "json")
	if !strings.Contains(audit, `"bob"`) {
		t.Errorf("audit trail does not name bob as the approver:\n%s", audit)
	}
	// --user cannot borrow another identity over SSH.
	_, errOut, code = f.ssh("carol", "cr", "approve", "1", "--user", "bob")
	if code != 2 || !strings.Contains(errOut, "over SSH you act as the user your key belongs to (carol)") {
		t.Errorf("--user bob as carol over SSH: exit %d, stderr %q", code, errOut)
	}
}

// A key that belongs to no registered user does not get in, and the
// server's log names it by fingerprint only.
func TestUnknownKeyIsRefusedAndLogged(t *testing.T) {
	f := newFixture(t, nil)
	out, errOut, code := f.ssh("mallory", "cr", "list")
	if code != 255 || !strings.Contains(errOut, "Permission denied (publickey)") || out != "" {
		t.Fatalf("mallory: exit %d, stdout %q, stderr %q; want 255 and Permission denied (publickey)", code, out, errOut)
	}
	pub := f.signers["mallory"].PublicKey()
	log := f.log.String()
	if !strings.Contains(log, "refused key "+gossh.FingerprintSHA256(pub)) {
		t.Errorf("log does not name the refused key's fingerprint:\n%s", log)
	}
	if blob := strings.Fields(string(gossh.MarshalAuthorizedKey(pub)))[1]; strings.Contains(log, blob) {
		t.Errorf("log holds the refused key itself:\n%s", log)
	}
	if strings.Contains(log, "session mallory") {
		t.Errorf("mallory got a session:\n%s", log)
	}
}

// Over SSH nothing a user types makes relman read or write the server's
// files or run programs there.
func TestServerFilesAreOutOfReach(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"cr", "list", "--store", "/tmp/elsewhere.db"}, 2, "over SSH the store is the server's own"},
		{[]string{"compare", "/etc", "/usr"}, 1, "over SSH relman does not touch the server's files"},
		{[]string{"compare", "production", "production", "--package-xml", "/tmp/pkg"}, 1, "over SSH relman does not touch the server's files"},
		{[]string{"env", "add", "etc", "--kind", "sandbox", "--dir", "/etc"}, 1, "over SSH relman does not touch the server's files"},
		{[]string{"env", "add", "jwt", "--kind", "sandbox", "--url", "https://test.salesforce.com", "--auth", "jwt",
			"--client-id", "x", "--username", "u", "--key", "/etc/ssh/ssh_host_ed25519_key"}, 1, "over SSH relman does not touch the server's files"},
		{[]string{"env", "add", "sfdx", "--kind", "sandbox", "--url", "https://test.salesforce.com", "--auth", "sfdx-url",
			"--sfdx-url-file", "/etc/passwd"}, 2, "over SSH relman does not touch the server's files"},
		{[]string{"sim", "--dir", "/etc"}, 2, "not over SSH"},
		{[]string{"backup", "/tmp/copy.db"}, 2, "not over SSH"},
		{[]string{"audit", "export", "--dir", "/tmp/export"}, 2, "not over SSH"},
		{[]string{"user", "add", "eve", "--public-key", "/etc/ssh/ssh_host_ed25519_key.pub"}, 2, "over SSH relman does not touch the server's files"},
		{[]string{"audit", "--verify", "--checkpoint", "/etc/passwd"}, 2, "(give - to read it from standard input)"},
		{[]string{"cr", "list", "--identity", "/etc/ssh/ssh_host_ed25519_key"}, 2, "over SSH you are who your SSH key says (alice)"},
	}
	for _, c := range cases {
		_, errOut, code := f.ssh("alice", c.args...)
		if code != c.code || !strings.Contains(errOut, c.says) {
			t.Errorf("ssh %v: exit %d, stderr %q; want exit %d saying %q", c.args, code, errOut, c.code, c.says)
		}
	}
	for _, p := range []string{"/tmp/pkg/package.xml", "/tmp/copy.db", "/tmp/export"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a command over SSH wrote %s on the server", p)
		}
	}
	envs, _ := f.local("alice", 0, "env", "list", "--json")
	for _, name := range []string{`"etc"`, `"jwt"`, `"sfdx"`} {
		if strings.Contains(envs, name) {
			t.Errorf("environment %s was added over SSH: %s", name, envs)
		}
	}
}

// The one file a client can give relman serve is its standard input: a
// checkpoint kept elsewhere verifies the server's trail over SSH.
func TestCheckpointFromStandardInput(t *testing.T) {
	f := newFixture(t, nil)
	cp, _ := f.local("alice", 0, "audit", "checkpoint")
	out, errOut, code := runSSHWithAgent(t, append(f.sshArgs("carol"), "audit", "--verify", "--checkpoint", "-"), "", cp)
	if code != 0 || !strings.Contains(out, "Extends the checkpoint") {
		t.Errorf("audit --verify --checkpoint - over SSH: exit %d\n%s%s", code, out, errOut)
	}
}

// The host key is registered, but as a server's: it never logs in.
func TestHostKeyCannotLogIn(t *testing.T) {
	f := newFixture(t, nil)
	_, err := gossh.Dial("tcp", f.srv.Addr().String(), &gossh.ClientConfig{
		User:            "relman-serve",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(f.srv.hostKey)},
		HostKeyCallback: gossh.FixedHostKey(f.srv.HostKey()),
	})
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("logging in with the host key: %v, want refused", err)
	}
}

// A panic inside one session's relman ends that session with status 1
// and a log line; the server goes on.
func TestPanicEndsOnlyItsSession(t *testing.T) {
	f := newFixture(t, nil)
	var stderr syncBuffer
	code := f.srv.survive(&stderr, "bob (test)", func() int { panic("boom") })
	if code != 1 || !strings.Contains(stderr.String(), "relman failed inside") {
		t.Errorf("a panicking session: exit %d, stderr %q", code, stderr.String())
	}
	if !strings.Contains(f.log.String(), "session bob (test): relman failed inside (a bug): boom") {
		t.Errorf("the log does not record the panic:\n%s", f.log.String())
	}
	if _, errOut, code := f.ssh("bob", "cr", "list"); code != 0 {
		t.Errorf("the server after a session's panic: exit %d: %s", code, errOut)
	}
}
