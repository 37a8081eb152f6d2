package serve

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"relman/model"
	"relman/model/sshsig/testkeys"
	"relman/store"
)

// tui opens the terminal UI as user on a pty of the given size, with env
// sent as the client's environment.
func (f *fixture) tui(user string, w, h int, env map[string]string) (*gossh.Session, io.WriteCloser, *syncBuffer) {
	f.t.Helper()
	c := f.dial(user)
	f.t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range env {
		if err := sess.Setenv(k, v); err != nil {
			f.t.Fatalf("setenv %s: %v", k, err)
		}
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	out := &syncBuffer{}
	sess.Stdout, sess.Stderr = out, out
	in, err := sess.StdinPipe()
	if err != nil {
		f.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		f.t.Fatal(err)
	}
	return sess, in, out
}

// exitStatus waits for a session's end and returns its exit status.
func exitStatus(t *testing.T, sess *gossh.Session, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err := <-done:
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitStatus()
		default:
			t.Fatalf("session ended without a status: %v", err)
		}
	case <-time.After(within):
		t.Fatalf("session did not end within %s", within)
	}
	return -1
}

// `ssh -t HOST` opens the same terminal UI as `relman`, as the key's user,
// at the pty's size; q quits it and the session exits 0.
func TestTerminalUIOverSSH(t *testing.T) {
	f := newFixture(t, nil)
	sess, in, out := f.tui("bob", 100, 30, nil)
	waitFor(t, "the changes screen as bob", 10*time.Second, func() bool {
		s := out.String()
		return strings.Contains(s, "as bob") && strings.Contains(s, "Seeded change")
	})
	if strings.Contains(out.String(), "Terminal too small") {
		t.Errorf("the UI did not get the pty's 100×30:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "\x1b[38;") {
		t.Errorf("xterm-256color without NO_COLOR shows no colour")
	}
	if _, err := in.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(t, sess, 10*time.Second); code != 0 {
		t.Errorf("quitting the UI: exit status %d, want 0", code)
	}
	if !strings.Contains(f.log.String(), "session bob (") || !strings.Contains(f.log.String(), "terminal UI") {
		t.Errorf("server log does not record bob's UI session:\n%s", f.log.String())
	}
}

// NO_COLOR sent by the client turns colour off in that session only; a
// pty too small says so, like the local UI.
func TestTerminalUIHonoursSessionSettings(t *testing.T) {
	f := newFixture(t, nil)
	_, _, plain := f.tui("bob", 100, 30, map[string]string{"NO_COLOR": "1"})
	_, _, small := f.tui("carol", 40, 10, nil)
	_, _, colour := f.tui("alice", 100, 30, nil)
	waitFor(t, "three sessions drawn", 10*time.Second, func() bool {
		return strings.Contains(plain.String(), "as bob") && strings.Contains(small.String(), "Terminal too small: 40×10") &&
			strings.Contains(colour.String(), "as alice")
	})
	if strings.Contains(plain.String(), "\x1b[38;") {
		t.Errorf("NO_COLOR session shows colour")
	}
	if !strings.Contains(colour.String(), "\x1b[38;") {
		t.Errorf("a colour session next to a NO_COLOR one lost its colour")
	}
}

// A connection that does nothing is closed after the idle timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.IdleTimeout = 300 * time.Millisecond })
	c := f.dial("alice")
	closed := make(chan error, 1)
	go func() { closed <- c.Wait() }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		c.Close()
		t.Fatal("an idle connection was still open 10 s after a 300 ms idle timeout")
	}
	// A busy one is not: commands keep working on new connections.
	if _, errOut, code := f.ssh("alice", "cr", "list"); code != 0 {
		t.Errorf("cr list after an idle close: exit %d: %s", code, errOut)
	}
}

