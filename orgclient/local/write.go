package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"relman/model/metadata"
)

// Write deploys items into the directory, in the org's own format. A
// component the org already holds is replaced where it lives, in whichever
// package directory; a new one goes beside its family (a field beside its
// object, a label into the labels file), else into the default package
// directory (<pkg>/main/default by convention). In a Metadata API folder
// the affected files are rewritten in that format and package.xml lists
// the new components.
//
// Every item is checked and read before the directory changes, so a bad
// item or an unreadable file leaves the org untouched.
func (o *Org) Write(ctx context.Context, items []metadata.Item) error {
	if len(items) == 0 {
		return nil
	}
	put, err := prepare(items)
	if err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	s, err := o.read(ctx, nil)
	if err != nil {
		return err
	}
	if o.layout == LayoutMDAPI {
		return o.applyMDAPI(ctx, s, put, nil)
	}
	return o.writeSource(ctx, s, put)
}

// Delete removes components from the directory, as destructive changes
// would from an org: deleting a parent (an object, the labels file, a
// workflow) deletes its children with it, and components the org does not
// hold are skipped. Custom labels and other children sharing a file are cut
// out of that file; folders left empty are removed.
func (o *Org) Delete(ctx context.Context, cs []metadata.Component) error {
	for _, c := range cs {
		if err := metadata.Validate(c); err != nil {
			return fmt.Errorf("local org %s: delete: %w", o.dir, err)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	s, err := o.read(ctx, nil)
	if err != nil {
		return err
	}
	targets := s.deletion(cs)
	if len(targets) == 0 {
		return nil
	}
	if o.layout == LayoutMDAPI {
		return o.applyMDAPI(ctx, s, nil, targets)
	}
	return o.deleteSource(ctx, s, targets)
}

// prepare checks items and reads their content into memory: every file is
// read before anything is written, and an item read lazily from this very
// directory cannot lose its content to the write itself.
func prepare(items []metadata.Item) ([]metadata.Item, error) {
	seen := map[metadata.Component]bool{}
	out := make([]metadata.Item, len(items))
	for i, it := range items {
		c := it.Component
		if err := metadata.Validate(c); err != nil {
			return nil, fmt.Errorf("write: %w", err)
		}
		if seen[c] {
			return nil, fmt.Errorf("write: %s is given twice; pass each component once", c)
		}
		seen[c] = true
		if len(it.Files) == 0 {
			return nil, fmt.Errorf("write: %s has no files", c)
		}
		files := make([]metadata.File, len(it.Files))
		for j, f := range it.Files {
			if f.Open == nil {
				return nil, fmt.Errorf("write %s: file %s has no content (File.Open is nil)", c, f.Path)
			}
			if err := checkPath(c, f); err != nil {
				return nil, fmt.Errorf("write %s: %w", c, err)
			}
			data, err := metadata.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("write %s: %w", c, err)
			}
			files[j] = memFile(f.Path, f.Fragment, data)
		}
		out[i] = metadata.Item{Component: c, Files: files}
	}
	return out, nil
}

// checkPath makes sure a file belongs to its item's component, so that a
// wrong item cannot overwrite another component's file.
func checkPath(c metadata.Component, f metadata.File) error {
	got, err := metadata.ResolvePath(f.Path)
	switch {
	case err != nil && c.Type == "Document" && strings.HasSuffix(f.Path, ".document-meta.xml"):
		return nil // a Document's meta file resolves only together with its content file
	case err != nil:
		return err
	case got == c, f.Fragment && got == familyOf(c):
		return nil
	}
	return fmt.Errorf("file %s belongs to %s; an item carries only its own component's files", f.Path, got)
}

func memFile(p string, fragment bool, data []byte) metadata.File {
	return metadata.File{Path: p, Fragment: fragment, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// familyOf returns the component whose file in the Metadata API format
// holds c: the parent for a child (CustomObject:Account for
// CustomField:Account.Region__c, CustomLabels:CustomLabels for a label),
// else c itself.
func familyOf(c metadata.Component) metadata.Component {
	t, ok := metadata.LookupType(c.Type)
	if !ok || t.Parent == "" {
		return c
	}
	if t.Parent == "CustomLabels" { // label names are global: Greeting, not CustomLabels.Greeting
		return metadata.Component{Type: t.Parent, FullName: t.Parent}
	}
	parent, _, _ := strings.Cut(c.FullName, ".")
	return metadata.Component{Type: t.Parent, FullName: parent}
}

// deletion returns what deleting cs removes from the org: the components of
// cs it holds and, for a parent, every component of its family.
func (s *snapshot) deletion(cs []metadata.Component) map[metadata.Component]bool {
	out := map[metadata.Component]bool{}
	parents := map[metadata.Component]bool{}
	for _, c := range cs {
		if _, ok := s.byComp[c]; ok {
			out[c] = true
		}
		if t, ok := metadata.LookupType(c.Type); ok && len(t.Children) > 0 {
			parents[c] = true
		}
	}
	if len(parents) > 0 {
		for _, l := range s.items {
			if parents[familyOf(l.item.Component)] {
				out[l.item.Component] = true
			}
		}
	}
	return out
}

// writeSource writes items into the source roots they belong in.
func (o *Org) writeSource(ctx context.Context, s *snapshot, put []metadata.Item) error {
	def := defaultRoot(s.packages)
	familyRoots := map[metadata.Component][]string{}
	for _, l := range s.items {
		f := familyOf(l.item.Component)
		if !slices.Contains(familyRoots[f], l.root) {
			familyRoots[f] = append(familyRoots[f], l.root)
		}
	}
	byRoot := map[string][]metadata.Item{}
	for _, it := range put {
		root := def
		if l, ok := s.byComp[it.Component]; ok {
			root = l.root
		} else if roots := familyRoots[familyOf(it.Component)]; len(roots) > 0 && !slices.Contains(roots, def) {
			root = roots[0]
		}
		byRoot[root] = append(byRoot[root], it)
	}
	for _, root := range sortedKeys(byRoot) {
		if err := o.checkContext(ctx); err != nil {
			return err
		}
		// A replaced component may have had files the new version lacks
		// (a static resource that was a .css and is now a .js); they go,
		// or the directory would hold two versions.
		var stale []string
		for _, it := range byRoot[root] {
			old, ok := s.byComp[it.Component]
			if !ok {
				continue
			}
			for _, f := range old.item.Files {
				if !f.Fragment && !hasFile(it, f.Path) {
					stale = append(stale, f.Path)
				}
			}
		}
		if err := removeFiles(o.abs(root), stale); err != nil {
			return fmt.Errorf("local org %s: %w", o.dir, err)
		}
		if err := metadata.WriteSourceItems(o.abs(root), byRoot[root]); err != nil {
			return fmt.Errorf("local org %s: writing into %s: %w", o.dir, root, err)
		}
	}
	return nil
}

// deleteSource removes the targets' files; files shared with components
// that stay are rewritten without the targets.
func (o *Org) deleteSource(ctx context.Context, s *snapshot, targets map[metadata.Component]bool) error {
	remove := map[string][]string{}        // root → files to remove
	shared := map[string]map[string]bool{} // root → shared files to rewrite
	for _, l := range s.items {
		if !targets[l.item.Component] {
			continue
		}
		for _, f := range l.item.Files {
			if !f.Fragment {
				remove[l.root] = append(remove[l.root], f.Path)
				continue
			}
			if shared[l.root] == nil {
				shared[l.root] = map[string]bool{}
			}
			shared[l.root][f.Path] = true
		}
	}
	// What stays in each shared file.
	keep := map[string][]metadata.Item{}
	for _, l := range s.items {
		if targets[l.item.Component] {
			continue
		}
		for _, f := range l.item.Files {
			if f.Fragment && shared[l.root][f.Path] {
				keep[l.root] = append(keep[l.root], l.item)
				break
			}
		}
	}
	for _, root := range sortedKeys(shared) {
		emptied, err := rewriteShared(o.abs(root), shared[root], keep[root])
		if err != nil {
			return fmt.Errorf("local org %s: rewriting shared files in %s: %w", o.dir, root, err)
		}
		remove[root] = append(remove[root], emptied...)
	}
	for _, root := range sortedKeys(remove) {
		if err := o.checkContext(ctx); err != nil {
			return err
		}
		if err := removeFiles(o.abs(root), remove[root]); err != nil {
			return fmt.Errorf("local org %s: %w", o.dir, err)
		}
	}
	return nil
}

// rewriteShared replaces the shared files (slash paths relative to dir)
// with versions holding only keep's fragments. The new files are built in
// a scratch folder beside them and renamed into place, so a failure leaves
// the old ones whole. It returns the files no fragment stays in: the
// caller removes them.
func rewriteShared(dir string, files map[string]bool, keep []metadata.Item) ([]string, error) {
	scratch, err := os.MkdirTemp(dir, ".relman-*") // a dot-folder: readers skip it
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	if err := metadata.WriteSourceItems(scratch, keep); err != nil {
		return nil, err
	}
	var emptied []string
	for _, p := range sortedKeys(files) {
		err := os.Rename(filepath.Join(scratch, filepath.FromSlash(p)), filepath.Join(dir, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			emptied = append(emptied, p)
		case err != nil:
			return nil, err
		}
	}
	return emptied, nil
}

// removeFiles deletes files (slash paths relative to dir) and then the
// folders they leave empty, deepest first, but never a type directory
// itself (classes/, objects/), so that a source root stays one.
func removeFiles(dir string, files []string) error {
	folders := map[string]bool{}
	for _, p := range files {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for d := path.Dir(p); strings.Contains(d, "/"); d = path.Dir(d) {
			folders[d] = true
		}
	}
	list := make([]string, 0, len(folders))
	for d := range folders {
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool { return strings.Count(list[i], "/") > strings.Count(list[j], "/") })
	for _, d := range list {
		full := filepath.Join(dir, filepath.FromSlash(d))
		if entries, err := os.ReadDir(full); err == nil && len(entries) == 0 {
			if err := os.Remove(full); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFile writes data to the slash path p under dir through a temporary
// file, so a failure never leaves a half-written file.
func writeFile(dir, p string, data []byte) error {
	full := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".relman-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), full)
}

func hasFile(it metadata.Item, p string) bool {
	for _, f := range it.Files {
		if f.Path == p {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
