package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAPIVersionsEveryEndpoint: 31.0 through 68.0 are served by every
// endpoint alike — versions list, REST, Tooling, SOAP, retrieve — and
// 30.0 (retired) and 69.0 (not released) are refused by each.
func TestAPIVersionsEveryEndpoint(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	_, _, body := c.do(http.MethodGet, "/services/data", "", nil)
	var vs []versionInfo
	if err := json.Unmarshal(body, &vs); err != nil || len(vs) != 38 || vs[0].Version != "31.0" || vs[len(vs)-1].Version != "68.0" ||
		vs[len(vs)-1].Label != "Winter '27" {
		t.Fatalf("versions %s", body)
	}
	// The Salesforce CLI joins paths to an instance URL ending in "/".
	if status, _, body := c.do(http.MethodGet, "//services/data/v68.0/sobjects/User/"+s.userID, "", nil); status != http.StatusOK {
		t.Errorf("//services/data/…: HTTP %d %s", status, body)
	}
	q := url.Values{"q": {"SELECT Id FROM ApexClass"}}.Encode()
	unpackaged := "<types><members>InvoiceService</members><name>ApexClass</name></types>"
	for _, tc := range []struct {
		ver    string
		served bool
	}{{"31.0", true}, {"68.0", true}, {"30.0", false}, {"69.0", false}} {
		status, _, _ := c.do(http.MethodGet, "/services/data/v"+tc.ver+"/query?"+q, "", nil)
		if (status == http.StatusOK) != tc.served {
			t.Errorf("v%s query: HTTP %d", tc.ver, status)
		}
		status, _, _ = c.do(http.MethodGet, "/services/data/v"+tc.ver+"/tooling/query?"+q, "", nil)
		if (status == http.StatusOK) != tc.served {
			t.Errorf("v%s tooling query: HTTP %d", tc.ver, status)
		}
		status, _, body := c.do(http.MethodPost, "/services/Soap/m/"+tc.ver, "text/xml", []byte(soapEnvelope(styleJSForce, c.token, "describeMetadata", "")))
		if (status == http.StatusOK) != tc.served || !tc.served && !strings.Contains(string(body), "UNSUPPORTED_API_VERSION") {
			t.Errorf("Soap/m/%s: HTTP %d", tc.ver, status)
		}
		inner := "<retrieveRequest><apiVersion>" + tc.ver + "</apiVersion><unpackaged>" + unpackaged + "</unpackaged></retrieveRequest>"
		status, f, _ := c.soapRaw(styleJSForce, "retrieve", inner)
		if (f == nil) != tc.served || !tc.served && f.Code != "sf:UNSUPPORTED_API_VERSION" {
			t.Errorf("retrieve at %s: HTTP %d %+v", tc.ver, status, f)
		}
	}
}
