package sim

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// restDeployBody builds a deployRequest multipart body with the options
// part named jsonPart ("json" as documented, "entity_content" as jsforce).
func restDeployBody(t *testing.T, jsonPart, options string, zipped []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+jsonPart+`"`)
	h.Set("Content-Type", "application/json")
	w, _ := mw.CreatePart(h)
	_, _ = w.Write([]byte(options))
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="deploy.zip"`)
	h.Set("Content-Type", "application/zip")
	w, _ = mw.CreatePart(h)
	_, _ = w.Write(zipped)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

type restDeploy struct {
	ID                       string          `json:"id"`
	ValidatedDeployRequestID *string         `json:"validatedDeployRequestId"`
	URL                      string          `json:"url"`
	DeployOptions            map[string]any  `json:"deployOptions"`
	DeployResult             json.RawMessage `json:"deployResult"`
}

func (c *client) restJSON(method, path, ct string, body []byte, wantStatus int) restDeploy {
	c.t.Helper()
	status, _, b := c.do(method, path, ct, body)
	var out restDeploy
	if err := json.Unmarshal(b, &out); status != wantStatus || err != nil {
		c.t.Fatalf("%s %s: HTTP %d (want %d) %s", method, path, status, wantStatus, b)
	}
	return out
}

// pollREST polls the deployRequest resource until done.
func (c *client) pollREST(id string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.restJSON(http.MethodGet, "/services/data/v62.0/metadata/deployRequest/"+id+"?includeDetails=true", "", nil, http.StatusOK)
		var res map[string]any
		if err := json.Unmarshal(r.DeployResult, &res); err != nil {
			c.t.Fatal(err)
		}
		if res["done"] == true {
			return res
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("REST deploy %s not done: %v", id, res["status"])
		}
		time.Sleep(2 * time.Millisecond) // polling interval
	}
}

func TestRESTDeployFlow(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	ct, body := restDeployBody(t, "json", `{"deployOptions":{"checkOnly":true,"testLevel":"RunSpecifiedTests","runTests":["InvoiceServiceTest"],"rollbackOnError":"true"}}`,
		packageOf(t, "uat", uatFeature...))
	started := c.restJSON(http.MethodPost, "/services/data/v62.0/metadata/deployRequest", ct, body, http.StatusCreated)
	if !strings.HasPrefix(started.ID, "0Af") || started.URL != "/services/data/v62.0/metadata/deployRequest/"+started.ID ||
		started.ValidatedDeployRequestID != nil || started.DeployOptions["checkOnly"] != true || started.DeployOptions["testLevel"] != "RunSpecifiedTests" {
		t.Fatalf("201 body: %+v", started)
	}
	var pending map[string]any
	_ = json.Unmarshal(started.DeployResult, &pending)
	if pending["status"] != "Pending" || pending["done"] != false || pending["completedDate"] != nil {
		t.Errorf("initial deployResult %v", pending)
	}
	res := c.pollREST(started.ID)
	if res["status"] != "Succeeded" || res["success"] != true || res["numberTestsCompleted"] != 6.0 || res["errorMessage"] != nil {
		t.Fatalf("final deployResult %v", res)
	}
	if d, _ := res["completedDate"].(string); !strings.HasSuffix(d, "+0000") {
		t.Errorf("completedDate %q is not in the REST form", d)
	}
	details := res["details"].(map[string]any)
	successes := details["componentSuccesses"].([]any)
	manifest := successes[0].(map[string]any)
	if manifest["fullName"] != "package.xml" || manifest["forPackageManifestFile"] != true || manifest["problem"] != nil {
		t.Errorf("package.xml entry %v", manifest)
	}
	rt := details["runTestResult"].(map[string]any)
	if rt["numTestsRun"] != 6.0 || len(rt["successes"].([]any)) != 6 || len(details["componentFailures"].([]any)) != 0 {
		t.Errorf("runTestResult %v", rt)
	}
	// The SOAP view of the same job agrees.
	if r := c.deployStatus(started.ID, false); r.Status != "Succeeded" || r.NumberTestsCompleted != 6 {
		t.Errorf("SOAP status of a REST deploy: %+v", r)
	}

	// Quick deploy, jsforce's form: POST {"validatedDeployRequestId": …}.
	quick := c.restJSON(http.MethodPost, "/services/data/v62.0/metadata/deployRequest", "application/json",
		[]byte(`{"validatedDeployRequestId":"`+started.ID+`"}`), http.StatusCreated)
	if quick.ID == started.ID || quick.ValidatedDeployRequestID == nil || *quick.ValidatedDeployRequestID != started.ID {
		t.Fatalf("quick deploy: %+v", quick)
	}
	if res := c.pollREST(quick.ID); res["status"] != "Succeeded" || res["checkOnly"] != false {
		t.Errorf("quick deploy result %v", res)
	}
	status, _, b := c.do(http.MethodPost, "/services/data/v62.0/metadata/deployRequest/"+started.ID, "application/json", nil)
	if status != http.StatusBadRequest || !strings.Contains(string(b), "INVALID_ID_FIELD") {
		t.Errorf("second quick deploy: %d %s", status, b)
	}
}

func TestRESTDeployJSForceFormCancelAndQuickByPath(t *testing.T) {
	s := startSim(t, Config{TestDuration: 100 * time.Millisecond})
	c := newClient(t, s)
	ct, body := restDeployBody(t, "entity_content", `{"deployOptions":{"testLevel":"RunLocalTests"}}`, packageOf(t, "uat", uatFeature...))
	started := c.restJSON(http.MethodPost, "/services/data/v62.0/metadata/deployRequest", ct, body, http.StatusCreated)
	c.pollDeployUntil(started.ID, func(r tDeployResult) bool { return r.Status == "InProgress" })
	canceled := c.restJSON(http.MethodPatch, "/services/data/v62.0/metadata/deployRequest/"+started.ID, "application/json",
		[]byte(`{"deployResult":{"status":"Canceling"}}`), http.StatusAccepted)
	var res map[string]any
	_ = json.Unmarshal(canceled.DeployResult, &res)
	if res["status"] != "Canceling" && res["status"] != "Canceled" {
		t.Errorf("PATCH answer status %v", res["status"])
	}
	if final := c.pollREST(started.ID); final["status"] != "Canceled" || final["canceledBy"] != s.userID {
		t.Errorf("after cancel: %v", final)
	}

	// The documented quick deploy form: POST …/deployRequest/{validationId}.
	ct, body = restDeployBody(t, "json", `{"deployOptions":{"checkOnly":true,"testLevel":"RunLocalTests"}}`, packageOf(t, "uat", uatFeature...))
	v := c.restJSON(http.MethodPost, "/services/data/v62.0/metadata/deployRequest", ct, body, http.StatusCreated)
	c.pollREST(v.ID)
	quick := c.restJSON(http.MethodPost, "/services/data/v62.0/metadata/deployRequest/"+v.ID, "", nil, http.StatusCreated)
	if quick.ID == v.ID || c.pollREST(quick.ID)["status"] != "Succeeded" {
		t.Errorf("quick deploy by path: %+v", quick)
	}
}

func TestRESTDeployErrors(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	cases := []struct {
		method, path, ct, body string
		status                 int
		code                   string
	}{
		{"POST", "/services/data/v62.0/metadata/deployRequest", "multipart/form-data; boundary=x", "garbage", 400, "INVALID_MULTIPART_REQUEST"},
		{"POST", "/services/data/v62.0/metadata/deployRequest", "text/plain", "x", 400, "INVALID_MULTIPART_REQUEST"},
		{"GET", "/services/data/v62.0/metadata/deployRequest/0Af000000000000AAA", "", "", 404, "NOT_FOUND"},
		{"GET", "/services/data/v62.0/metadata/deployRequest", "", "", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tc := range cases {
		status, _, b := c.do(tc.method, tc.path, tc.ct, []byte(tc.body))
		var errs []restError
		if err := json.Unmarshal(b, &errs); err != nil || status != tc.status || len(errs) != 1 || errs[0].ErrorCode != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, status, b, tc.status, tc.code)
		}
	}
	ct, body := restDeployBody(t, "json", `{"deployOptions":{"testLevel":"Sometimes"}}`, []byte("PK"))
	if status, _, b := c.do("POST", "/services/data/v62.0/metadata/deployRequest", ct, body); status != 400 || !strings.Contains(string(b), "testLevel") {
		t.Errorf("bad test level: %d %s", status, b)
	}
}
