package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"relman/model/metadata"
)

// FuzzReadSourceTree feeds arbitrary content to the source-format reader
// (SFDX projects: the shared labels file relman splits into one component
// per label, decomposed objects, and one file at an arbitrary path), the
// parser of every directory environment and of every `relman compare DIR`.
// It must never panic; what it reads must open or fail with an error; and
// what it reads must convert to a Metadata API package (the zip a deploy
// sends) holding the same components.
func FuzzReadSourceTree(f *testing.F) {
	root := filepath.Join("testdata", "orgs", "uat", "force-app", "main", "default")
	for _, rel := range []string{"labels/CustomLabels.labels-meta.xml", "objects/Invoice__c/fields/Due_Date__c.field-meta.xml",
		"objects/Invoice__c/Invoice__c.object-meta.xml", "profiles/Finance User.profile-meta.xml", "classes/InvoiceService.cls"} {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			f.Fatal(err)
		}
		labels, err := os.ReadFile(filepath.Join(root, "labels", "CustomLabels.labels-meta.xml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(labels, rel, data)
	}
	f.Add([]byte(`<CustomLabels><labels><fullName>A</fullName></labels><labels><fullName>A</fullName></labels></CustomLabels>`),
		"workflows/Invoice__c.workflow-meta.xml", []byte(`<Workflow><alerts><fullName>X</fullName></alerts></Workflow>`))
	f.Add([]byte("<CustomLabels>\xff</CustomLabels>"), "objects/A__c/fields/.hidden", []byte{})
	f.Fuzz(func(t *testing.T, labels []byte, rel string, content []byte) {
		fsys := fstest.MapFS{
			"labels/CustomLabels.labels-meta.xml":                {Data: labels},
			"objects/Invoice__c/Invoice__c.object-meta.xml":      {Data: []byte(`<CustomObject><label>Invoice</label></CustomObject>`)},
			"objects/Invoice__c/fields/Amount__c.field-meta.xml": {Data: []byte(`<CustomField><fullName>Amount__c</fullName></CustomField>`)},
			"classes/InvoiceService.cls":                         {Data: []byte("public class InvoiceService {}")},
			"classes/InvoiceService.cls-meta.xml":                {Data: []byte(apexMeta)},
		}
		if fs.ValidPath(rel) && rel != "." {
			if _, taken := fsys[rel]; !taken && !isUnder(fsys, rel) {
				fsys[rel] = &fstest.MapFile{Data: content}
			}
		}
		items, err := metadata.ReadSourceTree(fsys)
		var unresolved *metadata.UnresolvedError
		if err != nil && !errors.As(err, &unresolved) {
			return
		}
		for _, it := range items {
			for _, file := range it.Files {
				if _, err := metadata.ReadFile(file); err != nil {
					return // unreadable content is reported, not deployed
				}
			}
		}
		var zip bytes.Buffer
		if err := metadata.WriteMDAPIZip(&zip, items, nil, "62.0"); err != nil {
			return
		}
		back, err := metadata.ReadMDAPIZip(bytes.NewReader(zip.Bytes()), int64(zip.Len()))
		if err != nil && !errors.As(err, &unresolved) {
			t.Fatalf("the package built from what was read does not read back: %v", err)
		}
		want, got := components(items), components(back)
		if !slices.Equal(want, got) {
			t.Fatalf("read %v from the tree, but its package holds %v", want, got)
		}
	})
}

// isUnder reports whether p is a directory of fsys or inside one of its files.
func isUnder(fsys fstest.MapFS, p string) bool {
	for name := range fsys {
		if len(name) > len(p) && name[:len(p)] == p && name[len(p)] == '/' {
			return true
		}
		if len(p) > len(name) && p[:len(name)] == name && p[len(name)] == '/' {
			return true
		}
	}
	return false
}

func components(items []metadata.Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Component.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}
