package local

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// largeTree writes an SFDX project of about 12,000 files, the size of a
// big production org's source: 3,000 Apex classes, 40 objects with 100
// fields each, 450 LWC bundles, 100 layouts, 59 permission sets and one
// labels file holding 1,000 labels.
func largeTree(b *testing.B) (dir string, files int) {
	b.Helper()
	dir = b.TempDir()
	const src = "force-app/main/default/"
	tree := map[string]string{"sfdx-project.json": `{"packageDirectories":[{"path":"force-app","default":true}]}`}
	for i := range 3000 {
		for p, c := range classFiles(src, fmt.Sprintf("Service%04d", i)) {
			tree[p] = c
		}
	}
	for i := range 40 {
		obj := fmt.Sprintf("Object%02d__c", i)
		tree[src+"objects/"+obj+"/"+obj+".object-meta.xml"] = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>` + obj + `</label>
    <pluralLabel>` + obj + `</pluralLabel>
</CustomObject>
`
		for j := range 100 {
			f := fmt.Sprintf("Field%03d__c", j)
			tree[src+"objects/"+obj+"/fields/"+f+".field-meta.xml"] = fieldXML(f)
		}
	}
	for i := range 450 {
		name := fmt.Sprintf("card%03d", i)
		base := src + "lwc/" + name + "/" + name
		tree[base+".js"] = "import { LightningElement } from 'lwc';\nexport default class Card extends LightningElement {}\n"
		tree[base+".html"] = "<template><p>card</p></template>\n"
		tree[base+".css"] = "p { margin: 0; }\n"
		tree[base+".js-meta.xml"] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LightningComponentBundle xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <isExposed>false</isExposed>\n</LightningComponentBundle>\n"
	}
	for i := range 100 {
		tree[fmt.Sprintf("%slayouts/Object%02d__c-Layout %d.layout-meta.xml", src, i%40, i)] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Layout xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n</Layout>\n"
	}
	for i := range 59 {
		tree[fmt.Sprintf("%spermissionsets/Set%02d.permissionset-meta.xml", src, i)] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>Set</label>\n</PermissionSet>\n"
	}
	var labels strings.Builder
	labels.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n")
	for i := range 1000 {
		fmt.Fprintf(&labels, "    <labels>\n        <fullName>Label%04d</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>Label %d</shortDescription>\n        <value>Text %d</value>\n    </labels>\n", i, i, i)
	}
	labels.WriteString("</CustomLabels>\n")
	tree[src+"labels/CustomLabels.labels-meta.xml"] = labels.String()
	writeTree(b, dir, tree)
	return dir, len(tree)
}

// BenchmarkItemsLargeTree lists a ~12,000-file project (8,649 components):
// the cost of every compare and of `relman env test` on a big directory org.
func BenchmarkItemsLargeTree(b *testing.B) {
	dir, files := largeTree(b)
	o := mustOpen(b, dir)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"types=CustomField", Filter{Types: []string{"CustomField"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				items, err := o.Items(ctx, bc.f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(items)
			}
			b.ReportMetric(float64(files), "files")
			b.ReportMetric(float64(n), "items")
		})
	}
}

// BenchmarkOpenLargeTree opens the same project: detection, root search and
// the first full read that Describe reports.
func BenchmarkOpenLargeTree(b *testing.B) {
	dir, _ := largeTree(b)
	for b.Loop() {
		if _, err := Open(dir); err != nil {
			b.Fatal(err)
		}
	}
}
