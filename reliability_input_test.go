package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/store"
)

// badInput is one command that must be refused: its exit codes allowed,
// its JSON error name (any when empty), and what its message must say.
type badInput struct {
	what  string
	args  []string
	codes []int
	name  string
	says  []string
	// mayWork accepts success too: a damaged page the command never reads.
	mayWork bool
	// user acts; alice when empty.
	user string
}

// refuse runs a bad-input command and checks the refusal: the exit code is
// one cli.md documents for it, the message says what it must, names no
// command relman does not have, and nothing crashed. The store's bytes
// must not change.
func (c relmanCLI) refuse(t *testing.T, b badInput) string {
	t.Helper()
	before := ""
	if _, err := os.Stat(c.store); err == nil {
		before = fileDigest(t, c.store)
	}
	user := b.user
	if user == "" {
		user = "alice"
	}
	r := c.runFor(commandDeadline, nil, user, append(b.args, "--json")...)
	env := r.envelope()
	switch {
	case r.hung:
		t.Errorf("%s: relman %s hung", b.what, strings.Join(b.args, " "))
		return ""
	case strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:"):
		t.Errorf("%s: relman %s crashed (exit %d) instead of refusing it:\n%s", b.what, strings.Join(b.args, " "), r.code, firstLines(r.stderr, 6))
		return ""
	case r.code == 0 && b.mayWork:
		return ""
	case r.code == 0:
		t.Errorf("%s: relman %s was accepted (exit 0), want exit %v %s", b.what, strings.Join(b.args, " "), b.codes, b.name)
		return ""
	case env == nil:
		t.Errorf("%s: relman %s exited %d without a JSON envelope:\n%s%s", b.what, strings.Join(b.args, " "), r.code, r.stdout, r.stderr)
		return ""
	}
	okCode := false
	for _, code := range b.codes {
		okCode = okCode || r.code == code
	}
	if !okCode || (b.name != "" && env.Name != b.name) {
		t.Errorf("%s: relman %s exited %d (%s: %s), want exit %v %s", b.what, strings.Join(b.args, " "), r.code, env.Name, env.Message, b.codes, b.name)
	}
	for _, s := range b.says {
		if !strings.Contains(strings.ToLower(env.Message), strings.ToLower(s)) {
			t.Errorf("%s: the message does not say %q: %s", b.what, s, env.Message)
		}
	}
	c.onlyRealCommands(t, b.what, env.Message)
	if before != "" && fileDigest(t, c.store) != before {
		t.Errorf("%s: refusing relman %s changed the store file", b.what, strings.Join(b.args, " "))
	}
	return env.Message
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

var relmanCommandRef = regexp.MustCompile("`relman ([a-z]+)(?: ([a-z]+))?")

// onlyRealCommands checks that every `relman X Y` a message tells the
// admin to run is a command `relman help` lists.
func (c relmanCLI) onlyRealCommands(t *testing.T, what, msg string) {
	t.Helper()
	help := c.run("alice", "help").stdout
	for _, m := range relmanCommandRef.FindAllStringSubmatch(msg, -1) {
		cmd := "relman " + m[1]
		if m[2] != "" && !strings.Contains(help, "relman "+m[1]+" "+m[2]) && strings.Contains(help, "relman "+m[1]+" ") {
			cmd += " " + m[2]
		}
		if !strings.Contains(help, "  "+cmd+" ") && !strings.Contains(help, "  "+cmd+"\n") {
			t.Errorf("%s: the message tells the admin to run `%s`, which relman does not have: %s", what, cmd, msg)
		}
	}
}

// writeFiles writes files (relative path → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const apexMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>
`

// storeRecords is what a store holds, for comparing before and after.
func storeRecords(t *testing.T, path string) string {
	t.Helper()
	svc := readStore(t, path)
	crs, err := svc.ListCRs(store.CRQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := svc.Deployments(0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds {
		// A failed attempt adds its log to the record, nothing else.
		ds[i].Logs, ds[i].UpdatedAt = nil, time.Time{}
	}
	envs, err := svc.Environments()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v\n%+v\n%+v", crs, ds, envs)
}

// sameRecords reports records that differ, briefly.
func sameRecords(t *testing.T, what, before, after string) {
	t.Helper()
	if before == after {
		return
	}
	b, a := strings.Split(before, " "), strings.Split(after, " ")
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	t.Errorf("%s changed the stored records, first at %q (was %q)", what, strings.Join(a[i:min(i+12, len(a))], " "), strings.Join(b[i:min(i+12, len(b))], " "))
}

// TestPackagesOverSalesforceLimits builds, in directory orgs, a change of
// more than 10,000 files (5,001 Apex classes) and one of over 39 MB
// compressed (a 41 MB static resource of random bytes), takes each through
// approvals and asks relman to retrieve it: the limit is enforced when the
// package is built, the refusal names the limit and says to deploy in
// parts, the failed attempt is logged, and nothing stored before changes.
// Comparing such an org and writing its package.xml still works.
func TestPackagesOverSalesforceLimits(t *testing.T) {
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))

	many := copyOrg(t, "uat")
	files := map[string][]byte{}
	var members []string
	for i := 1; i <= 5001; i++ {
		name := fmt.Sprintf("Bulk%04d", i)
		files["force-app/main/default/classes/"+name+".cls"] = []byte("public class " + name + " {}\n")
		files["force-app/main/default/classes/"+name+".cls-meta.xml"] = []byte(apexMeta)
		members = append(members, "ApexClass:"+name)
	}
	writeFiles(t, many, files)
	c.ok("alice", nil, "env", "add", "many", "--kind", "sandbox", "--dir", many)

	huge := copyOrg(t, "uat")
	blob := make([]byte, 41_000_000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+8 <= len(blob); i += 8 {
		binary.LittleEndian.PutUint64(blob[i:], rng.Uint64())
	}
	writeFiles(t, huge, map[string][]byte{
		"force-app/main/default/staticresources/Huge.bin": blob,
		"force-app/main/default/staticresources/Huge.resource-meta.xml": []byte(`<?xml version="1.0" encoding="UTF-8"?>
<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata"><cacheControl>Private</cacheControl><contentType>application/octet-stream</contentType></StaticResource>
`),
	})
	c.ok("alice", nil, "env", "add", "huge", "--kind", "sandbox", "--dir", huge)

	for _, tc := range []struct {
		from, component string
		says            []string
	}{
		{"many", strings.Join(members, ","), []string{"10004 files", "limit of 10000", "deploy it in parts", many}},
		{"huge", "StaticResource:Huge", []string{"39 MB compressed", "deploy it in parts", "Huge"}},
	} {
		cr := c.approvedCR(t, "--name", "Too big from "+tc.from, "--component", tc.component)
		var d deployJSON
		c.ok("alice", &d, "deploy", "new", "--cr", cr, "--from", tc.from, "--to", "production")
		c.approveDeployment(t, "alice", d.ID)
		records := storeRecords(t, c.store)
		eventsBefore := auditEvents(t, readStore(t, c.store))

		r := c.runFor(commandDeadline, nil, "alice", "deploy", "retrieve", d.ID, "--json")
		env := r.envelope()
		if r.code != 1 || env == nil {
			t.Fatalf("retrieving %s's package: exit %d\n%s%s", tc.from, r.code, r.stdout, r.stderr)
		}
		for _, s := range tc.says {
			if !strings.Contains(env.Message, s) {
				t.Errorf("retrieving %s's package: the message does not say %q: %s", tc.from, s, env.Message)
			}
		}
		var after deployJSON
		c.ok("alice", &after, "deploy", "show", d.ID)
		if len(after.Logs) != 1 || after.Logs[0].Status != "Retrieve Failed" || after.Package != nil || after.Status != "Approved" {
			t.Errorf("after the refused retrieve %s is %s with package %v and logs %+v", d.ID, after.Status, after.Package, after.Logs)
		}
		sameRecords(t, "the refused retrieve", records, storeRecords(t, c.store))
		eventsAfter := auditEvents(t, readStore(t, c.store))
		for i, e := range eventsBefore {
			if eventsAfter[i].Hash != e.Hash {
				t.Fatalf("audit event %d changed", e.Seq)
			}
		}
		c.refuse(t, badInput{what: "validating without a package", args: []string{"deploy", "validate", d.ID},
			codes: []int{1}, name: "NoPackageError", says: []string{"retrieve it first"}})
	}

	var out struct {
		Summary map[string]int `json:"summary"`
		Package struct {
			Members int `json:"members"`
		} `json:"package"`
	}
	c.ok("alice", &out, "compare", "many", "production", "--type", "ApexClass", "--package-xml", filepath.Join(t.TempDir(), "pkg"))
	if out.Summary["onlyInSource"] < 5001 || out.Package.Members < 5001 {
		t.Errorf("comparing the 5,001-class org: %+v", out)
	}
	c.verifyChain(t)
}

// TestUnknownTypesAndDuplicates gives relman unknown metadata types and
// duplicate members in flags and in package.xml files, and a component
// present twice in one project.
func TestUnknownTypesAndDuplicates(t *testing.T) {
	c := newCLI(t, tempStore(t))
	prod := copyOrg(t, "production")
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", prod)

	for _, b := range []badInput{
		{what: "an unknown --type", args: []string{"compare", prod, prod, "--type", "ApexClas"},
			codes: []int{2}, name: "UsageError", says: []string{"ApexClas", "did you mean ApexClass"}},
		{what: "an unknown type in --component of compare", args: []string{"compare", prod, prod, "--component", "ApexClas:InvoiceService"},
			codes: []int{2}, says: []string{"ApexClas", "ApexClass"}},
		{what: "an unknown type in --component", args: []string{"cr", "new", "--env", "production", "--name", "x", "--component", "ApexClas:InvoiceService"},
			codes: []int{2}, name: "InvalidComponentError", says: []string{"ApexClas", "ApexClass"}},
		{what: "an unknown type in --proposed", args: []string{"cr", "new", "--env", "production", "--name", "x", "--proposed", "NotAType:X"},
			codes: []int{2}, name: "InvalidComponentError", says: []string{"NotAType", "Type:FullName"}},
		{what: "an unknown type to diff", args: []string{"diff", prod, prod, "ApexClas:InvoiceService"},
			codes: []int{2}, name: "UsageError", says: []string{"ApexClas"}},
		{what: "a component both existing and proposed", args: []string{"cr", "new", "--env", "production", "--name", "x",
			"--component", "ApexClass:InvoiceService", "--proposed", "ApexClass:InvoiceService"},
			codes: []int{2}, name: "DuplicateComponentError", says: []string{"ApexClass:InvoiceService", "keep it in one list"}},
	} {
		c.refuse(t, b)
	}

	// Duplicates within one list are one component and one approver.
	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", "twice", "--component", "ApexClass:InvoiceService",
		"--component", "ApexClass:InvoiceService,ApexClass:InvoiceService", "--approver", "bob", "--approver", "bob")
	if len(cr.Customizations) != 1 || len(cr.Approvers) != 1 {
		t.Errorf("duplicates kept: %d customizations, %d approvers", len(cr.Customizations), len(cr.Approvers))
	}

	// Metadata API directories whose package.xml names an unknown type or
	// lists a member twice.
	mdapi := func(manifest string) string {
		dir := t.TempDir()
		writeFiles(t, dir, map[string][]byte{
			"package.xml":              []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Package xmlns="http://soap.sforce.com/2006/04/metadata">` + manifest + "<version>62.0</version></Package>\n"),
			"classes/Foo.cls":          []byte("public class Foo {}\n"),
			"classes/Foo.cls-meta.xml": []byte(apexMeta),
		})
		return dir
	}
	unknown := mdapi("\n<types><members>Foo</members><name>ApexClass</name></types>\n<types><members>X</members><name>NotAType</name></types>\n")
	msg := c.refuse(t, badInput{what: "a package.xml naming an unknown type", args: []string{"compare", unknown, prod},
		codes: []int{1, 2}, says: []string{filepath.Join(unknown, "package.xml"), "line 4", `unknown metadata type "NotAType"`}})
	t.Logf("package.xml with an unknown type: %s", msg)

	twice := mdapi("<types><members>Foo</members><members>Foo</members><name>ApexClass</name></types>")
	pkg := filepath.Join(t.TempDir(), "pkg")
	var out struct {
		Components []struct{ Type, FullName string } `json:"components"`
	}
	c.ok("alice", &out, "compare", twice, prod, "--type", "ApexClass", "--package-xml", pkg)
	foo := 0
	for _, comp := range out.Components {
		if comp.FullName == "Foo" {
			foo++
		}
	}
	if foo != 1 {
		t.Errorf("a member listed twice in package.xml compares %d times", foo)
	}
	if got := manifestMembers(t, filepath.Join(pkg, "package.xml")); strings.Count(strings.Join(got, " "), "ApexClass:Foo") != 1 {
		t.Errorf("the written package.xml lists Foo %d times: %v", strings.Count(strings.Join(got, " "), "ApexClass:Foo"), got)
	}

	// One class in two package directories of a project.
	two := copyOrg(t, "production")
	project := `{"packageDirectories":[{"path":"force-app","default":true},{"path":"extra"}],"sourceApiVersion":"62.0"}`
	service, err := os.ReadFile(filepath.Join(two, "force-app/main/default/classes/InvoiceService.cls"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, two, map[string][]byte{"sfdx-project.json": []byte(project),
		"extra/main/default/classes/InvoiceService.cls": service, "extra/main/default/classes/InvoiceService.cls-meta.xml": []byte(apexMeta)})
	c.refuse(t, badInput{what: "one component in two package directories", args: []string{"compare", two, prod},
		codes: []int{1, 2}, says: []string{"ApexClass:InvoiceService", "force-app/main/default", "extra/main/default", "keep one copy"}})
	c.verifyChain(t)
}

