package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"relman/model"
)

// token is one access token and the instance it is valid for. Salesforce
// sends API calls to instance_url, never to the login host (§1.1). It prints
// without the access token under every fmt verb.
type token struct {
	access   string
	instance string
}

func (t token) String() string             { return "token{instance: " + t.instance + ", access: [redacted]}" }
func (t token) GoString() string           { return t.String() }
func (t token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, t.String()) }

// tokenSource signs in. The client calls fetch for the first token and again
// each time the org rejects the current one (§5.2); calls never overlap.
type tokenSource interface {
	fetch(ctx context.Context) (token, error)
}

// authDeps is what token sources need from the client.
type authDeps struct {
	hc    *http.Client
	clock Clock
	// credentialsChanged receives the credentials after Salesforce rotated
	// the refresh token (§1.2), so that the caller can store the new ones.
	credentialsChanged func(model.Credentials)
}

// newTokenSource builds the token source of cfg.Auth. It reads the JWT key
// file and parses the SFDX auth URL now, so mistakes surface in New.
func newTokenSource(cfg Config, loginURL string, d authDeps) (tokenSource, error) {
	c := cfg.Credentials
	tokenURL := loginURL + "/services/oauth2/token"
	g := &grantSource{method: cfg.Auth, loginURL: loginURL, hc: d.hc, allowHosts: cfg.AllowHosts, orgID: cfg.OrgID}
	switch cfg.Auth {
	case model.AuthAccessToken:
		if c.AccessToken == "" {
			return nil, configErr(cfg.Auth, "needs an access token (--token or SF_ACCESS_TOKEN)")
		}
		return pinned(&staticSource{tok: token{access: c.AccessToken, instance: loginURL}}, cfg, loginURL, d.hc), nil
	case model.AuthRefreshToken:
		if c.RefreshToken == "" || cfg.ClientID == "" {
			return nil, configErr(cfg.Auth, "needs a refresh token (--refresh-token) and the connected app's consumer key (--client-id)")
		}
		r := &refresher{conf: oauthConfig(cfg.ClientID, c.ClientSecret, tokenURL), refresh: c.RefreshToken}
		if d.credentialsChanged != nil {
			r.rotated = func(rt string) {
				nc := c
				nc.RefreshToken = rt
				d.credentialsChanged(nc)
			}
		}
		g.grant = r.grant
	case model.AuthSfdxURL:
		a, err := ParseSfdxAuthURL(c.SfdxAuthURL)
		if err != nil {
			return nil, err
		}
		// The URL names its own host; the refresh grant goes there (§1.3).
		g.loginURL = a.LoginURL
		r := &refresher{conf: oauthConfig(a.ClientID, a.ClientSecret, a.LoginURL+"/services/oauth2/token"), refresh: a.RefreshToken}
		if d.credentialsChanged != nil {
			r.rotated = func(rt string) {
				nc, na := c, a
				na.RefreshToken = rt
				nc.SfdxAuthURL = na.URL()
				d.credentialsChanged(nc)
			}
		}
		g.grant = r.grant
	case model.AuthPassword:
		if cfg.Username == "" || c.Password == "" || cfg.ClientID == "" {
			return nil, configErr(cfg.Auth, "needs --username, --password (password followed by the security token) and --client-id")
		}
		conf := oauthConfig(cfg.ClientID, c.ClientSecret, tokenURL)
		user, pass := cfg.Username, c.Password
		g.grant = func(ctx context.Context) (*oauth2.Token, error) {
			return conf.PasswordCredentialsToken(ctx, user, pass)
		}
	case model.AuthClientCredentials:
		if cfg.ClientID == "" || c.ClientSecret == "" {
			return nil, configErr(cfg.Auth, "needs --client-id and --client-secret")
		}
		cc := &clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: c.ClientSecret, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}
		g.grant = cc.Token
	case model.AuthJWT:
		if cfg.ClientID == "" || cfg.Username == "" || cfg.KeyFile == "" {
			return nil, configErr(cfg.Auth, "needs --client-id, --username and --key (the private key file)")
		}
		key, err := loadRSAKey(cfg.KeyFile)
		if err != nil {
			return nil, err
		}
		j := &jwtGrant{key: key, clientID: cfg.ClientID, username: cfg.Username, audience: jwtAudience(loginURL), tokenURL: tokenURL, clock: d.clock}
		g.grant = j.grant
	case model.AuthSfAlias:
		if cfg.Alias == "" {
			return nil, configErr(cfg.Auth, "needs the Salesforce CLI alias or username (--alias)")
		}
		return pinned(&sfCLISource{alias: cfg.Alias}, cfg, cfg.Alias, d.hc), nil
	default:
		return nil, configErr(cfg.Auth, fmt.Sprintf("is not one of %v", model.AuthMethods))
	}
	return g, nil
}

func configErr(m model.AuthMethod, what string) error {
	return fmt.Errorf("auth method %q %s", m, what)
}

// oauthConfig sends client_id (and client_secret only when set, like
// jsforce) as form fields (§1.2). AuthStyleInParams also stops oauth2 from
// probing with a Basic header first, which would double failed sign-ins.
func oauthConfig(clientID, clientSecret, tokenURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
}

