package sim

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// untestedClass has `lines` executable lines no test reaches.
func untestedClass(name string, lines int) string {
	var b strings.Builder
	b.WriteString("public with sharing class " + name + " {\n    public static Integer count() {\n        Integer n = 0;\n")
	for i := 1; i < lines-1; i++ {
		fmt.Fprintf(&b, "        n += %d;\n", i)
	}
	b.WriteString("        return n;\n    }\n}\n")
	return b.String()
}

func apexZip(t *testing.T, classes map[string]string, triggers map[string]string) []byte {
	t.Helper()
	files := map[string]string{}
	types := map[string][]string{}
	for name, src := range classes {
		files["classes/"+name+".cls"], files["classes/"+name+".cls-meta.xml"] = src, classMeta
		types["ApexClass"] = append(types["ApexClass"], name)
	}
	for name, src := range triggers {
		files["triggers/"+name+".trigger"] = src
		files["triggers/"+name+".trigger-meta.xml"] = strings.ReplaceAll(classMeta, "ApexClass", "ApexTrigger")
		types["ApexTrigger"] = append(types["ApexTrigger"], name)
	}
	files["package.xml"] = manifest(types)
	return zipOf(t, files)
}

func coverageOf(r tDeployResult, name string) (tCoverage, bool) {
	for _, c := range r.Details.RunTestResult.CodeCoverage {
		if c.Name == name {
			return c, true
		}
	}
	return tCoverage{}, false
}

