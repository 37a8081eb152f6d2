package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Org kinds (Config.Kind).
const (
	KindProduction = "production"
	KindSandbox    = "sandbox"
)

// Config configures a simulated org.
type Config struct {
	// Dir is the metadata directory backing the org, in source or Metadata
	// API format (anything orgclient/local opens). Deployed changes are
	// written here, so a restarted simulator keeps them.
	Dir string
	// Addr is the listen address; default "127.0.0.1:0".
	Addr string
	// Token fixes the initial access token; default a random
	// "<orgId15>!<opaque>" token (§1.2).
	Token string
	// RefreshToken fixes the refresh token the org accepts; default random.
	// Fixing it lets a client keep its login across simulator restarts.
	RefreshToken string
	// Username and Password enable the password grant (§1.2).
	Username, Password string
	// TestDuration is how long each Apex test method runs. Deployed
	// components take a tenth of it each, so progress can be watched.
	TestDuration time.Duration
	// QueryPageSize is the number of Tooling query records per page before
	// nextRecordsUrl paging starts (§4.1); default 2000.
	QueryPageSize int
	// Faults are the failures to inject.
	Faults Faults
	// Kind is KindProduction (the default) or KindSandbox. In production a
	// deploy without a test level runs local tests when it carries Apex,
	// and rollbackOnError is always on (§2.6).
	Kind string
	// AdminName is who edits made directly in Dir (out of band, "in
	// Setup") are attributed to; default DefaultAdminName. AdminSidecar
	// overrides it per edit.
	AdminName string
}

// Faults are failures a simulated org injects to exercise clients' error
// paths (§6).
type Faults struct {
	// Latency is added before every request is answered.
	Latency time.Duration
	// ErrorRate is the fraction (0..1) of API calls answered with an
	// HTTP 500 UNKNOWN_EXCEPTION.
	ErrorRate float64
	// Seed makes ErrorRate's choices reproducible when not 0.
	Seed int64
	// ExpireSessionAfter invalidates each access token after that many API
	// calls (REST 401 / SOAP INVALID_SESSION_ID) until the client refreshes.
	ExpireSessionAfter int
	// RequestLimit is the org's API request allocation: once that many API
	// calls were made, calls get 403 REQUEST_LIMIT_EXCEEDED (§5.3).
	RequestLimit int
	// Drop is the fraction (0..1) of API calls whose connection is closed
	// halfway through the answer, after the org did the work (drop.go).
	Drop float64
	// DropOnly limits Drop to these calls: Metadata API operations or REST
	// resources joined with "+", e.g. "checkDeployStatus"; empty means all.
	DropOnly string
}

// ParseFault parses one fault flag of `relman sim --fault KIND=VALUE`:
// "latency=200ms", "error-rate=0.15", "expire-session-after=5",
// "request-limit=100", "drop=0.1" or "seed=42". The returned func sets that fault.
func ParseFault(s string) (apply func(*Faults), err error) {
	kind, value, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || value == "" {
		return nil, fmt.Errorf("fault %q: want KIND=VALUE, e.g. latency=200ms, error-rate=0.15, expire-session-after=5, request-limit=100, drop=0.1", s)
	}
	count := func() (int, error) {
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("fault %s: %q is not a positive number of calls", kind, value)
		}
		return n, nil
	}
	switch kind {
	case "latency":
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("fault latency: %q is not a duration such as 200ms", value)
		}
		return func(f *Faults) { f.Latency = d }, nil
	case "error-rate":
		r, err := strconv.ParseFloat(value, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("fault error-rate: %q is not a fraction between 0 and 1 such as 0.15", value)
		}
		return func(f *Faults) { f.ErrorRate = r }, nil
	case "seed":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("fault seed: %q is not an integer", value)
		}
		return func(f *Faults) { f.Seed = n }, nil
	case "expire-session-after":
		n, err := count()
		if err != nil {
			return nil, err
		}
		return func(f *Faults) { f.ExpireSessionAfter = n }, nil
	case "request-limit":
		n, err := count()
		if err != nil {
			return nil, err
		}
		return func(f *Faults) { f.RequestLimit = n }, nil
	case "drop":
		return parseDrop(value)
	}
	return nil, fmt.Errorf("fault %q: unknown kind %q; use latency, error-rate, seed, expire-session-after, request-limit or drop", s, kind)
}

// check validates cfg and fills in defaults.
func (cfg *Config) check() error {
	if cfg.Dir == "" {
		return fmt.Errorf("sim: Config.Dir is required: the metadata directory backing the org")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	switch cfg.Kind {
	case "":
		cfg.Kind = KindProduction
	case KindProduction, KindSandbox:
	default:
		return fmt.Errorf("sim: Config.Kind %q: use %q or %q", cfg.Kind, KindProduction, KindSandbox)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return fmt.Errorf("sim: set both Username and Password to enable the password grant, or neither")
	}
	if cfg.TestDuration < 0 {
		return fmt.Errorf("sim: Config.TestDuration is negative")
	}
	if cfg.QueryPageSize <= 0 {
		cfg.QueryPageSize = 2000
	}
	f := cfg.Faults
	if f.Latency < 0 || f.ErrorRate < 0 || f.ErrorRate > 1 || f.ExpireSessionAfter < 0 || f.RequestLimit < 0 || f.Drop < 0 || f.Drop > 1 {
		return fmt.Errorf("sim: Config.Faults out of range: latency and counts must not be negative, error and drop rates must be within 0..1")
	}
	return nil
}