// staticSource serves an access token given by the admin. It cannot be
// renewed, so a second fetch (after the org rejected it) explains that.
type staticSource struct {
	tok  token
	used bool
}

func (s *staticSource) fetch(context.Context) (token, error) {
	if !s.used {
		s.used = true
		return s.tok, nil
	}
	return token{}, &AuthError{URL: s.tok.instance, Method: model.AuthAccessToken,
		Description: "the org rejected the access token",
		Fix: "the access token expired or was revoked (sessions end after 2 hours without use) and an access token cannot be renewed: " +
			"get a new one with `sf org auth show-access-token --target-org ALIAS` and run env add again, " +
			"or use a method that renews itself (refresh-token, jwt, sfdx-url, sf-alias)"}
}

// grantSource runs one OAuth grant against the token endpoint (§1.2).
type grantSource struct {
	method   model.AuthMethod
	loginURL string
	hc       *http.Client
	grant    func(ctx context.Context) (*oauth2.Token, error)
	// allowHosts are non-Salesforce hosts the user pinned for instance_url.
	allowHosts []string
	// orgID, when set, is the org the environment is pinned to: a sign-in
	// that lands in another org is refused.
	orgID string
}

func (g *grantSource) fetch(ctx context.Context) (token, error) {
	t, err := g.grant(context.WithValue(ctx, oauth2.HTTPClient, g.hc))
	if err != nil {
		return token{}, g.fail(err)
	}
	inst, _ := t.Extra("instance_url").(string)
	if inst == "" {
		return token{}, &AuthError{URL: g.loginURL, Method: g.method,
			Description: "the token response has no instance_url",
			Fix:         "the login URL does not look like a Salesforce login server; check --url"}
	}
	instance, err := normalizeURL(inst)
	if err == nil {
		err = trustedInstance(instance, g.loginURL, g.allowHosts)
	}
	if err != nil {
		return token{}, &AuthError{URL: g.loginURL, Method: g.method, Description: "the token response's instance_url is unusable: " + err.Error()}
	}
	if id, _ := t.Extra("id").(string); g.orgID != "" {
		if got := orgOfIdentityURL(id); !model.SameOrgID(got, g.orgID) {
			return token{}, pinMismatch(g.loginURL, g.method, got, g.orgID)
		}
	}
	return token{access: t.AccessToken, instance: instance}, nil
}

// fail turns an oauth2 error into a typed one without any secret: oauth2
// errors carry the response body, which is never copied into ours whole.
func (g *grantSource) fail(err error) error {
	var re *oauth2.RetrieveError
	var rerr *ResponseError
	var uerr *url.Error
	switch {
	case errors.As(err, &rerr):
		return rerr
	case errors.As(err, &re) && re.ErrorCode != "":
		return &AuthError{URL: g.loginURL, Method: g.method, Code: re.ErrorCode, Description: re.ErrorDescription,
			Fix: authFix(g.method, re.ErrorCode, re.ErrorDescription)}
	case errors.As(err, &re):
		e := &ResponseError{Problem: "the token endpoint did not answer with an OAuth error; check that --url is a Salesforce login URL"}
		if re.Response != nil {
			e.StatusCode, e.ContentType = re.Response.StatusCode, re.Response.Header.Get("Content-Type")
		}
		if e.StatusCode >= 500 {
			e.Problem = "the login server is unavailable or failed; try again later"
		}
		return e
	case errors.As(err, &uerr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return describeNetErr(err)
	}
	return &ResponseError{StatusCode: http.StatusOK,
		Problem: "the token endpoint's answer is not a Salesforce token response; check that --url is a Salesforce login URL"}
}

// authFix says what to do about the error pairs Salesforce is known to send
// (§1.2), worded for the method in use.
func authFix(m model.AuthMethod, code, desc string) string {
	d := strings.ToLower(desc)
	switch {
	case code == "invalid_grant" && strings.Contains(d, "expired access/refresh token"):
		return "the refresh token expired or was revoked: run env add again with a new one"
	case code == "invalid_grant" && strings.Contains(d, "approved"):
		return "the user has not approved the connected app: set its Permitted Users to \"Admin approved users are pre-authorized\" and give the user's profile or a permission set access to it"
	case code == "invalid_grant" && strings.Contains(d, "expired authorization code"):
		return "Salesforce considers the JWT expired: check this computer's clock"
	case code == "invalid_grant" && strings.Contains(d, "audience"):
		return "the JWT audience was rejected: use --url https://login.salesforce.com for production or https://test.salesforce.com for a sandbox"
	case code == "invalid_grant" && strings.Contains(d, "ip restricted"):
		return "the org does not accept sign-ins from this network: relax the connected app's IP policy or the profile's login IP ranges"
	case code == "invalid_grant" && strings.Contains(d, "authentication failure"):
		switch m {
		case model.AuthPassword:
			return "the username, password or security token is wrong, or the user is locked out: the password must be followed by the user's security token"
		case model.AuthJWT:
			return "Salesforce could not match the JWT to a user: check --username, that --client-id is the connected app's consumer key, that the app's certificate matches --key, and use https://test.salesforce.com for a sandbox"
		case model.AuthClientCredentials:
			return "check that the connected app enables the client credentials flow and names a Run As user"
		}
	case code == "invalid_client_id":
		return "the org does not know the connected app's consumer key (--client-id); a new connected app takes up to 10 minutes to become active"
	case code == "invalid_client":
		return "the client secret does not match the connected app's consumer secret"
	case code == "unsupported_grant_type":
		return "the org or connected app does not allow the " + string(m) + " flow: enable it on the connected app (new orgs block the username-password flow) or choose another --auth method"
	case code == "inactive_user":
		return "the user is inactive: reactivate it or sign in as another user"
	case code == "inactive_org":
		return "the org is inactive or locked"
	}
	return "check the credentials and the login URL, then run env add again"
}

// refresher runs the refresh_token grant (§1.2) and keeps a rotated refresh
// token: with rotation on, the old one stops working once used.
type refresher struct {
	conf    *oauth2.Config
	refresh string
	rotated func(string)
}

func (r *refresher) grant(ctx context.Context) (*oauth2.Token, error) {
	t, err := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: r.refresh}).Token()
	if err != nil {
		return nil, err
	}
	if t.RefreshToken != "" && t.RefreshToken != r.refresh {
		r.refresh = t.RefreshToken
		if r.rotated != nil {
			r.rotated(t.RefreshToken)
		}
	}
	return t, nil
}

