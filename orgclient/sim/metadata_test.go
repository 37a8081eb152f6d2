package sim

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

type tDescribeObject struct {
	ChildXMLNames []string `xml:"childXmlNames"`
	DirectoryName string   `xml:"directoryName"`
	InFolder      bool     `xml:"inFolder"`
	MetaFile      bool     `xml:"metaFile"`
	Suffix        string   `xml:"suffix"`
	XMLName_      string   `xml:"xmlName"`
}

func TestDescribeMetadata(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	res := call[struct {
		Objects      []tDescribeObject `xml:"metadataObjects"`
		TestRequired bool              `xml:"testRequired"`
		PartialSave  bool              `xml:"partialSaveAllowed"`
	}](c, styleJSForce, "describeMetadata", "<asOfVersion>62.0</asOfVersion>")
	if len(res) != 1 || !res[0].TestRequired || !res[0].PartialSave {
		t.Fatalf("describe: %+v", res)
	}
	byName := map[string]tDescribeObject{}
	for _, o := range res[0].Objects {
		byName[o.XMLName_] = o
	}
	if o := byName["ApexClass"]; o.DirectoryName != "classes" || o.Suffix != "cls" || !o.MetaFile || o.InFolder {
		t.Errorf("ApexClass: %+v", o)
	}
	if o := byName["CustomObject"]; !slices.Contains(o.ChildXMLNames, "CustomField") || !slices.Contains(o.ChildXMLNames, "ValidationRule") {
		t.Errorf("CustomObject children: %v", o.ChildXMLNames)
	}
	if o := byName["Report"]; !o.InFolder || o.DirectoryName != "reports" {
		t.Errorf("Report: %+v", o)
	}
	// Whatever the registry holds: every top-level type, as it describes it.
	for _, typ := range metadata.Types() {
		if typ.IsChild() || typ.FolderContentType != "" {
			continue
		}
		o, ok := byName[typ.Name]
		if !ok || o.DirectoryName != typ.Directory || o.Suffix != typ.Suffix || o.InFolder != typ.InFolder {
			t.Errorf("%s: described as %+v (listed %t)", typ.Name, o, ok)
		}
	}
	for _, absent := range []string{"CustomField", "ReportFolder"} {
		if _, ok := byName[absent]; ok {
			t.Errorf("%s listed as a top-level type", absent)
		}
	}
	// A sandbox does not require tests; the prefixed style works alike.
	sb := startSim(t, Config{Kind: KindSandbox})
	res2 := call[struct {
		TestRequired bool `xml:"testRequired"`
	}](newClient(t, sb), stylePrefixed, "describeMetadata", "<asOfVersion>62.0</asOfVersion>")
	if len(res2) != 1 || res2[0].TestRequired {
		t.Errorf("sandbox describe: %+v", res2)
	}
}

type tFileProperties struct {
	CreatedByID      string `xml:"createdById"`
	CreatedDate      string `xml:"createdDate"`
	FileName         string `xml:"fileName"`
	FullName         string `xml:"fullName"`
	ID               string `xml:"id"`
	LastModifiedDate string `xml:"lastModifiedDate"`
	LastModifiedBy   string `xml:"lastModifiedByName"`
	ManageableState  string `xml:"manageableState"`
	Type             string `xml:"type"`
}