// TestInvalidUTF8 puts bytes that are not UTF-8 in a metadata file and in
// flag values: the file is refused naming it, and flag values are refused
// as bad input (exit 2) rather than stored altered.
func TestInvalidUTF8(t *testing.T) {
	c := newCLI(t, tempStore(t))
	prod := copyOrg(t, "production")
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", prod)
	c.ok("alice", nil, "cr", "new", "--env", "production", "--name", "first", "--approver", "bob")

	bad := copyOrg(t, "uat")
	labels := "force-app/main/default/labels/CustomLabels.labels-meta.xml"
	writeFiles(t, bad, map[string][]byte{labels: []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomLabels xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n" +
		"<labels><fullName>Greeting</fullName><value>caf\xe9 \xff</value></labels>\n</CustomLabels>\n")})
	c.refuse(t, badInput{what: "a metadata XML file that is not UTF-8", args: []string{"compare", bad, "production"},
		codes: []int{1, 2}, says: []string{"labels/CustomLabels.labels-meta.xml", "line 3", "UTF-8"}})

	// Apex source is compared as bytes: not UTF-8 is not an error there.
	apex := copyOrg(t, "uat")
	writeFiles(t, apex, map[string][]byte{"force-app/main/default/classes/InvoiceService.cls": []byte("public class InvoiceService { // caf\xe9 \xff\n}\n")})
	var out struct {
		Components []struct{ Type, FullName, Status string } `json:"components"`
	}
	c.ok("alice", &out, "compare", apex, "production", "--type", "ApexClass")
	// Shown escaped: raw bytes that are not UTF-8 could be control codes to a terminal.
	if d := c.run("alice", "diff", apex, "production", "ApexClass:InvoiceService"); d.code != 0 || !strings.Contains(d.stdout, `caf\xe9 \xff`) {
		t.Errorf("diff of a class holding Latin-1 bytes: exit %d\n%s%s", d.code, d.stdout, d.stderr)
	}

	c.ok("alice", nil, "cr", "new", "--env", "production", "--name", "pending", "--component", "ApexClass:InvoiceService", "--approver", "bob")
	c.ok("alice", nil, "cr", "submit", "2")
	records := storeRecords(t, c.store)
	for _, b := range []badInput{
		{what: "--comment", args: []string{"cr", "reject", "2", "--comment", "no\xff"}, user: "bob"},
		{what: "--overview", args: []string{"cr", "edit", "1", "--overview", "caf\xe9"}},
		{what: "--approver", args: []string{"cr", "edit", "1", "--approver", "b\xffb"}},
		{what: "--name", args: []string{"cr", "new", "--env", "production", "--name", "Invoice \xff\xfe dates"}},
		{what: "--component", args: []string{"cr", "new", "--env", "production", "--name", "x", "--component", "Profile:Admin\xff"}},
		{what: "--username", args: []string{"env", "add", "sandbox", "--kind", "sandbox", "--url", "https://test.salesforce.com",
			"--auth", "password", "--username", "admin\xff@acme.com", "--password", "p", "--client-id", "relman"}},
		{what: "--reason", args: []string{"cr", "cancel", "1", "--reason", "\xc3\x28"}},
	} {
		b.what = "invalid UTF-8 in " + b.what
		b.codes, b.name, b.says = []int{2}, "UsageError", []string{"UTF-8"}
		c.refuse(t, b)
	}
	c.refuse(t, badInput{what: "invalid UTF-8 in an environment name", args: []string{"env", "add", "sand\xffbox", "--kind", "sandbox", "--dir", prod},
		codes: []int{2}, says: []string{"environment name", "letters, digits"}})
	sameRecords(t, "flag values that are not UTF-8", records, storeRecords(t, c.store))
	c.verifyChain(t)
}

