package local

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"relman/model/metadata"
)

// TestWriteThenItemsRoundTrip deploys uat into a copy of production the way
// relman deploys a change set, then reads the copy back: every component
// must be identical to uat's, and nothing else may be left.
func TestWriteThenItemsRoundTrip(t *testing.T) {
	ctx := context.Background()
	uatItems := mustItems(t, mustOpen(t, orgDir("uat")), Filter{})
	dir := copyOrg(t, "production")
	o := mustOpen(t, dir)

	if err := o.Write(ctx, uatItems); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := o.Delete(ctx, []metadata.Component{comp("ListView:Invoice__c.Legacy_Unpaid"), comp("ApexClass:InvoiceLegacyExport")}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	got, want := contents(t, mustItems(t, o, Filter{})), contents(t, uatItems)
	for c, files := range want {
		if !reflect.DeepEqual(got[c], files) {
			t.Errorf("%s after the round trip:\n got %v\nwant %v", c, got[c], files)
		}
	}
	for c := range got {
		if _, ok := want[c]; !ok {
			t.Errorf("%s is left over", c)
		}
	}
	// New components went where the Salesforce CLI would put them.
	for _, p := range []string{
		"force-app/main/default/objects/Invoice__c/fields/Due_Date__c.field-meta.xml",
		"force-app/main/default/objects/Account/fields/Region__c.field-meta.xml",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("new field not at %s: %v", p, err)
		}
	}
	// Untouched files keep their bytes.
	for _, p := range []string{"force-app/main/default/objects/Invoice__c/fields/Status__c.field-meta.xml", "force-app/main/default/triggers/InvoiceTrigger.trigger"} {
		a, _ := os.ReadFile(filepath.Join(orgDir("production"), p))
		b, _ := os.ReadFile(filepath.Join(dir, p))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s changed", p)
		}
	}
}

func TestWriteOneComponentReadsBackIdentically(t *testing.T) {
	ctx := context.Background()
	dev := mustOpen(t, orgDir("dev"))
	for _, c := range []string{
		"CustomField:Invoice__c.Discount_Percent__c", // new child of an existing object
		"CustomLabel:Invoice_Overdue_Message",        // new fragment of the labels file
		"LightningComponentBundle:invoiceSummary",    // changed bundle
		"ApexClass:InvoiceService",                   // changed class
	} {
		t.Run(c, func(t *testing.T) {
			want := mustItems(t, dev, Filter{Components: []metadata.Component{comp(c)}})
			o := mustOpen(t, copyOrg(t, "production"))
			before := contents(t, mustItems(t, o, Filter{}))
			if err := o.Write(ctx, want); err != nil {
				t.Fatalf("Write: %v", err)
			}
			after := contents(t, mustItems(t, o, Filter{}))
			if !reflect.DeepEqual(after[comp(c)], contents(t, want)[comp(c)]) {
				t.Errorf("read back:\n got %v\nwant %v", after[comp(c)], contents(t, want)[comp(c)])
			}
			for other, files := range before {
				if other != comp(c) && !reflect.DeepEqual(after[other], files) {
					t.Errorf("writing %s changed %s", c, other)
				}
			}
		})
	}
}

