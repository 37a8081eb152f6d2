package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const limitsBody = `{"DailyApiRequests":{"Max":15000,"Remaining":14998,"Ant Migration Tool":{"Max":0,"Remaining":0}},` +
	`"DailyBulkApiRequests":{"Max":10000,"Remaining":10000},"DataStorageMB":{"Max":5,"Remaining":5}}`

func (o *testOrg) serveLimits(v string) {
	o.rest["/services/data/v"+v+"/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sforce-Limit-Info", "api-usage=18/15000")
		writeJSON(w, http.StatusOK, limitsBody)
	}
}

func TestAPIVersionDiscovery(t *testing.T) {
	o := newTestOrg(t)
	o.serveLimits("66.0")
	c, _ := o.client()
	ctx := context.Background()
	v, err := c.APIVersion(ctx)
	if err != nil || v != "66.0" {
		t.Fatalf("APIVersion = %q, %v; want the highest, 66.0", v, err)
	}
	lim, err := c.Limits(ctx)
	if err != nil || lim["DailyApiRequests"] != (Limit{Max: 15000, Remaining: 14998}) {
		t.Fatalf("Limits = %v, %v", lim, err)
	}
	if n := o.count("versions"); n != 1 {
		t.Errorf("/services/data/ called %d times, want 1", n)
	}
}

func TestAPIVersionPinned(t *testing.T) {
	o := newTestOrg(t)
	o.serveLimits("62.0")
	cfg := o.refreshConfig()
	cfg.APIVersion = "62"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := o.count("versions"); n != 0 {
		t.Errorf("/services/data/ called %d times with a pinned version", n)
	}
}

func TestRESTRefreshOnce(t *testing.T) {
	o := newTestOrg(t)
	o.serveLimits("66.0")
	c, _ := o.client()
	ctx := context.Background()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	o.expireSessions()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := o.count("token"); n != 2 {
		t.Errorf("token calls = %d, want 2 (sign-in + exactly one refresh)", n)
	}
	if n := o.count("/services/data/v66.0/limits/"); n != 3 {
		t.Errorf("limits calls = %d, want 3 (ok, 401, retry)", n)
	}
}

func TestRESTRefreshConcurrent(t *testing.T) {
	o := newTestOrg(t)
	o.serveLimits("66.0")
	c, _ := o.client()
	ctx := context.Background()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	o.expireSessions()
	errs := make(chan error, 8)
	for range 8 {
		go func() { _, err := c.Limits(ctx); errs <- err }()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := o.count("token"); n != 2 {
		t.Errorf("token calls = %d, want 2: concurrent 401s share one refresh", n)
	}
}

func TestRESTSessionNotValidForREST(t *testing.T) {
	o := newTestOrg(t)
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `[{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]`)
	}
	c, _ := o.client()
	_, err := c.Limits(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Code != "INVALID_SESSION_ID" {
		t.Fatalf("err = %v, want APIError 401", err)
	}
	if n := o.count("token"); n != 1 {
		t.Errorf("token calls = %d, want 1: this 401 must not trigger a refresh", n)
	}
	// No new sign-in was tried, so the hint must not claim one.
	if strings.Contains(err.Error(), "signing in again") || !strings.Contains(err.Error(), "api scope") {
		t.Errorf("hint: %v", err)
	}
	if err := (&APIError{StatusCode: 401, Code: "INVALID_SESSION_ID", Message: "Session expired or invalid"}); !strings.Contains(err.Error(), "even after signing in again") {
		t.Errorf("after a renewal the hint says so: %v", err)
	}
}

func TestRESTRefreshFailsTwice(t *testing.T) {
	o := newTestOrg(t)
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
	}
	c, _ := o.client()
	_, err := c.Limits(context.Background())
	if err == nil || !strings.Contains(err.Error(), "API Enabled") {
		t.Fatalf("err = %v, want the INVALID_SESSION_ID hint", err)
	}
	if n := o.count("token"); n != 2 {
		t.Errorf("token calls = %d, want 2: one refresh, no loop", n)
	}
}