// TestCoverageOfTheOrgAsItIs checks the model on production's own Apex:
// the tests reach the service, the handler (through the trigger's DML) and
// the trigger, and leave the legacy export untouched.
func TestCoverageOfTheOrgAsItIs(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	r := c.pollDeploy(c.deployZip(styleJSForce, packageOf(t, "production", comp("ApexClass:InvoiceService")), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>"))
	if r.Status != "Succeeded" || len(r.Details.RunTestResult.CodeCoverageWarnings) != 0 {
		t.Fatalf("validation %s, warnings %+v", r.Status, r.Details.RunTestResult.CodeCoverageWarnings)
	}
	for name, uncovered := range map[string]bool{"InvoiceService": false, "InvoiceTriggerHandler": false, "InvoiceTrigger": false, "InvoiceLegacyExport": true} {
		cc, ok := coverageOf(r, name)
		if !ok || cc.NumLocations == 0 {
			t.Errorf("%s: no coverage entry (%+v)", name, r.Details.RunTestResult.CodeCoverage)
			continue
		}
		if got := cc.NumLocationsNotCovered == cc.NumLocations; got != uncovered || len(cc.LocationsNotCovered) != cc.NumLocationsNotCovered {
			t.Errorf("%s: %d of %d lines not covered (%d listed)", name, cc.NumLocationsNotCovered, cc.NumLocations, len(cc.LocationsNotCovered))
		}
		if want := map[bool]string{true: "Trigger", false: "Class"}[name == "InvoiceTrigger"]; cc.Type != want || cc.ID == "" {
			t.Errorf("%s: type %q id %q", name, cc.Type, cc.ID)
		}
	}
}

// TestCoverageFailsProductionValidation: an untested class drags org-wide
// coverage under 75 %; the validation fails on that alone, with the warning
// as Salesforce words it, no component or test error. A sandbox accepts it.
func TestCoverageFailsProductionValidation(t *testing.T) {
	zipped := apexZip(t, map[string]string{"Untested": untestedClass("Untested", 20)}, nil)
	prod := newClient(t, startSim(t, Config{}))
	r := prod.pollDeploy(prod.deployZip(styleJSForce, zipped, "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>"))
	if r.Status != "Failed" || r.Success || r.NumberComponentErrors != 0 || r.NumberTestErrors != 0 || r.NumberTestsCompleted != r.NumberTestsTotal {
		t.Fatalf("production: %s, %d component errors, %d test errors, %d/%d tests", r.Status, r.NumberComponentErrors, r.NumberTestErrors, r.NumberTestsCompleted, r.NumberTestsTotal)
	}
	w := r.Details.RunTestResult.CodeCoverageWarnings
	// 46 covered lines of 51 before, plus 20 uncovered: 46/71 = 64 %.
	if len(w) != 1 || w[0].Message != "Average test coverage across all Apex Classes and Triggers is 64%, at least 75% test coverage is required." || w[0].Name.Nil != "true" {
		t.Errorf("warnings %+v", w)
	}
	if cc, ok := coverageOf(r, "Untested"); !ok || cc.NumLocations != 20 || cc.NumLocationsNotCovered != 20 {
		t.Errorf("Untested coverage %+v", cc)
	}
	if f := prod.fault(styleJSForce, "deployRecentValidation", "<validationId>"+r.ID+"</validationId>"); !strings.Contains(f.String, "has not succeeded") {
		t.Errorf("quick deploy of a validation that failed coverage: %+v", f)
	}

	sandbox := newClient(t, startSim(t, Config{Kind: KindSandbox, Dir: copyOrg(t, "production")}))
	r = sandbox.pollDeploy(sandbox.deployZip(styleJSForce, zipped, "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>"))
	if r.Status != "Succeeded" || len(r.Details.RunTestResult.CodeCoverageWarnings) != 0 || len(r.Details.RunTestResult.CodeCoverage) == 0 {
		t.Errorf("sandbox: %s, warnings %+v, %d coverage entries", r.Status, r.Details.RunTestResult.CodeCoverageWarnings, len(r.Details.RunTestResult.CodeCoverage))
	}
}

// TestCoverageRunSpecifiedTests: each deployed class needs 75 % from the
// named tests; a test that calls it makes the same package pass.
func TestCoverageRunSpecifiedTests(t *testing.T) {
	s := startSim(t, Config{})
	c := newClient(t, s)
	opts := "<checkOnly>true</checkOnly><testLevel>RunSpecifiedTests</testLevel><runTests>InvoiceServiceTest</runTests>"
	r := c.pollDeploy(c.deployZip(styleJSForce, apexZip(t, map[string]string{"Greeter": simpleClass}, nil), opts))
	w := r.Details.RunTestResult.CodeCoverageWarnings
	if r.Status != "Failed" || len(w) != 1 || w[0].Name.Value != "Greeter" ||
		w[0].Message != "Test coverage of selected Apex Class is 0%, at least 75% test coverage is required" {
		t.Fatalf("uncovered class: %s, warnings %+v", r.Status, w)
	}
	greeterTest := "@isTest\nprivate class GreeterTest {\n    @isTest\n    static void saysHello() {\n        System.assertEquals('Paid', Greeter.hello());\n    }\n}\n"
	opts = strings.Replace(opts, "InvoiceServiceTest", "GreeterTest", 1)
	r = c.pollDeploy(c.deployZip(styleJSForce, apexZip(t, map[string]string{"Greeter": simpleClass, "GreeterTest": greeterTest}, nil), opts))
	if r.Status != "Succeeded" || len(r.Details.RunTestResult.CodeCoverageWarnings) != 0 {
		t.Fatalf("covered class: %s, warnings %+v", r.Status, r.Details.RunTestResult.CodeCoverageWarnings)
	}
	if _, f, raw := c.soapRaw(styleJSForce, "deployRecentValidation", "<validationId>"+r.ID+"</validationId>"); f != nil {
		t.Errorf("a validation whose tests passed and met coverage must be quick-deployable: %+v %s", f, raw)
	}
}

// TestCoverageEveryTriggerNeedsSome: a trigger no test fires fails a
// RunLocalTests validation even when org-wide coverage is fine.
func TestCoverageEveryTriggerNeedsSome(t *testing.T) {
	c := newClient(t, startSim(t, Config{}))
	trigger := "trigger ContactAudit on Contact (before insert) {\n    System.debug('contact');\n}\n"
	r := c.pollDeploy(c.deployZip(styleJSForce, apexZip(t, nil, map[string]string{"ContactAudit": trigger}), "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>"))
	w := r.Details.RunTestResult.CodeCoverageWarnings
	if r.Status != "Failed" || len(w) != 1 || w[0].Name.Value != "ContactAudit" ||
		w[0].Message != "Test coverage of selected Apex Trigger is 0%, at least 1% test coverage is required" {
		t.Fatalf("untested trigger: %s, warnings %+v", r.Status, w)
	}
}

// TestNoTestRunRefusedInProduction: the deploy call itself faults, as a
// real production org answers; a sandbox accepts it.
func TestNoTestRunRefusedInProduction(t *testing.T) {
	zipped := packageOf(t, "uat", comp("CustomField:Invoice__c.Due_Date__c"))
	prod := newClient(t, startSim(t, Config{}))
	f := prod.fault(styleJSForce, "deploy", "<ZipFile>"+base64.StdEncoding.EncodeToString(zipped)+"</ZipFile><DeployOptions><checkOnly>true</checkOnly><testLevel>NoTestRun</testLevel></DeployOptions>")
	if f == nil || f.Code != "sf:INVALID_OPERATION" || f.String != "INVALID_OPERATION: testLevel of NoTestRun cannot be used in production organizations" {
		t.Errorf("production NoTestRun: %+v", f)
	}
	sandbox := newClient(t, startSim(t, Config{Kind: KindSandbox}))
	if r := sandbox.pollDeploy(sandbox.deployZip(styleJSForce, zipped, "<testLevel>NoTestRun</testLevel>")); r.Status != "Succeeded" {
		t.Errorf("sandbox NoTestRun: %s", r.Status)
	}
}

func TestCoverageModelReachesHelpersAndInstances(t *testing.T) {
	cm := newCoverageModel([]apexSource{
		{name: "Calc", src: "public class Calc {\n    private Integer base = 1;\n    public Calc() {\n        base = 2;\n    }\n    public Integer add(Integer x) {\n        return base + x;\n    }\n    public Integer never() {\n        return 0;\n    }\n}\n"},
		{name: "CalcTest", src: "@isTest\nprivate class CalcTest {\n    static Calc make() {\n        return new Calc();\n    }\n    @isTest\n    static void adds() {\n        Calc c = make();\n        System.assertEquals(3, c.add(1));\n    }\n}\n"},
	})
	cov := cm.run(apexTestMethods("CalcTest", "@isTest\nprivate class CalcTest {\n    @isTest\n    static void adds() {}\n}\n"))
	uc := cov.of(cm.units["calc"])
	// Lines: 2 (initialiser), 4 (constructor), 7 (add), 10 (never).
	if uc.total != 4 || uc.uncovered != 1 || len(uc.notCovered) != 1 || uc.notCovered[0] != 10 {
		t.Errorf("Calc: %d lines, %d uncovered %v", uc.total, uc.uncovered, uc.notCovered)
	}
}
