package salesforce

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"relman/model"
)

var zipFilePattern = regexp.MustCompile(`(?s)^<ZipFile>([A-Za-z0-9+/=]*)</ZipFile>(<DeployOptions>.*</DeployOptions>)$`)

func TestDeployStreamsZip(t *testing.T) {
	o := newTestOrg(t)
	sent := buildZip(t, 50, 2000)
	o.soap["deploy"] = func(r soapReq) (int, string) {
		m := zipFilePattern.FindStringSubmatch(r.Inner)
		if m == nil {
			t.Errorf("deploy request shape: %.200s", r.Inner)
			return http.StatusOK, ""
		}
		got, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil || !bytes.Equal(got, sent) {
			t.Errorf("zip on the wire differs (%v)", err)
		}
		wantOpts := `<DeployOptions><allowMissingFiles>false</allowMissingFiles><autoUpdatePackage>false</autoUpdatePackage>` +
			`<checkOnly>true</checkOnly><ignoreWarnings>false</ignoreWarnings><performRetrieve>false</performRetrieve>` +
			`<purgeOnDelete>false</purgeOnDelete><rollbackOnError>true</rollbackOnError><runTests>FooTest</runTests>` +
			`<runTests>BarTest</runTests><singlePackage>false</singlePackage><testLevel>RunSpecifiedTests</testLevel></DeployOptions>`
		if m[2] != wantOpts {
			t.Errorf("options:\n%s\nwant\n%s", m[2], wantOpts)
		}
		if r.ContentLength != int64(r.BodyLen) {
			t.Errorf("Content-Length %d, body %d bytes", r.ContentLength, r.BodyLen)
		}
		return http.StatusOK, `<deployResponse><result><done>false</done><id>0Af3B00001CMyfASAT</id><state>Queued</state></result></deployResponse>`
	}
	c, _ := o.client()
	id, err := c.Deploy(context.Background(), bytes.NewReader(sent), DeployOptions{CheckOnly: true, RollbackOnError: true,
		RunTests: []string{"FooTest", "BarTest"}})
	if err != nil || id != "0Af3B00001CMyfASAT" {
		t.Fatalf("Deploy = %q, %v", id, err)
	}
}

func TestDeployReaders(t *testing.T) {
	o := newTestOrg(t)
	sent := buildZip(t, 3, 100)
	o.soap["deploy"] = func(r soapReq) (int, string) {
		m := zipFilePattern.FindStringSubmatch(r.Inner)
		if got, _ := base64.StdEncoding.DecodeString(m[1]); !bytes.Equal(got, sent) {
			t.Errorf("zip on the wire differs")
		}
		return http.StatusOK, `<deployResponse><result><done>false</done><id>0Af1</id><state>Queued</state></result></deployResponse>`
	}
	c, _ := o.client()
	ctx := context.Background()
	// A reader that cannot seek is read into memory once.
	if _, err := c.Deploy(ctx, io.MultiReader(bytes.NewReader(sent)), DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	// A seekable reader is used from its offset and not moved.
	prefixed := bytes.NewReader(append([]byte("junk"), sent...))
	prefixed.Seek(4, io.SeekStart)
	if _, err := c.Deploy(ctx, prefixed, DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	if pos, _ := prefixed.Seek(0, io.SeekCurrent); pos != 4 {
		t.Errorf("reader moved to %d", pos)
	}
}

func TestDeployResentAfterSessionExpiry(t *testing.T) {
	o := newTestOrg(t)
	sent := buildZip(t, 3, 100)
	o.soap["deploy"] = func(r soapReq) (int, string) {
		m := zipFilePattern.FindStringSubmatch(r.Inner)
		if got, _ := base64.StdEncoding.DecodeString(m[1]); !bytes.Equal(got, sent) {
			t.Errorf("zip on the wire differs")
		}
		return http.StatusOK, `<deployResponse><result><done>false</done><id>0Af1</id><state>Queued</state></result></deployResponse>`
	}
	o.soap["listMetadata"] = ok("listMetadata", "")
	c, _ := o.client()
	ctx := context.Background()
	if _, err := c.ListMetadata(ctx, []ListQuery{{Type: "ApexClass"}}); err != nil {
		t.Fatal(err)
	}
	o.expireSessions()
	if _, err := c.Deploy(ctx, bytes.NewReader(sent), DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := o.count("deploy"); n != 2 {
		t.Errorf("deploy calls = %d, want 2 (fault, resend with the new session)", n)
	}
}

// failingReader fails every read past the first chunk, so the deploy stream
// breaks after the zip's directory was checked.
type failingReader struct{ *bytes.Reader }

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off > 0 && off < f.Size()-64<<10 {
		return 0, errors.New("disk on fire")
	}
	return f.Reader.ReadAt(p, off)
}

func TestDeployZipReadError(t *testing.T) {
	o := newTestOrg(t)
	big := make([]byte, 300<<10)
	rand.Read(big)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "package.xml", Method: zip.Store})
	w.Write(big)
	zw.Close()
	o.soap["deploy"] = ok("deploy", `<result><id>0Af1</id></result>`)
	c, _ := o.client()
	_, err := c.Deploy(context.Background(), failingReader{bytes.NewReader(buf.Bytes())}, DeployOptions{})
	if err == nil || !strings.Contains(err.Error(), "reading the deploy package: disk on fire") || !strings.Contains(err.Error(), "deploy on "+o.URL()) {
		t.Fatalf("err = %v", err)
	}
}

