package local

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"relman/model/metadata"
)

func componentsOf(t *testing.T, o *Org) []string {
	t.Helper()
	cs, err := o.Components(context.Background())
	if err != nil {
		t.Fatalf("Components: %v", err)
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func TestOpenSFDXProjectWithTwoPackageDirs(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, merge(
		map[string]string{
			"sfdx-project.json": `{"packageDirectories":[{"path":"force-app","default":true},{"path":"./extras"}],"name":"two","sourceApiVersion":"62.0"}`,
			"README.md":         "not metadata, and outside every package directory\n",
			"extras/feature/objects/Shipment__c/fields/Carrier__c.field-meta.xml": fieldXML("Carrier__c"),
			"force-app/main/default/lwc/jsconfig.json":                            "{}",
			"force-app/main/default/lwc/card/card.js":                             "export default class Card {}\n",
			"force-app/main/default/lwc/card/card.js-meta.xml":                    "<LightningComponentBundle/>\n",
			"force-app/main/default/lwc/card/__tests__/card.test.js":              "test()\n",
		},
		classFiles("force-app/main/default/", "Alpha"),
		classFiles("extras/", "Beta"), // type directories straight in the package directory
	))
	o := mustOpen(t, dir)
	d := mustDescribe(t, o)
	if d.Layout != LayoutSFDXProject || d.Name != "two" || d.APIVersion != "62.0" {
		t.Errorf("Describe = %+v; want sfdx-project \"two\" 62.0", d)
	}
	wantPkgs := []PackageDir{
		{Path: "force-app", Default: true, Roots: []string{"force-app/main/default"}},
		{Path: "extras", Roots: []string{"extras", "extras/feature"}},
	}
	if !reflect.DeepEqual(d.PackageDirs, wantPkgs) {
		t.Errorf("PackageDirs = %+v\nwant %+v", d.PackageDirs, wantPkgs)
	}
	want := []string{"ApexClass:Alpha", "ApexClass:Beta", "CustomField:Shipment__c.Carrier__c", "LightningComponentBundle:card"}
	if got := componentsOf(t, o); !reflect.DeepEqual(got, want) {
		t.Errorf("components = %v\nwant %v", got, want)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("Warnings = %v; the nested root and the LWC tooling files must not be reported", d.Warnings)
	}
	for _, s := range []string{`SFDX project "two" (API 62.0)`, "package directory force-app (default): force-app/main/default", "package directory extras: extras, extras/feature", "4 components: 2 ApexClass, 1 CustomField, 1 LightningComponentBundle"} {
		if !strings.Contains(d.String(), s) {
			t.Errorf("Describe().String() lacks %q:\n%s", s, d)
		}
	}
}

func TestOpenMDAPIFolder(t *testing.T) {
	files := merge(classFiles("", "Alpha"), map[string]string{
		"package.xml": `<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>*</members><name>ApexClass</name></types>
    <types><members>Shipment__c</members><name>CustomObject</name></types>
    <types><members>Greeting</members><name>CustomLabel</name></types>
    <version>61.0</version>
</Package>
`,
		"objects/Shipment__c.object": `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Carrier__c</fullName>
        <label>Carrier</label>
        <length>80</length>
        <type>Text</type>
    </fields>
    <label>Shipment</label>
    <pluralLabel>Shipments</pluralLabel>
</CustomObject>
`,
		"labels/CustomLabels.labels": `<?xml version="1.0" encoding="UTF-8"?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
    <labels>
        <fullName>Greeting</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Greeting</shortDescription>
        <value>Hello</value>
    </labels>
</CustomLabels>
`,
	})
	// Metadata API format: classes keep their names, the rest drop -meta.xml.
	files["classes/Alpha.cls-meta.xml"] = classMeta
	want := []string{"ApexClass:Alpha", "CustomField:Shipment__c.Carrier__c", "CustomLabel:Greeting", "CustomObject:Shipment__c"}

	for _, tc := range []struct{ name, prefix, manifest string }{
		{"package.xml at the top", "", "package.xml"},
		{"unpackaged layout of a retrieve", "unpackaged/", "unpackaged/package.xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tree := map[string]string{".DS_Store": "x"}
			for p, c := range files {
				tree[tc.prefix+p] = c
			}
			writeTree(t, dir, tree)
			o := mustOpen(t, dir)
			d := mustDescribe(t, o)
			if d.Layout != LayoutMDAPI || d.Manifest != tc.manifest || d.APIVersion != "61.0" {
				t.Errorf("Describe = %+v; want mdapi with manifest %s, API 61.0", d, tc.manifest)
			}
			if got := componentsOf(t, o); !reflect.DeepEqual(got, want) {
				t.Errorf("components = %v\nwant %v", got, want)
			}
		})
	}
}

