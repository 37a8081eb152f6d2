package sim

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseDropFault(t *testing.T) {
	apply, err := ParseFault("drop=0.25")
	if err != nil {
		t.Fatal(err)
	}
	var f Faults
	apply(&f)
	if f != (Faults{Drop: 0.25}) {
		t.Fatalf("drop=0.25 set %+v", f)
	}
	if apply, err = ParseFault("drop=0.5@checkDeployStatus+checkRetrieveStatus"); err != nil {
		t.Fatal(err)
	}
	f = Faults{}
	apply(&f)
	if f != (Faults{Drop: 0.5, DropOnly: "checkDeployStatus+checkRetrieveStatus"}) {
		t.Fatalf("drop=0.5@… set %+v", f)
	}
	for _, s := range []string{"drop=", "drop=often", "drop=1.5", "drop=-0.1", "drop=0.5@", "drop=0.5@check Deploy", "drop=0.5@a++b"} {
		if _, err := ParseFault(s); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
	if _, err := ParseFault("explode=1"); err == nil || !strings.Contains(err.Error(), "drop") {
		t.Errorf("the unknown-kind message does not offer drop: %v", err)
	}
	if _, err := Start(t.Context(), Config{Dir: copyOrg(t, "production"), Faults: Faults{Drop: 2}}); err == nil {
		t.Error("a drop rate of 2 was accepted")
	}
}

// rawCall sends one request and reads the whole answer, returning the
// transport error a client would see.
func rawCall(t *testing.T, method, u, contentType, token string, body []byte) (int, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	// A fresh transport per call: a dropped connection must not be reused.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestDropCutsTheAnswerAfterTheWork checks that a dropped call reaches the
// client as a cut answer (status and headers, then an unexpected EOF
// halfway through the body) while the org has done what was asked: a
// dropped retrieve has started its job. The token and version endpoints
// are never dropped.
func TestDropCutsTheAnswerAfterTheWork(t *testing.T) {
	s := startSim(t, Config{Faults: Faults{Drop: 1}})
	status, body, err := rawCall(t, http.MethodGet, s.URL()+"/services/data/v62.0/limits", "", s.AccessToken(), nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) || status != http.StatusOK || len(body) == 0 {
		t.Fatalf("dropped REST call: status %d, %d bytes, err %v; want 200, half a body, unexpected EOF", status, len(body), err)
	}
	if bytes.HasSuffix(bytes.TrimSpace(body), []byte("}")) {
		t.Fatalf("the dropped answer is complete: %s", body)
	}

	retrieve := soapEnvelope(styleJSForce, s.AccessToken(), "retrieve",
		"<request><apiVersion>62.0</apiVersion><unpackaged><types><members>InvoiceService</members><name>ApexClass</name></types></unpackaged></request>")
	if _, _, err := rawCall(t, http.MethodPost, s.URL()+"/services/Soap/m/62.0", "text/xml; charset=UTF-8", "", []byte(retrieve)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("dropped SOAP call: err %v, want unexpected EOF", err)
	}
	s.jobs.mu.Lock()
	started := len(s.jobs.retrieves)
	s.jobs.mu.Unlock()
	if started != 1 {
		t.Fatalf("after a dropped retrieve the org has %d retrieve jobs, want 1: the work is done, only the answer is lost", started)
	}
	if got := s.Dropped(); got != 2 {
		t.Fatalf("Dropped() = %d after two dropped calls", got)
	}

	if status, _, err := rawCall(t, http.MethodGet, s.URL()+"/services/data/", "", "", nil); err != nil || status != http.StatusOK {
		t.Fatalf("versions endpoint under drop=1: %d %v", status, err)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"relman"}, "refresh_token": {s.RefreshToken()}}
	status, body, err = rawCall(t, http.MethodPost, s.URL()+"/services/oauth2/token", "application/x-www-form-urlencoded", "", []byte(form.Encode()))
	if err != nil || status != http.StatusOK || !bytes.Contains(body, []byte("access_token")) {
		t.Fatalf("token endpoint under drop=1: %d %v %s", status, err, body)
	}
}

// TestDropRateIsSeeded checks that drop=0.5 drops some calls and serves
// others, in the same pattern for the same seed.
func TestDropRateIsSeeded(t *testing.T) {
	pattern := func() string {
		s := startSim(t, Config{Faults: Faults{Drop: 0.5, Seed: 11}})
		var b strings.Builder
		for range 30 {
			if _, _, err := rawCall(t, http.MethodGet, s.URL()+"/services/data/v62.0/", "", s.AccessToken(), nil); err != nil {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		if n := int64(strings.Count(b.String(), "x")); n != s.Dropped() {
			t.Fatalf("%d calls failed, Dropped() = %d", n, s.Dropped())
		}
		return b.String()
	}
	p1, p2 := pattern(), pattern()
	if p1 != p2 || !strings.Contains(p1, "x") || !strings.Contains(p1, ".") {
		t.Fatalf("seeded drop patterns %q and %q: want equal, with both outcomes", p1, p2)
	}
}

// TestDropOnlyNamedOperations checks that drop=1@checkRetrieveStatus cuts
// every poll of a retrieve and nothing else: the retrieve starts, the REST
// API answers, and each checkRetrieveStatus is lost.
func TestDropOnlyNamedOperations(t *testing.T) {
	s := startSim(t, Config{Faults: Faults{Drop: 1, DropOnly: "checkRetrieveStatus"}})
	c := newClient(t, s)
	if status, _, _ := c.do(http.MethodGet, "/services/data/v62.0/limits", "", nil); status != http.StatusOK {
		t.Fatalf("limits: %d", status)
	}
	type asyncResult struct {
		ID string `xml:"id"`
	}
	started := call[asyncResult](c, styleJSForce, "retrieve",
		"<request><apiVersion>62.0</apiVersion><unpackaged><types><members>InvoiceService</members><name>ApexClass</name></types></unpackaged></request>")
	if len(started) != 1 || started[0].ID == "" {
		t.Fatalf("retrieve answered %+v", started)
	}
	poll := soapEnvelope(styleJSForce, s.AccessToken(), "checkRetrieveStatus", "<asyncProcessId>"+started[0].ID+"</asyncProcessId>")
	for range 3 {
		if _, _, err := rawCall(t, http.MethodPost, s.URL()+"/services/Soap/m/62.0", "text/xml; charset=UTF-8", "", []byte(poll)); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("poll: err %v, want unexpected EOF", err)
		}
	}
	if s.Dropped() != 3 {
		t.Fatalf("Dropped() = %d, want the 3 polls", s.Dropped())
	}
}
