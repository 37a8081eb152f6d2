package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type tQuery struct {
	Size           int              `json:"size"`
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	EntityTypeName *string          `json:"entityTypeName"`
	Records        []map[string]any `json:"records"`
}

func (c *client) query(soql string) (int, tQuery, []byte) {
	c.t.Helper()
	status, _, b := c.do(http.MethodGet, "/services/data/v62.0/tooling/query/?"+url.Values{"q": {soql}}.Encode(), "", nil)
	var q tQuery
	if status == http.StatusOK {
		if err := json.Unmarshal(b, &q); err != nil {
			c.t.Fatal(err)
		}
	}
	return status, q, b
}

// edges renders rows as "Type:Name -> Type:Name".
func edges(records []map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, r := range records {
		out[r["MetadataComponentType"].(string)+":"+r["MetadataComponentName"].(string)+" -> "+
			r["RefMetadataComponentType"].(string)+":"+r["RefMetadataComponentName"].(string)] = true
	}
	return out
}

const depFields = "SELECT MetadataComponentId, MetadataComponentName, MetadataComponentType, RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentType FROM MetadataComponentDependency"

func TestDependencyQuery(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	status, q, b := c.query(depFields)
	if status != http.StatusOK || !q.Done || q.Size != q.TotalSize || q.Size == 0 || q.EntityTypeName == nil || *q.EntityTypeName != "MetadataComponentDependency" {
		t.Fatalf("query: %d %s", status, b)
	}
	got := edges(q.Records)
	for _, want := range []string{
		"CustomField:Invoice__c.Amount__c -> CustomObject:Invoice__c",
		"CustomField:Invoice__c.Account__c -> CustomObject:Account",
		"CustomField:Invoice__c.Total_With_Tax__c -> CustomField:Invoice__c.Amount__c",
		"Layout:Invoice__c-Invoice Layout -> CustomField:Invoice__c.Account__c",
		"PermissionSet:Invoice_Viewer -> CustomField:Invoice__c.Amount__c",
		"Profile:Admin -> ApexClass:InvoiceService",
		"ApexClass:InvoiceTriggerHandler -> ApexClass:InvoiceService",
		"ApexClass:InvoiceService -> CustomField:Invoice__c.Tax_Rate__c",
		"ApexClass:InvoiceService -> CustomLabel:Invoice_Void_Error",
		"ApexTrigger:InvoiceTrigger -> CustomObject:Invoice__c",
		"ApexTrigger:InvoiceTrigger -> ApexClass:InvoiceTriggerHandler",
		"Flow:Invoice_Before_Save -> CustomObject:Invoice__c",
		"Flow:Invoice_Before_Save -> CustomField:Invoice__c.Paid_Date__c",
		"ApexPage:InvoicePrint -> StaticResource:InvoiceStyles",
		"LightningComponentBundle:invoiceSummary -> CustomField:Invoice__c.Amount__c",
		"LightningComponentBundle:invoiceSummary -> CustomLabel:Invoice_Summary_Title",
		"CustomTab:Invoice__c -> CustomObject:Invoice__c",
		"CustomApplication:Billing -> CustomTab:Invoice__c",
	} {
		if !got[want] {
			t.Errorf("missing dependency %s", want)
		}
	}
	for e := range got {
		if strings.Contains(e, "-> CustomField:Invoice__c.Name") || strings.Contains(e, "standard-") {
			t.Errorf("dependency on something the org does not hold: %s", e)
		}
	}
	r := q.Records[0]
	attrs := r["attributes"].(map[string]any)
	if attrs["type"] != "MetadataComponentDependency" || !strings.HasPrefix(attrs["url"].(string), "/services/data/v62.0/tooling/sobjects/MetadataComponentDependency/") {
		t.Errorf("attributes %v", attrs)
	}
	if id, _ := r["MetadataComponentId"].(string); len(id) != 18 {
		t.Errorf("MetadataComponentId %v", r["MetadataComponentId"])
	}
}