func TestOpenSourceDir(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		open  string // relative to the temporary directory
		roots []string
	}{
		{"bare force-app", classFiles("force-app/main/default/", "Alpha"), "force-app", []string{"main/default"}},
		{"project folder without sfdx-project.json", classFiles("force-app/main/default/", "Alpha"), ".", []string{"force-app/main/default"}},
		{"folder holding type directories", classFiles("src/", "Alpha"), "src", []string{"."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			o := mustOpen(t, filepath.Join(dir, tc.open))
			d := mustDescribe(t, o)
			if d.Layout != LayoutSourceDir || len(d.PackageDirs) != 1 || !reflect.DeepEqual(d.PackageDirs[0].Roots, tc.roots) {
				t.Errorf("Describe = %+v; want source-dir with roots %v", d, tc.roots)
			}
			if got := componentsOf(t, o); !reflect.DeepEqual(got, []string{"ApexClass:Alpha"}) {
				t.Errorf("components = %v; want [ApexClass:Alpha]", got)
			}
		})
	}
}

func TestOpenRefusesWhatIsNotAMetadataDirectory(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"notes/README.md":            "hello\n",
		"a/b/c/d/e/classes/Deep.cls": "public class Deep {}\n", // deeper than relman searches
		"file.txt":                   "x",
	})
	for _, tc := range []struct {
		name, dir string
		want      []string
	}{
		{"plain folder", dir, []string{dir, "not a metadata directory", "sfdx-project.json", "package.xml", "classes/"}},
		{"missing", filepath.Join(dir, "nope"), []string{"nope", "no such directory", "sfdx-project.json"}},
		{"a file", filepath.Join(dir, "file.txt"), []string{"file.txt", "not a directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.dir)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// A component in two package directories is read as the Salesforce CLI
// reads it: the first package directory's copy, with a warning naming both.
func TestDuplicateAcrossPackageDirectoriesKeepsTheFirst(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, merge(map[string]string{"sfdx-project.json": `{"packageDirectories":[{"path":"b","default":true},{"path":"a"}]}`},
		merge(classFiles("a/", "Twice"), classFiles("b/main/default/", "Twice"))))
	d := mustDescribe(t, mustOpen(t, dir))
	if d.Components != 1 || len(d.Warnings) != 1 {
		t.Fatalf("Describe = %+v; want one component and one warning", d)
	}
	if w := d.Warnings[0]; w.Path != "a/classes/Twice.cls" || !strings.Contains(w.Problem, "ApexClass:Twice is also in b/main/default/classes/Twice.cls") {
		t.Errorf("warning %v: want a/'s copy named as the duplicate of b's", w)
	}
}

func TestOpenRefusesBadProjects(t *testing.T) {
	for _, tc := range []struct {
		name, project string
		files         map[string]string
		want          string
	}{
		{"not JSON", `{"packageDirectories": [`, nil, "not valid JSON"},
		{"no package directories", `{"name":"x"}`, nil, "no packageDirectories"},
		{"missing package directory", `{"packageDirectories":[{"path":"force-app","default":true}]}`, nil, `package directory "force-app" does not exist`},
		{"outside the project", `{"packageDirectories":[{"path":"../elsewhere"}]}`, nil, "must be a folder inside the project"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, merge(map[string]string{"sfdx-project.json": tc.project}, tc.files))
			o, err := Open(dir)
			if err == nil {
				// Problems in the metadata itself show when it is read.
				_, err = o.Describe(context.Background())
			}
			if err == nil {
				t.Fatal("Open and Describe succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if tc.files == nil && !strings.Contains(err.Error(), "sfdx-project.json") {
				t.Errorf("error %q does not name sfdx-project.json", err)
			}
		})
	}
}

func TestUnknownFilesAreReportedNotFatal(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, merge(classFiles("force-app/main/default/", "Alpha"), map[string]string{
		"sfdx-project.json":                        `{"packageDirectories":[{"path":"force-app","default":true}]}`,
		"force-app/main/default/classes/notes.txt": "todo\n",
	}))
	o := mustOpen(t, dir)
	if u := mustDescribe(t, o).Warnings; len(u) != 1 || u[0].Path != "force-app/main/default/classes/notes.txt" || !strings.Contains(u[0].Problem, "compared byte for byte") {
		t.Errorf("Warnings = %q; want the one stray file, named from the project", u)
	}
	items, err := o.Items(context.Background(), Filter{})
	var ue *metadata.UnresolvedError
	if !errors.As(err, &ue) || len(ue.Warnings) != 1 {
		t.Fatalf("Items error = %v; want an *metadata.UnresolvedError for the stray file", err)
	}
	// A stray file in a type's folder is kept as an opaque component of
	// that type, compared byte for byte, rather than silently dropped.
	if len(items) != 2 || items[0].Component != comp("ApexClass:Alpha") || items[1].Component != comp("ApexClass:notes.txt") {
		t.Errorf("Items = %v; want the class and the stray file as an opaque component", items)
	}
}