func TestListMetadata(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	// Several queries at once (jsforce sends repeated <queries>).
	res := call[tFileProperties](c, styleJSForce, "listMetadata",
		"<queries><type>ApexClass</type></queries><queries><type>CustomField</type></queries><asOfVersion>62.0</asOfVersion>")
	var classes, fields []string
	for _, p := range res {
		switch p.Type {
		case "ApexClass":
			classes = append(classes, p.FullName)
			if p.FileName != "classes/"+p.FullName+".cls" || !strings.HasPrefix(p.ID, "01p") || len(p.ID) != 18 || p.ManageableState != "unmanaged" {
				t.Errorf("class properties %+v", p)
			}
		case "CustomField":
			fields = append(fields, p.FullName)
			if obj, _, _ := strings.Cut(p.FullName, "."); p.FileName != "objects/"+obj+".object" {
				t.Errorf("field properties %+v", p)
			}
		}
		if p.CreatedDate == "" || !strings.HasSuffix(p.LastModifiedDate, "Z") || p.CreatedByID == "" {
			t.Errorf("dates/users missing: %+v", p)
		}
	}
	if len(classes) != 5 || len(fields) != 10 {
		t.Errorf("listed %d classes %v and %d fields, want 5 and 10", len(classes), classes, len(fields))
	}
	// One match: one result element, not wrapped (§2.1).
	one := call[tFileProperties](c, stylePrefixed, "listMetadata", "<queries><type>ApexTrigger</type></queries><asOfVersion>62.0</asOfVersion>")
	if len(one) != 1 || one[0].FullName != "InvoiceTrigger" || one[0].FileName != "triggers/InvoiceTrigger.trigger" {
		t.Errorf("single result: %+v", one)
	}
	labels := call[tFileProperties](c, styleJSForce, "listMetadata", "<queries><type>CustomLabel</type></queries>")
	if len(labels) != 5 || labels[0].FileName != "labels/CustomLabels.labels" {
		t.Errorf("labels: %+v", labels)
	}
	// No match: an empty response without a result element (§2.4).
	_, f, raw := c.soapRaw(styleJSForce, "listMetadata", "<queries><type>Report</type><folder>Nope</folder></queries><asOfVersion>62.0</asOfVersion>")
	if f != nil || strings.Contains(string(raw), "result") {
		t.Errorf("empty list: fault %v, body %q", f, raw)
	}
	// asOfVersion alone binds by position (queries omitted).
	if _, f, _ := c.soapRaw(styleJSForce, "listMetadata", "<asOfVersion>62.0</asOfVersion>"); f != nil {
		t.Errorf("listMetadata without queries: %+v", f)
	}
	if _, f, raw := c.soapRaw(styleJSForce, "listMetadata", "<queries><type>ApexEmailNotifications</type></queries>"); f != nil || len(raw) != 0 {
		t.Errorf("a type the simulator does not know: fault %v, body %q", f, raw)
	}
}

type tRetrieveResult struct {
	Done           bool              `xml:"done"`
	ErrorMessage   string            `xml:"errorMessage"`
	FileProperties []tFileProperties `xml:"fileProperties"`
	ID             string            `xml:"id"`
	Messages       []struct {
		FileName string `xml:"fileName"`
		Problem  string `xml:"problem"`
	} `xml:"messages"`
	Status  string `xml:"status"`
	Success bool   `xml:"success"`
	ZipFile string `xml:"zipFile"`
}

