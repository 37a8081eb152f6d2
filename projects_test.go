package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestRealProjectPatterns compares each small project under
// testdata/projects — one real-world pattern each: several package
// directories, tests folders, Metadata API files in a package directory,
// new types, .forceignore, unknown files, namespace tokens — with an empty
// folder, as `relman compare PROJECT EMPTY` does, and checks the exact
// result: every component with its files, and every warning. None is
// refused.
func TestRealProjectPatterns(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "projects", "*"))
	if err != nil || len(dirs) < 7 {
		t.Fatalf("fixtures: %v %v", dirs, err)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "sfdx-project.json"), []byte(`{"packageDirectories":[{"path":"force-app","default":true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(empty, "force-app"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
			if err != nil {
				t.Fatal(err)
			}
			project := filepath.Join(dir, "project")
			c := relmanCLI{t: t, store: filepath.Join(t.TempDir(), "none", "relman.db")}
			var out projectCompare
			c.ok("alice", &out, "compare", project, empty)
			got := describeCompare(out, project+"/")
			if got != string(want) {
				t.Errorf("compare %s with an empty project:\n%s\nwant (expected.txt):\n%s", project, got, want)
			}
		})
	}
}

// describeCompare renders a compare result as expected.txt has it: one
// line per component (status, Type:FullName, files), then one per warning
// with its path relative to the project.
func describeCompare(out projectCompare, prefix string) string {
	var lines []string
	for _, c := range out.Components {
		lines = append(lines, c.Status+" "+c.Type+":"+c.FullName+" "+strings.Join(c.Files, " "))
	}
	var warned []string
	for _, w := range out.Warnings {
		warned = append(warned, "warning "+strings.TrimPrefix(w.Path, prefix)+": "+strings.ReplaceAll(w.Problem, prefix, ""))
	}
	sort.Strings(warned)
	return strings.Join(append(lines, warned...), "\n") + "\n"
}

// projectCompare is the part of `relman compare --json`'s result the
// fixtures check.
type projectCompare struct {
	Components []struct {
		Type     string   `json:"type"`
		FullName string   `json:"fullName"`
		Status   string   `json:"status"`
		Files    []string `json:"files"`
	} `json:"components"`
	Warnings []struct {
		Path    string `json:"path"`
		Problem string `json:"problem"`
	} `json:"warnings"`
}