func TestZipLimits(t *testing.T) {
	err := CheckZipLimits(39_000_001, 10)
	var le *LimitError
	if !errors.As(err, &le) || le.What != "compressed bytes" || !strings.Contains(err.Error(), "39,000,001") || !strings.Contains(err.Error(), "39,000,000") {
		t.Errorf("size: %v", err)
	}
	if err := CheckZipLimits(1000, 10_001); !errors.As(err, &le) || !strings.Contains(err.Error(), "10,001 files") {
		t.Errorf("files: %v", err)
	}
	if err := CheckZipLimits(MaxDeployZipBytes, MaxDeployFiles); err != nil {
		t.Errorf("at the limits: %v", err)
	}

	many := buildZip(t, MaxDeployFiles, 0)
	if err := CheckZip(bytes.NewReader(many), int64(len(many))); !errors.As(err, &le) || le.Actual != MaxDeployFiles+1 {
		t.Errorf("10,000 classes + package.xml: %v", err)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "staticresources/huge.resource", Method: zip.Deflate,
		CompressedSize64: 2, UncompressedSize64: 700 << 20})
	w.Write([]byte{3, 0})
	zw.Close()
	if err := CheckZip(bytes.NewReader(buf.Bytes()), int64(buf.Len())); !errors.As(err, &le) || le.What != "uncompressed bytes" {
		t.Errorf("uncompressed: %v", err)
	}
	if err := CheckZip(strings.NewReader("not a zip"), 9); err == nil || !strings.Contains(err.Error(), "not a zip file") {
		t.Errorf("garbage: %v", err)
	}

	o := newTestOrg(t)
	c, _ := o.client()
	_, err = c.Deploy(context.Background(), bytes.NewReader(many), DeployOptions{})
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "deploy on "+o.URL()) {
		t.Errorf("Deploy over the limit: %v", err)
	}
	if n := o.count("deploy"); n != 0 {
		t.Errorf("a zip over the limits was sent")
	}
}

func TestDeployOptionsChecked(t *testing.T) {
	for _, tt := range []struct {
		opts DeployOptions
		err  string
	}{
		{DeployOptions{TestLevel: "RunSomeTests"}, "is not one of"},
		{DeployOptions{TestLevel: model.RunLocalTests, RunTests: []string{"A"}}, "name tests only with RunSpecifiedTests"},
		{DeployOptions{TestLevel: model.RunSpecifiedTests}, "needs at least one test class"},
		{DeployOptions{TestLevel: runRelevantTests}, ""},
		{DeployOptions{RunTests: []string{"A"}}, ""},
	} {
		got, err := tt.opts.checked()
		if tt.err == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.opts, err)
			}
			if len(tt.opts.RunTests) > 0 && got.TestLevel != model.RunSpecifiedTests {
				t.Errorf("named tests default to RunSpecifiedTests, got %q", got.TestLevel)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%+v: err = %v, want %q", tt.opts, err, tt.err)
		}
	}
}

