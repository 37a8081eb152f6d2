package salesforce

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"relman/model/metadata"
)

// buildZip makes an MDAPI zip: unpackaged/package.xml plus n Apex classes of
// about size bytes each.
func buildZip(t testing.TB, n, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("unpackaged/package.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>*</members><name>ApexClass</name></types><version>66.0</version></Package>`)
	body := strings.Repeat("x", size)
	for i := range n {
		w, err := zw.Create(fmt.Sprintf("unpackaged/classes/C%d.cls", i))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "public class C%d { /* %s */ }", i, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// describeMetadataResponse is shaped like the recorded one of §2.3.
const describeMetadataResponse = `<describeMetadataResponse><result>` +
	`<metadataObjects><childXmlNames>WorkflowFieldUpdate</childXmlNames><childXmlNames>WorkflowRule</childXmlNames>` +
	`<directoryName>workflows</directoryName><inFolder>false</inFolder><metaFile>false</metaFile><suffix>workflow</suffix><xmlName>Workflow</xmlName></metadataObjects>` +
	`<metadataObjects><directoryName>classes</directoryName><inFolder>false</inFolder><metaFile>true</metaFile><suffix>cls</suffix><xmlName>ApexClass</xmlName></metadataObjects>` +
	`<organizationNamespace xsi:nil="true"/><partialSaveAllowed>true</partialSaveAllowed><testRequired>false</testRequired></result></describeMetadataResponse>`

func TestDescribeMetadata(t *testing.T) {
	o := newTestOrg(t)
	o.soap["describeMetadata"] = func(r soapReq) (int, string) {
		if r.Inner != "<asOfVersion>66.0</asOfVersion>" {
			t.Errorf("request = %s", r.Inner)
		}
		return http.StatusOK, describeMetadataResponse
	}
	c, _ := o.client()
	d, err := c.DescribeMetadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.MetadataObjects) != 2 || !d.PartialSaveAllowed || d.OrganizationNamespace != "" {
		t.Fatalf("result = %+v", d)
	}
	wf, apex := d.MetadataObjects[0], d.MetadataObjects[1]
	if wf.Name != "Workflow" || wf.DirectoryName != "workflows" || len(wf.ChildXMLNames) != 2 || wf.Suffix != "workflow" {
		t.Errorf("workflow = %+v", wf)
	}
	if apex.Name != "ApexClass" || !apex.MetaFile || len(apex.ChildXMLNames) != 0 {
		t.Errorf("apex = %+v", apex)
	}
}

// fileProps is one FileProperties element as in §2.4.
func fileProps(typ, fullName, file, id string) string {
	return `<createdById>0055g00000XyZ12AAB</createdById><createdByName>Ann Admin</createdByName>` +
		`<createdDate>2024-03-01T10:00:00.000Z</createdDate><fileName>` + file + `</fileName><fullName>` + fullName + `</fullName>` +
		`<id>` + id + `</id><lastModifiedById>0055g00000XyZ12AAB</lastModifiedById><lastModifiedByName>Ann Admin</lastModifiedByName>` +
		`<lastModifiedDate>2024-03-02T11:00:00.000Z</lastModifiedDate><manageableState>unmanaged</manageableState><type>` + typ + `</type>`
}

func TestListMetadata(t *testing.T) {
	o := newTestOrg(t)
	var mu sync.Mutex
	var requests []string
	o.soap["listMetadata"] = func(r soapReq) (int, string) {
		mu.Lock()
		requests = append(requests, r.Inner)
		n := len(requests)
		mu.Unlock()
		switch n {
		case 1: // a single result: not wrapped in a list (§2.4)
			return http.StatusOK, `<listMetadataResponse><result>` + fileProps("ApexClass", "Foo", "classes/Foo.cls", "01p5g00000AaBbCAAR") + `</result></listMetadataResponse>`
		case 2: // no matches: no result element at all
			return http.StatusOK, `<listMetadataResponse/>`
		}
		return http.StatusOK, `<listMetadataResponse><result>` + fileProps("Report", "MyFolder/R1", "reports/MyFolder/R1.report", "00O1") +
			`</result><result>` + fileProps("Report", "MyFolder/R2", "reports/MyFolder/R2.report", "00O2") + `</result></listMetadataResponse>`
	}
	c, _ := o.client()
	qs := []ListQuery{{Type: "ApexClass"}, {Type: "ApexTrigger"}, {Type: "CustomObject"},
		{Type: "Flow"}, {Type: "Layout"}, {Type: "Profile"}, {Type: "Report", Folder: "MyFolder"}}
	got, err := c.ListMetadata(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(requests) != 3 {
		t.Fatalf("calls = %d, want 3 (at most 3 queries each)", len(requests))
	}
	if want := `<queries><type>Report</type><folder>MyFolder</folder></queries><asOfVersion>66.0</asOfVersion>`; requests[2] != want {
		t.Errorf("third request = %s, want %s", requests[2], want)
	}
	if strings.Count(requests[0], "<queries>") != 3 || strings.Contains(requests[0], "<folder>") {
		t.Errorf("first request = %s", requests[0])
	}
	if len(got) != 3 {
		t.Fatalf("got %d FileProperties, want 3", len(got))
	}
	foo := got[0]
	want := FileProperties{CreatedByID: "0055g00000XyZ12AAB", CreatedByName: "Ann Admin",
		CreatedDate: DateTime{time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}, FileName: "classes/Foo.cls", FullName: "Foo",
		ID: "01p5g00000AaBbCAAR", LastModifiedByID: "0055g00000XyZ12AAB", LastModifiedByName: "Ann Admin",
		LastModifiedDate: DateTime{time.Date(2024, 3, 2, 11, 0, 0, 0, time.UTC)}, ManageableState: "unmanaged", Type: "ApexClass"}
	if foo != want {
		t.Errorf("Foo = %+v\nwant %+v", foo, want)
	}
	if foo.Component() != (metadata.Component{Type: "ApexClass", FullName: "Foo"}) {
		t.Errorf("Component = %v", foo.Component())
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRetrieveAndWait(t *testing.T) {
	o := newTestOrg(t)
	retrieved := zipOf(t, map[string]string{
		"unpackaged/package.xml":         `<Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>66.0</version></Package>`,
		"unpackaged/classes/Foo.cls":     "public class Foo {}",
		"unpackaged/objects/Account.obj": "<CustomObject/>",
	})
	o.soap["retrieve"] = func(r soapReq) (int, string) {
		want := `<retrieveRequest><apiVersion>66.0</apiVersion><singlePackage>false</singlePackage><unpackaged>` +
			`<types><members>Foo</members><name>ApexClass</name></types>` +
			`<types><members>Account.Rating__c</members><members>Delivery__c.Status__c</members><name>CustomField</name></types>` +
			`<version>66.0</version></unpackaged></retrieveRequest>`
		if r.Inner != want {
			t.Errorf("retrieve request:\n%s\nwant\n%s", r.Inner, want)
		}
		return http.StatusOK, `<retrieveResponse><result><done>false</done><id>09S9K00000M2pxpUAB</id><state>Queued</state></result></retrieveResponse>`
	}
	var mu sync.Mutex
	var zipAsks []bool
	polls := 0
	o.soap["checkRetrieveStatus"] = func(r soapReq) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		withZip := strings.Contains(r.Inner, "<includeZip>true</includeZip>")
		zipAsks = append(zipAsks, withZip)
		if !strings.Contains(r.Inner, "<asyncProcessId>09S9K00000M2pxpUAB</asyncProcessId>") {
			t.Errorf("checkRetrieveStatus request = %s", r.Inner)
		}
		polls++
		if polls < 3 {
			return http.StatusOK, `<checkRetrieveStatusResponse><result><done>false</done><id>09S9K00000M2pxpUAB</id><status>InProgress</status><success>false</success></result></checkRetrieveStatusResponse>`
		}
		res := `<checkRetrieveStatusResponse><result><done>true</done>` +
			`<fileProperties>` + fileProps("ApexClass", "Foo", "unpackaged/classes/Foo.cls", "01p5g00000AaBbCAAR") + `</fileProperties>` +
			`<fileProperties><createdById>0055g00000XyZ12AAB</createdById><createdByName>User User</createdByName><createdDate>2024-08-24T09:23:38.614Z</createdDate>` +
			`<fileName>unpackaged/package.xml</fileName><fullName>unpackaged/package.xml</fullName><id></id><lastModifiedById>0055g00000XyZ12AAB</lastModifiedById>` +
			`<lastModifiedByName>User User</lastModifiedByName><lastModifiedDate>2024-08-24T09:23:38.614Z</lastModifiedDate><manageableState>unmanaged</manageableState><type>Package</type></fileProperties>` +
			`<id>09S9K00000M2pxpUAB</id>` +
			`<messages><fileName>unpackaged/package.xml</fileName><problem>Entity of type 'CustomField' named 'Delivery__c.Status__c' cannot be found</problem></messages>` +
			`<status>Succeeded</status><success>true</success>`
		if withZip {
			// Line breaks inside base64 are tolerated.
			b64 := base64.StdEncoding.EncodeToString(retrieved)
			res += "<zipFile>" + b64[:40] + "\n" + b64[40:] + "</zipFile>"
		}
		return http.StatusOK, res + `</result></checkRetrieveStatusResponse>`
	}
	c, clk := o.client()
	var progress []RetrieveStatus
	res, err := c.RetrieveAndWait(context.Background(), RetrieveRequest{Components: []metadata.Component{
		{Type: "CustomField", FullName: "Delivery__c.Status__c"}, {Type: "ApexClass", FullName: "Foo"},
		{Type: "CustomField", FullName: "Account.Rating__c"}}}, func(r RetrieveResult) { progress = append(progress, r.Status) })
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.ZipFile, retrieved) {
		t.Fatalf("zip differs: %d bytes, want %d", len(res.ZipFile), len(retrieved))
	}
	if len(res.FileProperties) != 2 || res.FileProperties[1].Type != "Package" || res.FileProperties[1].CreatedDate.Nanosecond() != 614000000 {
		t.Errorf("fileProperties = %+v", res.FileProperties)
	}
	if len(res.Messages) != 1 || !strings.Contains(res.Messages[0].Problem, "cannot be found") {
		t.Errorf("messages = %+v", res.Messages)
	}
	if fmt.Sprint(zipAsks) != "[false false false true]" {
		t.Errorf("includeZip per poll = %v, want the zip asked for only once, when done", zipAsks)
	}
	if fmt.Sprint(progress) != "[InProgress InProgress Succeeded]" {
		t.Errorf("progress = %v", progress)
	}
	if fmt.Sprint(clk.recorded()) != "[1s 2s]" {
		t.Errorf("poll waits = %v, want [1s 2s]", clk.recorded())
	}
	zr, err := zip.NewReader(bytes.NewReader(res.ZipFile), int64(len(res.ZipFile)))
	if err != nil || len(zr.File) != 3 {
		t.Errorf("zip unreadable: %v", err)
	}
}

func TestRetrieveFailed(t *testing.T) {
	o := newTestOrg(t)
	o.soap["retrieve"] = ok("retrieve", `<result><done>false</done><id>09S1</id><state>Queued</state></result>`)
	o.soap["checkRetrieveStatus"] = ok("checkRetrieveStatus", `<result><done>true</done><errorMessage>Too many files</errorMessage>`+
		`<errorStatusCode>LIMIT_EXCEEDED</errorStatusCode><id>09S1</id><status>Failed</status><success>false</success></result>`)
	c, _ := o.client()
	_, err := c.RetrieveAndWait(context.Background(), RetrieveRequest{PackageNames: []string{"Acme"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "LIMIT_EXCEEDED: Too many files") || !strings.Contains(err.Error(), "retrieve 09S1 on "+o.URL()) {
		t.Fatalf("err = %v", err)
	}
	if n := o.count("checkRetrieveStatus"); n != 1 {
		t.Errorf("polls = %d, want 1: no zip to fetch after a failure", n)
	}
}

func TestRetrieveRealClock(t *testing.T) {
	o := newTestOrg(t)
	o.soap["retrieve"] = ok("retrieve", `<result><done>false</done><id>09S1</id><state>Queued</state></result>`)
	polls := 0
	o.soap["checkRetrieveStatus"] = func(soapReq) (int, string) {
		polls++
		done := polls > 4
		return ok("checkRetrieveStatus", fmt.Sprintf(`<result><done>%v</done><id>09S1</id><status>InProgress</status><success>false</success></result>`, done))(soapReq{})
	}
	c, err := New(o.refreshConfig(), WithPollInterval(time.Millisecond, 4*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RetrieveAndWait(context.Background(), RetrieveRequest{SpecificFiles: []string{"classes/Foo.cls"}, SinglePackage: true}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRetrieveNeedsSomething(t *testing.T) {
	o := newTestOrg(t)
	c, _ := o.client()
	if _, err := c.Retrieve(context.Background(), RetrieveRequest{APIVersion: "62"}); err == nil || !strings.Contains(err.Error(), "nothing to retrieve") {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Retrieve(context.Background(), RetrieveRequest{APIVersion: "new"}); err == nil || !strings.Contains(err.Error(), "API version") {
		t.Fatalf("err = %v", err)
	}
}

func TestDateTimeNil(t *testing.T) {
	o := newTestOrg(t)
	o.soap["checkDeployStatus"] = ok("checkDeployStatus", `<result><completedDate xsi:nil="true"/><startDate></startDate>`+
		`<createdDate>2024-05-01T10:00:00Z</createdDate><numberTestErrors xsi:nil="true"/><done>false</done><id>0Af1</id><status>Pending</status></result>`)
	c, _ := o.client()
	r, err := c.CheckDeployStatus(context.Background(), "0Af1", false)
	if err != nil {
		t.Fatal(err)
	}
	if !r.CompletedDate.IsZero() || !r.StartDate.IsZero() || r.CreatedDate.Year() != 2024 || r.Status != DeployPending {
		t.Errorf("result = %+v", r)
	}
}
