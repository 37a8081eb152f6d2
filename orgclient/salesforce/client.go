package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"relman/model"
)

// DefaultLoginURL is the production login host (§1.1).
const DefaultLoginURL = "https://login.salesforce.com"

// Config says which org to reach and how to sign in. Credentials print as
// "[redacted]", so a Config is safe to format.
type Config struct {
	// LoginURL is the authorization server: https://login.salesforce.com,
	// https://test.salesforce.com or a My Domain (§1.1). Default: production.
	LoginURL string
	// InstanceURL is where API calls go for access-token sign-ins (the
	// other methods learn it from the token response). If empty, LoginURL
	// is used.
	InstanceURL string
	Auth        model.AuthMethod
	// ClientID is the connected app's consumer key.
	ClientID string
	Username string
	// KeyFile is the JWT signing key: PEM, PKCS#1 or PKCS#8.
	KeyFile string
	// Alias names a Salesforce CLI login (sf-alias).
	Alias       string
	Credentials model.Credentials
	// APIVersion pins the API version ("62.0"); empty means the org's newest.
	APIVersion string
	// AllowHosts are hosts outside Salesforce's domains that a token
	// answer's instance_url may name (`env add --allow-host`).
	AllowHosts []string
	// OrgID pins the org: a sign-in that lands in another is refused.
	OrgID string
}

// ConfigFromEnvironment maps a saved environment to a Config: its URL is the
// instance URL for access-token environments and the login URL otherwise.
func ConfigFromEnvironment(env model.Environment) Config {
	c := Config{LoginURL: env.URL, Auth: env.Auth, ClientID: env.ClientID, Username: env.Username,
		KeyFile: env.KeyFile, Alias: env.Alias, Credentials: env.Credentials, AllowHosts: env.AllowHosts, OrgID: env.OrgID}
	if env.Auth == model.AuthAccessToken {
		c.InstanceURL = env.URL
	}
	return c
}

// Clock is the time source for poll and retry waits and JWT expiry; tests
// replace it to observe waits without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: one with a 10-minute
// timeout, Salesforce's own limit for a call, §5.3).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithPollInterval sets how WaitDeploy and RetrieveAndWait poll: min first,
// doubling up to max while nothing moves (default 1 s to 10 s, §5.5).
func WithPollInterval(min, max time.Duration) Option {
	return func(c *Client) { c.pollMin, c.pollMax = min, max }
}

// WithRetries sets how many times an idempotent call is retried after a 5xx
// or a timeout, with exponential backoff from 500 ms (default 3; 0 = never).
func WithRetries(n int) Option { return func(c *Client) { c.retries = n } }

// WithClock replaces the clock used for waits and JWT expiry.
func WithClock(clk Clock) Option { return func(c *Client) { c.clock = clk } }

// WithCredentialsUpdate registers fn to receive the credentials whenever
// Salesforce rotates the refresh token (refresh-token and sfdx-url sign-ins,
// §1.2): the old token stops working, so the caller must store the new one.
func WithCredentialsUpdate(fn func(model.Credentials)) Option {
	return func(c *Client) { c.credentialsChanged = fn }
}

// Client talks to one org. It signs in lazily on the first call and is safe
// for concurrent use.
type Client struct {
	hc                 *http.Client
	pollMin, pollMax   time.Duration
	retries            int
	clock              Clock
	credentialsChanged func(model.Credentials)

	loginURL string
	// alias names a Salesforce CLI login (sf-alias) in errors.
	alias string
	src   tokenSource
	// secrets are scrubbed from every error message as a last defence, in
	// case an org or the CLI echoes one back.
	secrets []string
	// signin serialises sign-ins so a burst of 401s renews only once.
	signin chan struct{}

	mu      sync.Mutex
	tok     token
	version string
}

