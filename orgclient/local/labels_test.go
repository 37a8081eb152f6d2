package local

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relman/model/metadata"
)

// Labels kept in a labels file of another name than CustomLabels read as
// from CustomLabels (as a retrieve has them), and a changed label is
// written back into the file it came from, in the package directory it
// came from.
func TestLabelsInAnotherFileStayThere(t *testing.T) {
	dir := t.TempDir()
	labels := func(value string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
    <labels>
        <fullName>Setup_Done</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Setup_Done</shortDescription>
        <value>` + value + `</value>
    </labels>
</CustomLabels>
`
	}
	writeTree(t, dir, merge(classFiles("force-app/main/default/", "Alpha"), map[string]string{
		"sfdx-project.json":                    `{"packageDirectories":[{"path":"force-app","default":true},{"path":"config"}]}`,
		"config/labels/Config.labels-meta.xml": labels("Done"),
	}))
	o := mustOpen(t, dir)
	items := mustItems(t, o, Filter{Types: []string{"CustomLabel"}})
	if len(items) != 1 || items[0].Files[0].Path != "labels/CustomLabels.labels-meta.xml" || items[0].Files[0].Origin != "config/labels/Config.labels-meta.xml" {
		t.Fatalf("items %+v; want the label read as from labels/CustomLabels.labels-meta.xml, found in config/", items)
	}
	changed := metadata.Item{Component: items[0].Component, Files: []metadata.File{{Path: "labels/CustomLabels.labels-meta.xml", Fragment: true,
		Open: func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("<labels>\n        <fullName>Setup_Done</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>Setup_Done</shortDescription>\n        <value>All set</value>\n    </labels>")), nil
		}}}}
	if err := o.Write(context.Background(), []metadata.Item{changed}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "config/labels/Config.labels-meta.xml"))
	if err != nil || !strings.Contains(string(got), "<value>All set</value>") {
		t.Errorf("config/labels/Config.labels-meta.xml = %q, %v; want the new value there", got, err)
	}
	for _, f := range listFiles(t, dir) {
		if strings.HasSuffix(f, "CustomLabels.labels-meta.xml") {
			t.Errorf("the label was written into a second file %s", f)
		}
	}
}