// deployFailed is a Failed validation with exactly one component failure
// and one test failure, neither wrapped in a list (§2.7, [PDR]).
const deployFailed = `<result><checkOnly>true</checkOnly><completedDate>2024-05-01T10:00:09.000Z</completedDate>
<createdBy>0055g00000XyZ12</createdBy><createdByName>Ann Admin</createdByName><createdDate>2024-05-01T10:00:00.000Z</createdDate>
<details>
 <componentFailures><changed>false</changed><columnNumber>13</columnNumber><componentType>ApexClass</componentType><created>false</created>
  <createdDate>2024-05-01T10:00:05.000Z</createdDate><deleted>false</deleted><fileName>classes/Foo.cls</fileName><fullName>Foo</fullName>
  <lineNumber>7</lineNumber><problem>Variable does not exist: bar</problem><problemType>Error</problemType><success>false</success></componentFailures>
 <componentSuccesses><changed>true</changed><componentType></componentType><created>false</created><createdDate>2024-05-01T10:00:05.000Z</createdDate>
  <deleted>false</deleted><fileName>package.xml</fileName><fullName>package.xml</fullName><success>true</success></componentSuccesses>
 <componentSuccesses><changed>true</changed><componentType>CustomField</componentType><created>true</created><createdDate>2024-05-01T10:00:05.000Z</createdDate>
  <deleted>false</deleted><fileName>objects/Obj__c.object</fileName><fullName>Obj__c.Field__c</fullName><id>00N5g00000AaBbC</id><success>true</success></componentSuccesses>
 <runTestResult><codeCoverageWarnings><id>01p5g00000AaBbCAAR</id><message>Test coverage of selected Apex Class is 0%, at least 75% test coverage is required</message>
  <name>Foo</name><namespace xsi:nil="true"/></codeCoverageWarnings>
  <failures><id>01p5g00000AaBbDAAR</id><message>System.AssertException: Assertion Failed</message><methodName>testIt</methodName>
  <name>FooTest</name><namespace xsi:nil="true"/><packageName>FooTest</packageName><stackTrace>Class.FooTest.testIt: line 5, column 1</stackTrace>
  <time>31.0</time><type>Class</type></failures><numFailures>1</numFailures><numTestsRun>1</numTestsRun><totalTime>31.0</totalTime></runTestResult>
</details><done>true</done><id>0Af5g00000XyZabCAB</id><ignoreWarnings>false</ignoreWarnings><lastModifiedDate>2024-05-01T10:00:09.000Z</lastModifiedDate>
<numberComponentErrors>1</numberComponentErrors><numberComponentsDeployed>1</numberComponentsDeployed><numberComponentsTotal>2</numberComponentsTotal>
<numberTestErrors>1</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted><numberTestsTotal>1</numberTestsTotal>
<rollbackOnError>true</rollbackOnError><runTestsEnabled>true</runTestsEnabled><startDate>2024-05-01T10:00:01.000Z</startDate>
<status>Failed</status><success>false</success></result>`

