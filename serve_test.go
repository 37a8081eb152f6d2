package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"relman/ui/identity/identitytest"
)

// TestTeamServerJourney runs `relman serve` as a process: alice, the admin,
// starts it on the team's store; it makes its host key beside the store and
// registers it under her signature; bob approves over the real OpenSSH
// client without forwarding an agent; an unregistered key is turned away;
// SIGTERM stops the server gracefully; the trail verifies and counts the
// approval as signed by the server's host key for bob's session.
func TestTeamServerJourney(t *testing.T) {
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", "Region", "--component", "ApexClass:InvoiceService", "--approver", "bob")
	c.ok("alice", nil, "cr", "submit", cr.ID)

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(self, "serve", "--addr", "127.0.0.1:0")
	srv.Env = c.env("alice")
	var stderr syncWriter
	srv.Stderr = &stderr
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stdoutLines, exited := make(chan string, 16), make(chan error, 1)
	go func() {
		// The announcement's lines, then the exit status.
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			stdoutLines <- sc.Text()
		}
		exited <- srv.Wait()
	}()
	t.Cleanup(func() { srv.Process.Kill() })
	var addr string
	deadline := time.After(30 * time.Second)
	for addr == "" {
		select {
		case l := <-stdoutLines:
			if rest, ok := strings.CutPrefix(l, "relman serve: listening on "); ok {
				addr, _, _ = strings.Cut(rest, ",")
			}
		case <-deadline:
			t.Fatalf("relman serve did not say where it listens within 30 s; stderr:\n%s", stderr.String())
		}
	}
	info, err := os.Stat(c.store + ".host_key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("host key beside the store: %v, %v; want a 0600 file", info, err)
	}
	pub, err := os.ReadFile(c.store + ".host_key.pub")
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(addr, ":")
	knownHosts := c.store + ".known_hosts"
	if err := os.WriteFile(knownHosts, fmt.Appendf(nil, "[%s]:%s %s", host, port, pub), 0o600); err != nil {
		t.Fatal(err)
	}
	ssh := func(user string, args ...string) (string, int) {
		cmd := exec.Command("ssh", append([]string{"-F", "/dev/null", "-p", port, "-i", identitytest.IdentityFile(t, user),
			"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts,
			"-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR", host}, args...)...)
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return b.String(), exit.ExitCode()
		} else if err != nil {
			t.Fatalf("ssh: %v", err)
		}
		return b.String(), 0
	}
	// The registration is logged once the server has it.
	waitLog := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "registered the host key as server relman-serve, signed by alice") {
		if time.Now().After(waitLog) {
			t.Fatalf("the host key was not registered:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if text, code := ssh("bob", "cr", "approve", cr.ID); code != 0 || !strings.Contains(text, "bob approved") {
		t.Errorf("bob approves over SSH: exit %d: %s", code, text)
	}
	if text, code := ssh("mallory", "cr", "list"); code != 255 || !strings.Contains(text, "Permission denied") {
		t.Errorf("mallory over SSH: exit %d: %s", code, text)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("relman serve after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("relman serve still running 30 s after SIGTERM:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("relman serve did not say it was shutting down:\n%s", stderr.String())
	}
	var v struct {
		OK           bool `json:"ok"`
		ServerSigned int  `json:"serverSigned"`
	}
	c.ok("carol", &v, "audit", "--verify")
	if !v.OK || v.ServerSigned != 1 {
		t.Errorf("audit --verify after the session: %+v; want ok with bob's approval signed by the server", v)
	}
}

// syncWriter is a buffer the server's stderr and the test share.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
