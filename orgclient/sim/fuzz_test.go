package sim

import (
	"testing"
)

// FuzzSOAPRequest feeds arbitrary bodies to the SOAP request parser and the
// argument binding of every operation: neither may panic.
func FuzzSOAPRequest(f *testing.F) {
	for _, seed := range []string{
		soapEnvelope(styleJSForce, "t", "listMetadata", "<queries><type>ApexClass</type></queries><asOfVersion>62.0</asOfVersion>"),
		soapEnvelope(stylePrefixed, "t", "deploy", "<ZipFile>UEs=</ZipFile><DeployOptions><checkOnly>true</checkOnly><runTests>A</runTests></DeployOptions>"),
		soapEnvelope(styleJSForce, "t", "retrieve", "<request><apiVersion>62.0</apiVersion><unpackaged><types><members>*</members><name>ApexClass</name></types></unpackaged></request>"),
		soapEnvelope(styleJSForce, "t", "checkDeployStatus", "<id>0Af</id><includeDetails>true</includeDetails>"),
		soapEnvelope(styleJSForce, "t", "checkStatus", "<asyncProcessId>a</asyncProcessId><asyncProcessId>b</asyncProcessId>"),
		soapEnvelope(styleJSForce, "t", "cancelDeploy", "<id xsi:nil=\"true\"/>"),
		"<Envelope><Body><describeMetadata/></Body></Envelope>",
		"<a><b></a>", "", "<?xml version=\"1.0\"?>", "<Envelope>text<Body/>tail</Envelope>extra",
	} {
		f.Add([]byte(seed))
	}
	ops := []string{"describeMetadata", "listMetadata", "retrieve", "checkRetrieveStatus", "deploy", "checkDeployStatus",
		"cancelDeploy", "deployRecentValidation", "checkStatus", "unknownOp"}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseSOAPRequest(body)
		if err != nil {
			return
		}
		if req.op == "" {
			t.Fatal("a parsed request without an operation")
		}
		_, _ = bindOperation(req)
		for _, op := range ops { // the same arguments under every operation
			req.op = op
			_, _ = bindOperation(req)
		}
	})
}

// FuzzSOQL: the Tooling query parser never panics and a parsed query's
// WHERE clause can always be evaluated.
func FuzzSOQL(f *testing.F) {
	for _, seed := range []string{
		depFields, depFields + " WHERE MetadataComponentType = 'Flow' OR (A = 'x' AND B NOT IN ('y', null)) LIMIT 5",
		"SELECT", "SELECT a FROM b WHERE ((((", "SELECT a FROM b WHERE c != 'd\\'e'", "'", "SELECT a, FROM",
		"SELECT COUNT() FROM User WHERE Name LIKE 'S_m%' AND IsActive = true ORDER BY Name DESC NULLS LAST LIMIT 2 OFFSET 1",
		"SELECT Id FROM ApexClass WHERE ApiVersion >= 60.0 OR LengthWithoutComments < -1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := parseSOQL(q)
		if err != nil {
			return
		}
		rec := &sobjectRecord{typ: "User", id: "x", values: map[string]any{"A": "x", "B": true, "Rel": &sobjectRecord{values: map[string]any{"Name": nil}}}}
		parsed.where.matches(rec)
		sortRecords([]*sobjectRecord{rec, rec}, parsed.order)
	})
}