// setSchema writes a schema version into a store file, as a newer relman
// would have.
func setSchema(t *testing.T, path string, v uint64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := make([]byte, 8)
		binary.BigEndian.PutUint64(b, v)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), b)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// seededStore is a store with environments, change requests, a compare
// log and their audit events.
func seededStore(t *testing.T) relmanCLI {
	t.Helper()
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--dir", copyOrg(t, "uat"))
	for i := range 30 {
		c.ok("alice", nil, "cr", "new", "--env", "production", "--name", fmt.Sprintf("change %d %s", i, strings.Repeat("x", 300)),
			"--component", "ApexClass:InvoiceService", "--approver", "bob")
	}
	c.ok("alice", nil, "compare", "uat", "production", "--cr", "1")
	return c
}

// storeCommands are what an admin runs on a store relman cannot read: each
// must be refused the same clear way.
var storeCommands = [][]string{{"cr", "list"}, {"cr", "show", "1"}, {"cr", "new", "--env", "production", "--name", "x"},
	{"env", "list"}, {"audit", "--verify"}, {"audit", "--format", "csv"}, {"compare", "uat", "production"}}

// TestStoreFromANewerRelman refuses a store whose schema is newer than
// this relman's, saying to upgrade, and leaves the file byte for byte.
func TestStoreFromANewerRelman(t *testing.T) {
	c := seededStore(t)
	setSchema(t, c.store, 99)
	before := fileDigest(t, c.store)
	for _, args := range storeCommands {
		c.refuse(t, badInput{what: "a store from a newer relman", args: args, codes: []int{1}, name: "NewerStoreError",
			says: []string{c.store, "schema v99", "upgrade relman"}})
	}
	if fileDigest(t, c.store) != before {
		t.Fatal("the newer store was changed")
	}
}