func TestDependencyQueryWhere(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	_, q, b := c.query("select metadatacomponentname, RefMetadataComponentName, RefMetadataComponentNamespace from MetadataComponentDependency " +
		"where RefMetadataComponentType = 'ApexClass' and MetadataComponentType IN ('Profile', 'ApexTrigger')")
	if q.TotalSize == 0 {
		t.Fatalf("no rows: %s", b)
	}
	for _, r := range q.Records {
		if _, ok := r["MetadataComponentName"]; !ok || r["RefMetadataComponentNamespace"] != nil || len(r) != 4 {
			t.Errorf("record %v: want canonical field names, a null namespace and only the selected fields", r)
		}
	}
	if !edgesHave(q.Records, "InvoiceTrigger", "InvoiceTriggerHandler") || !edgesHave(q.Records, "Admin", "InvoiceLegacyExport") {
		t.Errorf("rows %s", b)
	}
	_, none, _ := c.query(depFields + " WHERE MetadataComponentType != 'ApexClass' AND MetadataComponentType NOT IN ('Profile') AND RefMetadataComponentType = 'Nothing'")
	if none.TotalSize != 0 || !none.Done || none.Records == nil || none.EntityTypeName != nil {
		t.Errorf("empty result %+v", none)
	}
	// OR and parentheses, as relman's client batches component ids.
	_, either, b := c.query(depFields + " WHERE MetadataComponentType = 'Flow' OR (MetadataComponentType = 'ApexTrigger' AND RefMetadataComponentType = 'CustomObject')")
	if got := edges(either.Records); len(got) != 4 || !got["ApexTrigger:InvoiceTrigger -> CustomObject:Invoice__c"] || !got["Flow:Invoice_Before_Save -> CustomObject:Invoice__c"] {
		t.Errorf("OR query: %s", b)
	}
	_, limited, _ := c.query(depFields + " LIMIT 3")
	if limited.TotalSize != 3 {
		t.Errorf("LIMIT 3 gave %d", limited.TotalSize)
	}
}

func edgesHave(records []map[string]any, from, to string) bool {
	for _, r := range records {
		if r["MetadataComponentName"] == from && r["RefMetadataComponentName"] == to {
			return true
		}
	}
	return false
}

func TestDependencyQueryPaging(t *testing.T) {
	s := startSim(t, Config{QueryPageSize: 7})
	c := newClient(t, s)
	_, first, _ := c.query(depFields)
	if first.Done || first.Size != 7 || first.TotalSize <= 14 || !strings.HasPrefix(first.NextRecordsURL, "/services/data/v62.0/tooling/query/01g") {
		t.Fatalf("first page %+v", first)
	}
	all := first.Records
	next := first.NextRecordsURL
	for pages := 1; next != ""; pages++ {
		status, _, b := c.do(http.MethodGet, next, "", nil)
		var page tQuery
		if err := json.Unmarshal(b, &page); err != nil || status != http.StatusOK || page.TotalSize != first.TotalSize {
			t.Fatalf("page %d: %d %s", pages, status, b)
		}
		all = append(all, page.Records...)
		next = page.NextRecordsURL
		if page.Done != (next == "") || pages > 100 {
			t.Fatalf("page %d: done %v, next %q", pages, page.Done, next)
		}
	}
	if len(all) != first.TotalSize {
		t.Errorf("paged %d records, totalSize %d", len(all), first.TotalSize)
	}
	s7 := startSim(t, Config{})
	_, one, _ := newClient(t, s7).query(depFields)
	if len(edges(one.Records)) != len(edges(all)) {
		t.Errorf("paging changed the rows: %d vs %d", len(edges(all)), len(edges(one.Records)))
	}
	if status, _, b := c.do(http.MethodGet, first.NextRecordsURL, "", nil); status != http.StatusBadRequest || !strings.Contains(string(b), "INVALID_QUERY_LOCATOR") {
		t.Errorf("a finished locator: %d %s", status, b)
	}
}

func TestToolingQueryErrors(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	for soql, code := range map[string]string{
		depFields + " WHERE MetadataComponentName LIKE 'Invoice%'": "MALFORMED_QUERY",
		depFields + " WHERE (MetadataComponentType = 'Flow'":       "MALFORMED_QUERY",
		"SELECT COUNT() FROM MetadataComponentDependency":          "MALFORMED_QUERY",
		depFields + " ORDER BY MetadataComponentName":              "MALFORMED_QUERY",
		"SELECT Id FROM":                "MALFORMED_QUERY",
		"":                              "MALFORMED_QUERY",
		"SELECT Id, Name FROM Bogus__x": "INVALID_TYPE",
		"SELECT Id FROM SourceMember":   "INVALID_TYPE", // production orgs track no source
		"SELECT Bogus FROM MetadataComponentDependency": "INVALID_FIELD",
	} {
		status, _, b := c.query(soql)
		var errs []restError
		if err := json.Unmarshal(b, &errs); err != nil || status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != code {
			t.Errorf("%q: %d %s, want 400 %s", soql, status, b, code)
		}
	}
}
