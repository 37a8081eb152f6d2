package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
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
	stdout, stderr := pipeLines(t, srv.StdoutPipe), pipeLines(t, srv.StderrPipe)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill() })
	listening, _ := strings.CutPrefix(stdout.await(t, "relman serve: listening on "), "relman serve: listening on ")
	addr, _, _ := strings.Cut(listening, ",")
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
	stderr.await(t, "registered the host key as server relman-serve, signed by alice")
	if text, code := ssh("bob", "cr", "approve", cr.ID); code != 0 || !strings.Contains(text, "bob approved") {
		t.Errorf("bob approves over SSH: exit %d: %s", code, text)
	}
	if text, code := ssh("mallory", "cr", "list"); code != 255 || !strings.Contains(text, "Permission denied") {
		t.Errorf("mallory over SSH: exit %d: %s", code, text)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stderr.await(t, "shutting down")
	exited := make(chan error, 1)
	go func() {
		stdout.drain()
		stderr.drain()
		exited <- srv.Wait()
	}()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("relman serve after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("relman serve still running 30 s after SIGTERM")
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

// lineStream is a process's output, line by line, as it comes.
type lineStream struct {
	lines chan string
	seen  strings.Builder
}

// pipeLines connects to one of a command's outputs before it starts.
func pipeLines(t *testing.T, pipe func() (io.ReadCloser, error)) *lineStream {
	t.Helper()
	r, err := pipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &lineStream{lines: make(chan string)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

// await reads lines until one holds want, within 30 s, and returns that
// line.
func (s *lineStream) await(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("the output ended without %q:\n%s", want, s.seen.String())
			}
			s.seen.WriteString(l + "\n")
			if strings.Contains(l, want) {
				return l
			}
		case <-deadline:
			t.Fatalf("no %q within 30 s:\n%s", want, s.seen.String())
		}
	}
}

// drain reads the rest, so the process can end and be waited for.
func (s *lineStream) drain() {
	for range s.lines {
	}
}

// TestDemoServePrintsWorkingSSHCommands: `relman demo --serve` serves SSH
// too, and the command it prints for bob logs him in as bob.
func TestDemoServePrintsWorkingSSHCommands(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	demo := exec.Command(self, "demo", "--serve", "--dir", t.TempDir(), "--test-ms", "5")
	demo.Env = append(os.Environ(), "RELMAN_BE_MAIN=1", "SSH_AUTH_SOCK=")
	stdout, stderr := pipeLines(t, demo.StdoutPipe), pipeLines(t, demo.StderrPipe)
	go stderr.drain()
	if err := demo.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { demo.Process.Kill(); demo.Wait() })
	line, _ := strings.CutPrefix(stdout.await(t, "ssh_as_bob: "), "ssh_as_bob: ")
	stdout.await(t, "ready:")
	args := strings.Fields(line)
	if args[0] != "ssh" {
		t.Fatalf("ssh_as_bob is not an ssh command: %q", line)
	}
	// Not from a terminal: no -t, and never a prompt.
	args = append(slices.DeleteFunc(args[1:], func(a string) bool { return a == "-t" }), "-o", "BatchMode=yes", "cr", "list", "--json")
	cmd := exec.Command("ssh", args...)
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), `"status": 0`) || !strings.Contains(string(out), `"requester": "bob"`) {
		t.Errorf("the printed ssh_as_bob command: %v\n%s", err, out)
	}
	if err := demo.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	stdout.drain()
	if err := demo.Wait(); err != nil {
		t.Errorf("demo --serve after SIGINT: %v", err)
	}
}
