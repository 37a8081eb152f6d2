package metadata

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for p, c := range files {
		m[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return m
}

func itemsByComponent(t *testing.T, items []Item) map[string][]snapFile {
	t.Helper()
	out := map[string][]snapFile{}
	for _, s := range snapshot(t, items) {
		out[s.Component.String()] = append(out[s.Component.String()], s)
	}
	return out
}

func TestReadMDAPITreeNormalisesAndOmitsBareParents(t *testing.T) {
	fsys := mapFS(map[string]string{
		"objects/Account.object": `<?xml version='1.0'?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
  <fields><fullName>Region__c</fullName>
    <label>Region</label><type>Text</type></fields>
</CustomObject>`,
		"labels/CustomLabels.labels": `<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata"><labels><fullName>Hi</fullName><value>Hi &amp; bye</value></labels></CustomLabels>`,
	})
	items, err := ReadMDAPITree(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := itemsByComponent(t, items)
	if len(got) != 2 {
		t.Fatalf("items %v, want only CustomField:Account.Region__c and CustomLabel:Hi", got)
	}
	field := got["CustomField:Account.Region__c"][0]
	wantField := xmlDecl + `<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Region__c</fullName>
    <label>Region</label>
    <type>Text</type>
</CustomField>
`
	if field.Path != "objects/Account/fields/Region__c.field-meta.xml" || field.Content != wantField {
		t.Errorf("field %s:\n%s\nwant:\n%s", field.Path, field.Content, wantField)
	}
	label := got["CustomLabel:Hi"][0]
	if !label.Fragment || label.Path != "labels/CustomLabels.labels-meta.xml" || label.Content != "<labels>\n    <fullName>Hi</fullName>\n    <value>Hi &amp; bye</value>\n</labels>\n" {
		t.Errorf("label %+v", label)
	}

	// Listed in package.xml, the bare parent becomes an item.
	fsys["package.xml"] = &fstest.MapFile{Data: []byte(`<Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>Account</members><name>CustomObject</name></types><types><members>*</members><name>CustomLabels</name></types></Package>`)}
	items, err = ReadMDAPITree(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got = itemsByComponent(t, items)
	obj, ok := got["CustomObject:Account"]
	if !ok || obj[0].Path != "objects/Account/Account.object-meta.xml" {
		t.Errorf("listed parent: %v", obj)
	}
	if _, ok := got["CustomLabels:CustomLabels"]; !ok {
		t.Error("labels listed by wildcard: want a CustomLabels item")
	}
}

func TestSharedParentWithOwnContent(t *testing.T) {
	fsys := mapFS(map[string]string{
		"sharingRules/Account.sharingRules-meta.xml": xmlDecl + `<SharingRules xmlns="http://soap.sforce.com/2006/04/metadata">
    <sharingCriteriaRules>
        <fullName>EMEA</fullName>
        <accessLevel>Read</accessLevel>
    </sharingCriteriaRules>
    <sharingOwnerRules>
        <fullName>Sales</fullName>
        <accessLevel>Edit</accessLevel>
    </sharingOwnerRules>
    <extra>kept with the parent</extra>
</SharingRules>
`,
	})
	items, err := ReadSourceTree(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := itemsByComponent(t, items)
	for _, c := range []string{"SharingRules:Account", "SharingCriteriaRule:Account.EMEA", "SharingOwnerRule:Account.Sales"} {
		if len(got[c]) != 1 || !got[c][0].Fragment {
			t.Errorf("%s: %v, want one fragment", c, got[c])
		}
	}
	if p := got["SharingRules:Account"][0].Content; !strings.Contains(p, "<extra>") || strings.Contains(p, "EMEA") {
		t.Errorf("parent fragment must hold its own content only:\n%s", p)
	}
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

func TestWriteMDAPIZipChildOnly(t *testing.T) {
	var field Item
	for _, it := range readTestTree(t) {
		if it.Component.String() == "CustomField:Invoice__c.Amount__c" {
			field = it
		}
	}
	var buf bytes.Buffer
	if err := WriteMDAPIZip(&buf, []Item{field}, nil, "62.0"); err != nil {
		t.Fatal(err)
	}
	files := unzipAll(t, buf.Bytes())
	if len(files) != 2 {
		t.Errorf("zip holds %d files, want package.xml and objects/Invoice__c.object", len(files))
	}
	want := xmlDecl + `<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Amount__c</fullName>
        <label>Amount</label>
        <precision>16</precision>
        <required>false</required>
        <scale>2</scale>
        <type>Currency</type>
    </fields>
</CustomObject>
`
	if got := files["objects/Invoice__c.object"]; got != want {
		t.Errorf("objects/Invoice__c.object:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(files["package.xml"], "CustomObject") || !strings.Contains(files["package.xml"], "<members>Invoice__c.Amount__c</members>") {
		t.Errorf("package.xml must list the field only:\n%s", files["package.xml"])
	}
}

func unzipAll(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

func TestWriteMDAPIZipErrors(t *testing.T) {
	cls := memFile("classes/A.cls", []byte("class A {}"), false)
	cases := []struct {
		name  string
		items []Item
		want  string
	}{
		{"unknown type", []Item{{Component: Component{Type: "ApexKlass", FullName: "A"}, Files: []File{cls}}}, "did you mean ApexClass?"},
		{"no files", []Item{{Component: Component{Type: "ApexClass", FullName: "A"}}}, "ApexClass:A: the item has no files"},
		{"twice", []Item{{Component: Component{Type: "ApexClass", FullName: "A"}, Files: []File{cls}}, {Component: Component{Type: "ApexClass", FullName: "A"}, Files: []File{cls}}}, "classes/A.cls"},
		{"bad path", []Item{{Component: Component{Type: "ApexClass", FullName: "A"}, Files: []File{memFile("../A.cls", nil, false)}}}, "clean relative path"},
		{"child without parent", []Item{{Component: Component{Type: "CustomField", FullName: "Region__c"}, Files: []File{
			memFile("objects/Account/fields/Region__c.field-meta.xml", nil, false)}}}, "belongs to CustomField:Account.Region__c"},
		{"another component's file", []Item{{Component: Component{Type: "CustomField", FullName: "Account.Region__c"}, Files: []File{cls}}}, "file classes/A.cls belongs to ApexClass:A"},
		// A file compared byte for byte (no component of its folder's type)
		// never goes into a package.
		{"opaque file", []Item{{Component: Component{Type: "ApexClass", FullName: "notes.txt"}, Files: []File{memFile("classes/notes.txt", nil, false)}}}, "ApexClass files are <Name>.cls"},
		{"two resource files", []Item{{Component: Component{Type: "StaticResource", FullName: "r"}, Files: []File{
			memFile("staticresources/r.js", nil, false), memFile("staticresources/r.css", nil, false)}}}, "more than one content file"},
		{"bad fragment", []Item{{Component: Component{Type: "CustomLabel", FullName: "Hi"}, Files: []File{
			memFile("labels/CustomLabels.labels-meta.xml", []byte("<fields/>"), true)}}}, "expected <labels>"},
	}
	for _, tc := range cases {
		err := WriteMDAPIZip(io.Discard, tc.items, nil, "62.0")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestZipLimits(t *testing.T) {
	items := make([]Item, MaxZipFiles)
	for i := range items {
		name := "C" + strings.Repeat("x", 3) + strconv.Itoa(i)
		items[i] = Item{Component: Component{Type: "ApexClass", FullName: name}, Files: []File{memFile("classes/"+name+".cls", nil, false)}}
	}
	err := WriteMDAPIZip(io.Discard, items, nil, "62.0")
	if err == nil || !strings.Contains(err.Error(), "limit of 10000") {
		t.Errorf("WriteMDAPIZip with too many files: %v", err)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i <= MaxZipFiles; i++ {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: "classes/C" + strconv.Itoa(i) + ".cls", Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	_, err = ReadMDAPIZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err == nil || !strings.Contains(err.Error(), "limit of 10000") {
		t.Errorf("ReadMDAPIZip with too many files: %v", err)
	}
	if _, err := ReadMDAPIZip(strings.NewReader("not a zip"), 9); err == nil || !strings.Contains(err.Error(), "metadata zip") {
		t.Errorf("ReadMDAPIZip of garbage: %v", err)
	}
}

func TestUnresolvedFilesAreReportedWithTheRest(t *testing.T) {
	fsys := mapFS(map[string]string{
		"classes/A.cls":          "class A {}",
		"classes/A.cls-meta.xml": "<ApexClass/>",
		"bots/B.bot-meta.xml":    "<Bot/>",
		"README.md":              "hi",
		".forceignore":           "x",
		"lwc/.eslintrc.json":     "{}",
	})
	items, err := ReadSourceTree(fsys)
	var ue *UnresolvedError
	// README.md is no metadata and skipped, as the Salesforce CLI skips
	// it; a bot outside its folder is metadata relman could not read.
	if !errors.As(err, &ue) || len(ue.Warnings) != 1 || ue.Warnings[0].Path != "bots/B.bot-meta.xml" || ue.Warnings[0].Incomplete != "Bot" {
		t.Fatalf("err = %v, want one warning for bots/B.bot-meta.xml leaving Bot incomplete", err)
	}
	if len(items) != 1 || items[0].Component.String() != "ApexClass:A" {
		t.Errorf("items %v, want ApexClass:A", items)
	}
}

// countingFS counts the files opened through it.
type countingFS struct {
	fs.FS
	opens atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			c.opens.Add(1)
		}
	}
	return f, err
}

func TestReadSourceTreeIsLazy(t *testing.T) {
	cfs := &countingFS{FS: os.DirFS("testdata/sfdx")}
	items, err := ReadSourceTree(cfs)
	if err != nil {
		t.Fatal(err)
	}
	// Only the two shared files (labels, workflow) are read while listing.
	if n := cfs.opens.Load(); n != 2 {
		t.Errorf("listing opened %d files, want 2 (the labels and the workflow)", n)
	}
	for _, it := range items {
		if it.Component.Type == "ApexClass" {
			if _, err := ReadFile(it.Files[0]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := cfs.opens.Load(); n != 3 {
		t.Errorf("after reading one class file, %d opens, want 3", n)
	}
}

func TestStaticResourceConversion(t *testing.T) {
	meta := func(ct string) string {
		return xmlDecl + `<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">
    <cacheControl>Public</cacheControl>
    <contentType>` + ct + `</contentType>
</StaticResource>
`
	}
	fsys := mapFS(map[string]string{
		"staticresources/a.resource":          "x",
		"staticresources/a.resource-meta.xml": meta("application/x-made-up"),
		"staticresources/b.resource":          "not a zip",
		"staticresources/b.resource-meta.xml": meta("application/zip"),
		"staticresources/c.resource":          "alert(1)",
		"staticresources/c.resource-meta.xml": meta("application/javascript"),
		"staticresources/d.resource-meta.xml": meta("text/css"),
	})
	items, err := ReadMDAPITree(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, s := range snapshot(t, items) {
		paths = append(paths, s.Path)
	}
	want := "staticresources/a.bin staticresources/a.resource-meta.xml staticresources/b.resource-meta.xml staticresources/b.zip " +
		"staticresources/c.js staticresources/c.resource-meta.xml staticresources/d.resource-meta.xml"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("paths %s\nwant  %s", got, want)
	}
	_, err = ReadMDAPITree(mapFS(map[string]string{"staticresources/e.resource": "x"}))
	if err == nil || !strings.Contains(err.Error(), "e.resource-meta.xml") {
		t.Errorf("resource without meta file: %v", err)
	}
}

func TestWriteSourceItemsMergesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSourceItems(dir, readTestTree(t)); err != nil {
		t.Fatal(err)
	}
	// A stale file in the bundle disappears when the bundle is written.
	stale := filepath.Join(dir, "lwc", "invoiceCard", "old.css")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	newLabel := []byte("<labels>\n    <fullName>Aaa_First</fullName>\n    <value>New</value>\n</labels>\n")
	changed := []byte("<labels>\n    <fullName>Greeting</fullName>\n    <value>Changed</value>\n</labels>\n")
	var bundle Item
	for _, it := range readTestTree(t) {
		if it.Component.Type == "LightningComponentBundle" {
			bundle = it
		}
	}
	items := []Item{
		bundle,
		{Component: Component{Type: "CustomLabel", FullName: "Aaa_First"}, Files: []File{memFile("labels/CustomLabels.labels-meta.xml", newLabel, true)}},
		{Component: Component{Type: "CustomLabel", FullName: "Greeting"}, Files: []File{memFile("labels/CustomLabels.labels-meta.xml", changed, true)}},
	}
	if err := WriteSourceItems(dir, items); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale bundle file survived: %v", err)
	}
	labels, err := os.ReadFile(filepath.Join(dir, "labels", "CustomLabels.labels-meta.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(labels)
	iFirst, iGreeting, iSent := strings.Index(s, "Aaa_First"), strings.Index(s, "<value>Changed</value>"), strings.Index(s, "Invoice_Sent")
	if iFirst < 0 || iGreeting < 0 || iSent < 0 || !(iFirst < iGreeting && iGreeting < iSent) {
		t.Errorf("labels file must hold the new, the changed and the untouched label, sorted:\n%s", s)
	}
	if strings.Contains(s, "friend") {
		t.Errorf("the old Greeting must be replaced:\n%s", s)
	}

	bad := []Item{{Component: Component{Type: "ApexClass", FullName: "X"}, Files: []File{memFile("../escape.cls", nil, false)}}}
	if err := WriteSourceItems(dir, bad); err == nil || !strings.Contains(err.Error(), "clean relative path") {
		t.Errorf("path escaping the root: %v", err)
	}
}

func TestWholeParentFileWithChildItems(t *testing.T) {
	whole := xmlDecl + `<Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
    <rules>
        <fullName>B</fullName>
        <active>false</active>
    </rules>
    <rules>
        <fullName>A</fullName>
        <active>false</active>
    </rules>
</Workflow>
`
	items := []Item{
		{Component: Component{Type: "Workflow", FullName: "Case"}, Files: []File{memFile("workflows/Case.workflow-meta.xml", []byte(whole), false)}},
		{Component: Component{Type: "WorkflowRule", FullName: "Case.B"}, Files: []File{memFile("workflows/Case.workflow-meta.xml", []byte("<rules>\n    <fullName>B</fullName>\n    <active>true</active>\n</rules>\n"), true)}},
	}
	var buf bytes.Buffer
	if err := WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
		t.Fatal(err)
	}
	want := xmlDecl + `<Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
    <rules>
        <fullName>A</fullName>
        <active>false</active>
    </rules>
    <rules>
        <fullName>B</fullName>
        <active>true</active>
    </rules>
</Workflow>
`
	if got := unzipAll(t, buf.Bytes())["workflows/Case.workflow"]; got != want {
		t.Errorf("workflows/Case.workflow:\n%s\nwant:\n%s", got, want)
	}
}

func TestByteOrderMarkIsIgnored(t *testing.T) {
	bom := "\uFEFF"
	if _, err := ParseManifest(strings.NewReader(bom + `<Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>62.0</version></Package>`)); err != nil {
		t.Errorf("manifest with a BOM: %v", err)
	}
	items, err := ReadSourceTree(mapFS(map[string]string{
		"labels/CustomLabels.labels-meta.xml": bom + `<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata"><labels><fullName>A</fullName></labels></CustomLabels>`,
	}))
	if err != nil || len(items) != 1 {
		t.Errorf("labels with a BOM: %v, %v", items, err)
	}
}

func TestLabelsFromSeveralSourceFilesDeployAsOne(t *testing.T) {
	items, err := ReadSourceTree(mapFS(map[string]string{
		"labels/CustomLabels.labels-meta.xml": `<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata"><labels><fullName>B</fullName></labels></CustomLabels>`,
		"labels/Sales.labels-meta.xml":        `<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata"><labels><fullName>A</fullName></labels></CustomLabels>`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
		t.Fatal(err)
	}
	files := unzipAll(t, buf.Bytes())
	want := xmlDecl + `<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
    <labels>
        <fullName>A</fullName>
    </labels>
    <labels>
        <fullName>B</fullName>
    </labels>
</CustomLabels>
`
	if len(files) != 2 || files["labels/CustomLabels.labels"] != want {
		t.Errorf("zip files %v; labels/CustomLabels.labels:\n%s\nwant:\n%s", len(files), files["labels/CustomLabels.labels"], want)
	}
	_, err = ReadMDAPITree(mapFS(map[string]string{"labels/Sales.labels": "<CustomLabels/>"}))
	if err == nil || !strings.Contains(err.Error(), "labels/CustomLabels.labels, the one file") {
		t.Errorf("Metadata API labels file with another name: %v", err)
	}
}
