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
	s, err := o.read(ctx)
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
	s, err := o.read(ctx)
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
			if err := metadata.FileBelongs(c, f.Path, f.Fragment); err != nil {
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

func memFile(p string, fragment bool, data []byte) metadata.File {
	return metadata.File{Path: p, Fragment: fragment, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// familyOf returns the component whose Metadata API file holds c.
func familyOf(c metadata.Component) metadata.Component { return metadata.Family(c) }

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

// writeSource writes items into the source roots they belong in. A
// replaced component is written where its files sit conventionally; files
// of its old version that the new one does not put back in the same place
// (a class in force-app/tests/, a Metadata API-format file) go, unless
// another component still reads them.
func (o *Org) writeSource(ctx context.Context, s *snapshot, put []metadata.Item) error {
	def := defaultRoot(s.packages)
	familyRoots := map[metadata.Component][]string{}
	for _, l := range s.items {
		f := familyOf(l.item.Component)
		if l.root != "" && !slices.Contains(familyRoots[f], l.root) {
			familyRoots[f] = append(familyRoots[f], l.root)
		}
	}
	replaced := map[metadata.Component]bool{}
	byRoot := map[string][]metadata.Item{}
	for _, it := range put {
		root := def
		if i, ok := s.byComp[it.Component]; ok && s.items[i].root != "" {
			root = s.items[i].root
		} else if roots := familyRoots[familyOf(it.Component)]; len(roots) > 0 && !slices.Contains(roots, def) {
			root = roots[0]
		}
		if i, ok := s.byComp[it.Component]; ok {
			it = inPlaceOfFragments(it, s.items[i].item, root)
		}
		byRoot[root] = append(byRoot[root], it)
		replaced[it.Component] = true
	}
	readers := s.readersOf()
	for _, root := range sortedKeys(byRoot) {
		if err := o.checkContext(ctx); err != nil {
			return err
		}
		// A replaced component may have had files the new version lacks
		// (a static resource that was a .css and is now a .js); they go,
		// or the directory would hold two versions.
		var stale []string
		for _, it := range byRoot[root] {
			i, ok := s.byComp[it.Component]
			if !ok {
				continue
			}
			for _, f := range s.items[i].item.Files {
				rewritten := hasFile(it, f.Path) && f.Origin == path.Join(root, f.Path)
				if !f.Fragment && f.Origin != "" && !rewritten && onlyReadBy(readers[f.Origin], replaced) {
					stale = append(stale, f.Origin)
				}
			}
		}
		if err := o.removeOrigins(s, stale); err != nil {
			return fmt.Errorf("local org %s: %w", o.dir, err)
		}
		if err := metadata.WriteSourceItems(o.abs(root), byRoot[root]); err != nil {
			return fmt.Errorf("local org %s: writing into %s: %w", o.dir, root, err)
		}
	}
	return nil
}

// inPlaceOfFragments points the new item's fragments at the shared files
// the old version was read from, so that a label kept in
// labels/Config.labels-meta.xml is written back there rather than into
// labels/CustomLabels.labels-meta.xml beside it.
func inPlaceOfFragments(it, old metadata.Item, root string) metadata.Item {
	files := slices.Clone(it.Files)
	for i, f := range files {
		for _, o := range old.Files {
			if !f.Fragment || !o.Fragment || o.Path != f.Path {
				continue
			}
			if rel, ok := strings.CutPrefix(o.Origin, root+"/"); ok || root == "." {
				if root == "." {
					rel = o.Origin
				}
				files[i].Path = rel
			}
		}
	}
	return metadata.Item{Component: it.Component, Files: files}
}

// readersOf maps each file read (by Origin) to the components read from it.
func (s *snapshot) readersOf() map[string][]metadata.Component {
	out := map[string][]metadata.Component{}
	for _, l := range s.items {
		for _, f := range l.item.Files {
			if f.Origin != "" && !slices.Contains(out[f.Origin], l.item.Component) {
				out[f.Origin] = append(out[f.Origin], l.item.Component)
			}
		}
	}
	return out
}

func onlyReadBy(readers []metadata.Component, set map[metadata.Component]bool) bool {
	for _, c := range readers {
		if !set[c] {
			return false
		}
	}
	return true
}

// removeOrigins removes files named from the org directory, and the
// folders they leave empty inside their source root (or, for a file in no
// root, inside its package directory).
func (o *Org) removeOrigins(s *snapshot, origins []string) error {
	var roots []string
	for _, l := range s.items {
		if l.root != "" && !slices.Contains(roots, l.root) {
			roots = append(roots, l.root)
		}
	}
	for _, p := range s.packages {
		roots = append(roots, p.Roots...)
	}
	byRoot := map[string][]string{}
	for _, p := range origins {
		root, rel := o.baseOf(p, roots)
		byRoot[root] = append(byRoot[root], rel)
	}
	for _, root := range sortedKeys(byRoot) {
		if err := removeFiles(o.abs(root), byRoot[root]); err != nil {
			return err
		}
	}
	return nil
}

// baseOf splits a path relative to the org directory into the deepest of
// roots or package directories holding it (or "." when none does) and
// the rest.
func (o *Org) baseOf(p string, roots []string) (string, string) {
	best := "."
	for _, pd := range o.packages {
		roots = append(roots, pd.Path)
	}
	for _, r := range roots {
		if r != "." && strings.HasPrefix(p, r+"/") && len(r) > len(best) {
			best = r
		}
	}
	if best == "." {
		return ".", p
	}
	return best, strings.TrimPrefix(p, best+"/")
}

// deleteSource removes the targets' files; files shared with components
// that stay are rewritten without the targets.
func (o *Org) deleteSource(ctx context.Context, s *snapshot, targets map[metadata.Component]bool) error {
	readers := s.readersOf()
	var remove []string
	shared := map[string]string{} // origin → canonical path of shared files to rewrite
	for _, l := range s.items {
		if !targets[l.item.Component] {
			continue
		}
		for _, f := range l.item.Files {
			switch {
			case f.Origin == "":
			case !f.Fragment && onlyReadBy(readers[f.Origin], targets):
				remove = append(remove, f.Origin)
			case f.Fragment:
				shared[f.Origin] = f.Path
			}
		}
	}
	// What stays in each shared file.
	keep := map[string][]metadata.Item{}
	for _, l := range s.items {
		if targets[l.item.Component] {
			continue
		}
		for _, f := range l.item.Files {
			if _, ok := shared[f.Origin]; ok && f.Fragment {
				keep[f.Origin] = append(keep[f.Origin], metadata.Item{Component: l.item.Component, Files: []metadata.File{f}})
			}
		}
	}
	for _, origin := range sortedKeys(shared) {
		emptied, err := o.rewriteShared(origin, shared[origin], keep[origin])
		if err != nil {
			return fmt.Errorf("local org %s: rewriting %s: %w", o.dir, origin, err)
		}
		if emptied {
			remove = append(remove, origin)
		}
	}
	if err := o.checkContext(ctx); err != nil {
		return err
	}
	if err := o.removeOrigins(s, remove); err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	return nil
}

// rewriteShared replaces the shared file at origin (whose canonical path
// is canon) with a version holding only keep's fragments. The new file is
// built in a scratch folder beside it and renamed into place, so a failure
// leaves the old one whole. It reports whether no fragment stays: the
// caller removes the file.
func (o *Org) rewriteShared(origin, canon string, keep []metadata.Item) (bool, error) {
	if len(keep) == 0 {
		return true, nil
	}
	scratch, err := os.MkdirTemp(filepath.Dir(o.abs(origin)), ".relman-*") // a dot-folder: readers skip it
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(scratch)
	if err := metadata.WriteSourceItems(scratch, keep); err != nil {
		return false, err
	}
	return false, os.Rename(filepath.Join(scratch, filepath.FromSlash(canon)), o.abs(origin))
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

// writeFile writes data to the slash path p under dir, through os.Root
// and a temporary file (metadata.WriteFileIn).
func writeFile(dir, p string, data []byte) error {
	return metadata.WriteFileIn(dir, p, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
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