func TestCheckDeployStatusDetails(t *testing.T) {
	o := newTestOrg(t)
	o.soap["checkDeployStatus"] = func(r soapReq) (int, string) {
		if r.Inner != `<asyncProcessId>0Af5g00000XyZabCAB</asyncProcessId><includeDetails>true</includeDetails>` {
			t.Errorf("request = %s", r.Inner)
		}
		return http.StatusOK, `<checkDeployStatusResponse>` + deployFailed + `</checkDeployStatusResponse>`
	}
	c, _ := o.client()
	r, err := c.CheckDeployStatus(context.Background(), "0Af5g00000XyZabCAB", true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != DeployFailed || !r.Done || r.Success || !r.CheckOnly || !r.RollbackOnError || r.NumberComponentsTotal != 2 ||
		r.NumberTestErrors != 1 || r.CreatedByName != "Ann Admin" || r.CompletedDate.Second() != 9 {
		t.Errorf("result = %+v", r)
	}
	d := r.Details
	if len(d.ComponentFailures) != 1 || len(d.ComponentSuccesses) != 2 || len(d.RunTestResult.Failures) != 1 ||
		len(d.RunTestResult.CodeCoverageWarnings) != 1 || d.RunTestResult.TotalTime != 31 {
		t.Fatalf("details = %+v", d)
	}
	if s := d.ComponentSuccesses[1]; s.ComponentType != "CustomField" || s.FileName != "objects/Obj__c.object" || !s.Created {
		t.Errorf("field success = %+v", s)
	}
	wantCF := []model.ComponentFailure{{Type: "ApexClass", Name: "Foo", File: "classes/Foo.cls", Line: 7, Column: 13, Problem: "Variable does not exist: bar"}}
	if got := r.ComponentFailures(); fmt.Sprint(got) != fmt.Sprint(wantCF) {
		t.Errorf("ComponentFailures = %+v", got)
	}
	wantTF := []model.TestFailure{{Class: "FooTest", Method: "testIt", Message: "System.AssertException: Assertion Failed", StackTrace: "Class.FooTest.testIt: line 5, column 1"}}
	if got := r.TestFailures(); fmt.Sprint(got) != fmt.Sprint(wantTF) {
		t.Errorf("TestFailures = %+v", got)
	}
	if got := r.CoverageWarnings(); len(got) != 1 || got[0] != "Foo: Test coverage of selected Apex Class is 0%, at least 75% test coverage is required" {
		t.Errorf("CoverageWarnings = %q", got)
	}
}

func TestNoPackageXMLFailure(t *testing.T) {
	// Recorded [SSF]: a Failed deploy whose failure is on package.xml while
	// numberComponentErrors is 0.
	r := DeployResult{Status: DeployFailed, Details: DeployDetails{ComponentFailures: []DeployMessage{
		{FileName: "package.xml", FullName: "package.xml", Problem: "No package.xml found", ProblemType: "Error"},
		{FileName: "classes/A.cls", FullName: "A", ComponentType: "ApexClass", Problem: "Deprecated", ProblemType: "Warning"}}},
		NumberComponentErrors: 0}
	got := r.ComponentFailures()
	if len(got) != 2 || got[0].Problem != "No package.xml found" || got[1].Problem != "Warning: Deprecated" {
		t.Errorf("ComponentFailures = %+v", got)
	}
	r.Details.RunTestResult.Failures = []RunTestFailure{{Name: "T", Namespace: "acme", MethodName: "m"}}
	if tf := r.TestFailures(); tf[0].Class != "acme.T" {
		t.Errorf("namespaced class = %q", tf[0].Class)
	}
}

// deployProgress answers checkDeployStatus with an in-progress result.
func deployProgress(status string, deployed, tests int) string {
	return fmt.Sprintf(`<checkDeployStatusResponse><result><checkOnly>false</checkOnly><createdBy>005</createdBy><createdByName>Ann</createdByName>`+
		`<createdDate>2024-05-01T10:00:00.000Z</createdDate><details><runTestResult><numFailures>0</numFailures><numTestsRun>0</numTestsRun>`+
		`<totalTime>0.0</totalTime></runTestResult></details><done>false</done><id>0Af1</id><ignoreWarnings>false</ignoreWarnings>`+
		`<numberComponentErrors>0</numberComponentErrors><numberComponentsDeployed>%d</numberComponentsDeployed><numberComponentsTotal>5</numberComponentsTotal>`+
		`<numberTestErrors>0</numberTestErrors><numberTestsCompleted>%d</numberTestsCompleted><numberTestsTotal>3</numberTestsTotal>`+
		`<rollbackOnError>true</rollbackOnError><runTestsEnabled>true</runTestsEnabled><status>%s</status><success>false</success></result></checkDeployStatusResponse>`,
		deployed, tests, status)
}

func TestWaitDeployBackoff(t *testing.T) {
	o := newTestOrg(t)
	answers := []string{
		deployProgress("Pending", 0, 0), deployProgress("Pending", 0, 0), deployProgress("Pending", 0, 0),
		deployProgress("Pending", 0, 0), deployProgress("Pending", 0, 0), deployProgress("Pending", 0, 0),
		deployProgress("InProgress", 2, 0), deployProgress("InProgress", 2, 0),
	}
	var mu sync.Mutex
	var details []bool
	var inFlight, maxInFlight atomic.Int32
	o.soap["checkDeployStatus"] = func(r soapReq) (int, string) {
		if n := inFlight.Add(1); n > maxInFlight.Load() {
			maxInFlight.Store(n)
		}
		defer inFlight.Add(-1)
		mu.Lock()
		defer mu.Unlock()
		details = append(details, strings.Contains(r.Inner, "<includeDetails>true</includeDetails>"))
		if i := len(details) - 1; i < len(answers) {
			return http.StatusOK, answers[i]
		}
		return http.StatusOK, `<checkDeployStatusResponse>` + deployFailed + `</checkDeployStatusResponse>`
	}
	c, clk := o.client()
	var seen []string
	r, err := c.WaitDeploy(context.Background(), "0Af1", func(r DeployResult) {
		seen = append(seen, fmt.Sprintf("%s %d", r.Status, r.NumberComponentsDeployed))
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != DeployFailed || len(r.ComponentFailures()) != 1 {
		t.Errorf("final = %s with %d failures", r.Status, len(r.ComponentFailures()))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second,
		time.Second, 2 * time.Second}
	if fmt.Sprint(clk.recorded()) != fmt.Sprint(want) {
		t.Errorf("waits = %v\nwant    %v (doubling to 10 s, reset when a counter moves)", clk.recorded(), want)
	}
	if fmt.Sprint(details) != "[false false false false false false false false false true]" {
		t.Errorf("includeDetails per call = %v: details only once done", details)
	}
	if len(seen) != 9 || seen[8] != "Failed 1" {
		t.Errorf("progress callbacks = %v", seen)
	}
	if maxInFlight.Load() != 1 {
		t.Errorf("%d calls in flight at once", maxInFlight.Load())
	}
}

func TestWaitDeployCancel(t *testing.T) {
	o := newTestOrg(t)
	o.soap["checkDeployStatus"] = func(soapReq) (int, string) { return http.StatusOK, deployProgress("InProgress", 1, 0) }
	c, err := New(o.refreshConfig(), WithPollInterval(time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	_, err = c.WaitDeploy(ctx, "0Af1", func(DeployResult) { cancel() })
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "keeps running on the org") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancel took %v", d)
	}
	if n := o.count("checkDeployStatus"); n != 1 {
		t.Errorf("polls = %d, want 1", n)
	}
}

func TestWaitDeployRealClock(t *testing.T) {
	o := newTestOrg(t)
	var n atomic.Int32
	o.soap["checkDeployStatus"] = func(r soapReq) (int, string) {
		if n.Add(1) < 5 {
			return http.StatusOK, deployProgress("InProgress", 1, 0)
		}
		return http.StatusOK, `<checkDeployStatusResponse>` + deployFailed + `</checkDeployStatusResponse>`
	}
	c, err := New(o.refreshConfig(), WithPollInterval(2*time.Millisecond, 8*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.WaitDeploy(context.Background(), "0Af1", nil); err != nil {
		t.Fatal(err)
	}
	// Waits 2+4+8+8 ms between the five polls.
	if d := time.Since(start); d < 22*time.Millisecond {
		t.Errorf("finished in %v, faster than the poll interval allows", d)
	}
}

func TestCancelDeploy(t *testing.T) {
	o := newTestOrg(t)
	calls := 0
	o.soap["cancelDeploy"] = func(r soapReq) (int, string) {
		calls++
		if r.Inner != "<String>0Af1</String>" {
			t.Errorf("request = %s", r.Inner)
		}
		if calls > 1 {
			return http.StatusInternalServerError, faultXML("sf:INVALID_ID_FIELD", "INVALID_ID_FIELD: Deployment already completed")
		}
		return http.StatusOK, `<cancelDeployResponse><result><done>false</done><id>0Af1</id></result></cancelDeployResponse>`
	}
	c, _ := o.client()
	r, err := c.CancelDeploy(context.Background(), "0Af1")
	if err != nil || r != (CancelDeployResult{Done: false, ID: "0Af1"}) {
		t.Fatalf("CancelDeploy = %+v, %v", r, err)
	}
	_, err = c.CancelDeploy(context.Background(), "0Af1")
	var f *SOAPFault
	if !errors.As(err, &f) || !strings.Contains(f.Message, "already completed") {
		t.Fatalf("err = %v", err)
	}
}

func TestDeployRecentValidation(t *testing.T) {
	o := newTestOrg(t)
	o.soap["deployRecentValidation"] = func(r soapReq) (int, string) {
		if r.Inner != "<validationId>0Af5g00000XyZabCAB</validationId>" {
			t.Errorf("request = %s", r.Inner)
		}
		return http.StatusInternalServerError, ""
	}
	c, _ := o.client()
	if _, err := c.DeployRecentValidation(context.Background(), "0Af5g00000XyZabCAB"); err == nil {
		t.Fatal("want an error")
	}
	if n := o.count("deployRecentValidation"); n != 1 {
		t.Errorf("calls = %d: a quick deploy is never retried", n)
	}
	o.soap["deployRecentValidation"] = ok("deployRecentValidation", "<result>0Af5g00000NewIdAB</result>")
	id, err := c.DeployRecentValidation(context.Background(), "0Af5g00000XyZabCAB")
	if err != nil || id != "0Af5g00000NewIdAB" {
		t.Fatalf("DeployRecentValidation = %q, %v", id, err)
	}
}
