package metadata

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func zipOf(t *testing.T, method uint16, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const fieldPackage = `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>Invoice__c.Due_Date__c</members><name>CustomField</name></types><version>62.0</version></Package>`

// An XML file larger than MaxXMLFile is not parsed into a tree: it is
// reported, whatever its zip entry claims.
func TestXMLFileOverTheCapIsNotParsed(t *testing.T) {
	huge := append([]byte(`<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><description>`),
		bytes.Repeat([]byte("x"), MaxXMLFile)...)
	huge = append(huge, []byte(`</description></CustomObject>`)...)
	z := zipOf(t, zip.Store, map[string][]byte{"package.xml": []byte(fieldPackage), "objects/Invoice__c.object": huge})
	_, err := ReadMDAPIZip(bytes.NewReader(z), int64(len(z)))
	var ue *UnresolvedError
	if !errors.As(err, &ue) || len(ue.Warnings) != 1 || !strings.Contains(ue.Warnings[0].Problem, "larger than 16 MB") {
		t.Fatalf("ReadMDAPIZip = %v, want the object reported as larger than 16 MB", err)
	}
}

// A zip entry expanding a thousand to one is refused before it is read.
func TestZipBombIsRefused(t *testing.T) {
	bomb := bytes.Repeat([]byte("a"), 64<<20)
	z := zipOf(t, zip.Deflate, map[string][]byte{"package.xml": []byte(fieldPackage), "objects/Invoice__c.object": bomb})
	_, err := ReadMDAPIZip(bytes.NewReader(z), int64(len(z)))
	if err == nil || !strings.Contains(err.Error(), "zip bomb") || !strings.Contains(err.Error(), "objects/Invoice__c.object") {
		t.Fatalf("ReadMDAPIZip = %v, want the entry refused as a zip bomb", err)
	}
}