func TestSOAPInvalidSessionRefresh(t *testing.T) {
	o := newTestOrg(t)
	o.soap["listMetadata"] = ok("listMetadata", "")
	c, _ := o.client()
	ctx := context.Background()
	if _, err := c.ListMetadata(ctx, []ListQuery{{Type: "ApexClass"}}); err != nil {
		t.Fatal(err)
	}
	o.expireSessions()
	if _, err := c.ListMetadata(ctx, []ListQuery{{Type: "ApexClass"}}); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := o.count("token"); n != 2 {
		t.Errorf("token calls = %d, want 2", n)
	}
	if n := o.count("listMetadata"); n != 3 {
		t.Errorf("listMetadata calls = %d, want 3 (ok, fault, retry)", n)
	}
}

func TestRetry5xxIdempotent(t *testing.T) {
	o := newTestOrg(t)
	var fails atomic.Int32
	fails.Store(2)
	o.soap["listMetadata"] = func(r soapReq) (int, string) {
		if fails.Add(-1) >= 0 {
			return http.StatusServiceUnavailable, ""
		}
		return ok("listMetadata", "")(r)
	}
	c, clk := o.client()
	if _, err := c.ListMetadata(context.Background(), []ListQuery{{Type: "ApexClass"}}); err != nil {
		t.Fatal(err)
	}
	if n := o.count("listMetadata"); n != 3 {
		t.Errorf("listMetadata calls = %d, want 3", n)
	}
	if w := clk.recorded(); fmt.Sprint(w) != "[500ms 1s]" {
		t.Errorf("backoff waits = %v, want [500ms 1s]", w)
	}

	var restFails atomic.Int32
	restFails.Store(1)
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		if restFails.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "<html><title>Maintenance</title></html>")
			return
		}
		writeJSON(w, http.StatusOK, limitsBody)
	}
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatalf("REST 503 then 200: %v", err)
	}
	if n := o.count("/services/data/v66.0/limits/"); n != 2 {
		t.Errorf("limits calls = %d, want 2", n)
	}
}

func TestRetriesExhausted(t *testing.T) {
	o := newTestOrg(t)
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusInternalServerError, `[{"message":"An unexpected error occurred.","errorCode":"UNKNOWN_EXCEPTION"}]`)
	}
	c, _ := o.client(WithRetries(2))
	_, err := c.Limits(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "UNKNOWN_EXCEPTION" {
		t.Fatalf("err = %v", err)
	}
	if n := o.count("/services/data/v66.0/limits/"); n != 3 {
		t.Errorf("calls = %d, want 3 (1 + 2 retries)", n)
	}
}

func TestDeployNotRetried(t *testing.T) {
	o := newTestOrg(t)
	o.soap["deploy"] = func(soapReq) (int, string) { return http.StatusBadGateway, "" }
	c, _ := o.client()
	_, err := c.Deploy(context.Background(), strings.NewReader(string(buildZip(t, 3, 10))), DeployOptions{CheckOnly: true})
	if err == nil {
		t.Fatal("want an error")
	}
	if n := o.count("deploy"); n != 1 {
		t.Errorf("deploy calls = %d, want 1: a deploy is never retried", n)
	}
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "deploy" || oe.Org != o.URL() {
		t.Errorf("err = %#v, want an OpError naming deploy and the org", err)
	}
}

func TestSOAPFaultNotRetried(t *testing.T) {
	o := newTestOrg(t)
	o.soap["checkDeployStatus"] = func(soapReq) (int, string) {
		return http.StatusInternalServerError, faultXML("sf:INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid cross reference id")
	}
	c, _ := o.client()
	_, err := c.CheckDeployStatus(context.Background(), "0Af000000000001", false)
	var f *SOAPFault
	if !errors.As(err, &f) || f.Code != "INVALID_ID_FIELD" || f.Message != "INVALID_ID_FIELD: invalid cross reference id" {
		t.Fatalf("err = %v, want SOAPFault INVALID_ID_FIELD", err)
	}
	if n := o.count("checkDeployStatus"); n != 1 {
		t.Errorf("calls = %d, want 1: a fault is the org's answer, not a transient error", n)
	}
	if !strings.HasPrefix(err.Error(), "checkDeployStatus on "+o.URL()+": ") {
		t.Errorf("err = %q, want it to name the operation and org", err)
	}
}

