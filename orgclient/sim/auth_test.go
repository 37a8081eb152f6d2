package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTokenRefreshGrant(t *testing.T) {
	s := startSim(t, Config{})
	status, body := postForm(t, s, url.Values{"grant_type": {"refresh_token"}, "client_id": {"relman"}, "refresh_token": {s.RefreshToken()}})
	if status != http.StatusOK {
		t.Fatalf("refresh grant: HTTP %d %s", status, body)
	}
	var tok map[string]string
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"} {
		if tok[k] == "" {
			t.Errorf("token response lacks %s: %s", k, body)
		}
	}
	if !strings.HasPrefix(tok["access_token"], s.OrgID()[:15]+"!") {
		t.Errorf("access token %q is not <orgId15>!…", tok["access_token"])
	}
	if tok["instance_url"] != s.URL() || tok["token_type"] != "Bearer" || tok["id"] != s.URL()+"/id/"+s.OrgID()+"/"+s.userID {
		t.Errorf("token response %s", body)
	}
	if ms, err := strconv.ParseInt(tok["issued_at"], 10, 64); err != nil || time.Since(time.UnixMilli(ms)) > time.Minute {
		t.Errorf("issued_at %q is not epoch milliseconds of now", tok["issued_at"])
	}
	if tok["access_token"] == s.AccessToken() && tok["access_token"] == "" {
		t.Error("no new token")
	}
	// Every grant issues a new token; the new one works.
	_, body2 := postForm(t, s, url.Values{"grant_type": {"refresh_token"}, "client_id": {"any"}, "refresh_token": {s.RefreshToken()}})
	var tok2 map[string]string
	_ = json.Unmarshal(body2, &tok2)
	if tok2["access_token"] == tok["access_token"] {
		t.Error("two grants gave the same access token")
	}
	c := &client{t: t, base: s.URL(), token: tok2["access_token"]}
	if st, _, b := c.do(http.MethodGet, "/services/data/v62.0/limits/", "", nil); st != http.StatusOK {
		t.Errorf("new token refused: %d %s", st, b)
	}
}

func TestTokenErrors(t *testing.T) {
	s := startSim(t, Config{Username: "admin@acme.test", Password: "pw+token"})
	cases := []struct {
		form       url.Values
		code, desc string
	}{
		{url.Values{"grant_type": {"refresh_token"}, "client_id": {"relman"}, "refresh_token": {"5Aep861bogus"}}, "invalid_grant", "expired access/refresh token"},
		{url.Values{"grant_type": {"password"}, "client_id": {"x"}, "username": {"admin@acme.test"}, "password": {"wrong"}}, "invalid_grant", "authentication failure"},
		{url.Values{"grant_type": {"password"}, "username": {"other@acme.test"}, "password": {"pw+token"}}, "invalid_grant", "authentication failure"},
		{url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "unsupported_grant_type", "grant type not supported"},
		{url.Values{}, "unsupported_grant_type", "grant type not supported"},
	}
	for _, tc := range cases {
		status, body := postForm(t, s, tc.form)
		var e map[string]string
		if err := json.Unmarshal(body, &e); err != nil || status != http.StatusBadRequest || e["error"] != tc.code || e["error_description"] != tc.desc {
			t.Errorf("%v: HTTP %d %s, want 400 %s/%s", tc.form, status, body, tc.code, tc.desc)
		}
	}
}

func TestPasswordGrant(t *testing.T) {
	s := startSim(t, Config{Username: "admin@acme.test", Password: "pw+token"})
	status, body := postForm(t, s, url.Values{"grant_type": {"password"}, "client_id": {"relman"}, "client_secret": {"s"},
		"username": {"admin@acme.test"}, "password": {"pw+token"}})
	var tok map[string]any
	if err := json.Unmarshal(body, &tok); err != nil || status != http.StatusOK || tok["access_token"] == "" {
		t.Fatalf("password grant: %d %s", status, body)
	}
	if _, ok := tok["refresh_token"]; ok {
		t.Error("the password grant issued a refresh token (§1.2: it issues none)")
	}
	// Without configured credentials the grant is refused.
	s2 := startSim(t, Config{})
	if status, _ := postForm(t, s2, url.Values{"grant_type": {"password"}, "username": {""}, "password": {""}}); status != http.StatusBadRequest {
		t.Errorf("password grant on a sim without credentials: HTTP %d", status)
	}
}

func TestFixedTokens(t *testing.T) {
	s := startSim(t, Config{Token: "00Dfixed!token", RefreshToken: "5Aep861fixed"})
	if s.AccessToken() != "00Dfixed!token" || s.RefreshToken() != "5Aep861fixed" {
		t.Fatalf("tokens %q %q", s.AccessToken(), s.RefreshToken())
	}
	if status, body := postForm(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"5Aep861fixed"}}); status != http.StatusOK {
		t.Errorf("fixed refresh token refused: %s", body)
	}
}

