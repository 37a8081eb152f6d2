package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"relman/model/metadata"
)

// A directory org reads like git would: a symbolic link (to a file or a
// folder outside the org) is skipped with a warning and never followed,
// and a FIFO named like a class is skipped without blocking.
func TestLinksAndFIFOsAreSkipped(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, merge(classFiles("", "Secret"), map[string]string{"loot/Stolen.cls": "public class Stolen {}",
		"loot/Stolen.cls-meta.xml": "<ApexClass/>"}))
	dir := copyOrg(t, "uat")
	classes := filepath.Join(dir, "force-app", "main", "default", "classes")
	for _, l := range []struct{ target, name string }{
		{filepath.Join(outside, "classes", "Secret.cls"), "Secret.cls"},
		{filepath.Join(outside, "classes", "Secret.cls-meta.xml"), "Secret.cls-meta.xml"},
		{filepath.Join(outside, "loot"), "loot"},
	} {
		if err := os.Symlink(l.target, filepath.Join(classes, l.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(classes, "Pipe.cls"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := mustOpen(t, dir)
	done := make(chan struct{})
	var items []metadata.Item
	var warnings []metadata.Warning
	var err error
	go func() {
		defer close(done)
		items, err = o.Items(context.Background(), Filter{})
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("reading an org holding a FIFO did not finish: it blocked on the FIFO")
	}
	var ue *metadata.UnresolvedError
	if !errors.As(err, &ue) {
		t.Fatalf("Items = %v, want the skipped entries as warnings", err)
	}
	warnings = ue.Warnings
	for _, it := range items {
		if n := it.Component.FullName; n == "Secret" || n == "Stolen" || n == "Pipe" {
			t.Errorf("%s was read through a link or a FIFO", it.Component)
		}
	}
	want := map[string]string{"Secret.cls": "symbolic link", "loot": "symbolic link", "Pipe.cls": "not a regular file"}
	for name, why := range want {
		found := false
		for _, w := range warnings {
			if strings.HasSuffix(w.Path, "/classes/"+name) && strings.Contains(w.Problem, why) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning says %s is %q: %+v", name, why, warnings)
		}
	}
}

// A deploy into a directory org whose classes/ folder is a link out of
// the org is refused: nothing is written outside.
func TestWriteThroughALinkedFolderIsRefused(t *testing.T) {
	outside := t.TempDir()
	dir := copyOrg(t, "production")
	classes := filepath.Join(dir, "force-app", "main", "default", "classes")
	if err := os.RemoveAll(classes); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, classes); err != nil {
		t.Fatal(err)
	}
	items := mustItems(t, mustOpen(t, orgDir("uat")), Filter{Components: []metadata.Component{comp("ApexClass:InvoiceService")}})
	err := mustOpen(t, dir).Write(context.Background(), items)
	if err == nil {
		t.Error("writing through a folder linked out of the org succeeded")
	}
	if files := listFiles(t, outside); len(files) != 0 {
		t.Errorf("files were written outside the org: %v", files)
	}
}
