package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"relman/model/sshsig/testkeys"
	"relman/ui/identity/identitytest"
)

// as runs relman with exactly the given identity settings (no agent, no
// home keys unless given): the process boundary where relman learns who
// acts.
func (c relmanCLI) as(env []string, args ...string) result {
	c.t.Helper()
	base := append(os.Environ(), "RELMAN_BE_MAIN=1", "RELMAN_STORE="+c.store, "HOME="+c.t.TempDir(),
		"SSH_AUTH_SOCK=", "RELMAN_IDENTITY=", "RELMAN_USER=")
	return c.runWith(append(base, env...), args...)
}

func (c relmanCLI) asOK(env []string, v any, args ...string) {
	c.t.Helper()
	r := c.as(env, append([]string{"--json"}, args...)...)
	if r.code != 0 {
		c.t.Fatalf("relman %s exited %d:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	if v != nil {
		if err := json.Unmarshal(lastJSON(c.t, r.stdout, args).Result, v); err != nil {
			c.t.Fatal(err)
		}
	}
}

func (c relmanCLI) asRefused(env []string, code int, says string, args ...string) {
	c.t.Helper()
	r := c.as(env, append(args, "--json")...)
	e := lastJSON(c.t, r.stdout, args)
	if r.code != code || !strings.Contains(e.Message, says) {
		c.t.Errorf("relman %s: exit %d %q, want exit %d saying %q", strings.Join(args, " "), r.code, e.Message, code, says)
	}
}

// TestIdentityJourney: a team sets up its users from an empty store, and
// from then on only a registered key makes anyone anyone.
func TestIdentityJourney(t *testing.T) {
	c := relmanCLI{t: t, store: tempStore(t)}
	alice, bob := identitytest.IdentityFile(t, "alice"), identitytest.IdentityFile(t, "bob")
	mallory := identitytest.IdentityFile(t, "mallory")
	asAlice, asBob := []string{"RELMAN_IDENTITY=" + alice}, []string{"RELMAN_IDENTITY=" + bob}

	// Global flags stand before or after the command.
	var users []json.RawMessage
	c.asOK(nil, &users, "user", "list")
	if r := c.as(nil, "user", "list", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"status": 0`) {
		t.Fatalf("user list --json: %d %s%s", r.code, r.stdout, r.stderr)
	}
	// No users: every write says how to begin.
	c.asRefused(asAlice, 1, "relman user add", "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	// The first user registers themselves, proving it with the very key.
	c.asRefused(asBob, 1, "you do not hold", "user", "add", "alice", "--public-key", alice+".pub")
	var first struct {
		Name  string   `json:"name"`
		Roles []string `json:"roles"`
	}
	c.asOK(asAlice, &first, "user", "add", "Alice", "--public-key", alice+".pub", "--role", "requester", "--role", "approver")
	if first.Name != "alice" || !strings.Contains(strings.Join(first.Roles, ","), "admin") {
		t.Fatalf("first user = %+v, want alice, admin", first)
	}
	// After that only an admin adds users.
	c.asOK(asAlice, nil, "user", "add", "bob", "--public-key-string", testkeys.Of("bob").PublicKey(), "--role", "approver", "--role", "requester")
	c.asRefused(asBob, 1, "only an admin", "user", "add", "mallory", "--public-key", mallory+".pub", "--role", "approver")
	c.asRefused(asAlice, 1, "already bob's", "user", "add", "carol", "--public-key", bob+".pub", "--role", "approver")

	c.asRefused(asBob, 1, "does not have the admin role", "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	c.asOK(asAlice, nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	var cr crJSON
	c.asRefused(asAlice, 1, "not a registered user", "cr", "new", "--env", "production", "--name", "x", "--approver", "mallory")
	c.asOK(asAlice, &cr, "cr", "new", "--env", "production", "--name", "Region", "--component", "ApexClass:InvoiceService", "--approver", "Bob")
	if len(cr.Approvers) != 1 || cr.Approvers[0].User != "bob" {
		t.Fatalf("approvers = %+v, want bob as registered", cr.Approvers)
	}
	c.asOK(asAlice, nil, "cr", "submit", cr.ID)

	// A name proves nothing.
	c.asRefused(append(asBob, "RELMAN_USER=alice"), 1, "you hold no key of alice", "cr", "approve", cr.ID)
	c.asRefused(nil, 1, "--identity", "--user", "bob", "cr", "approve", cr.ID)
	c.asRefused([]string{"RELMAN_IDENTITY=" + mallory}, 1, "none of the keys you hold", "cr", "approve", cr.ID)
	// The requester cannot approve, whatever the case of the name.
	c.asRefused(asAlice, 1, "their own", "--user", "ALICE", "cr", "approve", cr.ID)
	// Reading needs no key.
	var list []crJSON
	c.asOK(nil, &list, "cr", "list")
	if len(list) != 1 {
		t.Fatalf("cr list without a key: %d CRs", len(list))
	}
	c.asOK(asBob, &cr, "cr", "approve", cr.ID, "--comment", "ok")
	if cr.ApprovalStatus != "Approved" {
		t.Fatalf("after bob's approval: %s", cr.ApprovalStatus)
	}

	var v struct {
		Events, Signed, Unsigned, Records int
		OK                                bool
	}
	c.asOK(nil, &v, "audit", "--verify")
	if !v.OK || v.Events != 6 || v.Signed != 6 || v.Unsigned != 0 || v.Records != 4 {
		t.Errorf("audit --verify = %+v, want 6 signed events and 4 records (2 users, 1 environment, 1 CR)", v)
	}
}

// TestIdentityFromTheSSHAgent: with no --identity, the keys come from the
// SSH agent, as for ssh and git.
func TestIdentityFromTheSSHAgent(t *testing.T) {
	agentBin, err1 := exec.LookPath("ssh-agent")
	addBin, err2 := exec.LookPath("ssh-add")
	if err1 != nil || err2 != nil {
		t.Skip("ssh-agent or ssh-add is not installed (apt-get install openssh-client)")
	}
	c := newCLI(t, tempStore(t))
	sock := filepath.Join(t.TempDir(), "agent.sock")
	agent := exec.Command(agentBin, "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = agent.Process.Kill()
		_ = agent.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ssh-agent did not create its socket within 10 s")
		}
		time.Sleep(10 * time.Millisecond) // polling for the socket, bounded by the deadline
	}
	add := exec.Command(addBin, identitytest.IdentityFile(t, "carol"))
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v\n%s", err, out)
	}
	agentEnv := []string{"SSH_AUTH_SOCK=" + sock}
	c.asOK(agentEnv, nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	var events []struct{ User string }
	c.asOK(nil, &events, "audit")
	if last := events[len(events)-1]; last.User != "carol" {
		t.Errorf("the agent's key acted as %q, want carol", last.User)
	}
	c.asRefused(append(agentEnv, "RELMAN_USER=bob"), 1, "you hold no key of bob", "env", "rm", "production")
}

// TestAuditExportVerifiesWithOpenSSH: every exported event signature is
// accepted by ssh-keygen -Y verify with the exported allowed_signers.
func TestAuditExportVerifiesWithOpenSSH(t *testing.T) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed (apt-get install openssh-client)")
	}
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", "Export me", "--component", "ApexClass:InvoiceService", "--approver", "bob")
	c.ok("alice", nil, "cr", "submit", cr.ID)
	c.ok("bob", nil, "cr", "approve", cr.ID)
	dir := filepath.Join(t.TempDir(), "export")
	var out struct{ Events, Signed int }
	c.ok("carol", &out, "audit", "export", "--dir", dir)
	if out.Events != 8 || out.Signed != 8 {
		t.Fatalf("export = %+v, want 8 signed events (4 users, env, create, submit, approve)", out)
	}
	for seq := 1; seq <= out.Events; seq++ {
		base := filepath.Join(dir, strconv.Itoa(seq))
		msg, err := os.ReadFile(base + ".msg")
		if err != nil {
			t.Fatal(err)
		}
		var ev struct{ User string }
		if err := json.Unmarshal(msg[64:], &ev); err != nil {
			t.Fatalf("%d.msg: %v", seq, err)
		}
		verify := func(user string, m []byte) (string, error) {
			cmd := exec.Command(keygen, "-Y", "verify", "-f", filepath.Join(dir, "allowed_signers"), "-I", user, "-n", "relman", "-s", base+".sig")
			cmd.Stdin = bytes.NewReader(m)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := verify(ev.User, msg); err != nil {
			t.Errorf("event %d by %s: ssh-keygen -Y verify refused it: %v %s", seq, ev.User, err, out)
		}
		other := "bob"
		if ev.User == "bob" {
			other = "carol"
		}
		if _, err := verify(other, msg); err == nil {
			t.Errorf("event %d by %s: ssh-keygen accepted it as %s's", seq, ev.User, other)
		}
		if _, err := verify(ev.User, append(bytes.Clone(msg), ' ')); err == nil {
			t.Errorf("event %d: ssh-keygen accepted an altered message", seq)
		}
	}
}