// New builds a client. It checks the configuration (URLs, required fields,
// JWT key file, SFDX auth URL) but makes no network call.
func New(cfg Config, opts ...Option) (*Client, error) {
	c := &Client{pollMin: time.Second, pollMax: 10 * time.Second, retries: 3, clock: realClock{},
		signin: make(chan struct{}, 1)}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 10 * time.Minute}
	}
	// Every request goes through htmlGuard, so an HTML page from a wrong
	// host becomes ErrNotSalesforce wherever it appears (§5.1).
	hc := *c.hc
	hc.Transport = htmlGuard{base: c.hc.Transport}
	c.hc = &hc
	if c.pollMin <= 0 || c.pollMax < c.pollMin {
		return nil, fmt.Errorf("salesforce client: poll interval %v..%v: need 0 < min <= max", c.pollMin, c.pollMax)
	}

	login := cfg.LoginURL
	if cfg.Auth == model.AuthAccessToken {
		if cfg.InstanceURL != "" {
			login = cfg.InstanceURL
		}
		if login == "" {
			return nil, errors.New("salesforce client: auth method access-token needs the org's instance URL (--url https://<MyDomain>.my.salesforce.com)")
		}
	}
	if login == "" && cfg.Auth != model.AuthSfdxURL && cfg.Auth != model.AuthSfAlias {
		login = DefaultLoginURL
	}
	if login != "" {
		u, err := normalizeURL(login)
		if err != nil {
			return nil, fmt.Errorf("salesforce client: %w", err)
		}
		c.loginURL = u
	}
	if cfg.Auth == model.AuthSfAlias {
		c.alias = cfg.Alias
	}
	where := "salesforce client for " + c.org()
	if cfg.APIVersion != "" {
		v, err := normalizeVersion(cfg.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		c.version = v
	}
	src, err := newTokenSource(cfg, c.loginURL, authDeps{hc: c.hc, clock: c.clock, credentialsChanged: c.credentialsChanged})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	c.src = src
	cr := cfg.Credentials
	c.secrets = []string{cr.AccessToken, cr.RefreshToken, cr.ClientSecret, cr.Password, cr.SfdxAuthURL}
	if a, err := ParseSfdxAuthURL(cr.SfdxAuthURL); err == nil {
		c.secrets = append(c.secrets, a.ClientSecret, a.RefreshToken)
	}
	return c, nil
}

// scrub replaces every secret the client knows in s.
func (c *Client) scrub(s string) string {
	c.mu.Lock()
	access := c.tok.access
	c.mu.Unlock()
	for _, secret := range append(c.secrets, access) {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// String names the org without any secret.
func (c *Client) String() string { return "salesforce.Client(" + c.org() + ")" }

// InstanceURL is the org's instance URL, known after the first call.
func (c *Client) InstanceURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok.instance
}

// org names the org in errors: the instance URL once known.
func (c *Client) org() string {
	if inst := c.InstanceURL(); inst != "" {
		return inst
	}
	if c.loginURL != "" {
		return c.loginURL
	}
	if c.alias != "" {
		return "sf alias " + c.alias
	}
	return "the org"
}

func (c *Client) opErr(op string, err error) error {
	var oe *OpError
	if errors.As(err, &oe) {
		return err
	}
	return &OpError{Org: c.org(), Op: op, Err: err, scrub: c.scrub}
}

// session returns the current token, signing in if there is none yet.
func (c *Client) session(ctx context.Context) (token, error) {
	c.mu.Lock()
	t := c.tok
	c.mu.Unlock()
	if t.access != "" {
		return t, nil
	}
	return c.renew(ctx, token{})
}

// renew signs in again after the org rejected stale. If another call has
// already renewed it meanwhile, that token is used instead (§5.2).
func (c *Client) renew(ctx context.Context, stale token) (token, error) {
	select {
	case c.signin <- struct{}{}:
	case <-ctx.Done():
		return token{}, describeNetErr(ctx.Err())
	}
	defer func() { <-c.signin }()
	c.mu.Lock()
	cur := c.tok
	c.mu.Unlock()
	if cur.access != "" && cur.access != stale.access {
		return cur, nil
	}
	t, err := c.src.fetch(ctx)
	if err != nil {
		return token{}, err
	}
	c.mu.Lock()
	c.tok = t
	c.mu.Unlock()
	return t, nil
}

// APIVersion returns the pinned version or discovers the org's newest from
// GET /services/data/ (§1.7), once.
func (c *Client) APIVersion(ctx context.Context) (string, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != "" {
		return v, nil
	}
	var versions []struct {
		Version string `json:"version"`
	}
	// /services/data/ needs no auth and costs no API call (§1.7); it still
	// waits for sign-in because the instance URL comes from the token.
	if err := c.getJSON(ctx, "discover API version", "/services/data/", &versions); err != nil {
		return "", err
	}
	best, bestN := "", 0.0
	for _, e := range versions {
		n, err := strconv.ParseFloat(e.Version, 64)
		if err == nil && n > bestN {
			best, bestN = e.Version, n
		}
	}
	if best == "" {
		return "", c.opErr("discover API version", &ResponseError{StatusCode: http.StatusOK, ContentType: "application/json",
			Problem: "GET /services/data/ listed no API versions"})
	}
	best, _ = normalizeVersion(best)
	c.mu.Lock()
	c.version = best
	c.mu.Unlock()
	return best, nil
}

// normalizeVersion accepts 62, 62.0 or v62.0 and returns "62.0": Metadata
// API versions are xsd:double and must be sent as 62.0 (§5.6).
func normalizeVersion(v string) (string, error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "v")
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 1 || strings.ContainsAny(s, "eE+-") {
		return "", fmt.Errorf("API version %q: use a number such as 62.0", v)
	}
	return strconv.FormatFloat(n, 'f', 1, 64), nil
}
