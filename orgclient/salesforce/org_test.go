package salesforce

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"relman/model"
)

// testOrg is a loopback HTTP server answering like a Salesforce org: the
// token endpoint, /services/data/, the SOAP Metadata endpoint and REST
// paths, with the bodies recorded in salesforce-api.md. Tests register
// per-operation handlers; the server checks sessions like a real org.
type testOrg struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	issued int
	valid  map[string]bool
	// tokenForms records every form posted to the token endpoint.
	tokenForms []url.Values
	// tokenHandler replaces the default refresh-token grant when set.
	tokenHandler http.HandlerFunc
	soap         map[string]func(req soapReq) (int, string)
	rest         map[string]http.HandlerFunc
	calls        []string
	versions     string
	// rawSOAP, when set, is sent as is for every SOAP call.
	rawSOAP *string
}

// soapReq is a decoded SOAP request: its session id, operation and the raw
// XML inside the operation element.
type soapReq struct {
	Session string
	Op      string
	Inner   string
	// ContentLength is the declared length; BodyLen what arrived.
	ContentLength int64
	BodyLen       int
}

const (
	testClientID     = "relman"
	testClientSecret = "S3cr3tClientValue"
	testRefresh      = "5Aep861RefreshTokenValue"
	testPassword     = "Pa55wordPlusTokenValue"
	testOrgID        = "00D5g00000AbCdEEAV"
	testUserID       = "0055g00000XyZ12AAB"
)

func newTestOrg(t *testing.T) *testOrg {
	o := &testOrg{t: t, valid: map[string]bool{}, soap: map[string]func(soapReq) (int, string){},
		rest: map[string]http.HandlerFunc{},
		versions: `[{"label":"Summer '25","url":"/services/data/v64.0","version":"64.0"},` +
			`{"label":"Spring '26","url":"/services/data/v66.0","version":"66.0"},` +
			`{"label":"Winter '26","url":"/services/data/v65.0","version":"65.0"}]`}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *testOrg) URL() string { return o.srv.URL }

func (o *testOrg) record(call string) {
	o.mu.Lock()
	o.calls = append(o.calls, call)
	o.mu.Unlock()
}

// count returns how many calls named call the org received.
func (o *testOrg) count(call string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, c := range o.calls {
		if c == call {
			n++
		}
	}
	return n
}

// issue mints a token shaped like Salesforce's: <15-char org id>!<opaque> (§1.2).
func (o *testOrg) issue() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.issued++
	tok := fmt.Sprintf("00D5g00000AbCdE!AQ8AQ.tok%d", o.issued)
	o.valid[tok] = true
	return tok
}

// expireSessions makes every issued token invalid, as a session timeout does.
func (o *testOrg) expireSessions() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.valid = map[string]bool{}
}

func (o *testOrg) validToken(tok string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.valid[tok]
}

// tokenResponse is a success body of §1.2.
func (o *testOrg) tokenResponse(access string, extra map[string]string) string {
	m := map[string]string{"access_token": access, "instance_url": o.URL(),
		"id": "https://login.salesforce.com/id/" + testOrgID + "/" + testUserID, "token_type": "Bearer",
		"issued_at": "1718000000000", "signature": "kJ8xRabc=", "scope": "refresh_token api id"}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func (o *testOrg) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/services/oauth2/token":
		if err := r.ParseForm(); err != nil {
			o.t.Errorf("token endpoint: %v", err)
		}
		o.mu.Lock()
		o.tokenForms = append(o.tokenForms, r.PostForm)
		h := o.tokenHandler
		o.mu.Unlock()
		o.record("token")
		if h != nil {
			h(w, r)
			return
		}
		if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != testRefresh || r.PostForm.Get("client_id") != testClientID {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"expired access/refresh token"}`)
			return
		}
		writeJSON(w, http.StatusOK, o.tokenResponse(o.issue(), nil))
	case r.URL.Path == "/services/data/":
		o.record("versions")
		writeJSON(w, http.StatusOK, o.versions)
	case strings.HasPrefix(r.URL.Path, "/services/Soap/m/"):
		o.serveSOAP(w, r)
	default:
		o.record(r.URL.Path)
		h := o.rest[r.URL.Path]
		if h == nil {
			writeJSON(w, http.StatusNotFound, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`)
			return
		}
		if !o.validToken(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			writeJSON(w, http.StatusUnauthorized, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
			return
		}
		h(w, r)
	}
}

