package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"relman/model/metadata"
)

const toolingPath = "/services/data/v66.0/tooling/query/"

func TestToolingQueryPages(t *testing.T) {
	o := newTestOrg(t)
	o.rest[toolingPath] = func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("q"); q != "SELECT Id FROM ApexExecutionOverlayAction WHERE Name = 'a b'" {
			t.Errorf("q = %q", q)
		}
		// Recorded shape of §4.1, first of two pages.
		writeJSON(w, http.StatusOK, `{"size":3,"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v66.0/tooling/query/01gD0000002HU6KIAW-2000",`+
			`"queryLocator":"01gD0000002HU6KIAW-2000","entityTypeName":"ApexExecutionOverlayAction","records":[`+
			`{"attributes":{"type":"ApexExecutionOverlayAction","url":"/services/data/v66.0/tooling/sobjects/ApexExecutionOverlayAction/1AC1"},"Id":"1AC1"},`+
			`{"attributes":{"type":"ApexExecutionOverlayAction","url":"/services/data/v66.0/tooling/sobjects/ApexExecutionOverlayAction/1AC2"},"Id":"1AC2"}]}`)
	}
	o.rest[toolingPath+"01gD0000002HU6KIAW-2000"] = func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"size":3,"totalSize":3,"done":true,"queryLocator":null,"entityTypeName":"ApexExecutionOverlayAction","records":[`+
			`{"attributes":{"type":"ApexExecutionOverlayAction","url":"/x"},"Id":"1AC3"}]}`)
	}
	c, _ := o.client()
	var ids []string
	err := c.ToolingQuery(context.Background(), "SELECT Id FROM ApexExecutionOverlayAction WHERE Name = 'a b'", func(rec json.RawMessage) error {
		var r struct{ Id string }
		if err := json.Unmarshal(rec, &r); err != nil {
			return err
		}
		ids = append(ids, r.Id)
		return nil
	})
	if err != nil || fmt.Sprint(ids) != "[1AC1 1AC2 1AC3]" {
		t.Fatalf("ids = %v, err = %v", ids, err)
	}

	stop := errors.New("enough")
	n := 0
	err = c.ToolingQuery(context.Background(), "SELECT Id FROM ApexExecutionOverlayAction WHERE Name = 'a b'", func(json.RawMessage) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("callback error: err = %v after %d records", err, n)
	}
}

func TestToolingQueryEmptyAndErrors(t *testing.T) {
	o := newTestOrg(t)
	o.rest[toolingPath] = func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("q") {
		case "empty":
			writeJSON(w, http.StatusOK, `{"size":0,"totalSize":0,"done":true,"queryLocator":null,"entityTypeName":null,"records":[]}`)
		case "elsewhere":
			writeJSON(w, http.StatusOK, `{"done":false,"nextRecordsUrl":"https://evil.example.com/steal","records":[]}`)
		case "xml":
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Errors><Error><errorCode>MALFORMED_QUERY</errorCode><message>unexpected token: xml</message></Error></Errors>`)
		default:
			writeJSON(w, http.StatusBadRequest, `[{"message":"\nSELECT Nme FROM ApexClass\n       ^\nERROR at Row:1:Column:8\nNo such column 'Nme' on entity 'ApexClass'.","errorCode":"INVALID_FIELD"}]`)
		}
	}
	c, _ := o.client()
	ctx := context.Background()
	none := func(json.RawMessage) error { t.Error("no records expected"); return nil }
	if err := c.ToolingQuery(ctx, "empty", none); err != nil {
		t.Errorf("empty: %v", err)
	}
	if err := c.ToolingQuery(ctx, "elsewhere", none); err == nil || !strings.Contains(err.Error(), "not a /services/data/ path") {
		t.Errorf("foreign nextRecordsUrl: %v", err)
	}
	var ae *APIError
	if err := c.ToolingQuery(ctx, "xml", none); !errors.As(err, &ae) || ae.Code != "MALFORMED_QUERY" {
		t.Errorf("XML error: %v", err)
	}
	err := c.ToolingQuery(ctx, "SELECT Nme FROM ApexClass", none)
	if !errors.As(err, &ae) || ae.Code != "INVALID_FIELD" || ae.StatusCode != 400 || !strings.Contains(err.Error(), "No such column 'Nme'") ||
		!strings.HasPrefix(err.Error(), "tooling query on "+o.URL()) {
		t.Errorf("JSON error: %v", err)
	}
}

var idClause = regexp.MustCompile(`MetadataComponentId = '([^']+)'`)