// TestWritePlacesComponents checks where writes land in a project with two
// package directories: in place for what exists, beside the family for new
// children, in the default package for the rest.
func TestWritePlacesComponents(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, merge(
		classFiles("app/main/default/", "Alpha"),
		classFiles("shared/classes-root/", "Beta"),
		map[string]string{
			"sfdx-project.json": `{"packageDirectories":[{"path":"shared"},{"path":"app","default":true}]}`,
			"shared/classes-root/objects/Shipment__c/fields/Carrier__c.field-meta.xml": fieldXML("Carrier__c"),
		}))
	o := mustOpen(t, dir)
	items := []metadata.Item{
		textItem("ApexClass:Beta", "classes/Beta.cls", "public class Beta { /* v2 */ }\n"),
		textItem("ApexClass:Beta", "classes/Beta.cls-meta.xml", classMeta),
		textItem("ApexClass:Gamma", "classes/Gamma.cls", "public class Gamma {}\n"),
		textItem("ApexClass:Gamma", "classes/Gamma.cls-meta.xml", classMeta),
		textItem("CustomField:Shipment__c.Weight__c", "objects/Shipment__c/fields/Weight__c.field-meta.xml", fieldXML("Weight__c")),
	}
	if err := o.Write(context.Background(), joinItems(items)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	files := listFiles(t, dir)
	for _, p := range []string{
		"shared/classes-root/classes/Beta.cls",                                    // replaced in place
		"app/main/default/classes/Gamma.cls",                                      // new: default package
		"shared/classes-root/objects/Shipment__c/fields/Weight__c.field-meta.xml", // new: beside its object
	} {
		if !slices.Contains(files, p) {
			t.Errorf("%s missing; files: %v", p, files)
		}
	}
	if slices.Contains(files, "app/main/default/classes/Beta.cls") {
		t.Error("Beta was duplicated into the default package")
	}
	data, _ := os.ReadFile(filepath.Join(dir, "shared/classes-root/classes/Beta.cls"))
	if !strings.Contains(string(data), "v2") {
		t.Errorf("Beta.cls = %q; want the new version", data)
	}
}

func TestWriteIntoEmptyPackageDirectory(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"sfdx-project.json": `{"packageDirectories":[{"path":"force-app","default":true}]}`})
	if err := os.Mkdir(filepath.Join(dir, "force-app"), 0o755); err != nil {
		t.Fatal(err)
	}
	o := mustOpen(t, dir)
	if d := mustDescribe(t, o); d.Components != 0 {
		t.Fatalf("empty project holds %d components", d.Components)
	}
	item := joinItems([]metadata.Item{
		textItem("ApexClass:Alpha", "classes/Alpha.cls", "public class Alpha {}\n"),
		textItem("ApexClass:Alpha", "classes/Alpha.cls-meta.xml", classMeta),
	})
	if err := o.Write(context.Background(), item); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "force-app/main/default/classes/Alpha.cls")); err != nil {
		t.Errorf("not written to the conventional root: %v", err)
	}
	if got := componentsOf(t, o); !reflect.DeepEqual(got, []string{"ApexClass:Alpha"}) {
		t.Errorf("components after Write = %v; the new root must be seen without reopening", got)
	}
}

func TestWriteRefusesBadItemsAndChangesNothing(t *testing.T) {
	good := joinItems([]metadata.Item{
		textItem("ApexClass:Fresh", "classes/Fresh.cls", "public class Fresh {}\n"),
		textItem("ApexClass:Fresh", "classes/Fresh.cls-meta.xml", classMeta),
	})[0]
	unreadable := metadata.Item{Component: comp("ApexClass:Broken"), Files: []metadata.File{{
		Path: "classes/Broken.cls",
		Open: func() (io.ReadCloser, error) { return nil, errors.New("disk on fire") },
	}}}
	for _, tc := range []struct {
		name  string
		items []metadata.Item
		want  string
	}{
		{"file of another component", []metadata.Item{good, textItem("ApexClass:Sneaky", "classes/InvoiceService.cls", "x")}, "belongs to ApexClass:InvoiceService"},
		{"path escaping the root", []metadata.Item{good, textItem("ApexClass:Up", "../classes/Up.cls", "x")}, "Up"},
		{"given twice", []metadata.Item{good, good}, "given twice"},
		{"no files", []metadata.Item{good, {Component: comp("ApexClass:Empty")}}, "no files"},
		{"unknown type", []metadata.Item{good, textItem("ApexKlass:X", "classes/X.cls", "x")}, "ApexKlass"},
		{"unreadable content", []metadata.Item{good, unreadable}, "disk on fire"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyOrg(t, "production")
			o := mustOpen(t, dir)
			err := o.Write(context.Background(), tc.items)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write error = %v; want one mentioning %q", err, tc.want)
			}
			if got, want := listFiles(t, dir), listFiles(t, orgDir("production")); !reflect.DeepEqual(got, want) {
				t.Errorf("the refused write changed the directory: %v", got)
			}
		})
	}
}