func TestMalformedXML(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":   `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><checkDeployStatusResponse><result><done>tr`,
		"not soap":    `<html-ish><p>hello</p></html-ish>`,
		"wrong op":    soapEnvelope(`<listMetadataResponse/>`),
		"bad number":  soapEnvelope(`<checkDeployStatusResponse><result><numberComponentsTotal>many</numberComponentsTotal></result></checkDeployStatusResponse>`),
		"bad date":    soapEnvelope(`<checkDeployStatusResponse><result><createdDate>yesterday</createdDate></result></checkDeployStatusResponse>`),
		"no result":   soapEnvelope(`<checkDeployStatusResponse/>`),
		"empty body":  ``,
		"json answer": `{"done":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			o := newTestOrg(t)
			o.rawSOAP = &body
			c, _ := o.client()
			_, err := c.CheckDeployStatus(context.Background(), "0Af", true)
			var re *ResponseError
			if !errors.As(err, &re) || re.StatusCode != 200 {
				t.Fatalf("err = %v, want *ResponseError with HTTP 200", err)
			}
			if !strings.Contains(err.Error(), "checkDeployStatus on "+o.URL()) {
				t.Errorf("err = %q, want op and org", err)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	o := newTestOrg(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	o.soap["checkDeployStatus"] = func(soapReq) (int, string) {
		<-release
		return http.StatusOK, ""
	}
	c, _ := o.client()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.CheckDeployStatus(ctx, "0Af", false)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("err = %v, want a clear timeout", err)
	}
	if !strings.Contains(err.Error(), "checkDeployStatus on "+o.URL()) {
		t.Errorf("err = %q, want op and org", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
}

func TestClientTimeoutRetried(t *testing.T) {
	o := newTestOrg(t)
	var n atomic.Int32
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			time.Sleep(300 * time.Millisecond)
		}
		writeJSON(w, http.StatusOK, limitsBody)
	}
	c, _ := o.client(WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}))
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatalf("a timed-out GET must be retried: %v", err)
	}
}

func TestRequestLimit(t *testing.T) {
	o := newTestOrg(t)
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)
	}
	o.soap["listMetadata"] = func(soapReq) (int, string) {
		return http.StatusInternalServerError, faultXML("sf:REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.")
	}
	c, _ := o.client()
	_, err := c.Limits(context.Background())
	if !errors.Is(err, ErrRequestLimit) || !strings.Contains(err.Error(), "24 h") {
		t.Errorf("REST: err = %v, want ErrRequestLimit with advice", err)
	}
	_, err = c.ListMetadata(context.Background(), []ListQuery{{Type: "ApexClass"}})
	if !errors.Is(err, ErrRequestLimit) {
		t.Errorf("SOAP: err = %v, want ErrRequestLimit", err)
	}
	if errors.Is(&APIError{StatusCode: 400, Code: "MALFORMED_QUERY"}, ErrRequestLimit) {
		t.Error("MALFORMED_QUERY must not match ErrRequestLimit")
	}
}

func TestInstanceNotSalesforce(t *testing.T) {
	o := newTestOrg(t)
	o.rest["/services/data/v66.0/limits/"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html;charset=UTF-8")
		io.WriteString(w, "<html><head><title>Welcome to nginx!</title></head></html>")
	}
	c, _ := o.client()
	_, err := c.Limits(context.Background())
	if !errors.Is(err, ErrNotSalesforce) || !strings.Contains(err.Error(), "this URL is not a Salesforce instance") ||
		!strings.Contains(err.Error(), "nginx") {
		t.Fatalf("err = %v", err)
	}
	if n := o.count("/services/data/v66.0/limits/"); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestClientStringHidesToken(t *testing.T) {
	o := newTestOrg(t)
	o.serveLimits("66.0")
	c, _ := o.client()
	if _, err := c.Limits(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%+v", c.tok), fmt.Sprintf("%#v", c.tok)} {
		assertNoSecrets(t, s)
	}
	if c.String() != "salesforce.Client("+o.URL()+")" {
		t.Errorf("String = %s", c.String())
	}
}
