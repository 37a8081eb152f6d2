package sim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

const classesDir = "force-app/main/default/classes"

// uatFeature is uat's finished feature (testdata/orgs/README.md): new fields,
// and the service class and its test that use them.
var uatFeature = []metadata.Component{
	comp("ApexClass:InvoiceService"), comp("ApexClass:InvoiceServiceTest"),
	comp("CustomField:Invoice__c.Due_Date__c"), comp("CustomField:Account.Region__c"),
}

func TestCheckOnlyDeployWithPassingTests(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	before, _ := os.ReadFile(filepath.Join(s.cfg.Dir, classesDir, "InvoiceService.cls"))
	// ForceCLI's style: prefixed elements, options out of WSDL order.
	id := c.deployZip(stylePrefixed, packageOf(t, "uat", uatFeature...),
		"<testLevel>RunSpecifiedTests</testLevel><runTests>InvoiceServiceTest</runTests><checkOnly>true</checkOnly><rollbackOnError>true</rollbackOnError><singlePackage>true</singlePackage>")
	r := c.pollDeploy(id)
	if r.Status != "Succeeded" || !r.Success || !r.CheckOnly || !r.RunTestsEnabled {
		t.Fatalf("validation: %+v", r)
	}
	if r.NumberComponentsTotal != 4 || r.NumberComponentsDeployed != 4 || r.NumberComponentErrors != 0 {
		t.Errorf("components %d/%d, %d errors", r.NumberComponentsDeployed, r.NumberComponentsTotal, r.NumberComponentErrors)
	}
	if r.NumberTestsTotal != 6 || r.NumberTestsCompleted != 6 || r.NumberTestErrors != 0 || r.Details.RunTestResult.NumTestsRun != 6 ||
		len(r.Details.RunTestResult.Successes) != 6 {
		t.Errorf("tests: %+v", r.Details.RunTestResult)
	}
	if r.StartDate == "" || r.CompletedDate == "" || r.StateDetail != "" {
		t.Errorf("dates/stateDetail: %+v", r)
	}
	var pkgXML, field *tMessage
	for i, m := range r.Details.ComponentSuccesses {
		switch m.FullName {
		case "package.xml":
			pkgXML = &r.Details.ComponentSuccesses[i]
		case "Invoice__c.Due_Date__c":
			field = &r.Details.ComponentSuccesses[i]
		}
	}
	if pkgXML == nil || pkgXML.FileName != "package.xml" || pkgXML.ComponentType != "" || !pkgXML.Changed {
		t.Errorf("package.xml success %+v", pkgXML)
	}
	if field == nil || field.FileName != "objects/Invoice__c.object" || field.ComponentType != "CustomField" || !field.Created || !field.Changed {
		t.Errorf("field success %+v", field)
	}
	if brief := c.deployStatus(id, false); len(brief.Details.ComponentSuccesses) != 0 || len(brief.Details.RunTestResult.Successes) != 0 ||
		brief.Details.RunTestResult.NumTestsRun != 6 {
		t.Errorf("includeDetails=false: %+v, want the runTestResult counters only", brief.Details)
	}
	after, _ := os.ReadFile(filepath.Join(s.cfg.Dir, classesDir, "InvoiceService.cls"))
	if string(before) != string(after) {
		t.Error("a checkOnly deploy changed the directory")
	}
}