// retrieve starts a retrieve the jsforce way (<request>), or for a
// singlePackage retrieve the way of the doc's example (prefixed,
// <retrieveRequest>), and polls checkRetrieveStatus the ForceCLI way (<id>)
// until done.
func retrieve(t *testing.T, c *client, unpackaged string, single bool) tRetrieveResult {
	t.Helper()
	style, inner := styleJSForce, "<request><apiVersion>62.0</apiVersion><singlePackage>false</singlePackage><unpackaged>"+unpackaged+"</unpackaged></request>"
	if single {
		style, inner = stylePrefixed, "<retrieveRequest><apiVersion>62.0</apiVersion><singlePackage>true</singlePackage><unpackaged>"+unpackaged+"</unpackaged></retrieveRequest>"
	}
	async := call[tAsync](c, style, "retrieve", inner)
	if len(async) != 1 || async[0].State != "Queued" || !strings.HasPrefix(async[0].ID, "09S") || len(async[0].ID) != 18 {
		t.Fatalf("retrieve answered %+v", async)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := call[tRetrieveResult](c, styleJSForce, "checkRetrieveStatus", "<id>"+async[0].ID+"</id><includeZip>true</includeZip>")
		if len(res) != 1 {
			t.Fatalf("checkRetrieveStatus: %d results", len(res))
		}
		if res[0].Done {
			return res[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("retrieve %s not done by the deadline: %s", async[0].ID, res[0].Status)
		}
		time.Sleep(2 * time.Millisecond) // polling interval
	}
}

func TestRetrieveRoundTrip(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	want := []metadata.Component{
		comp("ApexClass:InvoiceService"), comp("CustomField:Invoice__c.Amount__c"), comp("CustomLabel:Invoice_Tax_Label"),
		comp("Layout:Invoice__c-Invoice Layout"), comp("LightningComponentBundle:invoiceSummary"), comp("StaticResource:InvoiceStyles"),
	}
	res := retrieve(t, c, `<types><members>InvoiceService</members><name>ApexClass</name></types>`+
		`<types><members>Invoice__c.Amount__c</members><members>Invoice__c.Due_Date__c</members><name>CustomField</name></types>`+
		`<types><members>Invoice_Tax_Label</members><name>CustomLabel</name></types>`+
		`<types><members>Invoice__c-Invoice Layout</members><name>Layout</name></types>`+
		`<types><members>*</members><name>LightningComponentBundle</name></types>`+
		`<types><members>InvoiceStyles</members><name>StaticResource</name></types><version>62.0</version>`, false)
	if res.Status != "Succeeded" || !res.Success {
		t.Fatalf("retrieve: %+v", res)
	}
	if len(res.Messages) != 1 || res.Messages[0].FileName != "unpackaged/package.xml" ||
		res.Messages[0].Problem != "Entity of type 'CustomField' named 'Invoice__c.Due_Date__c' cannot be found" {
		t.Errorf("messages %+v", res.Messages)
	}
	props := map[string]tFileProperties{}
	for _, p := range res.FileProperties {
		props[p.Type+":"+p.FullName] = p
	}
	if p := props["Package:unpackaged/package.xml"]; p.FileName != "unpackaged/package.xml" || p.ID != "" || p.ManageableState != "unmanaged" {
		t.Errorf("package.xml properties %+v", p)
	}
	if p := props["CustomField:Invoice__c.Amount__c"]; p.FileName != "unpackaged/objects/Invoice__c.object" {
		t.Errorf("field properties %+v", p)
	}
	if len(props) != len(want)+1 {
		t.Errorf("%d fileProperties, want %d", len(props), len(want)+1)
	}
	data, err := base64.StdEncoding.DecodeString(res.ZipFile)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "unpackaged/") {
			t.Errorf("zip entry %s outside unpackaged/", f.Name)
		}
	}
	got, err := metadata.ReadMDAPIZip(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	orig := orgItems(t, s.cfg.Dir, local.Filter{Components: want})
	if len(got) != len(orig) {
		t.Fatalf("zip holds %d components, want %d", len(got), len(orig))
	}
	for i := range got {
		if got[i].Component != orig[i].Component {
			t.Fatalf("component %d: %s, want %s", i, got[i].Component, orig[i].Component)
		}
		a, _ := readFiles(got[i])
		b, _ := readFiles(orig[i])
		if len(a) != len(b) {
			t.Errorf("%s: %d files, want %d", got[i].Component, len(a), len(b))
		}
		for p, content := range b {
			if !bytes.Equal(a[p], content) {
				t.Errorf("%s: %s differs from the org's file", got[i].Component, p)
			}
		}
	}
}

// TestRetrieveObjectBringsChildren: an object's file carries its fields,
// validation rules, … (§3.5), while fileProperties name what was asked.
func TestRetrieveObjectBringsChildren(t *testing.T) {
	s := startSim(t, Config{})
	res := retrieve(t, newClient(t, s), `<types><members>Invoice__c</members><name>CustomObject</name></types>`, false)
	if len(res.FileProperties) != 2 || res.FileProperties[0].FileName != "unpackaged/objects/Invoice__c.object" {
		t.Errorf("fileProperties %+v", res.FileProperties)
	}
	data, _ := base64.StdEncoding.DecodeString(res.ZipFile)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("unpackaged/objects/Invoice__c.object")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(f)
	for _, want := range []string{"<fullName>Amount__c</fullName>", "<fullName>Amount_Must_Be_Positive</fullName>", "<fullName>Standard</fullName>"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the retrieved object lacks %s", want)
		}
	}
}

