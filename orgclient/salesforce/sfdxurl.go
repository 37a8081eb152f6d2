package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
)

// SfdxAuth is a parsed SFDX auth URL. String and the fmt verbs show only the
// client id and host; URL gives back the secret-bearing form.
type SfdxAuth struct {
	ClientID     string
	ClientSecret string
	RefreshToken string
	// LoginURL is where the refresh grant goes: https://<host> (§1.3).
	LoginURL string
}

// sfdxAuthURLPattern is sfdx-core's parse regex (§1.3). It is anchored only
// at the start: sfdx-core ignores anything after the host, so do we.
var sfdxAuthURLPattern = regexp.MustCompile(`^force://([a-zA-Z0-9._-]+={0,2}):([a-zA-Z0-9._-]*={0,2}):([a-zA-Z0-9._-]+={0,2})@([a-zA-Z0-9:._-]+)`)

const sfdxAuthURLFormat = "expected force://<clientId>:<clientSecret>:<refreshToken>@<host> (the host without https://), " +
	"as printed by `sf org auth show-sfdx-auth-url --target-org ALIAS`"

// ParseSfdxAuthURL parses an SFDX auth URL, or the JSON that `sf` writes
// around one (top-level "sfdxAuthUrl" or "result.sfdxAuthUrl", §1.3), with
// sfdx-core's semantics. The login URL is https://<host>, except for a
// loopback host (the simulator), which gets http. Errors never quote the
// input, which holds a refresh token.
func ParseSfdxAuthURL(s string) (SfdxAuth, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		u, err := sfdxURLFromJSON(s)
		if err != nil {
			return SfdxAuth{}, err
		}
		s = u
	}
	m := sfdxAuthURLPattern.FindStringSubmatch(s)
	if m == nil {
		return SfdxAuth{}, errors.New("SFDX auth URL: " + sfdxAuthProblem(s) + "; " + sfdxAuthURLFormat)
	}
	scheme := "https://"
	if h, _, err := net.SplitHostPort(m[4]); (err == nil && isLoopback(h)) || isLoopback(m[4]) {
		scheme = "http://"
	}
	return SfdxAuth{ClientID: m[1], ClientSecret: m[2], RefreshToken: m[3], LoginURL: scheme + m[4]}, nil
}

// sfdxAuthProblem says what is wrong in words that quote nothing secret.
func sfdxAuthProblem(s string) string {
	rest, ok := strings.CutPrefix(s, "force://")
	switch {
	case s == "":
		return "the value is empty"
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		return "it starts with http(s)://, not force://"
	case !ok:
		return "it does not start with force://"
	case !strings.Contains(rest, "@"):
		return "there is no @ before the host"
	}
	creds, host, _ := strings.Cut(rest, "@")
	parts := strings.Split(creds, ":")
	switch {
	case len(parts) != 3:
		return fmt.Sprintf("the part before @ has %d colons, not 2", len(parts)-1)
	case parts[0] == "":
		return "the client id is empty"
	case parts[2] == "":
		return "the refresh token is empty"
	case host == "" || strings.ContainsAny(host[:1], "/:"):
		return "the host after @ is missing"
	}
	return "a part contains a character other than letters, digits, '.', '_', '-' or trailing '='"
}

func sfdxURLFromJSON(s string) (string, error) {
	var v struct {
		SfdxAuthURL string `json:"sfdxAuthUrl"`
		Result      struct {
			SfdxAuthURL string `json:"sfdxAuthUrl"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "", errors.New("SFDX auth URL: the value starts with { but is not valid JSON; give the force:// URL or the JSON from `sf org auth show-sfdx-auth-url --json`")
	}
	if v.SfdxAuthURL != "" {
		return v.SfdxAuthURL, nil
	}
	if v.Result.SfdxAuthURL != "" {
		return v.Result.SfdxAuthURL, nil
	}
	return "", errors.New("SFDX auth URL: the JSON has no sfdxAuthUrl (top level or under result); run `sf org auth show-sfdx-auth-url --target-org ALIAS --json`")
}

// URL renders the secret-bearing force:// form (§1.3), e.g. to store a
// rotated refresh token. Never print it.
func (a SfdxAuth) URL() string {
	host := a.LoginURL
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	return "force://" + a.ClientID + ":" + a.ClientSecret + ":" + a.RefreshToken + "@" + host
}

// String shows the client id and login URL only.
func (a SfdxAuth) String() string {
	return "SfdxAuth{ClientID: " + a.ClientID + ", LoginURL: " + a.LoginURL + ", secrets: [redacted]}"
}

// GoString redacts like String.
func (a SfdxAuth) GoString() string { return a.String() }

// Format redacts under every verb, %+v and %#v included.
func (a SfdxAuth) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, a.String()) }
