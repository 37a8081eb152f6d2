package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// Server is a running simulated org. Its methods may be called from several
// goroutines.
type Server struct {
	cfg     Config
	org     *local.Org
	orgID   string // 18 characters
	userID  string // 18 characters
	user    string // username
	url     string
	created time.Time // the org's creation date, reported on components
	now     func() time.Time

	// orgMu guards the directory: reads (list, retrieve, dependencies,
	// deploy checks) hold it shared, a deploy's write exclusively.
	orgMu sync.RWMutex

	modMu   sync.Mutex
	changed map[metadata.Component]time.Time // when this simulator last deployed a component, or noticed an out-of-band edit
	track   tracker                          // out-of-band edits (outofband.go)

	auth    authState
	usage   usage
	jobs    jobTable
	cursors cursorTable

	rngMu sync.Mutex
	rng   *rand.Rand
	// dropped counts answers cut by Faults.Drop.
	dropped atomic.Int64

	// lane admits one deploy at a time: a real org queues deploys (and
	// validations) behind the one in progress, reporting them Pending.
	lane chan struct{}

	ln     net.Listener
	http   *http.Server
	ctx    context.Context // ends when the server closes: stops jobs
	stop   context.CancelFunc
	wg     sync.WaitGroup // running jobs
	closed sync.Once
	cerr   error
}

// Start opens cfg.Dir as the org's metadata, listens on cfg.Addr and serves
// in the background until Close is called or ctx ends.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	org, err := local.Open(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("sim: listen on %s: %w", cfg.Addr, err)
	}
	s := &Server{
		cfg:     cfg,
		org:     org,
		orgID:   sfID("00D", "8d0000"+hashedBody("org:"+abs, 6)),
		userID:  sfID("005", "8d0000"+hashedBody("user:"+abs, 6)),
		user:    cfg.Username,
		url:     "http://" + ln.Addr().String(),
		created: time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC),
		now:     time.Now,
		lane:    make(chan struct{}, 1),
		changed: map[metadata.Component]time.Time{},
		ln:      ln,
	}
	if s.user == "" {
		s.user = "admin@relman.sim"
	}
	seed := uint64(cfg.Faults.Seed)
	if seed == 0 {
		seed = rand.Uint64()
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x5eed))
	s.auth.init(s, cfg.Token, cfg.RefreshToken)
	s.usage.limit = cfg.Faults.RequestLimit
	s.jobs.deploys, s.jobs.retrieves = map[string]*deployJob{}, map[string]*retrieveJob{}
	s.cursors.init()
	s.ctx, s.stop = context.WithCancel(context.Background())
	if err := s.rememberContent(ctx); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("sim: reading %s: %w", cfg.Dir, err)
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// URL is the org's instance URL (and login URL), e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// AccessToken is the most recently issued access token.
func (s *Server) AccessToken() string { return s.auth.current() }

// RefreshToken is the refresh token the org accepts (client id: any, e.g.
// "relman").
func (s *Server) RefreshToken() string { return s.auth.refreshToken }

// OrgID is the org's 18-character id.
func (s *Server) OrgID() string { return s.orgID }

// Close stops serving, cancels running jobs and waits for them; a deploy
// already writing to the directory finishes its write first.
func (s *Server) Close() error {
	s.closed.Do(func() {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := s.http.Shutdown(shut)
		if errors.Is(err, context.DeadlineExceeded) {
			err = s.http.Close()
		}
		s.stop()
		s.wg.Wait()
		s.cerr = err
	})
	return s.cerr
}

// routes maps the endpoints of §6's checklist.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", s.handleToken)
	mux.HandleFunc("/services/oauth2/revoke", s.handleRevoke)
	mux.HandleFunc("GET /services/oauth2/userinfo", s.handleUserInfo)
	mux.HandleFunc("GET /id/{org}/{user}", s.handleIdentity)
	mux.HandleFunc("GET /services/data", s.handleVersions)
	mux.HandleFunc("GET /services/data/{$}", s.handleVersions)
	mux.HandleFunc("/services/data/{ver}", s.handleREST)
	mux.HandleFunc("/services/data/{ver}/{rest...}", s.handleREST)
	mux.HandleFunc("/services/Soap/m/{ver}", s.handleSOAP)
	mux.HandleFunc("/services/Soap/m/{ver}/{rest...}", s.handleSOAP)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	})
	return s.withDrops(s.withLatency(collapseSlashes(mux)))
}

// collapseSlashes serves "//services/data" as "/services/data": the
// Salesforce CLI keeps instance URLs with a trailing slash and joins paths
// to them, and a real org answers such requests instead of redirecting.
func collapseSlashes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "//") {
			r2 := r.Clone(r.Context())
			for strings.Contains(r2.URL.Path, "//") {
				r2.URL.Path = strings.ReplaceAll(r2.URL.Path, "//", "/")
			}
			r2.URL.RawPath = ""
			r = r2
		}
		h.ServeHTTP(w, r)
	})
}

// withLatency delays every request by Faults.Latency (§6).
func (s *Server) withLatency(h http.Handler) http.Handler {
	d := s.cfg.Faults.Latency
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}