func TestRetrieveSinglePackageAndCheckStatus(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	res := retrieve(t, c, `<types><members>InvoiceTrigger</members><name>ApexTrigger</name></types><types><members>X</members><name>Nonsense</name></types>`, true)
	data, _ := base64.StdEncoding.DecodeString(res.ZipFile)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if !slices.Contains(names, "package.xml") || !slices.Contains(names, "triggers/InvoiceTrigger.trigger") {
		t.Errorf("singlePackage zip: %v", names)
	}
	if len(res.Messages) != 1 || !strings.Contains(res.Messages[0].Problem, "Unknown type name 'Nonsense'") {
		t.Errorf("messages %+v", res.Messages)
	}
	st := call[tAsync](c, styleJSForce, "checkStatus", "<asyncProcessId>"+res.ID+"</asyncProcessId>")
	if len(st) != 1 || !st[0].Done || st[0].State != "Completed" {
		t.Errorf("checkStatus: %+v", st)
	}
	// includeZip=false leaves the zip out.
	noZip := call[tRetrieveResult](c, styleJSForce, "checkRetrieveStatus", "<asyncProcessId>"+res.ID+"</asyncProcessId><includeZip>false</includeZip>")
	if noZip[0].ZipFile != "" || !noZip[0].Done {
		t.Errorf("includeZip=false: %+v", noZip[0])
	}
	if f := c.fault(styleJSForce, "checkRetrieveStatus", "<id>09S000000000000AAA</id>"); f.Code != "sf:INVALID_ID_FIELD" {
		t.Errorf("unknown retrieve id: %+v", f)
	}
}

func TestSOAPFaults(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	bad := &client{t: t, base: s.URL(), token: "00Dbogus!token"}
	f := bad.fault(styleJSForce, "describeMetadata", "<asOfVersion>62.0</asOfVersion>")
	if f.Code != "sf:INVALID_SESSION_ID" || !strings.HasPrefix(f.String, "INVALID_SESSION_ID: ") {
		t.Errorf("bad session: %+v", f)
	}
	f = c.fault(styleJSForce, "readMetadata", "<type>ApexClass</type>")
	if f.Code != "soapenv:Client" || !strings.Contains(f.String, "No operation available") {
		t.Errorf("unknown operation: %+v", f)
	}
	f = c.fault(styleJSForce, "cancelDeploy", "<id>0Af000000000000AAA</id>")
	if f.Code != "sf:INVALID_ID_FIELD" {
		t.Errorf("cancel of an unknown deploy: %+v", f)
	}
	// Retired versions are refused whatever the session (§2.11).
	status, _, body := c.do("POST", "/services/Soap/m/30.0", "text/xml", []byte(soapEnvelope(styleJSForce, c.token, "describeMetadata", "")))
	if status != 500 || !strings.Contains(string(body), "sf:UNSUPPORTED_API_VERSION") {
		t.Errorf("retired version: %d %s", status, body)
	}
	// A trailing segment such as the org id is tolerated (§2.1).
	status, _, body = c.do("POST", "/services/Soap/m/62.0/"+s.OrgID()[:15], "text/xml", []byte(soapEnvelope(styleJSForce, c.token, "describeMetadata", "")))
	if status != 200 || !strings.Contains(string(body), "describeMetadataResponse") {
		t.Errorf("trailing org id: %d %s", status, body[:min(len(body), 200)])
	}
	status, _, body = c.do("POST", "/services/Soap/m/62.0", "text/xml", []byte("<not soap"))
	if status != 500 || !strings.Contains(string(body), "soapenv:Client") {
		t.Errorf("malformed envelope: %d %s", status, body)
	}
}
