package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"relman/model/sshsig/testkeys"
	"relman/store"
	"relman/ui/cli"
	"relman/ui/identity/identitytest"
)

// syncBuffer is a log several sessions write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a relman serve on a fresh store where alice (admin), bob,
// carol and dave are registered with their test keys and mallory is not,
// the server's host key is registered by alice, and a known_hosts file
// holds the host key, so the real OpenSSH client checks it.
type fixture struct {
	t          testing.TB
	dir        string
	storePath  string
	srv        *Server
	keys       map[string]string // user → private key file
	signers    map[string]gossh.Signer
	knownHosts string
	log        *syncBuffer
}

func newFixture(t testing.TB, configure func(*Config)) *fixture {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatalf("these tests drive the real OpenSSH client: install it (apt-get install openssh-client): %v", err)
	}
	f := &fixture{t: t, dir: t.TempDir(), keys: map[string]string{}, signers: map[string]gossh.Signer{}, log: &syncBuffer{}}
	f.storePath = filepath.Join(f.dir, "relman.db")
	for _, u := range append(slices.Clone(identitytest.Team), "mallory") {
		f.keys[u] = identitytest.IdentityFile(t, u)
		f.signers[u] = testkeys.Of(u).SSHSigner()
	}
	st, err := store.Open(f.storePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := identitytest.Register(st, identitytest.Team...); err != nil {
		t.Fatal(err)
	}
	f.seed()
	cfg := Config{Addr: "127.0.0.1:0", StorePath: f.storePath, Log: f.log}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	if _, err := EnsureRegistered(identitytest.As(t, st, "alice"), srv.HostKey(), DefaultServerName); err != nil {
		t.Fatal(err)
	}
	f.knownHosts = filepath.Join(f.dir, "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%d %s", f.port(), gossh.MarshalAuthorizedKey(srv.HostKey()))
	if err := os.WriteFile(f.knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// seed gives the store a production environment (a directory of the
// repository's sample org) and alice's change request CR-0001 waiting for
// bob's approval, through the local CLI.
func (f *fixture) seed() {
	f.t.Helper()
	org, err := filepath.Abs(filepath.Join("..", "..", "testdata", "orgs", "production"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.local("alice", 0, "env", "add", "production", "--kind", "production", "--dir", org)
	f.local("alice", 0, "cr", "new", "--env", "production", "--name", "Seeded change", "--component", "ApexClass:InvoiceService",
		"--approver", "bob")
	f.local("alice", 0, "cr", "submit", "1")
}

// local runs a relman command in-process as user, as a person at the
// server's own terminal would, and checks its exit code.
func (f *fixture) local(user string, want int, args ...string) (stdout, stderr string) {
	f.t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"RELMAN_STORE": f.storePath, "RELMAN_IDENTITY": f.keys[user]}
	code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }})
	if code != want {
		f.t.Fatalf("local relman %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func (f *fixture) port() int { return f.srv.Addr().(*net.TCPAddr).Port }

// sshArgs is the OpenSSH command line that logs in as user with only
// that user's key (IdentitiesOnly: not an agent's), checks the host key against the fixture's known_hosts,
// never prompts and reads no user or system configuration.
func (f *fixture) sshArgs(user string, extra ...string) []string {
	args := []string{"-F", "/dev/null", "-p", fmt.Sprint(f.port()), "-i", f.keys[user],
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "UserKnownHostsFile=" + f.knownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "GlobalKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"}
	return append(append(args, extra...), user+"@127.0.0.1")
}

// ssh runs `ssh … user@127.0.0.1 ARGS…` with the real client and returns
// what it printed and its exit status.
func (f *fixture) ssh(user string, args ...string) (stdout, stderr string, code int) {
	f.t.Helper()
	return runSSH(f.t, append(f.sshArgs(user), args...))
}

// runSSH runs the OpenSSH client with args and no agent, stdin empty.
func runSSH(t testing.TB, args []string) (stdout, stderr string, code int) {
	t.Helper()
	return runSSHWithAgent(t, args, "", "")
}

// runSSHWithAgent runs the OpenSSH client with args, the agent at sock
// (none when empty) and stdin as its standard input.
func runSSHWithAgent(t testing.TB, args []string, sock, stdin string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("ssh", args...)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errb, strings.NewReader(stdin)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("ssh %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// dial connects as user with the Go SSH client, for what OpenSSH cannot
// be scripted to do (answer a TUI, hold an idle connection).
func (f *fixture) dial(user string) *gossh.Client {
	f.t.Helper()
	c, err := gossh.Dial("tcp", f.srv.Addr().String(), &gossh.ClientConfig{
		User:            user,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(f.signers[user])},
		HostKeyCallback: gossh.FixedHostKey(f.srv.HostKey()),
		Timeout:         10 * time.Second,
	})
	if err != nil {
		f.t.Fatalf("dial as %s: %v", user, err)
	}
	return c
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