func TestForceIgnore(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, merge(
		classFiles("force-app/main/default/", "Kept"),
		classFiles("force-app/main/default/", "Skipped"),
		classFiles("force-app/main/default/", "Back"),
		map[string]string{
			"sfdx-project.json": `{"packageDirectories":[{"path":"force-app","default":true}]}`,
			".forceignore": "# local tooling\n" +
				"**/profiles\n" + // a name at any depth
				"force-app/main/default/classes/Skipped.*\n" + // anchored
				"force-app/main/default/classes/B*\n" +
				"!force-app/main/default/classes/Back.cls*\n" + // re-included
				"scratch/\n", // folders only
			"force-app/main/default/profiles/Admin.profile-meta.xml": "<Profile/>",
			"force-app/scratch/classes/Tmp.cls":                      "x",
		}))
	o := mustOpen(t, dir)
	if got, want := componentsOf(t, o), []string{"ApexClass:Back", "ApexClass:Kept"}; !reflect.DeepEqual(got, want) {
		t.Errorf("components = %v; want %v", got, want)
	}
	if roots := mustDescribe(t, o).PackageDirs[0].Roots; !reflect.DeepEqual(roots, []string{"force-app/main/default"}) {
		t.Errorf("roots = %v; the ignored scratch/ folder must not be a root", roots)
	}
}

func TestForceIgnorePatterns(t *testing.T) {
	fi, err := parseForceIgnore("*.dup\n/top\nlwc/**/jest.config.js\nbuild/\ndocs/**\n![!x]keep.dup\n\\#hash\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"a/b/c.dup", false, true},
		{"c.dup", false, true},
		{"a/akeep.dup", false, false}, // negated by ![!x]keep.dup
		{"a/xkeep.dup", false, true},
		{"top", true, true},
		{"a/top", true, false}, // anchored
		{"lwc/jest.config.js", false, true},
		{"lwc/a/b/jest.config.js", false, true},
		{"src/lwc/jest.config.js", false, false},
		{"build", true, true},
		{"build", false, false}, // folders only
		{"docs", true, false},   // docs/** is what is inside docs
		{"docs/a.md", false, true},
		{"#hash", false, true},
	} {
		if got := fi.match(tc.path, tc.isDir); got != tc.want {
			t.Errorf("match(%q, dir=%v) = %v; want %v", tc.path, tc.isDir, got, tc.want)
		}
	}
	if _, err := parseForceIgnore("ok\nbad[\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a bad pattern gave %v; want an error naming line 2", err)
	}
}

func TestDescribeTestdataOrgs(t *testing.T) {
	for _, tc := range []struct {
		org        string
		components int
		classes    int
	}{
		{"production", 41, 5},
		{"uat", 43, 4},
		{"dev", 44, 4},
	} {
		d := mustDescribe(t, mustOpen(t, orgDir(tc.org)))
		i := slices.IndexFunc(d.Types, func(c TypeCount) bool { return c.Type == "ApexClass" })
		if d.Components != tc.components || i < 0 || d.Types[i].Count != tc.classes || len(d.Warnings) != 0 {
			t.Errorf("%s: Describe = %+v; want %d components, %d ApexClass, nothing unresolved", tc.org, d, tc.components, tc.classes)
		}
		if d.Name != "relman-"+tc.org || d.PackageDirs[0].Roots[0] != "force-app/main/default" {
			t.Errorf("%s: name %q, package dirs %+v", tc.org, d.Name, d.PackageDirs)
		}
	}
}