// TestCorruptStoreFiles damages a store the ways files get damaged — not a
// store at all, truncated, both meta pages overwritten, data pages
// overwritten, one record's bytes overwritten — and expects every command
// to refuse it with a CorruptStoreError naming the file and what to do,
// never a crash, and the file left byte for byte as it was.
func TestCorruptStoreFiles(t *testing.T) {
	c := seededStore(t)
	pristine, err := os.ReadFile(c.store)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if len(pristine) < 8*page {
		t.Fatalf("the seeded store is only %d bytes", len(pristine))
	}
	noise := func(n int, seed uint64) []byte {
		b := make([]byte, n)
		r := rand.New(rand.NewPCG(seed, seed))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		damage  func() []byte
		says    []string
		mayWork bool
	}{
		{"not a store", func() []byte { return []byte("these are my notes, not a relman store\n") }, []string{"move it aside or set RELMAN_STORE"}, false},
		{"truncated", func() []byte { return pristine[:len(pristine)/3] }, []string{"truncated", "move it aside or set RELMAN_STORE"}, false},
		{"meta pages overwritten", func() []byte {
			return append(noise(2*page, 1), pristine[2*page:]...)
		}, []string{"move it aside or set RELMAN_STORE"}, false},
		{"data pages overwritten", func() []byte {
			b := append([]byte{}, pristine...)
			copy(b[2*page:], noise(len(b)-2*page, 2))
			return b
		}, nil, false},
		{"one page overwritten", func() []byte {
			b := append([]byte{}, pristine...)
			copy(b[3*page:4*page], noise(page, 3))
			return b
		}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := relmanCLI{t: t, store: c.store}
			if err := os.WriteFile(c.store, tc.damage(), 0o600); err != nil {
				t.Fatal(err)
			}
			before := fileDigest(t, c.store)
			for _, args := range storeCommands {
				c.refuse(t, badInput{what: "a store " + tc.name, args: args, codes: []int{1}, name: "CorruptStoreError",
					says: append([]string{c.store}, tc.says...), mayWork: tc.mayWork})
			}
			if !tc.mayWork && fileDigest(t, c.store) != before {
				t.Fatal("the damaged store was changed")
			}
		})
	}

	t.Run("one record damaged", func(t *testing.T) {
		c := relmanCLI{t: t, store: c.store}
		if err := os.WriteFile(c.store, pristine, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := bolt.Open(c.store, 0o600, &bolt.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("crs")).Put(binary.BigEndian.AppendUint64(nil, 7), []byte(`{"id":7,"name":`))
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		before := fileDigest(t, c.store)
		for _, args := range [][]string{{"cr", "show", "7"}, {"cr", "list"}, {"cr", "edit", "7", "--overview", "x"}} {
			c.refuse(t, badInput{what: "a damaged change request", args: args, codes: []int{1}, name: "CorruptStoreError",
				says: []string{"CR-0007", "damaged", "backup"}})
		}
		// The rest of the store still reads.
		var one crJSON
		c.ok("alice", &one, "cr", "show", "1")
		if fileDigest(t, c.store) != before {
			t.Fatal("the store with a damaged record was changed")
		}
	})
}
