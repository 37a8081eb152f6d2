package salesforce

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseSOAPResponse feeds envelopes to every response decoder: they
// must not panic, and must fail only with *SOAPFault or *ResponseError.
func FuzzParseSOAPResponse(f *testing.F) {
	for _, body := range []string{
		soapEnvelope(`<checkDeployStatusResponse>` + deployFailed + `</checkDeployStatusResponse>`),
		soapEnvelope(deployProgress("InProgress", 2, 1)),
		soapEnvelope(`<checkRetrieveStatusResponse><result><done>true</done><fileProperties>` + fileProps("ApexClass", "Foo", "classes/Foo.cls", "01p") +
			`</fileProperties><id>09S</id><messages><fileName>unpackaged/package.xml</fileName><problem>missing</problem></messages>` +
			`<status>Succeeded</status><success>true</success><zipFile>UEsDBBQACAgI</zipFile></result></checkRetrieveStatusResponse>`),
		soapEnvelope(`<listMetadataResponse><result>` + fileProps("ApexClass", "Foo", "classes/Foo.cls", "01p") + `</result></listMetadataResponse>`),
		soapEnvelope(`<listMetadataResponse/>`),
		soapEnvelope(describeMetadataResponse),
		soapEnvelope(faultXML("sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session")),
		soapEnvelope(`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring></faultstring><detail><sf:UnexpectedErrorFault>` +
			`<sf:exceptionCode>REQUEST_LIMIT_EXCEEDED</sf:exceptionCode><sf:exceptionMessage>TotalRequests Limit exceeded.</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault>`),
		`<Envelope><Body><checkDeployStatusResponse><result><createdDate xsi:nil="true"/></result></checkDeployStatusResponse></Body></Envelope>`,
		`<html><body>hi</body></html>`,
		``,
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			var sf *SOAPFault
			var re *ResponseError
			if err != nil && !errors.As(err, &sf) && !errors.As(err, &re) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if err != nil && err.Error() == "" {
				t.Fatal("empty error message")
			}
		}
		_, err := decodeSOAP[DeployResult](bytes.NewReader(body), "checkDeployStatus")
		check(err)
		_, err = decodeSOAP[RetrieveResult](bytes.NewReader(body), "checkRetrieveStatus")
		check(err)
		_, err = decodeSOAP[FileProperties](bytes.NewReader(body), "listMetadata")
		check(err)
		_, err = decodeSOAP[DescribeMetadataResult](bytes.NewReader(body), "describeMetadata")
		check(err)
		_, err = decodeSOAP[string](bytes.NewReader(body), "deployRecentValidation")
		check(err)
		if err := parseErrorBody(true, 500, "text/xml", body); err == nil {
			t.Fatal("parseErrorBody returned nil")
		}
	})
}

// rotate changes every letter and digit after "://" and before the first
// "@" to another of its class, keeping the structure sfdx-core's regex
// sees: only the secret content changes.
func rotate(s string) (string, bool) {
	i := strings.Index(s, "://")
	if i < 0 {
		return s, false
	}
	j := strings.IndexByte(s[i+3:], '@')
	if j < 0 {
		j = len(s) - i - 3
	}
	b := []byte(s)
	for k := i + 3; k < i+3+j; k++ {
		switch c := b[k]; {
		case c >= 'a' && c <= 'z':
			b[k] = 'a' + (c-'a'+1)%26
		case c >= 'A' && c <= 'Z':
			b[k] = 'A' + (c-'A'+1)%26
		case c >= '0' && c <= '9':
			b[k] = '0' + (c-'0'+1)%10
		}
	}
	return string(b), true
}

// FuzzParseSfdxAuthURL checks that parsing never panics, that errors do not
// depend on (so cannot reveal) the secret parts, and that URL round-trips.
func FuzzParseSfdxAuthURL(f *testing.F) {
	for _, s := range []string{
		"force://PlatformCLI::5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrfhNqC6X.eM2lH5AD7rb5AnVKb8fyBDfLpY7hDv1fcsyjqdI9@acme.my.salesforce.com",
		"force://3MVG9.abc:S3cr3t==:5Aep-rt_1=@acme--uat.sandbox.my.salesforce.com:443",
		"force://relman::rt@127.0.0.1:8123/path",
		`{"result":{"sfdxAuthUrl":"force://PlatformCLI::rt@acme.my.salesforce.com"}}`,
		"https://a:b:c@host", "force://a:b@host", "force://a:b:c@", "force://:b:c@h", "force://a:b:c!@h", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseSfdxAuthURL(s)
		if err == nil {
			back, err2 := ParseSfdxAuthURL(a.URL())
			if err2 != nil || back != a {
				t.Fatalf("round trip of %q: %+v, %v", s, back.URL(), err2)
			}
		}
		if strings.HasPrefix(strings.TrimSpace(s), "{") {
			return
		}
		r, ok := rotate(s)
		if !ok {
			return
		}
		_, errR := ParseSfdxAuthURL(r)
		if (err == nil) != (errR == nil) || (err != nil && err.Error() != errR.Error()) {
			t.Fatalf("the outcome depends on secret content:\n%q -> %v\n%q -> %v", s, err, r, errR)
		}
	})
}

// FuzzParseRESTError checks that any error body yields an *APIError with
// the status and a message, without panicking.
func FuzzParseRESTError(f *testing.F) {
	f.Add(401, "application/json", []byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
	f.Add(403, "application/json", []byte(`[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`))
	f.Add(400, "application/xml", []byte(`<Errors><Error><errorCode>MALFORMED_QUERY</errorCode><message>bad</message></Error></Errors>`))
	f.Add(400, "application/json", []byte(`{"errorCode":"X","message":"one object"}`))
	f.Add(400, "application/json", []byte(`[{"message":"a","errorCode":"A","fields":["F"]},{"message":"b","errorCode":"B"}]`))
	f.Add(503, "text/html", []byte(`<html><title>down</title></html>`))
	f.Add(410, "", []byte(``))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		err := parseRESTError(status, contentType, body)
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != status || err.Error() == "" {
			t.Fatalf("parseRESTError = %#v", err)
		}
		if ae.Code == "" && ae.Message == "" {
			t.Fatal("neither code nor message")
		}
		if errors.Is(err, ErrRequestLimit) != isLimitCode(ae.Code, ae.Message) {
			t.Fatal("ErrRequestLimit disagrees with the code")
		}
	})
}
