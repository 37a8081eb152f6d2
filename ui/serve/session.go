package serve

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"relman/model"
	"relman/ui"
	"relman/ui/actions"
	"relman/ui/cli"
)

// Exit statuses of sessions refused before relman runs (cli.md's codes).
const (
	exitFailed = 1
	exitUsage  = 2
)

// sessionActorKey holds the session's actor in its context, for the
// terminal UI's program handler.
type sessionActorKey struct{}

// handle runs one session: the terminal UI, or one command.
func (s *Server) handle(sess ssh.Session) {
	ok, shuttingDown := s.sessions.begin()
	if !ok {
		why := fmt.Sprintf("%d sessions are open (the maximum); try again in a moment", s.cfg.MaxSessions)
		if shuttingDown {
			why = "the server is shutting down"
		}
		fmt.Fprintf(sess.Stderr(), "relman serve: %s\n", why)
		sess.Exit(exitFailed)
		return
	}
	defer s.sessions.end()
	key := sess.PublicKey()
	user, known, err := s.userByKey(key)
	if err != nil {
		s.logf("session of key %s from %s: reading the users: %v", gossh.FingerprintSHA256(key), sess.RemoteAddr(), err)
		fmt.Fprintf(sess.Stderr(), "relman serve: reading the registered users failed (%v); try again in a moment\n", err)
		sess.Exit(exitFailed)
		return
	}
	if !known {
		// The key was registered when the connection authenticated and is
		// not any more (user rm, user key rm): the session ends.
		s.logf("refused session of key %s from %s: no longer a registered user's key", gossh.FingerprintSHA256(key), sess.RemoteAddr())
		fmt.Fprintln(sess.Stderr(), "relman serve: your key is no longer registered; ask an admin (relman user key add)")
		sess.Exit(exitFailed)
		return
	}
	args := sess.Command()
	// `ssh HOST relman cr list` reads like the local command: allow it.
	if len(args) > 0 && args[0] == "relman" {
		args = args[1:]
	}
	_, _, hasPty := sess.Pty()
	actor, signs, closeAgent := s.actor(sess, user)
	defer closeAgent()
	who := fmt.Sprintf("%s (%s) from %s", user.Name, gossh.FingerprintSHA256(key), sess.RemoteAddr())
	started := time.Now()
	var code int
	switch {
	case len(args) > 0:
		s.logf("session %s: command %q, %s", who, strings.Join(args, " "), signs)
		code = s.survive(sess.Stderr(), who, func() int { return s.runCommand(sess, actor, args) })
	case hasPty:
		s.logf("session %s: terminal UI, %s", who, signs)
		code = s.survive(sess.Stderr(), who, func() int { return s.runUI(sess, actor) })
	default:
		fmt.Fprintf(sess.Stderr(), "relman serve: give a command (ssh -p PORT HOST cr list), or ask for a terminal for the UI (ssh -t -p PORT HOST)\n")
		code = exitUsage
	}
	s.logf("session %s ended: exit %d after %s", who, code, time.Since(started).Round(time.Millisecond))
	sess.Exit(code)
}

// survive runs one session's work so that a panic in it ends that session
// alone, with exit status 1 and a line in the log, never the server and
// everyone else's sessions.
func (s *Server) survive(stderr io.Writer, who string, run func() int) (code int) {
	defer func() {
		if r := recover(); r != nil {
			s.logf("session %s: relman failed inside (a bug): %v\n%s", who, r, debug.Stack())
			fmt.Fprintln(stderr, "relman serve: relman failed inside and ended this session; what it saved stays saved (every change commits with its audit event or not at all)")
			code = exitFailed
		}
	}()
	return run()
}

// runCommand runs one relman command line as user with the session's
// stdin, stdout and stderr, and returns its exit code.
func (s *Server) runCommand(sess ssh.Session, actor model.Actor, args []string) int {
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	// A shutdown past its drain time cancels the command.
	stop := context.AfterFunc(s.commandsCtx, cancel)
	defer stop()
	env := s.environment(sess)
	return cli.Run(ctx, args, cli.IO{In: sess, Out: sess, Err: sess.Stderr(), Getenv: env.Getenv, Actor: &actor})
}

// runUI runs the terminal UI as user on the session's terminal until the
// user quits, the connection ends or the server shuts down.
func (s *Server) runUI(sess ssh.Session, actor model.Actor) int {
	sess.Context().SetValue(sessionActorKey{}, actor)
	// The wish middleware feeds the pty's size and every resize to the
	// program, and quits it when the connection ends.
	bm.MiddlewareWithProgramHandler(func(sess ssh.Session) *tea.Program {
		p := s.program(sess)
		go func() {
			select {
			case <-s.draining:
				p.Quit()
			case <-sess.Context().Done():
			}
		}()
		return p
	}, termenv.Ascii)(func(ssh.Session) {})(sess)
	select {
	case <-s.draining:
		fmt.Fprintln(sess.Stderr(), "relman serve: the server is shutting down; everything saved stays saved")
		return exitFailed
	default:
		return 0
	}
}

// program builds the terminal UI for a session, styled for its terminal.
func (s *Server) program(sess ssh.Session) *tea.Program {
	actor, _ := sess.Context().Value(sessionActorKey{}).(model.Actor)
	env := s.environment(sess)
	svc := actions.New(s.store, actor)
	svc.Remote = true
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
	// Set both now: left unset, the renderer would find them out by
	// querying the terminal, reading the session's input meant for the UI.
	r.SetColorProfile(termenv.NewOutput(sess, termenv.WithEnvironment(env), termenv.WithUnsafe()).EnvColorProfile())
	r.SetHasDarkBackground(true)
	return ui.NewProgram(svc, ui.Options{In: sess, Out: sess, NoColor: env.Getenv("NO_COLOR") != "", Renderer: r})
}

// sessionEnv is all a session's relman sees of environment variables: the
// server's store and the client's terminal settings. Nothing of the server's own environment (its secrets) and
// nothing else a client sends (SendEnv) gets through.
type sessionEnv map[string]string

// forwardedEnv are the variables a client may set (ssh -o SendEnv=…).
var forwardedEnv = []string{"NO_COLOR", "COLORTERM"}

func (s *Server) environment(sess ssh.Session) sessionEnv {
	env := sessionEnv{"RELMAN_STORE": s.cfg.StorePath}
	for _, kv := range sess.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		for _, f := range forwardedEnv {
			if k == f {
				env[k] = v
			}
		}
	}
	if pty, _, ok := sess.Pty(); ok {
		env["TERM"] = pty.Term
	}
	return env
}

// Getenv implements termenv.Environ and cli.IO's Getenv.
func (e sessionEnv) Getenv(k string) string { return e[k] }

// Environ implements termenv.Environ.
func (e sessionEnv) Environ() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