// normalizeURL reduces a login or instance URL to scheme://host[:port].
// Tokens go only over https; plain http is accepted on loopback, where the
// simulator (orgclient/sim) listens.
func normalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", errors.New("the URL given is not an absolute URL; give one like https://login.salesforce.com")
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !isLoopback(u.Hostname())) {
		return "", fmt.Errorf("%s must use https (plain http is accepted only on this computer, for the simulator)", u.Scheme+"://"+u.Host)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pinMismatch is the refusal of a sign-in that landed in org got while the
// environment is pinned to org want.
func pinMismatch(where string, m model.AuthMethod, got, want string) *AuthError {
	return &AuthError{URL: where, Method: m,
		Description: fmt.Sprintf("this sign-in landed in org %q, but the environment is pinned to org %s (its first successful test)", got, want),
		Fix:         "check the credentials and --url; if the environment really moved to another org, remove it and add it again"}
}

// maxUserinfoAnswer bounds the userinfo answer read by pinnedSource: a few
// hundred bytes in practice.
const maxUserinfoAnswer = 64 << 10

// pinnedSource checks the org of each token its inner source hands out
// against the environment's pin. Access tokens and Salesforce CLI logins
// carry no identity URL, unlike OAuth grants, so it asks userinfo (§1.7)
// with the new token before the token is used for anything else.
type pinnedSource struct {
	inner  tokenSource
	method model.AuthMethod
	where  string
	orgID  string
	hc     *http.Client
}

// pinned wraps src in a pinnedSource when the environment is pinned.
func pinned(src tokenSource, cfg Config, where string, hc *http.Client) tokenSource {
	if cfg.OrgID == "" {
		return src
	}
	return &pinnedSource{inner: src, method: cfg.Auth, where: where, orgID: cfg.OrgID, hc: hc}
}

func (p *pinnedSource) fetch(ctx context.Context) (token, error) {
	t, err := p.inner.fetch(ctx)
	if err != nil {
		return t, err
	}
	got, err := p.orgOf(ctx, t)
	if errors.Is(err, errTokenRejected) {
		// The org rejected the token: the inner source renews it once
		// (sf-alias) or says why it cannot (access-token).
		if t, err = p.inner.fetch(ctx); err != nil {
			return t, err
		}
		got, err = p.orgOf(ctx, t)
	}
	if err != nil {
		return token{}, &AuthError{URL: p.where, Method: p.method,
			Description: "checking which org the token belongs to (the environment is pinned to org " + p.orgID + "): " + err.Error(),
			Fix:         "check that the token is current and --url is the org's instance URL, then try again"}
	}
	if !model.SameOrgID(got, p.orgID) {
		return token{}, pinMismatch(p.where, p.method, got, p.orgID)
	}
	return t, nil
}

// errTokenRejected is userinfo's 401: the token itself was refused.
var errTokenRejected = errors.New("userinfo answered HTTP 401: the org rejected the token")

// orgOf asks userinfo which org t belongs to.
func (p *pinnedSource) orgOf(ctx context.Context, t token) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.instance+"/services/oauth2/userinfo", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+t.access)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "relman")
	resp, err := p.hc.Do(req)
	if err != nil {
		return "", describeNetErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return "", errTokenRejected
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("userinfo answered HTTP %d", resp.StatusCode)
	}
	var u struct {
		OrganizationID string `json:"organization_id"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxUserinfoAnswer)).Decode(&u); err != nil {
		return "", fmt.Errorf("userinfo answered no JSON: %w", err)
	}
	return u.OrganizationID, nil
}
