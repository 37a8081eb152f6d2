package metadata

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestParseManifestGolden(t *testing.T) {
	f, err := os.Open("testdata/manifest/package-messy.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ParseManifest(f)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range m.Components() {
		got = append(got, c.String())
	}
	want := []string{
		"ApexClass:*", "ApexClass:Alpha", "ApexClass:Zeta",
		"CustomField:Account.Region__c", "CustomField:Invoice__c.Amount__c", "CustomField:Invoice__c.Status__c",
		"Layout:Account-Account Layout", "Layout:Account-R&D Layout",
		"Report:Sales/Q1_Pipeline", "ReportFolder:Sales",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("components:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m.Version != "62.0" {
		t.Errorf("version %q, want 62.0", m.Version)
	}
	var buf bytes.Buffer
	if err := m.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "testdata/manifest/package-messy.golden.xml", buf.Bytes())

	// What WriteXML writes parses back to the same manifest.
	again, err := ParseManifest(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := again.Components(), m.Components(); len(a) != len(b) {
		t.Errorf("re-parsed %d components, want %d", len(a), len(b))
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestWriteDestructiveGolden(t *testing.T) {
	cs := []Component{
		{Type: "CustomField", FullName: "Invoice__c.Legacy__c"},
		{Type: "ApexClass", FullName: "OldService"},
		{Type: "ApexClass", FullName: "OldService"},
		{Type: "ReportFolder", FullName: "Old_Reports"},
	}
	var buf bytes.Buffer
	if err := WriteDestructive(&buf, cs, "62.0"); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "testdata/manifest/destructiveChanges.golden.xml", buf.Bytes())

	err := WriteDestructive(&buf, []Component{{Type: "ApexClass", FullName: "*"}}, "62.0")
	if err == nil || !strings.Contains(err.Error(), "wildcard") || !strings.Contains(err.Error(), "ApexClass:*") {
		t.Errorf("WriteDestructive with a wildcard: %v, want an error naming ApexClass:*", err)
	}
}

func TestParseManifestErrors(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Package xmlns="http://soap.sforce.com/2006/04/metadata">` + "\n"
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "no <Package>"},
		{"not xml", "hello", "text outside"},
		{"wrong root", `<Project/>`, "line 1: root element is <Project>"},
		{"malformed", head + "<types><members>A</members>\n<name>ApexClass</types>", "line 4: malformed XML: element <name> closed by </types>"},
		{"unknown element", head + "<typo/>\n</Package>", "line 3: unknown element <typo> in <Package>"},
		{"unknown element in types", head + "<types>\n<member>A</member><name>ApexClass</name></types></Package>", "line 4: unknown element <member> in <types>"},
		{"unknown type", head + "<types><members>A</members>\n<name>ApexClas</name></types></Package>", `line 4: unknown metadata type "ApexClas"; did you mean ApexClass?`},
		{"no name", head + "<types><members>A</members></types></Package>", "line 3: <types> without <name>"},
		{"two names", head + "<types><name>ApexClass</name><name>Flow</name></types></Package>", "second <name>"},
		{"empty member", head + "<types><members> </members><name>ApexClass</name></types></Package>", "empty <members>"},
		{"bad member", head + "<types>\n<members>Bad Name</members><name>ApexClass</name></types></Package>", `line 4: ApexClass:Bad Name:`},
		{"nested member", head + "<types><members><x/></members><name>ApexClass</name></types></Package>", "inside <members>"},
		{"bad version", head + "<version>sixty</version></Package>", `version "sixty" is not an API version`},
		{"two roots", head + "</Package><Package/>", "root element is <Package>"},
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]>` + head + "</Package>", "directives are not allowed"},
	}
	for _, tc := range cases {
		_, err := ParseManifest(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.name, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestNewManifestMergesAndSorts(t *testing.T) {
	m := NewManifest([]Component{
		{Type: "Flow", FullName: "B"}, {Type: "Flow", FullName: "A"}, {Type: "Flow", FullName: "B"},
		{Type: "ApexClass", FullName: "X"},
	}, "61.0")
	if got := strings.Join(m.Types["Flow"], ","); got != "A,B" {
		t.Errorf("Flow members %q, want A,B", got)
	}
	var buf bytes.Buffer
	if err := m.WriteXML(&buf); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types>
        <members>X</members>
        <name>ApexClass</name>
    </types>
    <types>
        <members>A</members>
        <members>B</members>
        <name>Flow</name>
    </types>
    <version>61.0</version>
</Package>
`
	if buf.String() != want {
		t.Errorf("WriteXML:\n%s\nwant:\n%s", buf.String(), want)
	}
}
