package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"relman/ui/cli"
)

// keyring is a Users of fixed keys: fingerprint → user.
type keyring struct {
	mu    sync.Mutex
	users map[string]string
}

func (k *keyring) UserByKey(key gossh.PublicKey) (string, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	u, ok := k.users[gossh.FingerprintSHA256(key)]
	return u, ok, nil
}

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

// fixture is a relman serve on a fresh store, with keys for alice, bob,
// carol and dave (registered) and mallory (not), and a known_hosts file
// holding the server's host key, so the real OpenSSH client checks it.
type fixture struct {
	t          *testing.T
	dir        string
	srv        *Server
	keys       map[string]string // user → private key file
	signers    map[string]gossh.Signer
	users      *keyring
	knownHosts string
	log        *syncBuffer
}

func newFixture(t *testing.T, configure func(*Config)) *fixture {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatalf("these tests drive the real OpenSSH client: install it (apt-get install openssh-client): %v", err)
	}
	f := &fixture{t: t, dir: t.TempDir(), keys: map[string]string{}, signers: map[string]gossh.Signer{},
		users: &keyring{users: map[string]string{}}, log: &syncBuffer{}}
	for _, u := range []string{"alice", "bob", "carol", "dave", "mallory"} {
		f.keys[u], f.signers[u] = writeKey(t, filepath.Join(f.dir, "keys", u))
		if u != "mallory" {
			f.users.users[gossh.FingerprintSHA256(f.signers[u].PublicKey())] = u
		}
	}
	cfg := Config{Addr: "127.0.0.1:0", StorePath: filepath.Join(f.dir, "relman.db"), Users: f.users, Log: f.log}
	if configure != nil {
		configure(&cfg)
	}
	f.seed(cfg.StorePath)
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
func (f *fixture) seed(storePath string) {
	f.t.Helper()
	org, err := filepath.Abs(filepath.Join("..", "..", "testdata", "orgs", "production"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.local("alice", 0, "env", "add", "production", "--kind", "production", "--dir", org, "--store", storePath)
	f.local("alice", 0, "cr", "new", "--env", "production", "--name", "Seeded change", "--component", "ApexClass:InvoiceService",
		"--approver", "bob", "--store", storePath)
	f.local("alice", 0, "cr", "submit", "1", "--store", storePath)
}

// local runs a relman command in-process as user, as a person at the
// server's own terminal would, and checks its exit code.
func (f *fixture) local(user string, want int, args ...string) (stdout, stderr string) {
	f.t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"RELMAN_USER": user}
	if f.srv != nil {
		env["RELMAN_STORE"] = f.srv.StorePath()
	}
	code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return env[k] }})
	if code != want {
		f.t.Fatalf("local relman %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

func (f *fixture) port() int { return f.srv.Addr().(*net.TCPAddr).Port }

// sshArgs is the OpenSSH command line that logs in as user with only
// that user's key, checks the host key against the fixture's known_hosts,
// never prompts and reads no user or system configuration.
func (f *fixture) sshArgs(user string, extra ...string) []string {
	args := []string{"-F", "/dev/null", "-p", fmt.Sprint(f.port()), "-i", f.keys[user],
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
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
func runSSH(t *testing.T, args []string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("ssh", args...)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errb, strings.NewReader("")
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

// writeKey writes a new ed25519 private key in OpenSSH form (0600, as ssh
// demands) and returns its path and signer.
func writeKey(t *testing.T, path string) (string, gossh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return path, signer
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
