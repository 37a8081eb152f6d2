package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"relman/model"
	"relman/model/sshsig"
	"relman/store"
)

// Defaults of Config (cli.md `relman serve`).
const (
	DefaultAddr         = "127.0.0.1:2323"
	DefaultIdleTimeout  = 30 * time.Minute
	DefaultDrainTimeout = 30 * time.Second
	DefaultMaxSessions  = 64
)

// disconnectGrace is how long a shutdown waits for clients whose sessions
// all ended to close their connections before it closes them.
const disconnectGrace = 2 * time.Second

// Config configures Start. Zero fields take the defaults above.
type Config struct {
	// Addr is the TCP address to listen on; port 0 picks a free one.
	Addr string
	// StorePath is the store every session works on.
	StorePath string
	// HostKeyPath is the server's private host key, created (ed25519, 0600)
	// when absent; DefaultHostKeyPath(StorePath) when empty.
	HostKeyPath string
	// IdleTimeout closes a connection that sent and received nothing for
	// this long.
	IdleTimeout time.Duration
	// DrainTimeout is how long a shutdown lets running commands finish
	// before cancelling them.
	DrainTimeout time.Duration
	// MaxSessions bounds the sessions (and connections) open at once.
	MaxSessions int
	// Log receives one line per connection refused, session started and
	// session ended, and per backup; io.Discard when nil.
	Log io.Writer
	// Backups, when Backups.Dir is set, are taken at start and on schedule.
	Backups Backups
}

// Server is a running relman serve.
type Server struct {
	cfg     Config
	store   *store.Store
	hostKey gossh.Signer
	ssh     *ssh.Server
	ln      net.Listener
	served  chan error

	sessions *tracker
	// draining is closed when Shutdown begins: terminal UIs quit.
	draining     chan struct{}
	shutdownOnce sync.Once
	shutdownErr  error
	// cancelCommands ends the commands still running when the drain time
	// is over; commandsCtx is their parent.
	commandsCtx    context.Context
	cancelCommands context.CancelFunc

	// backupsDone is closed when the backup schedule has stopped; nil
	// without one.
	backupsDone chan struct{}

	logMu sync.Mutex
	// hostKeyCreated is set when Start generated the host key.
	hostKeyCreated bool
}

// Start opens the store, loads or creates the host key, listens on
// cfg.Addr and serves in the background until Shutdown.
func Start(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.HostKeyPath == "" {
		cfg.HostKeyPath = DefaultHostKeyPath(cfg.StorePath)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if err := checkBackups(cfg.Backups); err != nil {
		return nil, err
	}
	st, err := store.Open(cfg.StorePath)
	if err != nil {
		return nil, err
	}
	// Sessions name the store by its absolute path: their working
	// directory is the server's, not theirs.
	cfg.StorePath = st.Path()
	hostKey, created, err := loadHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, hostKey: hostKey, hostKeyCreated: created, served: make(chan error, 1),
		sessions: newTracker(cfg.MaxSessions), draining: make(chan struct{})}
	s.commandsCtx, s.cancelCommands = context.WithCancel(context.Background())
	s.ssh, err = wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithVersion("relman"),
		func(srv *ssh.Server) error { srv.AddHostKey(hostKey); return nil },
		wish.WithPublicKeyAuth(s.authenticate),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		ssh.EmulatePty(),
		ssh.WrapConn(s.admitConn),
		func(srv *ssh.Server) error { srv.Handler = s.handle; return nil },
	)
	if err != nil {
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("serve: listening on %s: %v; choose another --addr", cfg.Addr, err)
	}
	go func() { s.served <- s.ssh.Serve(s.ln) }()
	if cfg.Backups.Dir != "" {
		s.backupsDone = make(chan struct{})
		go func() {
			defer close(s.backupsDone)
			s.runBackups(cfg.Backups, s.draining)
		}()
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// HostKey is the server's public host key, for known_hosts.
func (s *Server) HostKey() gossh.PublicKey { return s.hostKey.PublicKey() }

// HostKeyPath is the file the host key was read from or written to, and
// whether Start created it.
func (s *Server) HostKeyPath() (string, bool) { return s.cfg.HostKeyPath, s.hostKeyCreated }

// StorePath is the absolute path of the store the sessions share.
func (s *Server) StorePath() string { return s.cfg.StorePath }

// Shutdown stops the server gracefully: it stops accepting connections,
// quits every terminal UI, lets running commands finish for up to
// DrainTimeout, then cancels those still running and closes every
// connection. It returns once nothing is left, or when ctx ends first.
// Later calls wait for the first and return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() { s.shutdownErr = s.shutdown(ctx) })
	return s.shutdownErr
}