func (o *testOrg) serveSOAP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		// The client gave up mid-request (e.g. its zip failed to read).
		o.record("broken request")
		return
	}
	var env struct {
		Session string `xml:"Header>SessionHeader>sessionId"`
		Body    struct {
			Op struct {
				XMLName xml.Name
				Inner   string `xml:",innerxml"`
			} `xml:",any"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		o.t.Errorf("SOAP request is not XML: %v", err)
		return
	}
	op := env.Body.Op.XMLName.Local
	if env.Body.Op.XMLName.Space != metadataNS {
		o.t.Errorf("%s: namespace %q, want %q", op, env.Body.Op.XMLName.Space, metadataNS)
	}
	if r.Header.Get("SOAPAction") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/xml") {
		o.t.Errorf("%s: headers SOAPAction=%q Content-Type=%q", op, r.Header.Get("SOAPAction"), r.Header.Get("Content-Type"))
	}
	o.record(op)
	o.mu.Lock()
	raw := o.rawSOAP
	o.mu.Unlock()
	if raw != nil {
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		io.WriteString(w, *raw)
		return
	}
	if !o.validToken(env.Session) {
		writeSOAP(w, http.StatusInternalServerError, faultXML("sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session"))
		return
	}
	h := o.soap[op]
	if h == nil {
		o.t.Errorf("unexpected SOAP operation %s", op)
		writeSOAP(w, http.StatusInternalServerError, faultXML("soapenv:Client", "No operation available for request "+op))
		return
	}
	status, inner := h(soapReq{Session: env.Session, Op: op, Inner: env.Body.Op.Inner,
		ContentLength: r.ContentLength, BodyLen: len(body)})
	writeSOAP(w, status, inner)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// soapEnvelope wraps a body like a real org answer: default namespace =
// metadata, xsi declared for xsi:nil, sf prefix for fault codes (§2.1, §2.11).
func soapEnvelope(inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:sf="http://soap.sforce.com/2006/04/metadata" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>` + inner + `</soapenv:Body></soapenv:Envelope>`
}

func writeSOAP(w http.ResponseWriter, status int, inner string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	io.WriteString(w, soapEnvelope(inner))
}

func faultXML(code, msg string) string {
	return `<soapenv:Fault><faultcode>` + code + `</faultcode><faultstring>` + msg + `</faultstring></soapenv:Fault>`
}

// ok answers a SOAP operation with one result element body.
func ok(op, result string) func(soapReq) (int, string) {
	return func(soapReq) (int, string) {
		return http.StatusOK, "<" + op + "Response>" + result + "</" + op + "Response>"
	}
}

// fakeClock fires every wait at once and records its length.
type fakeClock struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeClock) Now() time.Time { return time.Now() }

func (f *fakeClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

func (f *fakeClock) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// refreshConfig signs in to o with the refresh-token grant.
func (o *testOrg) refreshConfig() Config {
	return Config{LoginURL: o.URL(), Auth: model.AuthRefreshToken, ClientID: testClientID,
		Credentials: model.Credentials{RefreshToken: testRefresh}}
}

// client returns a refresh-token client of o with instant waits.
func (o *testOrg) client(opts ...Option) (*Client, *fakeClock) {
	o.t.Helper()
	clk := &fakeClock{}
	c, err := New(o.refreshConfig(), append([]Option{WithClock(clk)}, opts...)...)
	if err != nil {
		o.t.Fatalf("New: %v", err)
	}
	return c, clk
}