func TestDependencies(t *testing.T) {
	o := newTestOrg(t)
	o.soap["listMetadata"] = func(r soapReq) (int, string) {
		want := `<queries><type>ApexClass</type></queries><queries><type>Report</type><folder>Sales</folder></queries><queries><type>CustomField</type></queries><asOfVersion>66.0</asOfVersion>`
		if r.Inner != want {
			t.Errorf("listMetadata request = %s", r.Inner)
		}
		return http.StatusOK, `<listMetadataResponse>` +
			`<result>` + fileProps("ApexClass", "Foo", "classes/Foo.cls", "01pFOO") + `</result>` +
			`<result>` + fileProps("ApexClass", "Other", "classes/Other.cls", "01pOTHER") + `</result>` +
			`<result>` + fileProps("CustomField", "Account.Region__c", "objects/Account.object", "00NREGION") + `</result>` +
			`</listMetadataResponse>`
	}
	var mu sync.Mutex
	var queries []string
	o.rest[toolingPath] = func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
		if !strings.HasPrefix(q, "SELECT MetadataComponentId, MetadataComponentName, MetadataComponentNamespace, MetadataComponentType, RefMetadataComponentId, ") ||
			strings.Contains(q, "Name =") || strings.Contains(q, " IN ") {
			t.Errorf("query filters on names or uses IN, which the Dependency API rejects: %s", q)
		}
		var recs []string
		for _, m := range idClause.FindAllStringSubmatch(q, -1) {
			recs = append(recs, `{"attributes":{"type":"MetadataComponentDependency","url":"/x"},"MetadataComponentId":"`+m[1]+
				`","MetadataComponentName":"n","MetadataComponentNamespace":null,"MetadataComponentType":"ApexClass",`+
				`"RefMetadataComponentId":"00Nx","RefMetadataComponentName":"yourField","RefMetadataComponentNamespace":null,"RefMetadataComponentType":"CustomField"}`)
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"size":%d,"totalSize":%d,"done":true,"records":[%s]}`, len(recs), len(recs), strings.Join(recs, ",")))
	}
	c, _ := o.client()
	deps, err := c.Dependencies(context.Background(), []metadata.Component{
		{Type: "ApexClass", FullName: "Foo"}, {Type: "Report", FullName: "Sales/Pipeline"},
		{Type: "CustomField", FullName: "Account.Region__c"}, {Type: "ApexClass", FullName: "NotInOrgYet"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) != 1 || !strings.HasSuffix(queries[0], "WHERE MetadataComponentId = '00NREGION' OR MetadataComponentId = '01pFOO'") {
		t.Errorf("queries = %q", queries)
	}
	if len(deps) != 2 || deps[0].RefName != "yourField" || deps[0].RefType != "CustomField" || deps[0].ComponentNamespace != "" {
		t.Errorf("deps = %+v", deps)
	}
}

func TestDependenciesSplitAt2000Rows(t *testing.T) {
	o := newTestOrg(t)
	var mu sync.Mutex
	var sizes []int
	o.rest[toolingPath] = func(w http.ResponseWriter, r *http.Request) {
		ids := idClause.FindAllStringSubmatch(r.URL.Query().Get("q"), -1)
		mu.Lock()
		sizes = append(sizes, len(ids))
		mu.Unlock()
		// Each component has 600 dependencies; the API stops at 2000 rows.
		n := min(600*len(ids), maxDependencyRows)
		recs := make([]string, n)
		for i := range recs {
			recs[i] = `{"MetadataComponentId":"` + ids[i/600][1] + `","RefMetadataComponentId":"r"}`
		}
		writeJSON(w, http.StatusOK, `{"done":true,"records":[`+strings.Join(recs, ",")+`]}`)
	}
	c, _ := o.client()
	ids := make([]string, 150)
	for i := range ids {
		ids[i] = fmt.Sprintf("01p%05d", i)
	}
	deps, err := c.DependenciesByID(context.Background(), ids[:6])
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 3600 || fmt.Sprint(sizes) != "[6 3 3]" {
		t.Errorf("got %d rows from batches %v, want 3600 from [6 3 3]", len(deps), sizes)
	}

	sizes = nil
	o.rest[toolingPath] = func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sizes = append(sizes, len(idClause.FindAllString(r.URL.Query().Get("q"), -1)))
		mu.Unlock()
		writeJSON(w, http.StatusOK, `{"done":true,"records":[]}`)
	}
	if _, err := c.DependenciesByID(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[100 50]" {
		t.Errorf("batches = %v, want [100 50]", sizes)
	}

	o.rest[toolingPath] = func(w http.ResponseWriter, r *http.Request) {
		recs := strings.Repeat(`{"MetadataComponentId":"x"},`, maxDependencyRows)
		writeJSON(w, http.StatusOK, `{"done":true,"records":[`+strings.TrimSuffix(recs, ",")+`]}`)
	}
	if _, err := c.DependenciesByID(context.Background(), ids[:1]); err == nil || !strings.Contains(err.Error(), "at most 2000 rows") {
		t.Errorf("one component over the cap: %v", err)
	}
}

func TestSOQLQuote(t *testing.T) {
	if got := soqlQuote(`O'Brien\x`); got != `'O\'Brien\\x'` {
		t.Errorf("soqlQuote = %s", got)
	}
}
