package metadata

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBenchTree generates a source tree of about 10,000 files and 75 MB, the
// size of a large org: objects with fields, classes, LWC bundles, profiles,
// layouts, flows and one big labels file.
func writeBenchTree(tb testing.TB, dir string) int {
	tb.Helper()
	n := 0
	write := func(p string, size int) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(strings.Repeat("x", size)), 0o644); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	for o := 0; o < 40; o++ {
		obj := fmt.Sprintf("Object%d__c", o)
		write("objects/"+obj+"/"+obj+".object-meta.xml", 2000)
		for f := 0; f < 100; f++ {
			write(fmt.Sprintf("objects/%s/fields/Field%d__c.field-meta.xml", obj, f), 600)
		}
		for v := 0; v < 10; v++ {
			write(fmt.Sprintf("objects/%s/validationRules/Rule%d.validationRule-meta.xml", obj, v), 800)
		}
	}
	for c := 0; c < 2000; c++ {
		write(fmt.Sprintf("classes/Class%d.cls", c), 12000)
		write(fmt.Sprintf("classes/Class%d.cls-meta.xml", c), 200)
	}
	for l := 0; l < 300; l++ {
		for _, ext := range []string{".js", ".html", ".css", ".js-meta.xml"} {
			write(fmt.Sprintf("lwc/cmp%d/cmp%d%s", l, l, ext), 3000)
		}
	}
	for p := 0; p < 100; p++ {
		write(fmt.Sprintf("profiles/Profile%d.profile-meta.xml", p), 300000)
	}
	for p := 0; p < 300; p++ {
		write(fmt.Sprintf("layouts/Object%d__c-Layout %d.layout-meta.xml", p%40, p), 20000)
	}
	for p := 0; p < 400; p++ {
		write(fmt.Sprintf("flows/Flow%d.flow-meta.xml", p), 30000)
	}
	var labels strings.Builder
	labels.WriteString(xmlDecl + `<CustomLabels xmlns="` + MetadataNamespace + `">` + "\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&labels, "    <labels>\n        <fullName>Label_%d</fullName>\n        <value>Value %d</value>\n    </labels>\n", i, i)
	}
	labels.WriteString("</CustomLabels>\n")
	full := filepath.Join(dir, "labels", "CustomLabels.labels-meta.xml")
	os.MkdirAll(filepath.Dir(full), 0o755)
	if err := os.WriteFile(full, []byte(labels.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return n + 1
}

func BenchmarkReadSourceTree(b *testing.B) {
	dir := b.TempDir()
	files := writeBenchTree(b, dir)
	fsys := os.DirFS(dir)
	b.ResetTimer()
	var items []Item
	for i := 0; i < b.N; i++ {
		var err error
		if items, err = ReadSourceTree(fsys); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(len(items)), "items")
}
