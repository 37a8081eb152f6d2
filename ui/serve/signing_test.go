package serve

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"relman/model"
	"relman/model/sshsig/testkeys"
	"relman/store"
)

// agentHolding serves an SSH agent holding the private keys of names on a
// socket, for `SSH_AUTH_SOCK=SOCKET ssh -A`.
func (f *fixture) agentHolding(names ...string) string {
	f.t.Helper()
	keyring := agent.NewKeyring()
	for _, n := range names {
		pemBytes, err := os.ReadFile(f.keys[n])
		if err != nil {
			f.t.Fatal(err)
		}
		key, err := gossh.ParseRawPrivateKey(pemBytes)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := keyring.Add(agent.AddedKey{PrivateKey: key}); err != nil {
			f.t.Fatal(err)
		}
	}
	sock := filepath.Join(f.dir, "agent-"+strings.Join(names, "-"))
	ln, err := net.Listen("unix", sock)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				agent.ServeAgent(keyring, c)
			}()
		}
	}()
	return sock
}

// approveWithAgent is bob's `ssh -A … cr approve 1` with the agent at sock.
func (f *fixture) approveWithAgent(sock string) (stderr string, code int) {
	f.t.Helper()
	_, stderr, code = runSSHWithAgent(f.t, append(f.sshArgs("bob", "-A"), "cr", "approve", "1"), sock, "")
	return stderr, code
}

// lastEvent is the newest audit event of the fixture's store.
func (f *fixture) lastEvent() model.AuditEvent {
	f.t.Helper()
	st, err := store.Open(f.storePath)
	if err != nil {
		f.t.Fatal(err)
	}
	var evs []model.AuditEvent
	if err := st.View(func(tx *store.Tx) error {
		var err error
		evs, err = tx.AuditEvents(store.AuditQuery{})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return evs[len(evs)-1]
}

type verifyResult struct {
	Result struct {
		OK           bool `json:"ok"`
		Signed       int  `json:"signed"`
		ServerSigned int  `json:"serverSigned"`
	} `json:"result"`
}

func (f *fixture) verify() verifyResult {
	f.t.Helper()
	out, _ := f.local("alice", 0, "audit", "--verify", "--json")
	var v verifyResult
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		f.t.Fatalf("audit --verify --json: %v\n%s", err, out)
	}
	return v
}

// Without a forwarded agent, the server's host key signs bob's approval,
// naming bob's session key; verify accepts it and says so, and OpenSSH
// alone checks the exported signature as the server's.
func TestDecisionWithoutAgentIsSignedByTheHostKey(t *testing.T) {
	f := newFixture(t, nil)
	if _, errOut, code := f.ssh("bob", "cr", "approve", "1"); code != 0 {
		t.Fatalf("bob approves over SSH: exit %d: %s", code, errOut)
	}
	ev := f.lastEvent()
	if ev.User != "bob" || ev.Action != "approve" || ev.Details[model.DetailSessionKey] != testkeys.Of("bob").Fingerprint() {
		t.Errorf("the approval event: user %q, action %q, session key %q; want bob's approval naming his key %s",
			ev.User, ev.Action, ev.Details[model.DetailSessionKey], testkeys.Of("bob").Fingerprint())
	}
	if v := f.verify(); !v.Result.OK || v.Result.ServerSigned != 1 {
		t.Errorf("audit --verify: %+v; want ok with 1 event signed by the host key", v.Result)
	}
	text, _ := f.local("alice", 0, "audit", "--verify")
	if !strings.Contains(text, "Signed by a relman serve host key: 1 events") {
		t.Errorf("audit --verify does not say which events the server signed:\n%s", text)
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Fatalf("ssh-keygen is needed to check the export with OpenSSH: %v", err)
	}
	dir := filepath.Join(f.dir, "export")
	f.local("alice", 0, "audit", "export", "--dir", dir)
	seq := filepath.Join(dir, jsonNumber(ev.Seq))
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", filepath.Join(dir, "allowed_signers"), "-I", DefaultServerName,
		"-n", "relman", "-s", seq+".sig")
	msg, err := os.Open(seq + ".msg")
	if err != nil {
		t.Fatal(err)
	}
	defer msg.Close()
	cmd.Stdin = msg
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("ssh-keygen -Y verify -I %s of the server-signed event: %v\n%s", DefaultServerName, err, out)
	}
}

