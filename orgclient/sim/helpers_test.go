package sim

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// copyOrg copies a testdata org (testdata/orgs/README.md) into a fresh
// temporary directory.
func copyOrg(t testing.TB, name string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// startSim starts a simulator on a copy of production unless cfg.Dir is
// set; tests run with 2 ms test methods unless cfg.TestDuration is set.
func startSim(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = copyOrg(t, "production")
	}
	if cfg.TestDuration == 0 {
		cfg.TestDuration = 2 * time.Millisecond
	}
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fataler is the part of testing.TB a client uses, so that a worker
// goroutine can stand in its own (workerTB).
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// workerTB reports a client's failure in a goroutine other than the test's
// by panicking with workerFailure, which the worker recovers.
type workerTB struct{}

type workerFailure struct{ msg string }

func (workerTB) Helper()                      {}
func (workerTB) Fatal(args ...any)            { panic(workerFailure{fmt.Sprint(args...)}) }
func (workerTB) Fatalf(f string, args ...any) { panic(workerFailure{fmt.Sprintf(f, args...)}) }

// client talks to a simulator over real HTTP, the way real clients do.
type client struct {
	t     fataler
	base  string
	token string
}

func newClient(t testing.TB, s *Server) *client {
	return &client{t: t, base: s.URL(), token: s.AccessToken()}
}

// do sends a request and returns status, headers and body.
func (c *client) do(method, path, contentType string, body []byte) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// Envelope styles of real clients (§2.1).
const (
	// jsforce: unprefixed elements, the metadata namespace declared on Header
	// and Body.
	styleJSForce = iota
	// simple-salesforce / the doc's example: every element prefixed md:.
	stylePrefixed
)

// soapEnvelope wraps an operation's body (written unprefixed) in an
// envelope of the given style with this session.
func soapEnvelope(style int, session, op, inner string) string {
	if style == stylePrefixed {
		inner = prefixElements(inner, "md")
		return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:md="http://soap.sforce.com/2006/04/metadata">` +
			`<soapenv:Header><md:SessionHeader><md:sessionId>` + session + `</md:sessionId></md:SessionHeader><md:CallOptions><md:client>test/1.0</md:client></md:CallOptions></soapenv:Header>` +
			`<soapenv:Body><md:` + op + `>` + inner + `</md:` + op + `></soapenv:Body></soapenv:Envelope>`
	}
	return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>` + session + `</sessionId></SessionHeader></soapenv:Header>` +
		`<soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata"><` + op + `>` + inner + `</` + op + `></soapenv:Body></soapenv:Envelope>`
}

// prefixElements adds prefix: to every element tag of an XML fragment.
func prefixElements(s, prefix string) string {
	s = strings.ReplaceAll(s, "</", "\x00")
	s = strings.ReplaceAll(s, "<", "<"+prefix+":")
	return strings.ReplaceAll(s, "\x00", "</"+prefix+":")
}

// soapFault is a SOAP fault as clients read it (§2.11).
type soapFault struct {
	Code   string `xml:"faultcode"`
	String string `xml:"faultstring"`
}

// soapRaw posts a Metadata API call and returns the HTTP status, the
// fault if any, and the inner XML of the <opResponse> element.
func (c *client) soapRaw(style int, op, inner string) (int, *soapFault, []byte) {
	c.t.Helper()
	saved := c.token
	c.token = "" // SOAP authenticates with SessionHeader only
	status, hdr, body := c.do(http.MethodPost, "/services/Soap/m/62.0", "text/xml; charset=UTF-8", []byte(soapEnvelope(style, saved, op, inner)))
	c.token = saved
	if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		c.t.Fatalf("%s: Content-Type %q, want text/xml", op, ct)
	}
	var env struct {
		Body struct {
			Fault *soapFault `xml:"Fault"`
			Resp  struct {
				XMLName xml.Name
				Inner   []byte `xml:",innerxml"`
			} `xml:",any"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		c.t.Fatalf("%s: response is not a SOAP envelope: %v\n%s", op, err, body)
	}
	if env.Body.Fault != nil {
		if status != http.StatusInternalServerError {
			c.t.Fatalf("%s: fault with HTTP %d, want 500", op, status)
		}
		return status, env.Body.Fault, nil
	}
	if env.Body.Resp.XMLName.Local != op+"Response" {
		c.t.Fatalf("%s: body holds <%s>", op, env.Body.Resp.XMLName.Local)
	}
	return status, nil, env.Body.Resp.Inner
}

// call makes a Metadata API call that must succeed and decodes its
// <result> elements.
func call[T any](c *client, style int, op, inner string) []T {
	c.t.Helper()
	_, f, raw := c.soapRaw(style, op, inner)
	if f != nil {
		c.t.Fatalf("%s: fault %s: %s", op, f.Code, f.String)
	}
	var holder struct {
		Results []T `xml:"result"`
	}
	if err := xml.Unmarshal(append(append([]byte("<r>"), raw...), "</r>"...), &holder); err != nil {
		c.t.Fatalf("%s: decoding results: %v\n%s", op, err, raw)
	}
	return holder.Results
}

// fault makes a Metadata API call that must fail and returns the fault.
func (c *client) fault(style int, op, inner string) *soapFault {
	c.t.Helper()
	_, f, raw := c.soapRaw(style, op, inner)
	if f == nil {
		c.t.Fatalf("%s: no fault; answer %s", op, raw)
	}
	return f
}

// Test-side shapes of the results, read by local name like ForceCLI does.

type tAsync struct {
	Done  bool   `xml:"done"`
	ID    string `xml:"id"`
	State string `xml:"state"`
}

type tMessage struct {
	Changed       bool   `xml:"changed"`
	ColumnNumber  int    `xml:"columnNumber"`
	ComponentType string `xml:"componentType"`
	Created       bool   `xml:"created"`
	Deleted       bool   `xml:"deleted"`
	FileName      string `xml:"fileName"`
	FullName      string `xml:"fullName"`
	ID            string `xml:"id"`
	LineNumber    int    `xml:"lineNumber"`
	Problem       string `xml:"problem"`
	ProblemType   string `xml:"problemType"`
	Success       bool   `xml:"success"`
}

type tTestFailure struct {
	ID         string `xml:"id"`
	Message    string `xml:"message"`
	MethodName string `xml:"methodName"`
	Name       string `xml:"name"`
	StackTrace string `xml:"stackTrace"`
	Time       string `xml:"time"`
	Type       string `xml:"type"`
}

type tTestSuccess struct {
	MethodName string `xml:"methodName"`
	Name       string `xml:"name"`
}

type tCoverage struct {
	ID                     string `xml:"id"`
	Name                   string `xml:"name"`
	Type                   string `xml:"type"`
	NumLocations           int    `xml:"numLocations"`
	NumLocationsNotCovered int    `xml:"numLocationsNotCovered"`
	LocationsNotCovered    []struct {
		Line int `xml:"line"`
	} `xml:"locationsNotCovered"`
}

type tCoverageWarning struct {
	ID      string `xml:"id"`
	Message string `xml:"message"`
	Name    struct {
		Value string `xml:",chardata"`
		Nil   string `xml:"nil,attr"`
	} `xml:"name"`
}

type tDeployResult struct {
	CanceledBy               string `xml:"canceledBy"`
	CanceledByName           string `xml:"canceledByName"`
	CheckOnly                bool   `xml:"checkOnly"`
	CompletedDate            string `xml:"completedDate"`
	CreatedDate              string `xml:"createdDate"`
	Done                     bool   `xml:"done"`
	ErrorMessage             string `xml:"errorMessage"`
	ErrorStatusCode          string `xml:"errorStatusCode"`
	ID                       string `xml:"id"`
	IgnoreWarnings           bool   `xml:"ignoreWarnings"`
	NumberComponentErrors    int    `xml:"numberComponentErrors"`
	NumberComponentsDeployed int    `xml:"numberComponentsDeployed"`
	NumberComponentsTotal    int    `xml:"numberComponentsTotal"`
	NumberTestErrors         int    `xml:"numberTestErrors"`
	NumberTestsCompleted     int    `xml:"numberTestsCompleted"`
	NumberTestsTotal         int    `xml:"numberTestsTotal"`
	RollbackOnError          bool   `xml:"rollbackOnError"`
	RunTestsEnabled          bool   `xml:"runTestsEnabled"`
	StartDate                string `xml:"startDate"`
	StateDetail              string `xml:"stateDetail"`
	Status                   string `xml:"status"`
	Success                  bool   `xml:"success"`
	Details                  struct {
		ComponentFailures  []tMessage `xml:"componentFailures"`
		ComponentSuccesses []tMessage `xml:"componentSuccesses"`
		RunTestResult      struct {
			CodeCoverage         []tCoverage        `xml:"codeCoverage"`
			CodeCoverageWarnings []tCoverageWarning `xml:"codeCoverageWarnings"`
			Failures             []tTestFailure     `xml:"failures"`
			NumFailures          int                `xml:"numFailures"`
			NumTestsRun          int                `xml:"numTestsRun"`
			Successes            []tTestSuccess     `xml:"successes"`
			TotalTime            string             `xml:"totalTime"`
		} `xml:"runTestResult"`
	} `xml:"details"`
}

// deployZip submits a deploy with these DeployOptions children (any order,
// unprefixed) and returns its id.
func (c *client) deployZip(style int, zipped []byte, options string) string {
	c.t.Helper()
	res := call[tAsync](c, style, "deploy", "<ZipFile>"+base64.StdEncoding.EncodeToString(zipped)+"</ZipFile><DeployOptions>"+options+"</DeployOptions>")
	if len(res) != 1 || res[0].State != "Queued" || res[0].Done || !strings.HasPrefix(res[0].ID, "0Af") || len(res[0].ID) != 18 {
		c.t.Fatalf("deploy answered %+v, want one queued 0Af… AsyncResult", res)
	}
	return res[0].ID
}

// deployStatus is one checkDeployStatus call.
func (c *client) deployStatus(id string, details bool) tDeployResult {
	c.t.Helper()
	res := call[tDeployResult](c, styleJSForce, "checkDeployStatus", fmt.Sprintf("<asyncProcessId>%s</asyncProcessId><includeDetails>%t</includeDetails>", id, details))
	if len(res) != 1 {
		c.t.Fatalf("checkDeployStatus gave %d results", len(res))
	}
	return res[0]
}

// pollDeploy polls until the deploy is done (10 s deadline) and returns the
// final result with details.
func (c *client) pollDeploy(id string) tDeployResult {
	c.t.Helper()
	return c.pollDeployUntil(id, func(r tDeployResult) bool { return r.Done })
}

// pollDeployUntil polls (details on) until cond holds, failing the test
// after 10 s.
func (c *client) pollDeployUntil(id string, cond func(tDeployResult) bool) tDeployResult {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.deployStatus(id, true)
		if cond(r) {
			return r
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("deploy %s: condition not reached by the deadline; last status %s (%s)", id, r.Status, r.StateDetail)
		}
		time.Sleep(2 * time.Millisecond) // polling interval, not a wait for an outcome
	}
}

// orgItems reads a directory org's components.
func orgItems(t testing.TB, dir string, f local.Filter) []metadata.Item {
	t.Helper()
	o, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	items, err := o.Items(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// packageOf zips components of a testdata org as a deploy package
// (package.xml at the root: the singlePackage layout).
func packageOf(t testing.TB, org string, cs ...metadata.Component) []byte {
	t.Helper()
	items := orgItems(t, filepath.Join("..", "..", "testdata", "orgs", org), local.Filter{Components: cs})
	if len(items) != len(cs) {
		t.Fatalf("%s has %d of the %d components asked for", org, len(items), len(cs))
	}
	var buf bytes.Buffer
	if err := metadata.WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf builds a zip from path → content.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manifest returns a package.xml listing members by type.
func manifest(types map[string][]string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">`)
	for name, members := range types {
		b.WriteString("<types>")
		for _, m := range members {
			b.WriteString("<members>" + m + "</members>")
		}
		b.WriteString("<name>" + name + "</name></types>")
	}
	b.WriteString("<version>62.0</version></Package>")
	return b.String()
}

func comp(s string) metadata.Component {
	c, err := metadata.ParseComponent(s)
	if err != nil {
		panic(err)
	}
	return c
}

// form posts a form to the token endpoint.
func postForm(t testing.TB, s *Server, v url.Values) (int, []byte) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/services/oauth2/token", v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