func TestCheckOnlyDeployWithFailingTest(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	src, err := os.ReadFile(filepath.Join(s.cfg.Dir, classesDir, "InvoiceServiceTest.cls"))
	if err != nil {
		t.Fatal(err)
	}
	failing := strings.TrimSuffix(strings.TrimSpace(string(src)), "}") +
		"\n    @isTest\n    static void alwaysFails() {\n        Integer x = 1;\n        System.assert(false, 'tax must never be negative');\n    }\n}\n"
	line := strings.Count(failing[:strings.Index(failing, "System.assert(false")], "\n") + 1
	meta, _ := os.ReadFile(filepath.Join(s.cfg.Dir, classesDir, "InvoiceServiceTest.cls-meta.xml"))
	zipped := zipOf(t, map[string]string{
		"unpackaged/package.xml":                             manifest(map[string][]string{"ApexClass": {"InvoiceServiceTest"}}),
		"unpackaged/classes/InvoiceServiceTest.cls":          failing,
		"unpackaged/classes/InvoiceServiceTest.cls-meta.xml": string(meta),
	})
	// jsforce style; no testLevel: production runs local tests for Apex.
	id := c.deployZip(styleJSForce, zipped, "<checkOnly>true</checkOnly>")
	r := c.pollDeploy(id)
	if r.Status != "Failed" || r.Success {
		t.Fatalf("status %s", r.Status)
	}
	if r.NumberTestsTotal != 11 || r.NumberTestsCompleted != 10 || r.NumberTestErrors != 1 { // completed = passed
		t.Errorf("tests %d/%d, %d errors", r.NumberTestsCompleted, r.NumberTestsTotal, r.NumberTestErrors)
	}
	rt := r.Details.RunTestResult
	if rt.NumFailures != 1 || len(rt.Failures) != 1 || len(rt.Successes) != 10 {
		t.Fatalf("runTestResult %+v", rt)
	}
	f := rt.Failures[0]
	wantTrace := "Class.InvoiceServiceTest.alwaysFails: line " + strconv.Itoa(line) + ", column 1"
	if f.Name != "InvoiceServiceTest" || f.MethodName != "alwaysFails" || f.StackTrace != wantTrace || f.Type != "Class" ||
		f.Message != "System.AssertException: Assertion Failed: tax must never be negative" || f.Time != "2.0" || !strings.HasPrefix(f.ID, "01p") {
		t.Errorf("failure %+v, want stack trace %q", f, wantTrace)
	}
	if len(r.Details.ComponentSuccesses) != 2 || r.Details.ComponentSuccesses[0].FileName != "package.xml" {
		t.Errorf("successes %+v", r.Details.ComponentSuccesses)
	}
}