func TestWriteHonoursCancellation(t *testing.T) {
	dir := copyOrg(t, "production")
	o := mustOpen(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	items := mustItems(t, mustOpen(t, orgDir("dev")), Filter{Types: []string{"CustomField"}})
	if err := o.Write(ctx, items); !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a cancelled context = %v; want context.Canceled", err)
	}
	if got, want := listFiles(t, dir), listFiles(t, orgDir("production")); !reflect.DeepEqual(got, want) {
		t.Error("the cancelled write changed the directory")
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	dir := copyOrg(t, "production")
	o := mustOpen(t, dir)
	before := contents(t, mustItems(t, o, Filter{}))
	gone := []string{
		"ApexClass:InvoiceLegacyExport",
		"CustomLabel:Invoice_Tax_Label",
		"LightningComponentBundle:invoiceSummary",
		"CustomObject:Invoice__c", // takes its fields, rules, views, record type and compact layout along
	}
	var cs []metadata.Component
	for _, c := range gone {
		cs = append(cs, comp(c))
	}
	cs = append(cs, comp("ApexClass:NeverExisted")) // skipped, as a destructive deploy skips it
	if err := o.Delete(ctx, cs); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	after := contents(t, mustItems(t, o, Filter{}))
	for c, files := range before {
		deleted := slices.Contains(gone, c.String()) || strings.HasPrefix(c.FullName, "Invoice__c.")
		switch _, present := after[c]; {
		case deleted && present:
			t.Errorf("%s is still there", c)
		case !deleted && !reflect.DeepEqual(after[c], files):
			t.Errorf("%s changed or vanished", c)
		}
	}
	if len(after) != len(before)-4-13 { // and the 13 children of Invoice__c
		t.Errorf("%d components left of %d", len(after), len(before))
	}
	files := listFiles(t, dir)
	for _, f := range files {
		if strings.Contains(f, "Invoice__c/") || strings.Contains(f, "invoiceSummary") || strings.Contains(f, "InvoiceLegacyExport") {
			t.Errorf("%s left behind", f)
		}
	}
	for _, d := range []string{"objects", "lwc", "labels"} {
		if !isDir(filepath.Join(dir, "force-app/main/default", d)) {
			t.Errorf("type directory %s/ was removed", d)
		}
	}
	labels, _ := os.ReadFile(filepath.Join(dir, "force-app/main/default/labels/CustomLabels.labels-meta.xml"))
	if strings.Contains(string(labels), "Invoice_Tax_Label") || !strings.Contains(string(labels), "Invoice_Void_Error") {
		t.Errorf("labels file after deleting one label:\n%s", labels)
	}

	if err := o.Delete(ctx, []metadata.Component{comp("CustomLabels:CustomLabels")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "force-app/main/default/labels/CustomLabels.labels-meta.xml")); !os.IsNotExist(err) {
		t.Errorf("deleting the labels parent left the file: %v", err)
	}
	if err := o.Delete(ctx, []metadata.Component{{Type: "ApexClass", FullName: "bad name"}}); err == nil {
		t.Error("an invalid component name was accepted")
	}
}

// TestMDAPIFolderWriteAndDelete runs the deploy cycle against a Metadata API
// folder made from production.
func TestMDAPIFolderWriteAndDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	unzip(t, mdapiZip(t, mustItems(t, mustOpen(t, orgDir("production")), Filter{})), dir)
	o := mustOpen(t, dir)
	if d := mustDescribe(t, o); d.Layout != LayoutMDAPI || d.Components != 41 {
		t.Fatalf("Describe = %+v; want mdapi with production's 41 components", d)
	}

	uat := mustOpen(t, orgDir("uat"))
	changed := mustItems(t, uat, Filter{Components: []metadata.Component{
		comp("CustomField:Invoice__c.Due_Date__c"),
		comp("CustomLabel:Invoice_Overdue_Message"),
		comp("CustomLabel:Invoice_Paid_Message"),
		comp("ApexClass:InvoiceService"),
	}})
	classBefore, _ := os.ReadFile(filepath.Join(dir, "classes/InvoiceTriggerHandler.cls"))
	if err := o.Write(ctx, changed); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got := contents(t, mustItems(t, o, Filter{}))
	for c, files := range contents(t, changed) {
		if !reflect.DeepEqual(got[c], files) {
			t.Errorf("%s read back:\n got %v\nwant %v", c, got[c], files)
		}
	}
	if len(got) != 43 {
		t.Errorf("%d components after writing two new ones into 41", len(got))
	}
	fields := mustItems(t, o, Filter{Types: []string{"CustomField"}})
	if len(fields) != 11 || !componentSet(fields)[comp("CustomField:Invoice__c.Due_Date__c")] {
		t.Errorf("a filtered read of the Metadata API folder found %d fields; want production's 10 and the new one", len(fields))
	}
	object, _ := os.ReadFile(filepath.Join(dir, "objects/Invoice__c.object"))
	if !strings.Contains(string(object), "<fullName>Due_Date__c</fullName>") {
		t.Error("the new field is not in objects/Invoice__c.object")
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, "package.xml"))
	for _, m := range []string{"<members>Invoice__c.Due_Date__c</members>", "<members>Invoice_Overdue_Message</members>"} {
		if !strings.Contains(string(manifest), m) {
			t.Errorf("package.xml lacks %s:\n%s", m, manifest)
		}
	}
	if classAfter, _ := os.ReadFile(filepath.Join(dir, "classes/InvoiceTriggerHandler.cls")); !bytes.Equal(classBefore, classAfter) {
		t.Error("an untouched class was rewritten")
	}

	if err := o.Delete(ctx, []metadata.Component{comp("CustomField:Invoice__c.Due_Date__c"), comp("ApexClass:InvoiceLegacyExport"), comp("LightningComponentBundle:invoiceSummary")}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	cs := componentSet(mustItems(t, o, Filter{}))
	for _, c := range []string{"CustomField:Invoice__c.Due_Date__c", "ApexClass:InvoiceLegacyExport", "LightningComponentBundle:invoiceSummary"} {
		if cs[comp(c)] {
			t.Errorf("%s survived Delete", c)
		}
	}
	if !cs[comp("CustomField:Invoice__c.Amount__c")] || len(cs) != 40 {
		t.Errorf("%d components after deleting 3 of 43; the object's other fields must stay", len(cs))
	}
	for _, f := range listFiles(t, dir) {
		if strings.Contains(f, "InvoiceLegacyExport") || strings.Contains(f, "invoiceSummary") {
			t.Errorf("%s left behind", f)
		}
	}
	manifest, _ = os.ReadFile(filepath.Join(dir, "package.xml"))
	if strings.Contains(string(manifest), "Due_Date__c") || strings.Contains(string(manifest), "InvoiceLegacyExport") {
		t.Errorf("package.xml still lists deleted components:\n%s", manifest)
	}
}

func textItem(c, p, content string) metadata.Item {
	return metadata.Item{Component: comp(c), Files: []metadata.File{memFile(p, false, []byte(content))}}
}

// joinItems merges consecutive items of the same component.
func joinItems(items []metadata.Item) []metadata.Item {
	var out []metadata.Item
	for _, it := range items {
		if n := len(out); n > 0 && out[n-1].Component == it.Component {
			out[n-1].Files = append(out[n-1].Files, it.Files...)
			continue
		}
		out = append(out, it)
	}
	return out
}

func mdapiZip(t *testing.T, items []metadata.Item) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := metadata.WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func unzip(t *testing.T, data []byte, dir string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	writeTree(t, dir, files)
}
