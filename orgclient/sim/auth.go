package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// authState holds the org's sessions and refresh tokens (§1.2, §6).
type authState struct {
	srv          *Server
	refreshToken string
	secret       []byte // signs token responses

	mu       sync.Mutex
	sessions map[string]*session // by access token
	refresh  map[string]bool     // refresh tokens the org accepts
	latest   string              // the most recently issued access token
}

// session is one access token's state.
type session struct {
	calls int  // API calls made with it
	dead  bool // expired or revoked: refused until the client gets a new one
}

func (a *authState) init(s *Server, token, refresh string) {
	a.srv = s
	a.secret = []byte(randomBody(32))
	a.sessions = map[string]*session{}
	if refresh == "" {
		refresh = "5Aep861" + randomBody(80)
	}
	a.refreshToken = refresh
	a.refresh = map[string]bool{refresh: true}
	if token == "" {
		token = a.newToken()
	}
	a.sessions[token] = &session{}
	a.latest = token
}

// newToken returns an access token in the "<orgId15>!<opaque>" form of every
// recorded example (§1.2).
func (a *authState) newToken() string { return a.srv.orgID[:15] + "!AQ8AQ" + randomBody(58) }

func (a *authState) current() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.latest
}

// issue starts a new session: every grant gets a fresh access token.
func (a *authState) issue() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.newToken()
	a.sessions[t] = &session{}
	a.latest = t
	return t
}

// valid reports whether token names a live session. When count is set the
// call is an API call: it counts toward Faults.ExpireSessionAfter, and the
// call past that number finds the session expired.
func (a *authState) valid(token string, count bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	ss, ok := a.sessions[token]
	if !ok || ss.dead {
		return false
	}
	if !count {
		return true
	}
	ss.calls++
	if n := a.srv.cfg.Faults.ExpireSessionAfter; n > 0 && ss.calls > n {
		ss.dead = true
		return false
	}
	return true
}

// revoke ends an access token's session or forgets a refresh token.
func (a *authState) revoke(token string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ss, ok := a.sessions[token]; ok {
		ss.dead = true
		return true
	}
	if a.refresh[token] {
		delete(a.refresh, token)
		return true
	}
	return false
}

func (a *authState) acceptsRefresh(token string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refresh[token]
}

// bearer returns the token of an "Authorization: Bearer …" (or the older
// "OAuth …") header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, p := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(p) && strings.EqualFold(h[:len(p)], p) {
			return strings.TrimSpace(h[len(p):])
		}
	}
	return ""
}

// tokenResponse is the token endpoint's success body (§1.2).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
	Signature   string `json:"signature"`
	Scope       string `json:"scope"`
}

// handleToken is POST /services/oauth2/token with the refresh-token and
// username-password grants (§1.2). Errors are {"error","error_description"}
// with HTTP 400.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "could not read the form body: "+err.Error())
		return
	}
	f := r.Form
	switch f.Get("grant_type") {
	case "refresh_token":
		if !s.auth.acceptsRefresh(f.Get("refresh_token")) {
			writeOAuthError(w, "invalid_grant", "expired access/refresh token")
			return
		}
	case "password":
		if s.cfg.Username == "" || f.Get("username") != s.cfg.Username || f.Get("password") != s.cfg.Password {
			writeOAuthError(w, "invalid_grant", "authentication failure")
			return
		}
	default:
		writeOAuthError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	issued := strconv.FormatInt(time.Now().UnixMilli(), 10)
	id := s.identityURL()
	mac := hmac.New(sha256.New, s.auth.secret)
	mac.Write([]byte(id + issued))
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: s.auth.issue(),
		InstanceURL: s.url,
		ID:          id,
		TokenType:   "Bearer",
		IssuedAt:    issued,
		Signature:   base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		Scope:       "api id refresh_token web",
	})
}

func writeOAuthError(w http.ResponseWriter, code, description string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": description})
}

// handleRevoke is /services/oauth2/revoke: the token parameter (access or
// refresh token) stops working (§6).
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !s.auth.revoke(r.Form.Get("token")) {
		writeOAuthError(w, "unsupported_token_type", "this token type is not supported")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) identityURL() string { return s.url + "/id/" + s.orgID + "/" + s.userID }

// urls are the service URLs of userinfo and identity responses, with the
// literal {version} placeholder real orgs send (§1.7).
func (s *Server) urls() map[string]string {
	org15 := s.orgID[:15]
	data := s.url + "/services/data/v{version}/"
	return map[string]string{
		"enterprise":    s.url + "/services/Soap/c/{version}/" + org15,
		"metadata":      s.url + "/services/Soap/m/{version}/" + org15,
		"partner":       s.url + "/services/Soap/u/{version}/" + org15,
		"rest":          data,
		"sobjects":      data + "sobjects/",
		"search":        data + "search/",
		"query":         data + "query/",
		"recent":        data + "recent/",
		"tooling_soap":  s.url + "/services/Soap/T/{version}/" + org15,
		"tooling_rest":  data + "tooling/",
		"profile":       s.url + "/" + s.userID,
		"feeds":         data + "chatter/feeds",
		"groups":        data + "chatter/groups",
		"users":         data + "chatter/users",
		"feed_items":    data + "chatter/feed-items",
		"feed_elements": data + "chatter/feed-elements",
		"custom_domain": s.url,
	}
}

// authenticateOAuth checks the token of an OAuth resource (userinfo,
// identity): the bearer header or, as jsforce's identity() also sends it,
// the oauth_token parameter. Not an API call, so not counted.
func (s *Server) authenticateOAuth(w http.ResponseWriter, r *http.Request) bool {
	token := bearer(r)
	if token == "" {
		token = r.URL.Query().Get("oauth_token")
	}
	if !s.auth.valid(token, false) {
		writeRESTError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return false
	}
	return true
}

// handleUserInfo is GET /services/oauth2/userinfo (§1.7).
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if !s.authenticateOAuth(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub": s.identityURL(), "user_id": s.userID, "organization_id": s.orgID,
		"preferred_username": s.user, "nickname": "admin", "name": "Sim Admin",
		"email": s.user, "email_verified": true, "given_name": "Sim", "family_name": "Admin",
		"zoneinfo": "Europe/London", "photos": map[string]string{"picture": s.url + "/profilephoto/005/F", "thumbnail": s.url + "/profilephoto/005/T"},
		"profile": s.url + "/" + s.userID, "picture": s.url + "/profilephoto/005/F", "address": map[string]any{},
		"is_salesforce_integration_user": false, "urls": s.urls(), "active": true, "user_type": "STANDARD",
		"language": "en_US", "locale": "en_GB", "utcOffset": 0, "updated_at": s.created.Format(time.RFC3339),
		"is_app_installed": true,
	})
}

// handleIdentity is the identity URL GET /id/<orgId>/<userId> (§1.7).
func (s *Server) handleIdentity(w http.ResponseWriter, r *http.Request) {
	if !s.authenticateOAuth(w, r) {
		return
	}
	if r.PathValue("org") != s.orgID || r.PathValue("user") != s.userID {
		writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": s.identityURL(), "asserted_user": true, "user_id": s.userID, "organization_id": s.orgID,
		"username": s.user, "nick_name": "admin", "display_name": "Sim Admin", "email": s.user,
		"email_verified": true, "first_name": "Sim", "last_name": "Admin", "timezone": "Europe/London",
		"active": true, "user_type": "STANDARD", "language": "en_US", "locale": "en_GB", "utcOffset": 0,
		"last_modified_date": s.created.Format("2006-01-02T15:04:05.000-0700"), "is_app_installed": true,
		"urls": s.urls(),
	})
}