func TestRevoke(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	resp, err := http.PostForm(s.URL()+"/services/oauth2/revoke", url.Values{"token": {c.token}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	resp.Body.Close()
	if st, _, _ := c.do(http.MethodGet, "/services/data/v62.0/limits", "", nil); st != http.StatusUnauthorized {
		t.Errorf("revoked token: HTTP %d, want 401", st)
	}
}

func TestUserInfoAndIdentity(t *testing.T) {
	s := startSim(t, Config{Username: "ann@acme.test", Password: "p"})
	c := newClient(t, s)
	status, _, body := c.do(http.MethodGet, "/services/oauth2/userinfo", "", nil)
	var u map[string]any
	if err := json.Unmarshal(body, &u); err != nil || status != http.StatusOK {
		t.Fatalf("userinfo: %d %s", status, body)
	}
	if u["preferred_username"] != "ann@acme.test" || u["organization_id"] != s.OrgID() || u["user_id"] != s.userID {
		t.Errorf("userinfo %s", body)
	}
	urls, _ := u["urls"].(map[string]any)
	if m, _ := urls["metadata"].(string); !strings.Contains(m, "/services/Soap/m/{version}/") {
		t.Errorf("urls.metadata %q lacks the {version} placeholder", m)
	}
	status, _, body = c.do(http.MethodGet, "/id/"+s.OrgID()+"/"+s.userID, "", nil)
	var id map[string]any
	if err := json.Unmarshal(body, &id); err != nil || status != http.StatusOK || id["username"] != "ann@acme.test" || id["organization_id"] != s.OrgID() {
		t.Errorf("identity: %d %s", status, body)
	}
	c.token = "bogus"
	if status, _, body := c.do(http.MethodGet, "/services/oauth2/userinfo", "", nil); status != http.StatusUnauthorized || !strings.Contains(string(body), "INVALID_SESSION_ID") {
		t.Errorf("userinfo with a bad token: %d %s", status, body)
	}
}

func TestVersionsResourcesLimits(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	c.token = ""
	status, hdr, body := c.do(http.MethodGet, "/services/data/", "", nil)
	var vs []versionInfo
	if err := json.Unmarshal(body, &vs); err != nil || status != http.StatusOK || len(vs) == 0 {
		t.Fatalf("versions: %d %s", status, body)
	}
	if hdr.Get("Sforce-Limit-Info") != "" {
		t.Error("/services/data/ sent Sforce-Limit-Info (§5.3: it does not)")
	}
	found := false
	for _, v := range vs {
		if v.Version == "62.0" && v.Label == "Winter '25" && v.URL == "/services/data/v62.0" {
			found = true
		}
		if v.Version == "30.0" {
			t.Error("retired version 30.0 listed")
		}
	}
	if !found {
		t.Errorf("62.0 (Winter '25) not listed: %s", body)
	}
	c.token = s.AccessToken()
	for _, p := range []string{"/services/data/v62.0/", "/services/data/latest", "/services/data/latest/"} {
		status, _, body := c.do(http.MethodGet, p, "", nil)
		var res map[string]string
		if err := json.Unmarshal(body, &res); err != nil || status != http.StatusOK || !strings.HasSuffix(res["tooling"], "/tooling") {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
	if status, _, _ := c.do(http.MethodGet, "/services/data/v30.0/", "", nil); status != http.StatusGone {
		t.Errorf("retired version: HTTP %d, want 410", status)
	}
	status, hdr, body = c.do(http.MethodGet, "/services/data/v62.0/limits/", "", nil)
	var lim map[string]limit
	if err := json.Unmarshal(body, &lim); err != nil || status != http.StatusOK {
		t.Fatalf("limits: %d %s", status, body)
	}
	used, max := s.usage.counts()
	if got := lim["DailyApiRequests"]; got.Max != max || got.Remaining != max-used {
		t.Errorf("DailyApiRequests %+v, want Max %d Remaining %d", got, max, max-used)
	}
	if want := "api-usage=" + strconv.Itoa(used) + "/" + strconv.Itoa(max); hdr.Get("Sforce-Limit-Info") != want {
		t.Errorf("Sforce-Limit-Info %q, want %q", hdr.Get("Sforce-Limit-Info"), want)
	}
	if status, _, body := c.do(http.MethodGet, "/services/data/v62.0/nothing", "", nil); status != http.StatusNotFound || !strings.Contains(string(body), "NOT_FOUND") {
		t.Errorf("unknown resource: %d %s", status, body)
	}
}
