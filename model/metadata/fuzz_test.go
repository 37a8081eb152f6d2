package metadata

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

func FuzzParseManifest(f *testing.F) {
	for _, p := range []string{"testdata/manifest/package-messy.xml", "testdata/manifest/package-messy.golden.xml", "testdata/mdapi/package.xml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>A/B</members><name>ReportFolder</name></types></Package>`))
	f.Add([]byte(`<Package><version>1.0</version></Package>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(bytes.NewReader(data))
		if err != nil {
			return
		}
		var first bytes.Buffer
		if err := m.WriteXML(&first); err != nil {
			t.Fatal(err)
		}
		again, err := ParseManifest(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("WriteXML output does not parse: %v\n%s", err, first.Bytes())
		}
		if len(again.Components()) != len(m.Components()) {
			t.Fatalf("re-parsed %d components, want %d", len(again.Components()), len(m.Components()))
		}
		var second bytes.Buffer
		if err := again.WriteXML(&second); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("WriteXML is not stable:\n%s\nthen\n%s", first.Bytes(), second.Bytes())
		}
	})
}

func FuzzResolvePath(f *testing.F) {
	for _, p := range []string{
		"classes/Foo.cls", "lwc/myCmp/myCmp.js", "objects/Account/fields/X__c.field-meta.xml",
		"reports/Sales/Sub/Q1.report-meta.xml", "staticresources/brand/css/main.css", "documents/P/logo.png",
		"labels/CustomLabels.labels-meta.xml", "objectTranslations/A-fr/N.fieldTranslation-meta.xml", "../x", "a//b",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, err := ResolvePath(p)
		if err != nil {
			if !strings.HasPrefix(err.Error(), p) && p != "" {
				t.Fatalf("error %q does not start with the path", err)
			}
			return
		}
		ty, ok := LookupType(c.Type)
		if !ok || c.FullName == "" {
			t.Fatalf("ResolvePath(%q) = %s: unknown type or empty name", p, c)
		}
		if ty.Parent != "" && !strings.Contains(c.FullName, ".") {
			t.Fatalf("ResolvePath(%q) = %s: child without parent", p, c)
		}
		if again, _ := ResolvePath(p); again != c {
			t.Fatalf("ResolvePath(%q) not deterministic: %s then %s", p, c, again)
		}
	})
}

func FuzzReadMDAPIZip(f *testing.F) {
	f.Add(zipDir(f, "testdata/mdapi", ""))
	f.Add(zipDir(f, "testdata/mdapi", "unpackaged/"))
	f.Add(zipFiles(f, map[string]string{
		"package.xml":                `<Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>62.0</version></Package>`,
		"labels/CustomLabels.labels": `<CustomLabels><labels><fullName>A</fullName></labels></CustomLabels>`,
		"objects/A__c.object":        `<CustomObject><fields><fullName>F__c</fullName></fields><label>A</label></CustomObject>`,
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ReadMDAPIZip(bytes.NewReader(data), int64(len(data)))
		var ue *UnresolvedError
		if err != nil && !errors.As(err, &ue) {
			return
		}
		want, err := trySnapshot(items)
		if err != nil {
			return // a corrupt entry fails when read, with an error: fine
		}
		// What was read converts back into a zip that reads the same.
		var buf bytes.Buffer
		if err := WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
			t.Fatalf("items read from a zip do not write back: %v", err)
		}
		back, err := ReadMDAPIZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("reading the rewritten zip: %v", err)
		}
		compareSnapshots(t, want, snapshot(t, back))
	})
}

// trySnapshot is snapshot for content that may fail to read.
func trySnapshot(items []Item) ([]snapFile, error) {
	var out []snapFile
	for _, it := range items {
		for _, f := range it.Files {
			data, err := ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, snapFile{it.Component, f.Path, f.Fragment, string(data)})
		}
	}
	return out, nil
}

func zipDir(f *testing.F, dir, prefix string) []byte {
	files := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(dir + "/" + p)
		files[prefix+p] = string(data)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	return zipFiles(f, files)
}

func zipFiles(f *testing.F, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			f.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
