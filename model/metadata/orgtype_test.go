package metadata

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A retrieve from an org whose describeMetadata names a type the registry
// lacks: its files become opaque components of that type, compared byte
// for byte, with one warning for the type; known types convert as usual.
func TestReadMDAPIZipWithOrgTypes(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"unpackaged/package.xml":              `<Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>*</members><name>QuantumWidget</name></types><version>66.0</version></Package>`,
		"unpackaged/quantumWidgets/A.qwidget": "<QuantumWidget>a</QuantumWidget>",
		"unpackaged/quantumWidgets/B.qwidget": "<QuantumWidget>b</QuantumWidget>",
		"unpackaged/classes/Foo.cls":          "class Foo {}",
		"unpackaged/classes/Foo.cls-meta.xml": "<ApexClass/>",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	zw.Close()
	orgTypes := []OrgType{{Name: "QuantumWidget", Directory: "quantumWidgets", Suffix: "qwidget"}, {Name: "ApexClass", Directory: "classes", Suffix: "cls", MetaFile: true}}
	items, err := ReadMDAPIZipWith(bytes.NewReader(buf.Bytes()), int64(buf.Len()), orgTypes)
	var ue *UnresolvedError
	if !errors.As(err, &ue) || len(ue.Warnings) != 1 || !strings.Contains(ue.Warnings[0].Problem, "QuantumWidget is not in relman's registry") {
		t.Fatalf("err = %v; want one warning naming the unknown type", err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.Component.String()+"="+it.Files[0].Path)
	}
	want := "ApexClass:Foo=classes/Foo.cls QuantumWidget:A=quantumWidgets/A.qwidget QuantumWidget:B=quantumWidgets/B.qwidget"
	if strings.Join(got, " ") != want {
		t.Errorf("items %v\nwant %s", got, want)
	}
	// Without the org's description the same files are only warnings.
	items, err = ReadMDAPIZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if !errors.As(err, &ue) || len(ue.Warnings) != 2 || len(items) != 1 {
		t.Errorf("without org types: %d items, err %v; want the class and a warning per widget file", len(items), err)
	}
}
