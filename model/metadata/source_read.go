package metadata

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// ReadSourceTree lists every component of a package directory, the way the
// Salesforce CLI (source-deploy-retrieve) resolves one: fsys is rooted at
// the package directory (or at any folder of source-format metadata, such
// as force-app/main/default). Items are sorted by component, their files by
// path.
//
// Files are resolved by what they are, not only by where they are (see
// placeFile): a class in force-app/tests/ is an ApexClass like one in
// classes/, types whose layout is fixed (objects, bundles, static
// resources, ...) are read inside their directory wherever that directory
// sits, and Metadata API-format files (Admin.profile, Account.object) are
// converted. Each File's Path is canonical (classes/FooTest.cls) and its
// Origin says where it was found.
//
// Files open lazily, except files shared by several components (labels,
// workflows, sharing rules, ...), which are read and split into one Item per
// child, and Metadata API-format files, which are converted in memory.
//
// Nothing stops the read but an unreadable folder: files that are no
// metadata (README.md, package.xml, tooling) are skipped as the CLI skips
// them; duplicates keep the first (in path order) and everything relman
// could not place is reported in an *UnresolvedError returned together with
// the items.
func ReadSourceTree(fsys fs.FS) ([]Item, error) {
	r := sourceReader{fsys: fsys, set: itemSet{}, mdapi: map[string]string{}}
	var shared, docMetas []placed
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading source tree at %s: %w", p, err)
		}
		if d.IsDir() {
			if p != "." && ignoredDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if ignoredFile(d.Name()) {
			return nil
		}
		pl := placeFile(p, r.rootIs)
		switch pl.kind {
		case kindSource, kindOpaque:
			r.add(pl.c, File{Path: pl.canon, Origin: p, Open: opener(fsys, p)})
		case kindShared:
			shared = append(shared, pl)
		case kindDocMeta:
			docMetas = append(docMetas, pl)
		case kindMDAPI:
			if prev, dup := r.mdapi[pl.canon]; dup {
				r.warn(Warning{Path: p, Problem: fmt.Sprintf("the same Metadata API file as %s; the first one is kept", prev)})
			} else {
				r.mdapi[pl.canon] = p
			}
		}
		if pl.problem != "" {
			r.warn(Warning{Path: p, Problem: pl.problem, Incomplete: pl.incomplete, Name: pl.name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, pl := range shared {
		r.addShared(pl)
	}
	r.convertMDAPI()
	r.pairDocumentMetas(docMetas)
	return r.set.sorted(), warningsOf(r.warnings)
}

// sourceReader collects the items and warnings of one ReadSourceTree.
type sourceReader struct {
	fsys     fs.FS
	set      itemSet
	mdapi    map[string]string // canonical Metadata API path → path read
	warnings []Warning
}

func (r *sourceReader) warn(w Warning) { r.warnings = append(r.warnings, w) }

func (r *sourceReader) add(c Component, f File) {
	if w := r.set.addUnique(c, f); w != nil {
		r.warn(*w)
	}
}

func opener(fsys fs.FS, name string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return fsys.Open(name) }
}

// rootIs reports whether the file at p is an XML document whose root
// element is the type's name: how the CLI tells a Metadata API-format file
// (Admin.profile) from a file that only shares a suffix (README.md).
func (r *sourceReader) rootIs(p string, t *Type) bool {
	f, err := r.fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	for {
		i := bytes.IndexByte(head, '<')
		if i < 0 || i+1 >= len(head) {
			return false
		}
		head = head[i+1:]
		if head[0] == '?' || head[0] == '!' {
			continue
		}
		return bytes.HasPrefix(head, []byte(t.Name)) && len(head) > len(t.Name) && strings.IndexByte(" \t\r\n>/", head[len(t.Name)]) >= 0
	}
}

// addShared splits a shared source file (labels, workflow, ...) into its
// children's items, plus the parent's when it has content of its own.
// Labels may be spread over any number of *.labels-meta.xml files; the
// Metadata API has one, CustomLabels, so every label is read as from that
// one file, whichever file holds it, and compares equal to the same label
// retrieved from an org.
func (r *sourceReader) addShared(pl placed) {
	if pl.c.Type == "CustomLabels" {
		pl.c.FullName = allLabels
		pl.canon = "labels/" + allLabels + ".labels" + metaXML
	}
	data, err := readXMLFile(r.fsys, pl.origin)
	if err == nil {
		var root *node
		var kids []childElem
		if root, kids, err = splitChildren(pl.canon, data, typesByName[pl.c.Type]); err == nil {
			for _, k := range kids {
				c := Component{Type: k.t.Name, FullName: childFullName(pl.c, k)}
				r.add(c, File{Path: pl.canon, Fragment: true, Origin: pl.origin, Open: memOpen(fragment(k.el))})
			}
			if hasOwnContent(root) {
				r.add(pl.c, File{Path: pl.canon, Fragment: true, Origin: pl.origin, Open: memOpen(document(root))})
			}
			return
		}
	}
	r.warn(Warning{Path: pl.origin, Problem: fmt.Sprintf("not read: %v", unprefixed(err, pl.canon)), Incomplete: pl.c.Type})
}

// convertMDAPI converts the Metadata API-format files found in the tree,
// as ReadMDAPITree converts a Metadata API folder.
func (r *sourceReader) convertMDAPI() {
	if len(r.mdapi) == 0 {
		return
	}
	canons := make([]string, 0, len(r.mdapi))
	for c := range r.mdapi {
		canons = append(canons, c)
	}
	sort.Strings(canons)
	var order []Component
	groups := map[Component][]mdapiFile{}
	for _, canon := range canons {
		f, err := resolveMDAPIPath(canon)
		if err != nil { // placeFile resolved it already
			continue
		}
		if _, ok := groups[f.c]; !ok {
			order = append(order, f.c)
		}
		groups[f.c] = append(groups[f.c], f)
	}
	view := renamedFS{fsys: r.fsys, names: r.mdapi}
	for _, c := range order {
		origin := r.mdapi[groups[c][0].path]
		converted := itemSet{}
		if err := convertToSource(converted, view, groups[c], listedSet{}); err != nil {
			r.warn(Warning{Path: origin, Problem: fmt.Sprintf("not read: %v", unprefixed(err, groups[c][0].path)), Incomplete: c.Type})
			continue
		}
		for _, it := range converted.sorted() {
			for _, f := range it.Files {
				if f.Origin == "" {
					f.Origin = origin
				}
				r.add(it.Component, f)
			}
		}
	}
}

// renamedFS shows files of fsys under other names: the canonical Metadata
// API paths of files found anywhere in a package directory.
type renamedFS struct {
	fsys  fs.FS
	names map[string]string // shown name → name in fsys
}

func (v renamedFS) Open(name string) (fs.File, error) {
	real, ok := v.names[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return v.fsys.Open(real)
}

// pairDocumentMetas attaches each Document's X.document-meta.xml to the item
// of its content file X.<ext> in the same folder.
func (r *sourceReader) pairDocumentMetas(metas []placed) {
	if len(metas) == 0 {
		return
	}
	byStem := map[string]Component{}
	for c := range r.set {
		if c.Type == "Document" {
			stem := strings.TrimSuffix(c.FullName, path.Ext(c.FullName))
			byStem[stem] = c
		}
	}
	for _, pl := range metas {
		stem := strings.TrimSuffix(strings.TrimPrefix(pl.canon, "documents/"), ".document"+metaXML)
		c, ok := byStem[stem]
		if !ok {
			r.warn(Warning{Path: pl.origin, Problem: fmt.Sprintf("no content file beside this Document meta file (expected %s.<ext>); left out", path.Base(stem)), Incomplete: "Document"})
			continue
		}
		r.add(c, File{Path: pl.canon, Origin: pl.origin, Open: opener(r.fsys, pl.origin)})
	}
}

// unprefixed drops the "path: " an error message starts with, since the
// warning names the file already.
func unprefixed(err error, p string) string {
	return strings.TrimPrefix(err.Error(), p+": ")
}

func memOpen(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

// ignoredDir and ignoredFile mirror the Salesforce CLI's default .forceignore.
func ignoredDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "__tests__" || name == "__mocks__" || name == "node_modules"
}

func ignoredFile(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".dup") || name == "jsconfig.json" || name == "tsconfig.json" ||
		name == "package2-descriptor.json" || name == "package2-manifest.json"
}

// childFullName is the component name of a child: Parent.Child, except for
// custom labels, whose names are global.
func childFullName(parent Component, k childElem) string {
	if k.t.Parent == "CustomLabels" {
		return k.name
	}
	return parent.FullName + "." + k.name
}
