package actions

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"relman/model"
	"relman/model/metadata"
)

// TestMovingAFileNeverChangesTheComparison is the property the Salesforce
// CLI's resolution guarantees: a file of a type resolved by its suffix
// (a class, a layout, a flow, ...) may sit in any folder of its package
// directory. Moving such a file of a real-pattern fixture into another
// folder of the same package directory leaves the comparison with the
// original project all `same`, with the same warnings.
func TestMovingAFileNeverChangesTheComparison(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 3))
	svc := New(nil, model.Actor{}) // comparing reads only: nobody need act
	for _, fixture := range []string{"multi-package", "tests-folders", "new-types", "mdapi-in-package", "unknown-files"} {
		orig := filepath.Join("..", "..", "testdata", "projects", fixture, "project")
		base, err := svc.Compare(context.Background(), CompareRequest{Source: orig, Target: orig})
		if err != nil {
			t.Fatalf("%s: %v", fixture, err)
		}
		movable := movableFiles(t, orig, base.Warnings)
		if len(movable) == 0 {
			t.Fatalf("%s: no file to move", fixture)
		}
		for range 6 {
			file := movable[rng.IntN(len(movable))]
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(orig)); err != nil {
				t.Fatal(err)
			}
			pkg, _, _ := strings.Cut(file, "/")
			to := filepath.Join(dir, pkg, "moved", string(rune('a'+rng.IntN(26))), filepath.Base(file))
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(dir, file), to); err != nil {
				t.Fatal(err)
			}
			out, err := svc.Compare(context.Background(), CompareRequest{Source: dir, Target: orig})
			if err != nil {
				t.Fatalf("%s with %s moved: %v", fixture, file, err)
			}
			if out.Result.Counts[model.Same] != len(out.Result.Entries) || len(out.Result.Entries) != len(base.Result.Entries) {
				t.Errorf("%s with %s moved to %s: counts %v over %d components, want all %d same", fixture, file, to, out.Result.Counts, len(out.Result.Entries), len(base.Result.Entries))
			}
			if len(out.Warnings) != len(base.Warnings) {
				t.Errorf("%s with %s moved: %d warnings, want %d: %v", fixture, file, len(out.Warnings), len(base.Warnings), out.Warnings)
			}
		}
	}
}

// movableFiles lists the files (relative to the project) whose type is
// resolved by suffix alone: not under the directory of a type with a
// fixed layout or of an in-folder type, and not one of two duplicates,
// whose order decides which is kept.
func movableFiles(t *testing.T, project string, warnings []metadata.Warning) []string {
	t.Helper()
	fixed := map[string]bool{}
	for _, ty := range metadata.Types() {
		if ty.StrictDirectory || ty.InFolder || ty.FolderContentType != "" {
			fixed[ty.Directory] = true
		}
	}
	var dups []string
	for _, w := range warnings {
		dups = append(dups, w.Path, w.Kept)
	}
	var out []string
	err := filepath.WalkDir(project, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(project, p)
		rel = filepath.ToSlash(rel)
		segs := strings.Split(rel, "/")
		if len(segs) < 2 || strings.HasPrefix(d.Name(), ".") || d.Name() == "sfdx-project.json" {
			return nil
		}
		for _, s := range segs[:len(segs)-1] {
			if fixed[s] {
				return nil
			}
		}
		for _, dup := range dups {
			if strings.HasSuffix(dup, rel) {
				return nil
			}
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