func TestDeployWritesAndSurvivesRestart(t *testing.T) {
	dir := copyOrg(t, "production")
	s := startSim(t, Config{Dir: dir})
	c := newClient(t, s)
	zipped, err := prefixZip(packageOf(t, "uat", append(uatFeature, comp("Layout:Invoice__c-Invoice Layout"))...), "unpackaged/")
	if err != nil {
		t.Fatal(err)
	}
	id := c.deployZip(styleJSForce, zipped, "<rollbackOnError>true</rollbackOnError><testLevel>RunLocalTests</testLevel>")
	r := c.pollDeploy(id)
	if r.Status != "Succeeded" || r.NumberTestsCompleted != 11 {
		t.Fatalf("deploy: %s, %d tests, failures %+v, error %s", r.Status, r.NumberTestsCompleted, r.Details.ComponentFailures, r.ErrorMessage)
	}
	field := filepath.Join(dir, "force-app/main/default/objects/Invoice__c/fields/Due_Date__c.field-meta.xml")
	if _, err := os.Stat(field); err != nil {
		t.Errorf("the deployed field is not in the directory: %v", err)
	}
	got := orgItems(t, dir, local.Filter{Components: []metadata.Component{comp("ApexClass:InvoiceService")}})
	want := orgItems(t, filepath.Join("..", "..", "testdata", "orgs", "uat"), local.Filter{Components: []metadata.Component{comp("ApexClass:InvoiceService")}})
	a, _ := readFiles(got[0])
	b, _ := readFiles(want[0])
	if string(a["classes/InvoiceService.cls"]) != string(b["classes/InvoiceService.cls"]) {
		t.Error("InvoiceService.cls is not uat's after the deploy")
	}
	list := call[tFileProperties](c, styleJSForce, "listMetadata", "<queries><type>CustomField</type></queries>")
	if !hasFullName(list, "Invoice__c.Due_Date__c") {
		t.Error("listMetadata does not show the deployed field")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := startSim(t, Config{Dir: dir})
	list = call[tFileProperties](newClient(t, s2), styleJSForce, "listMetadata", "<queries><type>CustomField</type></queries>")
	if !hasFullName(list, "Invoice__c.Due_Date__c") || !hasFullName(list, "Account.Region__c") {
		t.Error("a restarted simulator lost the deployed fields")
	}
	if s2.OrgID() != s.OrgID() {
		t.Error("the org id changed across a restart")
	}
}

func hasFullName(ps []tFileProperties, name string) bool {
	return slices.ContainsFunc(ps, func(p tFileProperties) bool { return p.FullName == name })
}

// permSetWithMissingField is a permission set granting a field that exists
// nowhere.
const permSetWithMissingField = `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldPermissions>
        <editable>false</editable>
        <field>Account.Nope__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Broken</label>
</PermissionSet>
`

const simpleClass = "public with sharing class Greeter {\n    public static String hello() { return InvoiceService.STATUS_PAID; }\n}\n"
const classMeta = `<?xml version="1.0" encoding="UTF-8"?><ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>`

func TestSucceededPartialWithoutRollback(t *testing.T) {
	s := startSim(t, Config{Kind: KindSandbox})
	c := newClient(t, s)
	zipped := zipOf(t, map[string]string{
		"package.xml":                         manifest(map[string][]string{"ApexClass": {"Greeter"}, "PermissionSet": {"Broken"}}),
		"classes/Greeter.cls":                 simpleClass,
		"classes/Greeter.cls-meta.xml":        classMeta,
		"permissionsets/Broken.permissionset": permSetWithMissingField,
	})
	id := c.deployZip(styleJSForce, zipped, "<rollbackOnError>false</rollbackOnError><singlePackage>true</singlePackage>")
	r := c.pollDeploy(id)
	if r.Status != "SucceededPartial" || !r.Success || r.RollbackOnError || r.NumberComponentErrors != 1 || r.NumberComponentsDeployed != 1 {
		t.Fatalf("partial deploy: %+v", r)
	}
	if len(r.Details.ComponentFailures) != 1 {
		t.Fatalf("failures %+v", r.Details.ComponentFailures)
	}
	f := r.Details.ComponentFailures[0]
	if f.ComponentType != "PermissionSet" || f.FullName != "Broken" || f.FileName != "permissionsets/Broken.permissionset" ||
		f.Problem != "In field: field - no CustomField named Account.Nope__c found" || f.ProblemType != "Error" || f.LineNumber != 5 {
		t.Errorf("failure %+v", f)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, classesDir, "Greeter.cls")); err != nil {
		t.Errorf("the good class was not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, "force-app/main/default/permissionsets/Broken.permissionset-meta.xml")); err == nil {
		t.Error("the failed permission set was written")
	}
}

func TestRollbackOnErrorWritesNothing(t *testing.T) {
	// Production forces rollbackOnError on, whatever the client sends.
	s := startSim(t, Config{})
	c := newClient(t, s)
	zipped := zipOf(t, map[string]string{
		"package.xml":                         manifest(map[string][]string{"ApexClass": {"Greeter"}, "PermissionSet": {"Broken"}}),
		"classes/Greeter.cls":                 simpleClass,
		"classes/Greeter.cls-meta.xml":        classMeta,
		"permissionsets/Broken.permissionset": permSetWithMissingField,
	})
	r := c.pollDeploy(c.deployZip(styleJSForce, zipped, "<rollbackOnError>false</rollbackOnError><testLevel>RunLocalTests</testLevel>"))
	if r.Status != "Failed" || !r.RollbackOnError || r.NumberComponentErrors != 1 || r.NumberTestsTotal != 0 {
		t.Fatalf("deploy: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, classesDir, "Greeter.cls")); err == nil {
		t.Error("a failed all-or-nothing deploy wrote a class")
	}
}

func TestMalformedXMLComponent(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	zipped := zipOf(t, map[string]string{
		"unpackaged/package.xml": manifest(map[string][]string{"CustomObject": {"Invoice__c"}, "ApexClass": {"Greeter"}}),
		"unpackaged/objects/Invoice__c.object": "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n" +
			"    <label>Invoice</label>\n    <fields><fullName>X__c</fullName></label>\n</CustomObject>\n",
		"unpackaged/classes/Greeter.cls":          simpleClass,
		"unpackaged/classes/Greeter.cls-meta.xml": classMeta,
	})
	r := c.pollDeploy(c.deployZip(styleJSForce, zipped, "<testLevel>RunLocalTests</testLevel>"))
	if r.Status != "Failed" || r.NumberComponentErrors != 1 || len(r.Details.ComponentFailures) != 1 {
		t.Fatalf("deploy: %+v", r)
	}
	f := r.Details.ComponentFailures[0]
	if f.ComponentType != "CustomObject" || f.FullName != "Invoice__c" || f.FileName != "unpackaged/objects/Invoice__c.object" ||
		f.LineNumber != 4 || f.ColumnNumber <= 0 || f.ProblemType != "Error" || !strings.Contains(f.Problem, "Error parsing file") {
		t.Errorf("failure %+v", f)
	}
}

func TestApexCompileProblems(t *testing.T) {
	s := startSim(t, Config{Kind: KindSandbox})
	c := newClient(t, s)
	zipped := zipOf(t, map[string]string{
		"package.xml": manifest(map[string][]string{"ApexClass": {"UsesGhost"}}),
		"classes/UsesGhost.cls": "public class UsesGhost {\n    // Ghost.haunt() in a comment is fine\n    public static void run() {\n" +
			"        Account a = new Account(Name = 'x');\n        Ghost.haunt(a);\n    }\n}\n",
		"classes/UsesGhost.cls-meta.xml": classMeta,
	})
	r := c.pollDeploy(c.deployZip(styleJSForce, zipped, ""))
	if r.Status != "Failed" || len(r.Details.ComponentFailures) != 1 {
		t.Fatalf("deploy: %+v", r)
	}
	if f := r.Details.ComponentFailures[0]; f.Problem != "Variable does not exist: Ghost" || f.LineNumber != 5 || f.ColumnNumber != 9 || f.FileName != "classes/UsesGhost.cls" {
		t.Errorf("failure %+v", f)
	}
	// uat's InvoiceService without the Due_Date__c field it uses does not compile.
	r = c.pollDeploy(c.deployZip(styleJSForce, packageOf(t, "uat", comp("ApexClass:InvoiceService")), ""))
	if r.Status != "Failed" || len(r.Details.ComponentFailures) != 1 || r.Details.ComponentFailures[0].Problem != "Variable does not exist: Due_Date__c" {
		t.Errorf("deploy without the field: %+v", r.Details.ComponentFailures)
	}
}

func TestDestructiveChanges(t *testing.T) {
	s := startSim(t, Config{Kind: KindSandbox})
	c := newClient(t, s)
	zipped := zipOf(t, map[string]string{
		"destructive/package.xml":            manifest(nil),
		"destructive/destructiveChanges.xml": manifest(map[string][]string{"ApexClass": {"InvoiceLegacyExport"}, "ListView": {"Invoice__c.Legacy_Unpaid"}}),
	})
	r := c.pollDeploy(c.deployZip(styleJSForce, zipped, "<rollbackOnError>true</rollbackOnError>"))
	if r.Status != "Succeeded" || r.NumberComponentsTotal != 2 || r.NumberComponentsDeployed != 2 {
		t.Fatalf("destructive deploy: %+v", r)
	}
	deleted := 0
	for _, m := range r.Details.ComponentSuccesses {
		if m.Deleted {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("successes %+v", r.Details.ComponentSuccesses)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, classesDir, "InvoiceLegacyExport.cls")); err == nil {
		t.Error("the deleted class is still in the directory")
	}
	// Deleting what is not there is a warning, which fails the deploy unless
	// ignoreWarnings.
	r = c.pollDeploy(c.deployZip(styleJSForce, zipped, "<rollbackOnError>true</rollbackOnError>"))
	if r.Status != "Failed" || len(r.Details.ComponentFailures) != 2 || r.Details.ComponentFailures[0].ProblemType != "Warning" ||
		r.Details.ComponentFailures[0].Problem != "No ApexClass named: InvoiceLegacyExport found" {
		t.Errorf("repeated delete: %+v", r.Details.ComponentFailures)
	}
	r = c.pollDeploy(c.deployZip(styleJSForce, zipped, "<ignoreWarnings>true</ignoreWarnings><rollbackOnError>true</rollbackOnError>"))
	if r.Status != "Succeeded" || !r.IgnoreWarnings {
		t.Errorf("repeated delete ignoring warnings: %s", r.Status)
	}
}

func TestDeployWithoutManifest(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	r := c.pollDeploy(c.deployZip(styleJSForce, zipOf(t, map[string]string{"classes/Greeter.cls": simpleClass}), ""))
	if r.Status != "Failed" || r.NumberComponentErrors != 0 || len(r.Details.ComponentFailures) != 1 ||
		r.Details.ComponentFailures[0].Problem != "No package.xml found" || r.Details.ComponentFailures[0].FullName != "package.xml" {
		t.Errorf("deploy without package.xml: %+v", r)
	}
	if f := c.fault(styleJSForce, "deploy", "<ZipFile>!!!</ZipFile><DeployOptions></DeployOptions>"); f.Code != "soapenv:Client" {
		t.Errorf("bad base64: %+v", f)
	}
	if f := c.fault(styleJSForce, "deploy", "<ZipFile>UEs=</ZipFile><DeployOptions><checkOnly>maybe</checkOnly></DeployOptions>"); !strings.Contains(f.String, "xsd:boolean") {
		t.Errorf("bad boolean: %+v", f)
	}
}

func TestCancelMidRun(t *testing.T) {
	s := startSim(t, Config{TestDuration: 100 * time.Millisecond})
	c := newClient(t, s)
	id := c.deployZip(styleJSForce, packageOf(t, "uat", uatFeature...), "<testLevel>RunLocalTests</testLevel>")
	var details []string
	var deployedSeen []int
	running := c.pollDeployUntil(id, func(r tDeployResult) bool {
		details = append(details, r.StateDetail)
		deployedSeen = append(deployedSeen, r.NumberComponentsDeployed)
		return r.NumberTestsCompleted >= 1
	})
	if running.Done || running.Status != "InProgress" || !strings.HasPrefix(running.StateDetail, "Running Test: ") {
		t.Fatalf("mid-run state: %+v", running)
	}
	if !slices.ContainsFunc(details, func(d string) bool { return strings.HasPrefix(d, "Processing Type: ") }) {
		t.Errorf("never saw a Processing Type stateDetail: %v", details)
	}
	if !slices.IsSorted(deployedSeen) || deployedSeen[len(deployedSeen)-1] != 4 {
		t.Errorf("numberComponentsDeployed went %v", deployedSeen)
	}
	res := call[struct {
		Done bool   `xml:"done"`
		ID   string `xml:"id"`
	}](c, styleJSForce, "cancelDeploy", "<id>"+id+"</id>")
	if len(res) != 1 || res[0].Done || res[0].ID != id {
		t.Fatalf("cancelDeploy: %+v", res)
	}
	r := c.pollDeploy(id)
	if r.Status != "Canceled" || r.Success || r.CanceledBy != s.userID || r.CanceledByName == "" || r.NumberTestsCompleted >= 11 {
		t.Errorf("after cancel: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, "force-app/main/default/objects/Invoice__c/fields/Due_Date__c.field-meta.xml")); err == nil {
		t.Error("a canceled deploy wrote its field")
	}
	if f := c.fault(styleJSForce, "cancelDeploy", "<String>"+id+"</String>"); f.Code != "sf:INVALID_ID_FIELD" || f.String != "INVALID_ID_FIELD: Deployment already completed" {
		t.Errorf("cancel of a finished deploy: %+v", f)
	}
}

func TestCancelQueuedDeploy(t *testing.T) {
	s := startSim(t, Config{TestDuration: 100 * time.Millisecond})
	c := newClient(t, s)
	first := c.deployZip(styleJSForce, packageOf(t, "uat", uatFeature...), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>")
	c.pollDeployUntil(first, func(r tDeployResult) bool { return r.Status == "InProgress" })
	queued := c.deployZip(styleJSForce, packageOf(t, "uat", uatFeature...), "<checkOnly>true</checkOnly>")
	if r := c.deployStatus(queued, false); r.Status != "Pending" || r.StartDate != "" {
		t.Fatalf("second deploy while the first runs: %+v", r)
	}
	res := call[struct {
		Done bool `xml:"done"`
	}](c, styleJSForce, "cancelDeploy", "<id>"+queued+"</id>")
	if len(res) != 1 || !res[0].Done {
		t.Fatalf("cancel of a queued deploy: %+v", res)
	}
	if r := c.deployStatus(queued, false); r.Status != "Canceled" || !r.Done {
		t.Errorf("queued deploy after cancel: %+v", r)
	}
	call[struct{}](c, styleJSForce, "cancelDeploy", "<id>"+first+"</id>")
	c.pollDeploy(first)
}

func TestQuickDeploy(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	validation := c.deployZip(styleJSForce, packageOf(t, "uat", uatFeature...), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>")
	if r := c.pollDeploy(validation); r.Status != "Succeeded" {
		t.Fatalf("validation: %s", r.Status)
	}
	// ForceCLI names the argument validationID; it is bound by position.
	ids := call[string](c, stylePrefixed, "deployRecentValidation", "<validationID>"+validation+"</validationID>")
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "0Af") || ids[0] == validation {
		t.Fatalf("deployRecentValidation: %v", ids)
	}
	r := c.pollDeploy(ids[0])
	if r.Status != "Succeeded" || r.CheckOnly || r.NumberTestsTotal != 0 || r.RunTestsEnabled {
		t.Errorf("quick deploy: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.Dir, "force-app/main/default/objects/Invoice__c/fields/Due_Date__c.field-meta.xml")); err != nil {
		t.Errorf("the quick deploy did not write: %v", err)
	}
	if f := c.fault(styleJSForce, "deployRecentValidation", "<validationId>"+validation+"</validationId>"); f.Code != "sf:INVALID_ID_FIELD" || !strings.Contains(f.String, "already quick-deployed") {
		t.Errorf("second quick deploy: %+v", f)
	}
	if f := c.fault(styleJSForce, "deployRecentValidation", "<validationId>"+ids[0]+"</validationId>"); !strings.Contains(f.String, "not a validation") {
		t.Errorf("quick deploy of a deploy: %+v", f)
	}
}

func TestQuickDeployRefused(t *testing.T) {
	s := startSim(t, Config{Kind: KindSandbox})
	c := newClient(t, s)
	validate := func() string {
		id := c.deployZip(styleJSForce, packageOf(t, "uat", comp("CustomField:Invoice__c.Due_Date__c")), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>")
		if r := c.pollDeploy(id); r.Status != "Succeeded" {
			t.Fatalf("validation: %+v", r)
		}
		return id
	}
	// A validation that ran no tests cannot be quick-deployed.
	untested := c.deployZip(styleJSForce, packageOf(t, "uat", comp("CustomField:Invoice__c.Due_Date__c")), "<checkOnly>true</checkOnly>")
	c.pollDeploy(untested)
	if f := c.fault(styleJSForce, "deployRecentValidation", "<validationId>"+untested+"</validationId>"); !strings.Contains(f.String, "ran no Apex tests") {
		t.Errorf("validation without tests: %+v", f)
	}
	// A deploy to the org after the validation makes it stale.
	stale := validate()
	c.pollDeploy(c.deployZip(styleJSForce, packageOf(t, "uat", comp("CustomField:Account.Region__c")), ""))
	if f := c.fault(styleJSForce, "deployRecentValidation", "<validationId>"+stale+"</validationId>"); !strings.Contains(f.String, "the org changed since validation") {
		t.Errorf("stale validation: %+v", f)
	}
	// Older than 10 days.
	old := validate()
	s.now = func() time.Time { return time.Now().Add(11 * 24 * time.Hour) }
	if f := c.fault(styleJSForce, "deployRecentValidation", "<validationId>"+old+"</validationId>"); !strings.Contains(f.String, "more than 10 days ago") {
		t.Errorf("old validation: %+v", f)
	}
	s.now = time.Now
	// A failed validation, and an unknown id.
	failed := c.deployZip(styleJSForce, zipOf(t, map[string]string{"x.txt": "no manifest"}), "<checkOnly>true</checkOnly>")
	c.pollDeploy(failed)
	for id, want := range map[string]string{failed: "has not succeeded", "0Af000000000000AAA": "no validation with id"} {
		if f := c.fault(styleJSForce, "deployRecentValidation", "<validationId>"+id+"</validationId>"); f.Code != "sf:INVALID_ID_FIELD" || !strings.Contains(f.String, want) {
			t.Errorf("quick deploy of %s: %+v", id, f)
		}
	}
}

func TestCloseStopsRunningDeploys(t *testing.T) {
	s, err := Start(context.Background(), Config{Dir: copyOrg(t, "production"), TestDuration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s)
	id := c.deployZip(styleJSForce, packageOf(t, "uat", uatFeature...), "<testLevel>RunLocalTests</testLevel>")
	c.pollDeployUntil(id, func(r tDeployResult) bool { return r.Status == "InProgress" })
	done := make(chan error)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a deploy with hour-long tests")
	}
}

// TestWholeOrgsValidate deploys every component of each testdata org to
// production as a validation: consistent orgs must never be refused.
func TestWholeOrgsValidate(t *testing.T) {
	s := startSim(t, Config{TestDuration: time.Millisecond / 10})
	c := newClient(t, s)
	for _, org := range []string{"production", "uat", "dev"} {
		items := orgItems(t, filepath.Join("..", "..", "testdata", "orgs", org), local.Filter{})
		var cs []metadata.Component
		for _, it := range items {
			cs = append(cs, it.Component)
		}
		r := c.pollDeploy(c.deployZip(styleJSForce, packageOf(t, org, cs...), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>"))
		if r.Status != "Succeeded" || r.NumberComponentsTotal != len(cs) || r.NumberTestsTotal < 10 {
			t.Errorf("%s: %s, %d/%d components, %d tests, failures %+v, %s", org, r.Status, r.NumberComponentsDeployed, r.NumberComponentsTotal,
				r.NumberTestsTotal, r.Details.ComponentFailures, r.ErrorMessage)
		}
	}
}