// Shutdown quits open terminal UIs with a message, refuses new
// connections, and returns once every session ended.
func TestShutdownEndsTerminalUIs(t *testing.T) {
	f := newFixture(t, nil)
	sess, _, out := f.tui("bob", 100, 30, nil)
	waitFor(t, "bob's UI", 10*time.Second, func() bool { return strings.Contains(out.String(), "as bob") })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if code := exitStatus(t, sess, 10*time.Second); code != 1 {
		t.Errorf("UI session at shutdown: exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "the server is shutting down") {
		t.Errorf("the UI session was not told why it ended:\n%q", out.String())
	}
	if _, errOut, code := f.ssh("alice", "cr", "list"); code != 255 || !strings.Contains(errOut, "refused") {
		t.Errorf("connecting after shutdown: exit %d, stderr %q; want 255, connection refused", code, errOut)
	}
}

// holdStore holds a read transaction open until the returned func is
// called: other reads (a connection's key lookup) go on, but a command that
// writes waits for it, so it is still running.
func holdStore(t testing.TB, path string) (release func()) {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	locked, done := make(chan struct{}), make(chan struct{})
	finished := make(chan error, 1)
	go func() {
		finished <- st.View(func(*store.Tx) error {
			close(locked)
			<-done
			return nil
		})
	}()
	<-locked
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(done)
			if err := <-finished; err != nil {
				t.Errorf("holding the store: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

type sshResult struct {
	out, errOut string
	code        int
}

// approvalWaitingForTheStore starts bob's `cr approve 1` over SSH while a
// read holds the store, and returns once the session runs: the approval
// waits for release, and its result arrives on done.
func (f *fixture) approvalWaitingForTheStore() (release func(), done <-chan sshResult) {
	f.t.Helper()
	release = holdStore(f.t, f.srv.StorePath())
	results := make(chan sshResult, 1)
	go func() {
		out, errOut, code := f.ssh("bob", "cr", "approve", "1")
		results <- sshResult{out, errOut, code}
	}()
	waitFor(f.t, "bob's command started", 10*time.Second, func() bool { return strings.Contains(f.log.String(), `command "cr approve 1"`) })
	return release, results
}

// A shutdown lets a running command finish and print its whole answer,
// while new connections are already refused.
func TestShutdownLetsRunningCommandsFinish(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.DrainTimeout = 20 * time.Second })
	release, done := f.approvalWaitingForTheStore()
	stopped := make(chan error, 1)
	go func() { stopped <- f.srv.Shutdown(context.Background()) }()
	waitFor(t, "new connections refused", 10*time.Second, func() bool {
		c, err := net.Dial("tcp", f.srv.Addr().String())
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-stopped:
		t.Fatalf("shutdown returned (%v) while a command was still running", err)
	default:
	}
	release()
	r := <-done
	if want := "CR-0001: bob approved. It is now Approved.\n"; r.code != 0 || r.out != want {
		t.Errorf("command drained by the shutdown: exit %d, stdout %q, stderr %q; want exit 0 and %q", r.code, r.out, r.errOut, want)
	}
	if err := <-stopped; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// A command still running when the drain time is over is cancelled and
// its connection closed: a shutdown never waits forever.
func TestShutdownCancelsCommandsAfterTheDrainTime(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.DrainTimeout = 200 * time.Millisecond })
	release, done := f.approvalWaitingForTheStore()
	start := time.Now()
	if err := f.srv.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	r := <-done
	if r.code == 0 {
		t.Errorf("a command cut off by the shutdown exited 0: %q", r.out)
	}
	if !strings.Contains(f.log.String(), "1 session(s) still running after 200ms: cancelling them") {
		t.Errorf("the log does not say the shutdown cancelled a session:\n%s", f.log.String())
	}
	// The command gave up on the busy store within its own 3 s timeout at
	// the latest; the shutdown returned right after.
	if took := time.Since(start); took > 3*store.DefaultTimeout {
		t.Errorf("shutdown took %s", took)
	}
	release()
	if show, _ := f.local("alice", 0, "cr", "show", "1"); !strings.Contains(show, "Pending Approval") {
		t.Errorf("the cancelled approval was written anyway:\n%s", show)
	}
}

// Beyond MaxSessions, a new connection is turned away at once and the log
// says why; the open session is unaffected.
func TestMaxSessionsRefusesMore(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxSessions = 1 })
	sess, in, out := f.tui("bob", 100, 30, nil)
	waitFor(t, "bob's UI", 10*time.Second, func() bool { return strings.Contains(out.String(), "as bob") })
	if _, errOut, code := f.ssh("alice", "cr", "list"); code != 255 {
		t.Errorf("a second connection with MaxSessions 1: exit %d (%s), want 255", code, errOut)
	}
	if !strings.Contains(f.log.String(), "connections open (the maximum)") {
		t.Errorf("the log does not say why the connection was refused:\n%s", f.log.String())
	}
	if _, err := in.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(t, sess, 10*time.Second); code != 0 {
		t.Errorf("bob's session: exit %d, want 0", code)
	}
}

// A decision taken in the terminal UI over SSH is the session user's, and
// signed for their session like a command's.
func TestApprovingInTheTerminalUIOverSSH(t *testing.T) {
	f := newFixture(t, nil)
	sess, in, out := f.tui("bob", 100, 30, nil)
	send := func(keys string) {
		t.Helper()
		if _, err := in.Write([]byte(keys)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "bob's UI", 10*time.Second, func() bool { return strings.Contains(out.String(), "as bob") })
	send("2")
	waitFor(t, "the approvals screen", 10*time.Second, func() bool { return strings.Contains(out.String(), "approve") })
	send("a")
	waitFor(t, "the approval dialog", 10*time.Second, func() bool { return strings.Contains(out.String(), "Approve CR-0001") })
	send("\r")
	waitFor(t, "bob's approval in the store", 10*time.Second, func() bool {
		show, _ := f.local("alice", 0, "cr", "show", "1")
		return strings.Contains(show, "Approved")
	})
	if ev := f.lastEvent(); ev.User != "bob" || ev.Action != "approve" || ev.Details[model.DetailSessionKey] != testkeys.Of("bob").Fingerprint() {
		t.Errorf("the UI's approval event: user %q, action %q, session key %q", ev.User, ev.Action, ev.Details[model.DetailSessionKey])
	}
	send("q")
	if code := exitStatus(t, sess, 10*time.Second); code != 0 {
		t.Errorf("quitting: exit %d", code)
	}
}
