package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"relman/model/metadata"
)

// treeFS is the view of one source root (or Metadata API folder) that
// model/metadata reads: the folder minus the source roots nested in it
// (they are read on their own), minus what .forceignore excludes and, for a
// filtered read, minus the type directories the filter cannot match. It
// stops the walk when ctx is done.
type treeFS struct {
	fs.FS
	ctx    context.Context
	prefix string          // the folder relative to the org directory, for .forceignore
	nested map[string]bool // nested roots, relative to the folder
	ignore *forceIgnore
	dirs   map[string]bool // when set, the only top-level folders shown
}

// ReadDir lists a folder without the hidden entries; fs.WalkDir uses it,
// so hidden folders are never entered.
func (t treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(t.FS, name)
	if err != nil {
		return nil, err
	}
	kept := entries[:0]
	for _, e := range entries {
		p := path.Join(name, e.Name())
		if t.nested[p] || t.ignore.match(path.Join(t.prefix, p), e.IsDir()) {
			continue
		}
		if name == "." && e.IsDir() && t.dirs != nil && !t.dirs[e.Name()] {
			continue
		}
		kept = append(kept, e)
	}
	return kept, nil
}

// located is a component read from the org and the folder it lives in
// (relative to the org directory): a source root, or the Metadata API
// folder.
type located struct {
	item metadata.Item
	root string
}

// snapshot is everything read from the org at one moment.
type snapshot struct {
	packages   []PackageDir // sfdx-project and source-dir
	items      []located    // sorted by component
	byComp     map[metadata.Component]located
	unresolved []error // files that are not metadata relman knows, each naming its file
}

// read lists the components of the org, only from the type directories
// dirs when it is not nil. Files that resolve to no component are collected
// in unresolved rather than failing the read, as model/metadata reports
// them.
func (o *Org) read(ctx context.Context, dirs map[string]bool) (*snapshot, error) {
	s := &snapshot{byComp: map[metadata.Component]located{}}
	if o.layout == LayoutMDAPI {
		items, err := metadata.ReadMDAPITree(treeFS{FS: os.DirFS(o.abs(o.mdapiDir)), ctx: ctx, dirs: dirs})
		if err := s.add(o.mdapiDir, items, err); err != nil {
			return nil, o.readError(ctx, o.mdapiDir, err)
		}
		return s, nil
	}
	pkgs, err := o.currentPackages()
	if err != nil {
		return nil, err
	}
	s.packages = pkgs
	var roots []string
	for _, p := range pkgs {
		roots = append(roots, p.Roots...)
	}
	for _, root := range roots {
		view := treeFS{FS: os.DirFS(o.abs(root)), ctx: ctx, prefix: root, nested: nestedIn(root, roots), ignore: o.ignore, dirs: dirs}
		items, err := metadata.ReadSourceTree(view)
		if err := s.add(root, items, err); err != nil {
			return nil, o.readError(ctx, root, err)
		}
	}
	sort.Slice(s.items, func(i, j int) bool { return s.items[i].item.Component.Less(s.items[j].item.Component) })
	return s, nil
}

// add takes in what model/metadata read from root. A component found in two
// roots is an error: the Salesforce CLI refuses to deploy such a project,
// and relman could not tell which copy to compare.
func (s *snapshot) add(root string, items []metadata.Item, err error) error {
	var ue *metadata.UnresolvedError
	if errors.As(err, &ue) {
		for _, e := range ue.Errs {
			if root != "." { // name the file from the org directory
				e = fmt.Errorf("%s: %w", root, e)
			}
			s.unresolved = append(s.unresolved, e)
		}
	} else if err != nil {
		return err
	}
	for _, it := range items {
		if prev, dup := s.byComp[it.Component]; dup {
			return fmt.Errorf("%s is in both %s and %s; keep one copy", it.Component, prev.root, root)
		}
		l := located{item: it, root: root}
		s.byComp[it.Component] = l
		s.items = append(s.items, l)
	}
	return nil
}

func (o *Org) readError(ctx context.Context, root string, err error) error {
	if err := o.checkContext(ctx); err != nil {
		return err
	}
	return fmt.Errorf("local org %s: reading %s: %w", o.dir, root, err)
}

// unresolvedError returns the files that are not metadata relman knows as
// one *metadata.UnresolvedError, or nil.
func (s *snapshot) unresolvedError() error {
	if len(s.unresolved) == 0 {
		return nil
	}
	return &metadata.UnresolvedError{Errs: s.unresolved}
}

// nestedIn returns the roots inside root, relative to root.
func nestedIn(root string, roots []string) map[string]bool {
	var out map[string]bool
	for _, r := range roots {
		rel, ok := strings.CutPrefix(r, root+"/")
		if root == "." && r != "." {
			rel, ok = r, true
		}
		if ok {
			if out == nil {
				out = map[string]bool{}
			}
			out[rel] = true
		}
	}
	return out
}
