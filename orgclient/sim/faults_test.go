package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	good := map[string]Faults{
		"latency=200ms":          {Latency: 200 * time.Millisecond},
		"error-rate=0.15":        {ErrorRate: 0.15},
		"expire-session-after=5": {ExpireSessionAfter: 5},
		"request-limit=100":      {RequestLimit: 100},
		"seed=42":                {Seed: 42},
	}
	for s, want := range good {
		apply, err := ParseFault(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		var f Faults
		apply(&f)
		if f != want {
			t.Errorf("%s: %+v, want %+v", s, f, want)
		}
	}
	for _, s := range []string{"latency", "latency=fast", "error-rate=1.5", "error-rate=-0.1", "expire-session-after=0",
		"request-limit=x", "explode=1", "=3", "latency=-1s"} {
		if _, err := ParseFault(s); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
}

func TestLatency(t *testing.T) {
	s := startSim(t, Config{Faults: Faults{Latency: 60 * time.Millisecond}})
	c := newClient(t, s)
	start := time.Now()
	if status, _, _ := c.do(http.MethodGet, "/services/data/", "", nil); status != http.StatusOK {
		t.Fatal(status)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered in %v, before the 60ms latency", d)
	}
}

func TestErrorRate(t *testing.T) {
	always := startSim(t, Config{Faults: Faults{ErrorRate: 1}})
	c := newClient(t, always)
	status, _, body := c.do(http.MethodGet, "/services/data/v62.0/limits", "", nil)
	if status != http.StatusInternalServerError || !strings.Contains(string(body), `"errorCode":"UNKNOWN_EXCEPTION"`) {
		t.Errorf("REST: %d %s", status, body)
	}
	if f := c.fault(styleJSForce, "describeMetadata", ""); f.Code != "sf:UNKNOWN_EXCEPTION" {
		t.Errorf("SOAP: %+v", f)
	}
	// Versions and the token endpoint are not API calls: never failed.
	if status, _, _ := c.do(http.MethodGet, "/services/data/", "", nil); status != http.StatusOK {
		t.Errorf("versions failed: %d", status)
	}

	// A seed makes the choice of failing calls reproducible.
	pattern := func() string {
		s := startSim(t, Config{Faults: Faults{ErrorRate: 0.5, Seed: 7}})
		c := newClient(t, s)
		var b strings.Builder
		for range 40 {
			if status, _, _ := c.do(http.MethodGet, "/services/data/v62.0/", "", nil); status == http.StatusInternalServerError {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	p1, p2 := pattern(), pattern()
	if p1 != p2 || !strings.Contains(p1, "x") || !strings.Contains(p1, ".") {
		t.Errorf("seeded error patterns %q and %q: want equal, with both outcomes", p1, p2)
	}
}

func TestExpireSessionAfter(t *testing.T) {
	s := startSim(t, Config{Faults: Faults{ExpireSessionAfter: 3}})
	c := newClient(t, s)
	for i := range 3 {
		if status, _, b := c.do(http.MethodGet, "/services/data/v62.0/", "", nil); status != http.StatusOK {
			t.Fatalf("call %d: %d %s", i+1, status, b)
		}
	}
	status, _, body := c.do(http.MethodGet, "/services/data/v62.0/", "", nil)
	if status != http.StatusUnauthorized || string(body) != `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]` {
		t.Errorf("expired session REST: %d %s", status, body)
	}
	if f := c.fault(styleJSForce, "describeMetadata", ""); f.Code != "sf:INVALID_SESSION_ID" {
		t.Errorf("expired session SOAP: %+v", f)
	}
	// The client refreshes (§5.2) and goes on with the new token.
	_, tok := postForm(t, s, url.Values{"grant_type": {"refresh_token"}, "client_id": {"relman"}, "refresh_token": {s.RefreshToken()}})
	var res struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(tok, &res); err != nil || res.AccessToken == "" {
		t.Fatalf("refresh: %s", tok)
	}
	c.token = res.AccessToken
	if status, _, b := c.do(http.MethodGet, "/services/data/v62.0/", "", nil); status != http.StatusOK {
		t.Errorf("after refresh: %d %s", status, b)
	}
	if s.AccessToken() != res.AccessToken {
		t.Error("AccessToken() is not the latest token")
	}
}

func TestRequestLimit(t *testing.T) {
	s := startSim(t, Config{Faults: Faults{RequestLimit: 4}})
	c := newClient(t, s)
	var last http.Header
	for i := range 4 {
		status, h, b := c.do(http.MethodGet, "/services/data/v62.0/", "", nil)
		if status != http.StatusOK {
			t.Fatalf("call %d: %d %s", i+1, status, b)
		}
		last = h
	}
	if got := last.Get("Sforce-Limit-Info"); got != "api-usage=4/4" {
		t.Errorf("Sforce-Limit-Info %q", got)
	}
	status, _, body := c.do(http.MethodGet, "/services/data/v62.0/limits", "", nil)
	if status != http.StatusForbidden || string(body) != `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]` {
		t.Errorf("over the limit REST: %d %s", status, body)
	}
	if f := c.fault(styleJSForce, "describeMetadata", ""); f.Code != "sf:REQUEST_LIMIT_EXCEEDED" {
		t.Errorf("over the limit SOAP: %+v", f)
	}
	if status, _, _ := c.do(http.MethodGet, "/services/data/", "", nil); status != http.StatusOK {
		t.Errorf("versions over the limit: %d (not an API call)", status)
	}
}
