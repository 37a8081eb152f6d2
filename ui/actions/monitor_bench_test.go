package actions_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/identity/identitytest"
)

// monitorOrgSize is the component count of the budget: a 20,000-component
// org (12,000 Apex classes, 8,000 custom fields on 40 objects).
const monitorOrgSize = 20_000

// writeLargeOrg writes an SFDX project of monitorOrgSize components.
func writeLargeOrg(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	src := filepath.Join(dir, "force-app", "main", "default")
	write := func(rel, content string) {
		p := filepath.Join(src, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "sfdx-project.json"), []byte(`{"packageDirectories":[{"path":"force-app","default":true}]}`), 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range 12_000 {
		name := fmt.Sprintf("Service%05d", i)
		write("classes/"+name+".cls", classBody(name, 0))
		write("classes/"+name+".cls-meta.xml", `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`)
	}
	for o := range 40 {
		obj := fmt.Sprintf("Object%02d__c", o)
		write("objects/"+obj+"/"+obj+".object-meta.xml", `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>`+obj+`</label>
</CustomObject>
`)
		for f := range 200 - 1 {
			field := fmt.Sprintf("Field%03d__c", f)
			write("objects/"+obj+"/fields/"+field+".field-meta.xml", `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>`+field+`</fullName>
    <label>`+field+`</label>
    <type>Text</type>
    <length>80</length>
</CustomField>
`)
		}
	}
	return dir
}

func classBody(name string, rev int) string {
	return fmt.Sprintf("public with sharing class %s {\n    // revision %d\n    public static Integer answer() {\n        return %d;\n    }\n}\n", name, rev, rev)
}

// BenchmarkMonitor20k measures the budget of issue 17 on a directory org
// of 20,000 components: each run edits one class and monitors. It reports
// the time relman adds to the org's own answer (beyond-org-s, budget 2 s)
// and, after 100 snapshots, the store's size against the size after the
// first snapshot plus the bytes of the changed content (space-ratio,
// budget 2).
func BenchmarkMonitor20k(b *testing.B) {
	dir := writeLargeOrg(b)
	st, err := store.Open(filepath.Join(b.TempDir(), "relman.db"))
	if err != nil {
		b.Fatal(err)
	}
	svc := identitytest.As(b, st, "alice")
	if _, err := svc.AddEnvironment(model.Environment{Name: "production", Kind: model.KindProduction, Connection: model.ConnLocal, Dir: dir}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	first, err := svc.Monitor(ctx, "production", nil)
	if err != nil {
		b.Fatal(err)
	}
	if first.Snapshot.Components < monitorOrgSize-100 {
		b.Fatalf("baseline has %d components, want about %d", first.Snapshot.Components, monitorOrgSize)
	}
	oneFile, one := space(b, st)
	var changed int64
	edit := func(i int) {
		name := fmt.Sprintf("Service%05d", i%12_000)
		body := classBody(name, i+1)
		changed += int64(len(body))
		if err := os.WriteFile(filepath.Join(dir, "force-app", "main", "default", "classes", name+".cls"), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var beyond time.Duration
	snapshots := 1
	b.ResetTimer()
	for i := range b.N {
		edit(i)
		res, err := svc.Monitor(ctx, "production", nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Changes) != 1 {
			b.Fatalf("run %d found %d changes, want the one edited class", i, len(res.Changes))
		}
		beyond += res.Total - res.OrgTime
		snapshots++
	}
	b.StopTimer()
	b.ReportMetric(beyond.Seconds()/float64(b.N), "beyond-org-s")
	// Fill up to 100 snapshots for the space budget, untimed.
	for i := b.N; snapshots < 100; i++ {
		edit(i)
		if _, err := svc.Monitor(ctx, "production", nil); err != nil {
			b.Fatal(err)
		}
		snapshots++
	}
	allFile, all := space(b, st)
	ratio := float64(all-changed) / float64(one)
	b.ReportMetric(ratio, "space-ratio")
	b.Logf("one snapshot: %d bytes in use (file %d); %d snapshots: %d bytes in use (file %d), changed content %d bytes; ratio %.2f (budget 2); relman's time beyond the org's: %.3f s (budget 2 s)",
		one, oneFile, snapshots, all, allFile, changed, ratio, beyond.Seconds()/float64(b.N))
}

// space is the store's file size and bytes in use.
func space(b *testing.B, st *store.Store) (file, used int64) {
	b.Helper()
	file, used, err := st.Space()
	if err != nil {
		b.Fatal(err)
	}
	return file, used
}
