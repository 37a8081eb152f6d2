package metadata

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// The types the old hand-written registry lacked go through a deploy
// package and back unchanged: what relman reads it can retrieve and deploy.
func TestNewTypesRoundTripThroughAPackage(t *testing.T) {
	for _, dir := range []string{"new-types", "multi-package", "tests-folders"} {
		items, err := ReadSourceTree(os.DirFS("../../testdata/projects/" + dir + "/project"))
		var ue *UnresolvedError
		if err != nil && !errors.As(err, &ue) {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteMDAPIZip(&buf, items, nil, "62.0"); err != nil {
			t.Fatalf("%s: building the package: %v", dir, err)
		}
		back, err := ReadMDAPIZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("%s: reading the package back: %v", dir, err)
		}
		if len(back) != len(items) {
			t.Fatalf("%s: %d items back, want %d", dir, len(back), len(items))
		}
		for i := range items {
			a, b := items[i], back[i]
			if a.Component != b.Component || len(a.Files) != len(b.Files) {
				t.Errorf("%s: %s (%d files) came back as %s (%d files)", dir, a.Component, len(a.Files), b.Component, len(b.Files))
				continue
			}
			for k := range a.Files {
				x, _ := ReadFile(a.Files[k])
				y, _ := ReadFile(b.Files[k])
				if a.Files[k].Path != b.Files[k].Path || !bytes.Equal(x, y) {
					t.Errorf("%s: %s file %s came back as %s, content equal %v", dir, a.Component, a.Files[k].Path, b.Files[k].Path, bytes.Equal(x, y))
				}
			}
		}
	}
}
