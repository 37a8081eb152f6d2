package diff

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"relman/model/metadata"
)

// snapshot generates n in-memory components shaped like a large org: custom
// fields with their XML, each about 400 bytes.
func snapshot(n int) []metadata.Item {
	items := make([]metadata.Item, n)
	for i := range items {
		obj, field := fmt.Sprintf("Object%d__c", i/100), fmt.Sprintf("Field%d__c", i%100)
		items[i] = item("CustomField", obj+"."+field, "objects/"+obj+"/fields/"+field+".field-meta.xml",
			`<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>`+field+`</fullName>
    <externalId>false</externalId>
    <label>Field `+fmt.Sprint(i)+`</label>
    <length>255</length>
    <required>false</required>
    <trackHistory>false</trackHistory>
    <trackTrending>false</trackTrending>
    <type>Text</type>
    <unique>false</unique>
</CustomField>
`)
	}
	return items
}

// BenchmarkCompare100k compares 100,000 components with a copy in which one
// in a hundred is reindented, one in a hundred really changed, and a few
// hundred added or removed. Budget: 2 s per comparison.
func BenchmarkCompare100k(b *testing.B) {
	const n = 100_000
	source := snapshot(n)
	target := snapshot(n)
	for i := 0; i < n; i += 100 {
		content := strings.ReplaceAll(readAll(b, target[i]), "    ", "\t")
		target[i] = item("CustomField", target[i].Component.FullName, target[i].Files[0].Path, content)
		j := i + 50
		content = strings.Replace(readAll(b, target[j]), "<length>255</length>", "<length>80</length>", 1)
		target[j] = item("CustomField", target[j].Component.FullName, target[j].Files[0].Path, content)
	}
	source, target = source[300:], target[:n-300]
	for _, bc := range []struct {
		name string
		opts Options
	}{{"plain", Options{}}, {"ignore-whitespace-and-order", both}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				res, err := Compare(context.Background(), source, target, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Entries) != n {
					b.Fatalf("%d entries", len(res.Entries))
				}
			}
		})
	}
}

func readAll(b *testing.B, it metadata.Item) string {
	data, err := readFile(context.Background(), it.Files[0])
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

// bigProfile is a profile of about n lines.
func bigProfile(n int) string {
	var perms []string
	for i := range n / 5 {
		perms = append(perms, fieldPerm(fmt.Sprintf("Object%d__c.Field%d__c", i/100, i%100), i%3 == 0))
	}
	return profile(perms...)
}

// BenchmarkLines100kLines diffs a 100,000-line profile against a copy with
// five changes: the reviewer opening a big profile.
func BenchmarkLines100kLines(b *testing.B) {
	old := bigProfile(100_000)
	new := old
	for _, f := range []string{"Object3__c.Field7__c", "Object50__c.Field1__c", "Object99__c.Field0__c", "Object150__c.Field42__c", "Object199__c.Field99__c"} {
		new = strings.Replace(new, "<field>"+f+"</field>", "<field>"+f+"x</field>", 1)
	}
	for _, bc := range []struct {
		name string
		opts Options
	}{{"plain", Options{}}, {"ignore-whitespace", wsOnly}, {"ignore-whitespace-and-order", both}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(old) + len(new)))
			for b.Loop() {
				d, err := Lines("profiles/Admin.profile-meta.xml", []byte(old), []byte(new), 3, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if d.Added != 5 || d.Removed != 5 {
					b.Fatalf("+%d -%d", d.Added, d.Removed)
				}
			}
		})
	}
}

// BenchmarkLinesRewritten10k diffs a 10,000-line file against a rewrite of
// every line, once into similar lines (every pair emphasised) and once into
// unrelated ones (every pairing attempt refused): the cost of word-level
// emphasis at its worst.
func BenchmarkLinesRewritten10k(b *testing.B) {
	var old, similar, unrelated strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&old, "        <field>Account.Field%d__c</field> old text %d\n", i, i*7)
		fmt.Fprintf(&similar, "        <field>Account.Field%d__c</field> new text %d\n", i, i*7)
		fmt.Fprintf(&unrelated, "    someOtherThing(%d, 'value %d');\n", i*3, i)
	}
	for _, bc := range []struct{ name, new string }{{"similar", similar.String()}, {"unrelated", unrelated.String()}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				d, err := Lines("f.txt", []byte(old.String()), []byte(bc.new), 3, Options{})
				if err != nil || d.Added != 10_000 {
					b.Fatalf("+%d, %v", d.Added, err)
				}
			}
		})
	}
}