// With `ssh -A` and an agent holding bob's key, bob's own key signs.
func TestDecisionWithForwardedAgentIsSignedByTheUsersKey(t *testing.T) {
	f := newFixture(t, nil)
	if errOut, code := f.approveWithAgent(f.agentHolding("bob")); code != 0 {
		t.Fatalf("bob approves over ssh -A: exit %d: %s", code, errOut)
	}
	ev := f.lastEvent()
	if ev.User != "bob" || ev.Action != "approve" || ev.Details[model.DetailSessionKey] != "" {
		t.Errorf("the approval event: user %q, action %q, details %v; want bob's approval signed by himself", ev.User, ev.Action, ev.Details)
	}
	if v := f.verify(); !v.Result.OK || v.Result.ServerSigned != 0 {
		t.Errorf("audit --verify: %+v; want ok and no event signed by the host key", v.Result)
	}
	if !strings.Contains(f.log.String(), "signing with bob's own key "+testkeys.Of("bob").Fingerprint()+" from the forwarded agent") {
		t.Errorf("the log does not say bob's own key signs:\n%s", f.log.String())
	}
}

// A forwarded agent without any of bob's keys does not make him someone
// else: the host key signs for his session.
func TestForwardedAgentWithoutTheUsersKeyFallsBackToTheHostKey(t *testing.T) {
	f := newFixture(t, nil)
	if errOut, code := f.approveWithAgent(f.agentHolding("carol")); code != 0 {
		t.Fatalf("bob approves over ssh -A with carol's agent: exit %d: %s", code, errOut)
	}
	if ev := f.lastEvent(); ev.User != "bob" || ev.Details[model.DetailSessionKey] != testkeys.Of("bob").Fingerprint() {
		t.Errorf("the approval event: user %q, session key %q; want bob's, signed by the host key", ev.User, ev.Details[model.DetailSessionKey])
	}
	if !strings.Contains(f.log.String(), "the forwarded agent holds none of bob's keys") {
		t.Errorf("the log does not say why the host key signs:\n%s", f.log.String())
	}
}

// Once an admin removes the server's registration, its host key signs for
// nobody: sessions still read, and write only with their own key (ssh -A).
func TestUnregisteredHostKeyCannotSign(t *testing.T) {
	f := newFixture(t, nil)
	f.local("alice", 0, "user", "rm", DefaultServerName)
	_, errOut, code := f.ssh("bob", "cr", "approve", "1")
	if code == 0 || !strings.Contains(errOut, "is not registered, so it cannot sign for sessions; forward your agent (ssh -A)") {
		t.Errorf("approving without an agent once the host key is unregistered: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code := f.ssh("bob", "cr", "show", "1"); code != 0 {
		t.Errorf("reading with an unregistered host key: exit %d: %s", code, errOut)
	}
	if errOut, code := f.approveWithAgent(f.agentHolding("bob")); code != 0 {
		t.Errorf("approving with bob's agent: exit %d: %s", code, errOut)
	}
}

func jsonNumber(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A checkpoint, kept apart from the server to check it, is signed by the
// user's own key: over SSH only with a forwarded agent.
func TestCheckpointOverSSHNeedsTheUsersOwnKey(t *testing.T) {
	f := newFixture(t, nil)
	if _, errOut, code := f.ssh("bob", "audit", "checkpoint"); code != 1 || !strings.Contains(errOut, "forward your agent (ssh -A)") {
		t.Errorf("audit checkpoint over SSH without an agent: exit %d, stderr %q", code, errOut)
	}
	cp, errOut, code := runSSHWithAgent(t, append(f.sshArgs("bob", "-A"), "audit", "checkpoint"), f.agentHolding("bob"), "")
	if code != 0 {
		t.Fatalf("audit checkpoint over ssh -A: exit %d: %s", code, errOut)
	}
	path := filepath.Join(f.dir, "checkpoint")
	if err := os.WriteFile(path, []byte(cp), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _ := f.local("carol", 0, "audit", "--verify", "--checkpoint", path); !strings.Contains(out, "by bob") {
		t.Errorf("verifying against bob's checkpoint made over SSH:\n%s", out)
	}
}
