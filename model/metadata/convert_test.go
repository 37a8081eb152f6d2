package metadata

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// snapFile is an Item's file with its content read, for comparisons.
type snapFile struct {
	Component Component
	Path      string
	Fragment  bool
	Content   string
}

func snapshot(t *testing.T, items []Item) []snapFile {
	t.Helper()
	var out []snapFile
	for _, it := range items {
		for _, f := range it.Files {
			data, err := ReadFile(f)
			if err != nil {
				t.Fatalf("%s: %v", it.Component, err)
			}
			out = append(out, snapFile{it.Component, f.Path, f.Fragment, string(data)})
		}
	}
	return out
}

func compareSnapshots(t *testing.T, want, got []snapFile) {
	t.Helper()
	n := max(len(want), len(got))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(want):
			t.Errorf("extra file %s %s", got[i].Component, got[i].Path)
		case i >= len(got):
			t.Errorf("missing file %s %s", want[i].Component, want[i].Path)
		case want[i] != got[i]:
			w, g := want[i], got[i]
			t.Errorf("file %d differs:\nwant %s %s fragment=%v\n%s\ngot  %s %s fragment=%v\n%s", i, w.Component, w.Path, w.Fragment, w.Content, g.Component, g.Path, g.Fragment, g.Content)
		}
	}
}

