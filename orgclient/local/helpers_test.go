package local

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relman/model/metadata"
)

// orgDir is the path of a shared testdata org (testdata/orgs/README.md).
func orgDir(name string) string { return filepath.Join("..", "..", "testdata", "orgs", name) }

// copyOrg copies a testdata org into a fresh temporary directory.
func copyOrg(t testing.TB, name string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(orgDir(name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeTree creates files (slash paths → content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listFiles returns the slash paths of every file under dir.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustOpen(t testing.TB, dir string) *Org {
	t.Helper()
	o, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return o
}

// mustItems lists an org's items, failing on any error (unknown files
// included: the testdata orgs have none).
func mustItems(t testing.TB, o *Org, f Filter) []metadata.Item {
	t.Helper()
	items, err := o.Items(context.Background(), f)
	if err != nil {
		t.Fatalf("Items(%+v): %v", f, err)
	}
	return items
}

// contents maps each component to its files' paths and contents, so that
// two orgs (or one org before and after) can be compared component by
// component.
func contents(t testing.TB, items []metadata.Item) map[metadata.Component]map[string]string {
	t.Helper()
	out := map[metadata.Component]map[string]string{}
	for _, it := range items {
		files := map[string]string{}
		for _, f := range it.Files {
			data, err := metadata.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files[f.Path] = string(data)
		}
		out[it.Component] = files
	}
	return out
}

func componentSet(items []metadata.Item) map[metadata.Component]bool {
	out := map[metadata.Component]bool{}
	for _, it := range items {
		out[it.Component] = true
	}
	return out
}

func comp(s string) metadata.Component {
	c, err := metadata.ParseComponent(s)
	if err != nil {
		panic(err)
	}
	return c
}

const classMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`

// classFiles returns the source files of a trivial Apex class under prefix.
func classFiles(prefix, name string) map[string]string {
	return map[string]string{
		prefix + "classes/" + name + ".cls":          "public class " + name + " {}\n",
		prefix + "classes/" + name + ".cls-meta.xml": classMeta,
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func fieldXML(name string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>` + name + `</fullName>
    <label>` + strings.TrimSuffix(name, "__c") + `</label>
    <length>80</length>
    <type>Text</type>
</CustomField>
`
}

// mustDescribe describes an org, failing on error.
func mustDescribe(t testing.TB, o *Org) Description {
	t.Helper()
	d, err := o.Describe(context.Background())
	if err != nil {
		t.Fatalf("Describe(%s): %v", o.Dir(), err)
	}
	return d
}
