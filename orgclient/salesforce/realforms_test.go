package salesforce

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"relman/model"
)

// TestListMetadataSalesforceDateForms: a real org may write dates in the
// REST form with a "+0000" offset; one such date must not sink the answer.
func TestListMetadataSalesforceDateForms(t *testing.T) {
	o := newTestOrg(t)
	props := fileProps("ApexClass", "Foo", "classes/Foo.cls", "01p1")
	props = strings.Replace(props, "2024-03-01T10:00:00.000Z", "2024-03-01T10:00:00.000+0000", 1)
	props = strings.Replace(props, "2024-03-02T11:00:00.000Z", "2024-03-02T12:00:00+0100", 1)
	o.soap["listMetadata"] = ok("listMetadata", `<result>`+props+`</result>`)
	c, _ := o.client()
	got, err := c.ListMetadata(context.Background(), []ListQuery{{Type: "ApexClass"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].CreatedDate.Equal(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)) ||
		!got[0].LastModifiedDate.Equal(time.Date(2024, 3, 2, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("got %+v", got)
	}
}

// TestDeployResultDuplicatesNumberFilesCoverage: an identical failure
// reported twice is kept once; numberFiles is kept; coverage is summed
// with the classes under 75 % least covered first.
func TestDeployResultDuplicatesNumberFilesCoverage(t *testing.T) {
	o := newTestOrg(t)
	failure := `<componentFailures><changed>false</changed><componentType>ApexClass</componentType><created>false</created>` +
		`<createdDate>2024-05-01T10:00:05.000Z</createdDate><deleted>false</deleted><fileName>classes/Foo.cls</fileName><fullName>Foo</fullName>` +
		`<lineNumber>3</lineNumber><columnNumber>9</columnNumber><problem>Variable does not exist: bar</problem><problemType>Error</problemType><success>false</success></componentFailures>`
	coverage := func(typ, name string, n, notCovered int) string {
		return `<codeCoverage><id>01p1</id><name>` + name + `</name><namespace xsi:nil="true"/><numLocations>` + strconv.Itoa(n) +
			`</numLocations><numLocationsNotCovered>` + strconv.Itoa(notCovered) + `</numLocationsNotCovered><type>` + typ + `</type></codeCoverage>`
	}
	o.soap["checkDeployStatus"] = ok("checkDeployStatus", `<result><done>true</done><id>0Af1</id><status>Failed</status><numberFiles>7</numberFiles>`+
		`<details>`+failure+failure+`<runTestResult>`+coverage("Class", "Big", 40, 4)+coverage("Class", "Untested", 20, 20)+
		coverage("Trigger", "AccountTrigger", 10, 6)+`<codeCoverageWarnings><id>00D1</id><message>Average test coverage across all Apex Classes and Triggers is 57%, at least 75% test coverage is required.</message>`+
		`<name xsi:nil="true"/><namespace xsi:nil="true"/></codeCoverageWarnings></runTestResult></details></result>`)
	c, _ := o.client()
	r, err := c.CheckDeployStatus(context.Background(), "0Af1", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ComponentFailures(); len(got) != 1 || got[0].Line != 3 {
		t.Errorf("ComponentFailures = %+v", got)
	}
	if r.NumberFiles != 7 {
		t.Errorf("numberFiles = %d", r.NumberFiles)
	}
	cov := r.Coverage()
	want := &model.Coverage{Covered: 40, Lines: 70, Below: []model.ClassCoverage{
		{Type: "ApexClass", Name: "Untested", Covered: 0, Lines: 20}, {Type: "ApexTrigger", Name: "AccountTrigger", Covered: 4, Lines: 10}}}
	if cov == nil || cov.Covered != want.Covered || cov.Lines != want.Lines || len(cov.Below) != 2 || cov.Below[0] != want.Below[0] || cov.Below[1] != want.Below[1] {
		t.Errorf("Coverage = %+v", cov)
	}
	if s := model.CoverageSummary(r.CoverageWarnings(), cov); s != "coverage 57% org-wide (75% required); under 75%: ApexClass Untested 0%, ApexTrigger AccountTrigger 40%" {
		t.Errorf("summary %q", s)
	}
	// RunSpecifiedTests names the classes that fell short: only they count.
	r.Details.RunTestResult.CodeCoverageWarnings = []CodeCoverageWarning{{Name: "Untested", Message: "Test coverage of selected Apex Class is 0%, at least 75% test coverage is required"}}
	if cov := r.Coverage(); cov.OrgWide || len(cov.Below) != 1 || cov.Below[0].Name != "Untested" {
		t.Errorf("per-class coverage %+v", cov)
	}
}
