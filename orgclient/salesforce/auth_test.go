package salesforce

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"relman/model"
)

// userinfo answers /services/oauth2/userinfo like §1.7.
func (o *testOrg) serveUserinfo() {
	o.rest["/services/oauth2/userinfo"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"sub":"https://login.salesforce.com/id/`+testOrgID+`/`+testUserID+`","user_id":"`+testUserID+
			`","organization_id":"`+testOrgID+`","preferred_username":"admin@acme.com","nickname":"admin","name":"Ann Admin",`+
			`"email":"admin@acme.com","email_verified":true,"zoneinfo":"Europe/Paris","active":true,"user_type":"STANDARD",`+
			`"urls":{"metadata":"`+o.URL()+`/services/Soap/m/{version}/00D5g00000AbCdE","tooling_rest":"`+o.URL()+`/services/data/v{version}/tooling/"}}`)
	}
}

// acceptGrant answers the token endpoint when check accepts the form.
func (o *testOrg) acceptGrant(check func(form map[string][]string) string) {
	o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
		if problem := check(r.PostForm); problem != "" {
			o.t.Errorf("token request: %s (form keys %v)", problem, keys(r.PostForm))
			writeJSON(w, http.StatusBadRequest, `{"error":"invalid_grant","error_description":"authentication failure"}`)
			return
		}
		writeJSON(w, http.StatusOK, o.tokenResponse(o.issue(), nil))
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func formIs(form map[string][]string, want map[string]string) string {
	for k, v := range want {
		if got := form[k]; len(got) != 1 || got[0] != v {
			if v == "" && len(got) == 0 {
				continue
			}
			return "field " + k + " is wrong"
		}
	}
	for k := range form {
		if _, ok := want[k]; !ok {
			return "unexpected field " + k
		}
	}
	return ""
}

func writeKey(t *testing.T, key *rsa.PrivateKey, pkcs8 bool) string {
	t.Helper()
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	if pkcs8 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	path := filepath.Join(t.TempDir(), "server.key")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

func TestGrantTypes(t *testing.T) {
	key := rsaKey(t)
	tests := []struct {
		name  string
		cfg   func(o *testOrg) Config
		check func(o *testOrg, form map[string][]string) string
	}{
		{"refresh-token without secret", func(o *testOrg) Config { return o.refreshConfig() },
			func(o *testOrg, f map[string][]string) string {
				return formIs(f, map[string]string{"grant_type": "refresh_token", "refresh_token": testRefresh, "client_id": testClientID})
			}},
		{"refresh-token with secret", func(o *testOrg) Config {
			c := o.refreshConfig()
			c.Credentials.ClientSecret = testClientSecret
			return c
		}, func(o *testOrg, f map[string][]string) string {
			return formIs(f, map[string]string{"grant_type": "refresh_token", "refresh_token": testRefresh, "client_id": testClientID, "client_secret": testClientSecret})
		}},
		{"password", func(o *testOrg) Config {
			return Config{LoginURL: o.URL(), Auth: model.AuthPassword, ClientID: testClientID, Username: "admin@acme.com",
				Credentials: model.Credentials{Password: testPassword, ClientSecret: testClientSecret}}
		}, func(o *testOrg, f map[string][]string) string {
			return formIs(f, map[string]string{"grant_type": "password", "username": "admin@acme.com", "password": testPassword,
				"client_id": testClientID, "client_secret": testClientSecret})
		}},
		{"client-credentials", func(o *testOrg) Config {
			return Config{LoginURL: o.URL(), Auth: model.AuthClientCredentials, ClientID: testClientID,
				Credentials: model.Credentials{ClientSecret: testClientSecret}}
		}, func(o *testOrg, f map[string][]string) string {
			return formIs(f, map[string]string{"grant_type": "client_credentials", "client_id": testClientID, "client_secret": testClientSecret})
		}},
		{"sfdx-url", func(o *testOrg) Config {
			host := strings.TrimPrefix(o.URL(), "http://")
			return Config{Auth: model.AuthSfdxURL, Credentials: model.Credentials{SfdxAuthURL: "force://PlatformCLI::" + testRefresh + "@" + host}}
		}, func(o *testOrg, f map[string][]string) string {
			return formIs(f, map[string]string{"grant_type": "refresh_token", "refresh_token": testRefresh, "client_id": "PlatformCLI"})
		}},
		{"jwt pkcs1", func(o *testOrg) Config {
			return Config{LoginURL: o.URL(), Auth: model.AuthJWT, ClientID: testClientID, Username: "admin@acme.com", KeyFile: writeKey(t, key, false)}
		}, func(o *testOrg, f map[string][]string) string { return checkJWT(o, f, &key.PublicKey) }},
		{"jwt pkcs8", func(o *testOrg) Config {
			return Config{LoginURL: o.URL(), Auth: model.AuthJWT, ClientID: testClientID, Username: "admin@acme.com", KeyFile: writeKey(t, key, true)}
		}, func(o *testOrg, f map[string][]string) string { return checkJWT(o, f, &key.PublicKey) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTestOrg(t)
			o.serveUserinfo()
			o.acceptGrant(func(f map[string][]string) string { return tt.check(o, f) })
			c, err := New(tt.cfg(o))
			if err != nil {
				t.Fatal(err)
			}
			id, err := c.Identity(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := Identity{OrgID: testOrgID, UserID: testUserID, Username: "admin@acme.com", DisplayName: "Ann Admin",
				InstanceURL: o.URL(), APIVersion: "66.0"}
			if id != want {
				t.Errorf("Identity = %+v, want %+v", id, want)
			}
			if n := o.count("token"); n != 1 {
				t.Errorf("token calls = %d, want 1", n)
			}
		})
	}
}

// checkJWT verifies the assertion as Salesforce does: RS256 signature by the
// connected app's certificate, iss, sub, aud and a near exp (§1.2).
func checkJWT(o *testOrg, f map[string][]string, pub *rsa.PublicKey) string {
	if p := formIs(f, map[string]string{"grant_type": jwtBearerGrant, "assertion": f["assertion"][0]}); p != "" {
		return p
	}
	tok, err := jwt.Parse(f["assertion"][0], func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(testClientID), jwt.WithSubject("admin@acme.com"),
		jwt.WithAudience(o.URL()), jwt.WithExpirationRequired())
	if err != nil {
		return "JWT rejected: " + err.Error()
	}
	exp, _ := tok.Claims.GetExpirationTime()
	if d := time.Until(exp.Time); d < 2*time.Minute || d > 3*time.Minute+time.Second {
		return "exp is " + d.String() + " ahead, want about 3m"
	}
	if aud, ok := tok.Claims.(jwt.MapClaims)["aud"].(string); !ok || aud != o.URL() {
		return "aud is not the single string " + o.URL()
	}
	return ""
}

func TestJWTAudience(t *testing.T) {
	for in, want := range map[string]string{
		"https://login.salesforce.com":                "https://login.salesforce.com",
		"https://test.salesforce.com":                 "https://test.salesforce.com",
		"https://acme.my.salesforce.com":              "https://login.salesforce.com",
		"https://acme--uat.sandbox.my.salesforce.com": "https://test.salesforce.com",
		"https://acme.my.site.com":                    "https://acme.my.site.com",
		"http://127.0.0.1:8080":                       "http://127.0.0.1:8080",
	} {
		if got := jwtAudience(in); got != want {
			t.Errorf("jwtAudience(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestBadKeyFile(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "cert.pem")
	os.WriteFile(notKey, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600)
	enc := filepath.Join(dir, "enc.key")
	os.WriteFile(enc, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"), 0o600)
	for path, want := range map[string]string{
		filepath.Join(dir, "missing.key"): "no such file",
		notKey:                            "is not a PEM RSA private key",
		enc:                               "is encrypted",
	} {
		_, err := New(Config{Auth: model.AuthJWT, ClientID: "x", Username: "u", KeyFile: path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("key %s: err = %v, want %q", filepath.Base(path), err, want)
		}
		if err != nil && strings.Contains(err.Error(), "MIIB") {
			t.Errorf("key %s: error quotes the key content: %v", filepath.Base(path), err)
		}
	}
}

func TestAuthErrors(t *testing.T) {
	tests := []struct {
		name, body string
		cfg        func(o *testOrg) Config
		code, fix  string
	}{
		{"expired refresh token", `{"error":"invalid_grant","error_description":"expired access/refresh token"}`,
			func(o *testOrg) Config { return o.refreshConfig() }, "invalid_grant", "the refresh token expired or was revoked: run env add again with a new one"},
		{"wrong password", `{"error":"invalid_grant","error_description":"authentication failure"}`,
			func(o *testOrg) Config {
				return Config{LoginURL: o.URL(), Auth: model.AuthPassword, ClientID: testClientID, Username: "u@x.com",
					Credentials: model.Credentials{Password: testPassword}}
			}, "invalid_grant", "security token"},
		{"unknown client", `{"error":"invalid_client_id","error_description":"client identifier invalid"}`,
			func(o *testOrg) Config { return o.refreshConfig() }, "invalid_client_id", "consumer key"},
		{"not approved", `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`,
			func(o *testOrg) Config { return o.refreshConfig() }, "invalid_grant", "pre-authorized"},
		{"flow blocked", `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`,
			func(o *testOrg) Config { return o.refreshConfig() }, "unsupported_grant_type", "choose another --auth method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTestOrg(t)
			o.tokenHandler = func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusBadRequest, tt.body) }
			c, err := New(tt.cfg(o))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Limits(context.Background())
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *AuthError", err)
			}
			if ae.Code != tt.code || !strings.Contains(err.Error(), tt.fix) || !strings.Contains(err.Error(), o.URL()) {
				t.Errorf("err = %q, want code %s, fix %q and the login URL", err, tt.code, tt.fix)
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

// assertNoSecrets fails if s contains any secret used by the tests.
func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testClientSecret, testRefresh, testPassword, "AQ8AQ.tok", "AccessTokenValue", "BEGIN RSA", "MIIE"} {
		if strings.Contains(s, secret) {
			t.Errorf("secret %q leaked into %q", secret, s)
		}
	}
}

func TestAccessTokenExpired(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	c, err := New(Config{InstanceURL: o.URL(), Auth: model.AuthAccessToken, APIVersion: "v62",
		Credentials: model.Credentials{AccessToken: "00D5g00000AbCdE!AccessTokenValue"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Identity(context.Background())
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Method != model.AuthAccessToken {
		t.Fatalf("err = %v, want *AuthError for access-token", err)
	}
	for _, want := range []string{"expired", "sf org auth show-access-token", "identity on " + o.URL()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to mention %q", err, want)
		}
	}
	assertNoSecrets(t, err.Error())
	if n := o.count("token"); n != 0 {
		t.Errorf("token calls = %d, want 0: an access token cannot be renewed", n)
	}
}

func TestAccessTokenWorks(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	tok := o.issue()
	c, err := New(Config{InstanceURL: o.URL() + "/", Auth: model.AuthAccessToken, Credentials: model.Credentials{AccessToken: tok}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Identity(context.Background())
	if err != nil || id.OrgID != testOrgID || id.InstanceURL != o.URL() {
		t.Fatalf("Identity = %+v, %v", id, err)
	}
}

func TestLoginURLNotSalesforce(t *testing.T) {
	o := newTestOrg(t)
	o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Acme Intranet</title></head><body>hi</body></html>")
	}
	c, _ := o.client()
	_, err := c.Limits(context.Background())
	if !errors.Is(err, ErrNotSalesforce) || !strings.Contains(err.Error(), "Acme Intranet") {
		t.Fatalf("err = %v, want ErrNotSalesforce naming the page", err)
	}
}

func TestRefreshTokenRotation(t *testing.T) {
	o := newTestOrg(t)
	o.serveUserinfo()
	current := testRefresh
	o.tokenHandler = func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		if r.PostForm.Get("refresh_token") != current {
			o.mu.Unlock()
			writeJSON(w, http.StatusBadRequest, `{"error":"invalid_grant","error_description":"expired access/refresh token"}`)
			return
		}
		current = "5AepRotated" + string(rune('A'+o.issued))
		next := current
		o.mu.Unlock()
		writeJSON(w, http.StatusOK, o.tokenResponse(o.issue(), map[string]string{"refresh_token": next}))
	}
	var stored []model.Credentials
	c, _ := o.client(WithCredentialsUpdate(func(cr model.Credentials) { stored = append(stored, cr) }))
	ctx := context.Background()
	if _, err := c.Identity(ctx); err != nil {
		t.Fatal(err)
	}
	o.expireSessions()
	if _, err := c.Identity(ctx); err != nil {
		t.Fatalf("second sign-in must use the rotated refresh token: %v", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(stored) != 2 || stored[1].RefreshToken != current {
		t.Errorf("credential updates = %d, last %v; want 2 ending with the newest token", len(stored), stored)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{LoginURL: "http://login.example.com", Auth: model.AuthRefreshToken, ClientID: "x", Credentials: model.Credentials{RefreshToken: testRefresh}}, "must use https"},
		{Config{LoginURL: "login.salesforce.com", Auth: model.AuthRefreshToken, ClientID: "x", Credentials: model.Credentials{RefreshToken: testRefresh}}, "not an absolute URL"},
		{Config{Auth: model.AuthRefreshToken}, "needs a refresh token"},
		{Config{Auth: model.AuthAccessToken, Credentials: model.Credentials{AccessToken: "t"}}, "needs the org's instance URL"},
		{Config{Auth: model.AuthPassword, Credentials: model.Credentials{Password: testPassword}}, "needs --username"},
		{Config{Auth: "magic"}, "is not one of"},
		{Config{Auth: model.AuthSfdxURL, Credentials: model.Credentials{SfdxAuthURL: "https://x:" + testClientSecret + ":" + testRefresh + "@h"}}, "force://"},
		{Config{Auth: model.AuthSfAlias, APIVersion: "latest"}, "API version"},
	} {
		_, err := New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%v) err = %v, want %q", tt.cfg, err, tt.want)
		}
		if err != nil {
			assertNoSecrets(t, err.Error())
		}
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	env := model.Environment{Name: "prod", URL: "https://acme.my.salesforce.com", Auth: model.AuthAccessToken,
		Credentials: model.Credentials{AccessToken: "tok"}}
	c := ConfigFromEnvironment(env)
	if c.InstanceURL != env.URL || c.LoginURL != env.URL || c.Credentials.AccessToken != "tok" {
		t.Errorf("access-token config = %+v", c)
	}
	env.Auth, env.ClientID, env.Username, env.KeyFile = model.AuthJWT, "cid", "u", "k.pem"
	c = ConfigFromEnvironment(env)
	if c.InstanceURL != "" || c.LoginURL != env.URL || c.ClientID != "cid" || c.Username != "u" || c.KeyFile != "k.pem" {
		t.Errorf("jwt config = %+v", c)
	}
}