func (s *Server) shutdown(ctx context.Context) error {
	s.ln.Close()
	close(s.draining)
	drainCtx, cancel := context.WithTimeout(ctx, s.cfg.DrainTimeout)
	defer cancel()
	drained := s.sessions.wait(drainCtx) == nil
	if !drained {
		s.logf("shutdown: %d session(s) still running after %s: cancelling them", s.sessions.count(), s.cfg.DrainTimeout)
	}
	// Cancelling ends commands that watch their context; closing every
	// connection ends the rest (one blocked writing to a client, say).
	s.cancelCommands()
	if drained {
		// Every session ended and told its client so: clients hang up by
		// themselves, and are given a moment to, so none sees a reset.
		graceCtx, cancel := context.WithTimeout(ctx, disconnectGrace)
		defer cancel()
		s.ssh.Shutdown(graceCtx)
	}
	err := s.ssh.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	if werr := s.sessions.wait(ctx); werr != nil {
		err = errors.Join(err, fmt.Errorf("serve: %d session(s) did not end: %w", s.sessions.count(), werr))
	}
	if serr := <-s.served; serr != nil && !errors.Is(serr, ssh.ErrServerClosed) && !errors.Is(serr, net.ErrClosed) {
		err = errors.Join(err, serr)
	}
	if s.backupsDone != nil {
		// A backup under way is finished, never left half written.
		<-s.backupsDone
	}
	return err
}

// admitConn refuses a connection beyond MaxSessions before its handshake.
func (s *Server) admitConn(ctx ssh.Context, conn net.Conn) net.Conn {
	if !s.sessions.admitConn() {
		s.logf("refused connection from %s: %d connections open (the maximum)", conn.RemoteAddr(), s.cfg.MaxSessions)
		return nil
	}
	go func() {
		<-ctx.Done()
		s.sessions.releaseConn()
	}()
	return conn
}

// authenticate admits a key that belongs to a registered user. It runs for
// every key a client offers, before the client proves it holds the private
// half, so it only looks the key up; sessions look it up again.
func (s *Server) authenticate(ctx ssh.Context, key ssh.PublicKey) bool {
	_, ok, err := s.userByKey(key)
	switch {
	case err != nil:
		s.logf("refused key %s from %s (ssh user %q): looking it up failed: %v", gossh.FingerprintSHA256(key), ctx.RemoteAddr(), ctx.User(), err)
	case !ok:
		s.logf("refused key %s (%s) from %s (ssh user %q): not a registered user's key (relman user add, relman user key add)",
			gossh.FingerprintSHA256(key), key.Type(), ctx.RemoteAddr(), ctx.User())
	}
	return err == nil && ok
}

// userByKey returns the registered person one of whose keys is key; ok is
// false when the key is nobody's, or a server's (a host key never logs
// in). The store is asked every time, so a user or key removed is out at
// once.
func (s *Server) userByKey(key gossh.PublicKey) (user model.User, ok bool, err error) {
	pub := sshsig.AuthorizedKey(key)
	err = s.store.View(func(tx *store.Tx) error {
		users, err := tx.Users()
		for _, u := range users {
			if u.HasPublicKey(pub) && !u.Has(model.RoleServer) {
				user, ok = u, true
			}
		}
		return err
	})
	return user, ok, err
}

// logf writes one timestamped line to the log. Values that come from
// clients are quoted by the callers (%q), so no client can write control
// characters into the server's terminal or log.
func (s *Server) logf(format string, a ...any) {
	line := time.Now().UTC().Format(time.RFC3339) + " relman serve: " + strings.TrimRight(fmt.Sprintf(format, a...), "\n") + "\n"
	s.logMu.Lock()
	defer s.logMu.Unlock()
	io.WriteString(s.cfg.Log, line)
}
