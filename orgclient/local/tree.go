package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"relman/model/metadata"
)

// treeFS is the view of one package directory (or Metadata API folder)
// that model/metadata reads: the folder minus the package directories
// nested in it (they are read on their own) and minus what .forceignore
// excludes. It stops the walk when ctx is done.
type treeFS struct {
	fs.FS
	dir    string // absolute, the folder FS shows
	ctx    context.Context
	prefix string          // the folder relative to the org directory, for .forceignore
	nested map[string]bool // nested package directories, relative to the folder
	ignore *forceIgnore
	// skipped collects the entries that are neither folders nor regular
	// files (symbolic links, FIFOs, devices, sockets): like git, relman
	// never follows a link out of the org nor blocks on a FIFO.
	skipped *[]metadata.Warning
}

// Open opens a file for reading through openRaw (folders are listed
// through ReadDir).
func (t treeFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return openRaw(filepath.Join(t.dir, filepath.FromSlash(name)), name)
}

// ReadDir lists a folder without the hidden entries; fs.WalkDir uses it,
// so hidden folders are never entered.
func (t treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, err
	}
	entries, ok, err := readDirRaw(filepath.Join(t.dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	if !ok {
		if entries, err = fs.ReadDir(t.FS, name); err != nil {
			return nil, err
		}
	}
	kept := entries[:0]
	for _, e := range entries {
		p := path.Join(name, e.Name())
		if t.nested[p] || t.ignore.match(path.Join(t.prefix, p), e.IsDir()) {
			continue
		}
		if !e.IsDir() && !e.Type().IsRegular() {
			if t.skipped != nil && !strings.HasPrefix(e.Name(), ".") {
				*t.skipped = append(*t.skipped, metadata.Warning{Path: path.Join(t.prefix, p), Problem: skippedWhy(e.Type())})
			}
			continue
		}
		kept = append(kept, e)
	}
	return kept, nil
}

// located is a component read from the org and the source root it lives
// in (relative to the org directory): the folder its files sit in
// conventionally (root/classes/Foo.cls), or the Metadata API folder. Root
// is empty for a component whose files all sit elsewhere (a class in
// force-app/tests/); its files' Origins say where.
type located struct {
	item metadata.Item
	root string
}

// snapshot is everything read from the org at one moment.
type snapshot struct {
	packages []PackageDir // sfdx-project and source-dir
	items    []located    // sorted by component
	byComp   map[metadata.Component]int
	warnings []metadata.Warning // each naming its file from the org directory
}

// read lists the components of the org: each package directory in the
// order sfdx-project.json lists them, as the Salesforce CLI reads them. A
// component found in several package directories is merged (a decomposed
// object's children joined, an object translation's files joined); a file
// found twice keeps the first, with a warning naming both.
func (o *Org) read(ctx context.Context) (*snapshot, error) {
	s := &snapshot{byComp: map[metadata.Component]int{}}
	if o.layout == LayoutMDAPI {
		items, err := metadata.ReadMDAPITree(treeFS{FS: os.DirFS(o.abs(o.mdapiDir)), dir: o.abs(o.mdapiDir), ctx: ctx, prefix: o.mdapiDir, skipped: &s.warnings})
		if err := s.add(o.mdapiDir, items, err); err != nil {
			return nil, o.readError(ctx, o.mdapiDir, err)
		}
		for i := range s.items {
			s.items[i].root = o.mdapiDir
		}
		return s, nil
	}
	pkgs, err := o.currentPackages()
	if err != nil {
		return nil, err
	}
	s.packages = pkgs
	var dirs []string
	for _, p := range pkgs {
		dirs = append(dirs, p.Path)
	}
	for _, dir := range dirs {
		view := treeFS{FS: os.DirFS(o.abs(dir)), dir: o.abs(dir), ctx: ctx, prefix: dir, nested: nestedIn(dir, dirs), ignore: o.ignore, skipped: &s.warnings}
		items, err := metadata.ReadSourceTree(view)
		if err := s.add(dir, items, err); err != nil {
			return nil, o.readError(ctx, dir, err)
		}
	}
	for i := range s.items {
		s.items[i].root = conventionalRoot(s.items[i].item)
	}
	if len(dirs) > 1 { // each package directory's items come sorted
		slices.SortFunc(s.items, func(a, b located) int { return a.item.Component.Compare(b.item.Component) })
	}
	for i, l := range s.items {
		s.byComp[l.item.Component] = i
	}
	return s, nil
}

// add takes in what model/metadata read from dir, naming files from the
// org directory.
func (s *snapshot) add(dir string, items []metadata.Item, err error) error {
	var ue *metadata.UnresolvedError
	if errors.As(err, &ue) {
		for _, w := range ue.Warnings {
			s.warnings = append(s.warnings, w.Prefixed(dir))
		}
	} else if err != nil {
		return err
	}
	s.items = slices.Grow(s.items, len(items))
	for _, it := range items {
		if dir != "." {
			for i := range it.Files {
				if it.Files[i].Origin != "" {
					it.Files[i].Origin = dir + "/" + it.Files[i].Origin
				}
			}
		}
		i, seen := s.byComp[it.Component]
		if !seen {
			s.byComp[it.Component] = len(s.items)
			s.items = append(s.items, located{item: it})
			continue
		}
		merged, ws := metadata.MergeItem(s.items[i].item, it)
		s.items[i].item = merged
		s.warnings = append(s.warnings, ws...)
	}
	return nil
}

// conventionalRoot returns the folder the item's files sit in
// conventionally — the Origin of a file minus its canonical Path — or ""
// when none does. A fragment counts when its file sits in the canonical
// folder under another name (a label in labels/Config.labels-meta.xml).
func conventionalRoot(it metadata.Item) string {
	for _, f := range it.Files {
		origin, canon := f.Origin, f.Path
		if f.Fragment {
			origin, canon = path.Dir(origin), path.Dir(canon)
		}
		if root, ok := strings.CutSuffix(origin, "/"+canon); ok {
			return root
		}
		if origin == canon {
			return "."
		}
	}
	return ""
}

func (o *Org) readError(ctx context.Context, root string, err error) error {
	if err := o.checkContext(ctx); err != nil {
		return err
	}
	return fmt.Errorf("local org %s: reading %s: %w", o.dir, root, err)
}

// warningsError returns the warnings as one *metadata.UnresolvedError, or
// nil.
func (s *snapshot) warningsError() error {
	if len(s.warnings) == 0 {
		return nil
	}
	return &metadata.UnresolvedError{Warnings: s.warnings}
}

// nestedIn returns the folders of dirs inside dir, relative to dir.
func nestedIn(dir string, dirs []string) map[string]bool {
	var out map[string]bool
	for _, r := range dirs {
		rel, ok := strings.CutPrefix(r, dir+"/")
		if dir == "." && r != "." {
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

// skippedWhy says why an entry that is no folder nor regular file was
// left out.
func skippedWhy(mode fs.FileMode) string {
	if mode&fs.ModeSymlink != 0 {
		return "a symbolic link: skipped, as relman never follows links (they could lead out of the org)"
	}
	return "not a regular file (a FIFO, device or socket): skipped without reading it"
}
