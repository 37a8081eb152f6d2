package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// dataQuery runs a SOQL query through the data API (/query) or Tooling.
func (c *client) soql(api, soql string) (int, map[string]any, []byte) {
	c.t.Helper()
	status, _, b := c.do(http.MethodGet, "/services/data/v68.0/"+api+"?"+url.Values{"q": {soql}}.Encode(), "", nil)
	var out map[string]any
	if status == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			c.t.Fatal(err)
		}
	}
	return status, out, b
}

func records(page map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range page["records"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// TestQueryUserAndOrganization: what the Salesforce CLI reads when it logs
// in and deploys, in the real record shape.
func TestQueryUserAndOrganization(t *testing.T) {
	for _, kind := range []string{KindProduction, KindSandbox} {
		s := startSim(t, Config{Kind: kind})
		c := newClient(t, s)
		status, page, b := c.soql("query", "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix FROM Organization WHERE Id = '"+s.orgID[:15]+"'")
		if status != http.StatusOK || page["totalSize"] != 1.0 || page["done"] != true || page["size"] != nil {
			t.Fatalf("%s Organization: %d %s", kind, status, b)
		}
		org := records(page)[0]
		attrs := org["attributes"].(map[string]any)
		if attrs["type"] != "Organization" || attrs["url"] != "/services/data/v68.0/sobjects/Organization/"+s.orgID ||
			org["IsSandbox"] != (kind == KindSandbox) || org["TrialExpirationDate"] != nil || org["Id"] != nil {
			t.Errorf("%s Organization record %v", kind, org)
		}
		status, _, b = c.do(http.MethodGet, "/services/data/v51.0/sobjects/User/"+s.userID, "", nil)
		var user map[string]any
		if err := json.Unmarshal(b, &user); status != http.StatusOK || err != nil || user["Username"] != s.user || user["Id"] != s.userID {
			t.Errorf("%s sobjects/User: %d %s", kind, status, b)
		}
		status, _, b = c.do(http.MethodGet, "/services/data/v68.0/sobjects/Organization/"+s.orgID+"?fields=IsSandbox", "", nil)
		if want := `"IsSandbox":` + map[string]string{KindProduction: "false", KindSandbox: "true"}[kind] + "}"; status != http.StatusOK || !strings.HasSuffix(string(b), want) {
			t.Errorf("%s sobjects/Organization?fields=IsSandbox: %d %s", kind, status, b)
		}
	}
}

func TestQueryToolingSetupObjects(t *testing.T) {
	s := startSim(t, Config{QueryPageSize: 2})
	c := newClient(t, s)

	// ORDER BY, LIKE and paging through nextRecordsUrl.
	status, page, b := c.soql("tooling/query", "SELECT Id, Name, ApiVersion FROM ApexClass WHERE Name LIKE 'invoice%' ORDER BY Name DESC")
	if status != http.StatusOK || page["totalSize"] != 5.0 || page["done"] != false || page["size"] != 2.0 || page["entityTypeName"] != "ApexClass" {
		t.Fatalf("ApexClass: %d %s", status, b)
	}
	var names []string
	for {
		for _, r := range records(page) {
			names = append(names, r["Name"].(string))
		}
		next, _ := page["nextRecordsUrl"].(string)
		if next == "" {
			break
		}
		if !strings.HasPrefix(next, "/services/data/v68.0/tooling/query/") {
			t.Fatalf("nextRecordsUrl %s", next)
		}
		_, _, b = c.do(http.MethodGet, next, "", nil)
		page = nil
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(names, ",") != "InvoiceTriggerHandlerTest,InvoiceTriggerHandler,InvoiceServiceTest,InvoiceService,InvoiceLegacyExport" {
		t.Errorf("order %v", names)
	}

	// Coverage: the aggregate per class with its polymorphic relationship,
	// and the org-wide figure (46 of 51 lines: 90 %).
	_, page, b = c.soql("tooling/query", "SELECT ApexClassOrTrigger.Name, NumLinesCovered, NumLinesUncovered FROM ApexCodeCoverageAggregate WHERE NumLinesCovered = 0")
	rows := records(page)
	if len(rows) != 1 || rows[0]["ApexClassOrTrigger"].(map[string]any)["Name"] != "InvoiceLegacyExport" || rows[0]["NumLinesUncovered"] != 5.0 {
		t.Errorf("uncovered classes: %s", b)
	}
	if _, page, b = c.soql("tooling/query", "SELECT PercentCovered FROM ApexOrgWideCoverage"); len(records(page)) != 1 || records(page)[0]["PercentCovered"] != 90.0 {
		t.Errorf("org-wide coverage: %s", b)
	}

	// COUNT(), and DeployRequest once something was deployed.
	if _, page, b = c.soql("tooling/query", "SELECT COUNT() FROM ApexTrigger"); page["totalSize"] != 1.0 || len(records(page)) != 0 {
		t.Errorf("COUNT(): %s", b)
	}
	id := c.deployZip(styleJSForce, packageOf(t, "uat", comp("CustomField:Invoice__c.Due_Date__c")), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>")
	c.pollDeploy(id)
	if _, page, b = c.soql("tooling/query", "SELECT Id, Status, CheckOnly, NumberTestsCompleted FROM DeployRequest WHERE Id = '"+id+"'"); len(records(page)) != 1 ||
		records(page)[0]["Status"] != "Succeeded" || records(page)[0]["CheckOnly"] != true {
		t.Errorf("DeployRequest: %s", b)
	}

	// The data API answers User but not Tooling-only objects, and bad
	// queries get real error bodies.
	for _, tc := range []struct{ api, soql, code string }{
		{"query", "SELECT Id FROM DeployRequest", "INVALID_TYPE"},
		{"query", "SELECT Id FROM", "MALFORMED_QUERY"},
		{"query", "SELECT Nope FROM User", "INVALID_FIELD"},
		{"tooling/query", "SELECT Owner.Name FROM ApexClass", "INVALID_FIELD"},
	} {
		status, _, b := c.soql(tc.api, tc.soql)
		var errs []restError
		if err := json.Unmarshal(b, &errs); err != nil || status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != tc.code {
			t.Errorf("%s %q: %d %s, want 400 %s", tc.api, tc.soql, status, b, tc.code)
		}
	}
	if _, _, b := c.soql("query", "SELECT Id FROM Bogus__x"); !strings.Contains(string(b), `"message":"\nSELECT Id FROM Bogus__x\n               ^\nERROR at Row:1:Column:16\nsObject type 'Bogus__x' is not supported.`) {
		t.Errorf("INVALID_TYPE body %s", b)
	}
	if status, _, b := c.do(http.MethodGet, "/services/data/v68.0/sobjects/User/005000000000000AAA", "", nil); status != http.StatusNotFound || !strings.Contains(string(b), "NOT_FOUND") {
		t.Errorf("unknown user: %d %s", status, b)
	}
}

// TestSourceMemberInSandboxes: sandboxes track source, so the CLI can ask
// what changed; a deploy shows up as a member.
func TestSourceMemberInSandboxes(t *testing.T) {
	s := startSim(t, Config{Kind: KindSandbox})
	c := newClient(t, s)
	if _, page, b := c.soql("tooling/query", "SELECT MemberName, MemberType FROM SourceMember"); page == nil || len(records(page)) != 0 {
		t.Fatalf("before a deploy: %s", b)
	}
	c.pollDeploy(c.deployZip(styleJSForce, packageOf(t, "uat", comp("CustomField:Invoice__c.Due_Date__c")), ""))
	_, page, b := c.soql("tooling/query", "SELECT MemberName, MemberType FROM SourceMember WHERE MemberType = 'CustomField'")
	if rows := records(page); len(rows) != 1 || rows[0]["MemberName"] != "Invoice__c.Due_Date__c" {
		t.Errorf("after a deploy: %s", b)
	}
}

// TestQueryColumns: columns=true describes the columns, relationships as
// join columns, which the Salesforce CLI reads to lay out its table.
func TestQueryColumns(t *testing.T) {
	c := newClient(t, startSim(t, Config{}))
	status, _, b := c.do(http.MethodGet, "/services/data/v68.0/tooling/query?"+url.Values{"q": {"SELECT Id, ApexClassOrTrigger.Name, NumLinesCovered FROM ApexCodeCoverageAggregate"}, "columns": {"true"}}.Encode(), "", nil)
	var cols queryColumns
	if err := json.Unmarshal(b, &cols); status != http.StatusOK || err != nil || cols.EntityName != "ApexCodeCoverageAggregate" || !cols.IDSelected || len(cols.ColumnMetadata) != 3 {
		t.Fatalf("%d %s", status, b)
	}
	rel, n := cols.ColumnMetadata[1], cols.ColumnMetadata[2]
	if rel.ColumnName != "ApexClassOrTrigger" || len(rel.JoinColumns) != 1 || rel.JoinColumns[0].ColumnName != "Name" || *n.ApexType != "Integer" || !n.NumberType {
		t.Errorf("columns %s", b)
	}
}
