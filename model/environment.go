package model

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// EnvKind says whether an environment is a production org or a sandbox.
type EnvKind string

// Environment kinds.
const (
	KindProduction EnvKind = "production"
	KindSandbox    EnvKind = "sandbox"
)

// Connection says how relman reaches an environment.
type Connection string

// Connections: a Salesforce org over its APIs, or a local directory of metadata.
const (
	ConnSalesforce Connection = "salesforce"
	ConnLocal      Connection = "local"
)

// AuthMethod is how relman obtains an access token for a Salesforce org.
type AuthMethod string

// Auth methods (cli.md `env add --auth`).
const (
	AuthAccessToken       AuthMethod = "access-token"
	AuthRefreshToken      AuthMethod = "refresh-token"
	AuthPassword          AuthMethod = "password"
	AuthJWT               AuthMethod = "jwt"
	AuthClientCredentials AuthMethod = "client-credentials"
	AuthSfdxURL           AuthMethod = "sfdx-url"
	AuthSfAlias           AuthMethod = "sf-alias"
)

// AuthMethods lists every method in the order help and forms show them.
var AuthMethods = []AuthMethod{AuthAccessToken, AuthRefreshToken, AuthPassword, AuthJWT,
	AuthClientCredentials, AuthSfdxURL, AuthSfAlias}

// Environment is a saved org: a Salesforce org or a local metadata directory.
// Secrets live in Credentials, which is never serialised with the rest: the
// store seals it separately.
type Environment struct {
	Name       string     `json:"name"`
	Kind       EnvKind    `json:"kind"`
	Connection Connection `json:"connection"`
	// Dir is the metadata directory of a local environment.
	Dir string `json:"dir,omitempty"`
	// URL is the login (or instance) URL of a Salesforce environment.
	URL      string     `json:"url,omitempty"`
	Auth     AuthMethod `json:"auth,omitempty"`
	ClientID string     `json:"clientId,omitempty"`
	Username string     `json:"username,omitempty"`
	// KeyFile is the path of the JWT signing key; the key itself stays in that file.
	KeyFile string `json:"keyFile,omitempty"`
	// Alias names a Salesforce CLI login to reuse.
	Alias string `json:"alias,omitempty"`
	// AllowHosts are hosts outside Salesforce's domains a token answer may
	// send API calls to (`env add --allow-host`): a proxy or private
	// domain the user vouches for.
	AllowHosts []string `json:"allowHosts,omitempty"`
	// OrgID is the org the environment was first tested against: a later
	// sign-in that lands in another org is refused.
	OrgID       string      `json:"orgId,omitempty"`
	Credentials Credentials `json:"-"`
	LastTest    *TestResult `json:"lastTest,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

// TestResult is the outcome of the latest Test Connection.
type TestResult struct {
	At         time.Time `json:"at"`
	OK         bool      `json:"ok"`
	OrgID      string    `json:"orgId,omitempty"`
	User       string    `json:"user,omitempty"`
	APIVersion string    `json:"apiVersion,omitempty"`
	Instance   string    `json:"instance,omitempty"`
	Message    string    `json:"message,omitempty"`
}

// Credentials are an environment's secrets. They print as "[redacted]" under
// every fmt verb so a stray %v can never leak them.
type Credentials struct {
	AccessToken  string `json:"accessToken,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	Password     string `json:"password,omitempty"`
	SfdxAuthURL  string `json:"sfdxAuthUrl,omitempty"`
}

// IsZero reports whether no secret is set.
func (c Credentials) IsZero() bool { return c == Credentials{} }

// String implements fmt.Stringer without revealing anything.
func (c Credentials) String() string {
	if c.IsZero() {
		return "[none]"
	}
	return "[redacted]"
}

// GoString implements fmt.GoStringer without revealing anything.
func (c Credentials) GoString() string { return c.String() }

// Format implements fmt.Formatter so that %v, %+v, %#v, %s and %q all redact.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

var envNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)

// ValidateEnvironment checks an environment before it is stored.
func ValidateEnvironment(e Environment) error {
	if !envNamePattern.MatchString(e.Name) {
		return fmt.Errorf("environment name %q: use 1–64 letters, digits, '.', '_' or '-', starting with a letter", e.Name)
	}
	if e.Kind != KindProduction && e.Kind != KindSandbox {
		return fmt.Errorf("environment %s: kind %q must be production or sandbox (--kind)", e.Name, e.Kind)
	}
	switch e.Connection {
	case ConnLocal:
		if e.Dir == "" {
			return fmt.Errorf("environment %s: a local environment needs a directory (--dir)", e.Name)
		}
	case ConnSalesforce:
		if e.URL == "" {
			return fmt.Errorf("environment %s: a Salesforce environment needs a login or instance URL (--url)", e.Name)
		}
		if !validAuth(e.Auth) {
			return fmt.Errorf("environment %s: auth method %q is not one of %v (--auth)", e.Name, e.Auth, AuthMethods)
		}
		if missing := missingAuthFields(e); len(missing) > 0 {
			return fmt.Errorf("environment %s: auth method %s needs %s", e.Name, e.Auth, strings.Join(missing, ", "))
		}
	default:
		return fmt.Errorf("environment %s: give either --dir DIR or --url URL --auth METHOD", e.Name)
	}
	return nil
}

// missingAuthFields names the flags an auth method needs that are not set.
func missingAuthFields(e Environment) []string {
	var missing []string
	need := func(ok bool, flag string) {
		if !ok {
			missing = append(missing, flag)
		}
	}
	c := e.Credentials
	switch e.Auth {
	case AuthAccessToken:
		need(c.AccessToken != "", "--token (or SF_ACCESS_TOKEN)")
	case AuthRefreshToken:
		need(c.RefreshToken != "", "--refresh-token")
		need(e.ClientID != "", "--client-id")
	case AuthPassword:
		need(e.Username != "", "--username")
		need(c.Password != "", "--password (or RELMAN_PASSWORD)")
		need(e.ClientID != "", "--client-id")
	case AuthJWT:
		need(e.ClientID != "", "--client-id")
		need(e.Username != "", "--username")
		need(e.KeyFile != "", "--key")
	case AuthClientCredentials:
		need(e.ClientID != "", "--client-id")
		need(c.ClientSecret != "", "--client-secret (or RELMAN_CLIENT_SECRET)")
	case AuthSfdxURL:
		need(c.SfdxAuthURL != "", "--sfdx-url-file")
	case AuthSfAlias:
		need(e.Alias != "", "--alias")
	}
	return missing
}

func validAuth(m AuthMethod) bool {
	for _, a := range AuthMethods {
		if a == m {
			return true
		}
	}
	return false
}

// Passed reports whether the environment's latest Test Connection succeeded.
func (e Environment) Passed() bool { return e.LastTest != nil && e.LastTest.OK }

// SameOrgID compares org ids by their first 15 characters: an
// 18-character id names the same org as its 15-character form.
func SameOrgID(a, b string) bool {
	return len(a) >= 15 && len(b) >= 15 && strings.EqualFold(a[:15], b[:15])
}