func readTestTree(t *testing.T) []Item {
	t.Helper()
	items, err := ReadSourceTree(os.DirFS("testdata/sfdx"))
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestReadSourceTreeComponents(t *testing.T) {
	items := readTestTree(t)
	var got []string
	for _, it := range items {
		got = append(got, it.Component.String())
	}
	want := []string{
		"ApexClass:InvoiceService",
		"AuraDefinitionBundle:legacyCmp",
		"CustomField:Account.Region__c",
		"CustomField:Invoice__c.Amount__c",
		"CustomField:Invoice__c.Status__c",
		"CustomLabel:Greeting",
		"CustomLabel:Invoice_Sent",
		"CustomMetadata:Region_Setting.EMEA",
		"CustomObject:Invoice__c",
		"CustomObjectTranslation:Invoice__c-fr",
		"Document:Public/terms.txt",
		"DocumentFolder:Public",
		"EmailFolder:Billing",
		"EmailTemplate:Billing/Invoice_Ready",
		"ExperienceBundle:portal1",
		"Layout:Invoice__c-Invoice Layout",
		"LightningComponentBundle:invoiceCard",
		"ListView:Invoice__c.All",
		"Profile:Admin",
		"RecordType:Invoice__c.Standard",
		"Report:Sales/Invoices_By_Month",
		"ReportFolder:Sales",
		"StaticResource:brand",
		"StaticResource:settings",
		"ValidationRule:Invoice__c.Amount_Positive",
		"WorkflowFieldUpdate:Invoice__c.Mark_Sent",
		"WorkflowRule:Invoice__c.Send Invoice",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("components:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, it := range items {
		if err := Validate(it.Component); err != nil {
			t.Errorf("component read from the tree does not validate: %v", err)
		}
	}
}

func TestReadSourceTreeFiles(t *testing.T) {
	byComp := map[string][]File{}
	for _, it := range readTestTree(t) {
		byComp[it.Component.String()] = it.Files
	}
	paths := func(c string) string {
		var ps []string
		for _, f := range byComp[c] {
			ps = append(ps, f.Path)
		}
		return strings.Join(ps, " ")
	}
	cases := map[string]string{
		"ApexClass:InvoiceService":              "classes/InvoiceService.cls classes/InvoiceService.cls-meta.xml",
		"LightningComponentBundle:invoiceCard":  "lwc/invoiceCard/invoiceCard.html lwc/invoiceCard/invoiceCard.js lwc/invoiceCard/invoiceCard.js-meta.xml",
		"StaticResource:brand":                  "staticresources/brand.resource-meta.xml staticresources/brand/css/main.css staticresources/brand/logo.svg",
		"Document:Public/terms.txt":             "documents/Public/terms.document-meta.xml documents/Public/terms.txt",
		"CustomObjectTranslation:Invoice__c-fr": "objectTranslations/Invoice__c-fr/Amount__c.fieldTranslation-meta.xml objectTranslations/Invoice__c-fr/Invoice__c-fr.objectTranslation-meta.xml",
		"CustomLabel:Greeting":                  "labels/CustomLabels.labels-meta.xml",
		"ExperienceBundle:portal1":              "experiences/portal1.site-meta.xml experiences/portal1/config/portal1.json",
	}
	for c, want := range cases {
		if got := paths(c); got != want {
			t.Errorf("%s files = %q, want %q", c, got, want)
		}
	}
	label := byComp["CustomLabel:Greeting"][0]
	if !label.Fragment {
		t.Error("a CustomLabel's file must be a fragment")
	}
	data, err := ReadFile(label)
	if err != nil {
		t.Fatal(err)
	}
	want := "<labels>\n    <fullName>Greeting</fullName>\n    <language>en_US</language>\n    <protected>false</protected>\n    <shortDescription>Greeting</shortDescription>\n    <value>Hello, &quot;friend&quot;</value>\n</labels>\n"
	if string(data) != want {
		t.Errorf("label fragment:\n%s\nwant:\n%s", data, want)
	}
	if _, ok := byComp["CustomLabels:CustomLabels"]; ok {
		t.Error("labels file without content of its own must not give a CustomLabels item")
	}
}

// TestRoundTripSourceMDAPI converts the test tree to a deploy zip and back and
// expects the same items with byte-identical content.
func TestRoundTripSourceMDAPI(t *testing.T) {
	items := readTestTree(t)
	var buf bytes.Buffer
	if err := WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
		t.Fatal(err)
	}
	back, err := ReadMDAPIZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	compareSnapshots(t, snapshot(t, items), snapshot(t, back))
}

// TestWriteMDAPIZipGolden compares the zip's files with testdata/mdapi, a
// Metadata API tree in the layout Salesforce retrieves.
func TestWriteMDAPIZipGolden(t *testing.T) {
	var buf bytes.Buffer
	destructive := []Component{{Type: "ApexClass", FullName: "OldService"}, {Type: "CustomField", FullName: "Invoice__c.Legacy__c"}}
	if err := WriteMDAPIZip(&buf, readTestTree(t), destructive, "62.0"); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = data
		names = append(names, f.Name)
		if strings.Contains(f.Name, `\`) || strings.HasPrefix(f.Name, "/") {
			t.Errorf("zip entry %q: want forward slashes, relative", f.Name)
		}
	}
	if names[0] != "package.xml" || names[1] != "destructiveChanges.xml" {
		t.Errorf("first entries = %v, want package.xml, destructiveChanges.xml", names[:2])
	}
	golden := "testdata/mdapi"
	if *update {
		os.RemoveAll(golden)
		for name, data := range got {
			p := filepath.Join(golden, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var want []string
	err = filepath.WalkDir(golden, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(golden, p)
		want = append(want, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	sort.Strings(want)
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Fatalf("zip entries:\n%s\nwant (testdata/mdapi):\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	for _, name := range want {
		if strings.HasSuffix(name, ".resource") {
			continue // zip bytes depend on the compressor; the round-trip test checks their content
		}
		data, err := os.ReadFile(filepath.Join(golden, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, got[name]) {
			t.Errorf("%s differs from the golden file:\n%s\nwant:\n%s", name, got[name], data)
		}
	}
}

// TestReadMDAPITreeGolden reads the golden Metadata API tree from disk, in
// both layouts, and expects the source tree's items.
func TestReadMDAPITreeGolden(t *testing.T) {
	want := snapshot(t, readTestTree(t))
	items, err := ReadMDAPITree(os.DirFS("testdata/mdapi"))
	if err != nil {
		t.Fatal(err)
	}
	compareSnapshots(t, want, snapshot(t, items))

	// The unpackaged/ layout of a retrieve.
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "unpackaged"), os.DirFS("testdata/mdapi")); err != nil {
		t.Fatal(err)
	}
	items, err = ReadMDAPITree(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	compareSnapshots(t, want, snapshot(t, items))
}

func TestWriteSourceItemsRoundTrip(t *testing.T) {
	items := readTestTree(t)
	dir := t.TempDir()
	if err := WriteSourceItems(dir, items); err != nil {
		t.Fatal(err)
	}
	again, err := ReadSourceTree(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	compareSnapshots(t, snapshot(t, items), snapshot(t, again))
	// Every written file is byte-identical to the original.
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		orig, err := os.ReadFile(filepath.Join("testdata/sfdx", rel))
		if err != nil {
			t.Errorf("wrote %s, which the original tree does not have", rel)
			return nil
		}
		got, _ := os.ReadFile(p)
		if !bytes.Equal(orig, got) {
			t.Errorf("%s differs:\n%s\nwant:\n%s", rel, got, orig)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
