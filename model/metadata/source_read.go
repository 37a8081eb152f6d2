package metadata

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// UnresolvedError lists files of a tree that are not metadata relman knows
// (an unsupported type, a misplaced file). The items returned alongside it are
// complete for every other file, so a caller may choose to go on without the
// listed files.
type UnresolvedError struct {
	Errs []error // one per file, each naming the file
}

// Error names the first few files and how many there are.
func (e *UnresolvedError) Error() string {
	const show = 3
	var b strings.Builder
	fmt.Fprintf(&b, "%d file(s) are not metadata relman can read:", len(e.Errs))
	for i, err := range e.Errs {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(e.Errs)-show)
			break
		}
		b.WriteString("\n  " + err.Error())
	}
	return b.String()
}

// ReadSourceTree lists every component of a source-format tree; fsys is rooted
// at a source root (the folder holding objects/, classes/, ...). Items are
// sorted by component, their files by path. Files are opened lazily, except
// files shared by several components (labels, workflows, sharing rules,
// assignment rules, ...), which are read and split into one Item per child
// (each with one Fragment file), plus an Item for the parent when it has
// content of its own.
//
// Tooling files are skipped: dot-files and dot-directories, __tests__ and
// __mocks__ folders, jsconfig.json/tsconfig.json/.eslintrc. Any other file
// that resolves to no component is reported in an *UnresolvedError returned
// together with the items of all the other files.
func ReadSourceTree(fsys fs.FS) ([]Item, error) {
	set := itemSet{}
	var unresolved []error
	var shared, docMetas []string
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
		c, err := ResolvePath(p)
		if err != nil {
			if strings.HasPrefix(p, "documents/") && strings.HasSuffix(p, ".document"+metaXML) {
				docMetas = append(docMetas, p)
				return nil
			}
			unresolved = append(unresolved, err)
			return nil
		}
		if typesByName[c.Type].sharedFile() {
			shared = append(shared, p)
			return nil
		}
		if err := Validate(c); err != nil {
			// A file whose name is no valid member name (classes/000.cls)
			// could be listed but never written into a package.xml that
			// reads back; it is reported, like any file relman cannot use.
			unresolved = append(unresolved, fmt.Errorf("%s: %w", p, err))
			return nil
		}
		set.add(c, fsFile(fsys, p, p))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range shared {
		if err := addSharedFile(set, p, func() ([]byte, error) { return fs.ReadFile(fsys, p) }); err != nil {
			return nil, err
		}
	}
	unresolved = append(unresolved, pairDocumentMetas(set, fsys, docMetas)...)
	items := set.sorted()
	if len(unresolved) > 0 {
		return items, &UnresolvedError{Errs: unresolved}
	}
	return items, nil
}

// ignoredDir and ignoredFile mirror the Salesforce CLI's default .forceignore.
func ignoredDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "__tests__" || name == "__mocks__"
}

func ignoredFile(name string) bool {
	return strings.HasPrefix(name, ".") || name == "jsconfig.json" || name == "tsconfig.json"
}

// addSharedFile splits a source-format shared file (labels, workflow, ...) at
// path into child items, plus the parent item when it has its own content.
func addSharedFile(set itemSet, p string, read func() ([]byte, error)) error {
	data, err := read()
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	parent, err := ResolvePath(p)
	if err != nil {
		return err
	}
	return addSplit(set, p, parent, data)
}

// addSplit adds the items of a shared parent file whose source path is p.
func addSplit(set itemSet, p string, parent Component, data []byte) error {
	t := typesByName[parent.Type]
	root, kids, err := splitChildren(p, data, t)
	if err != nil {
		return err
	}
	for _, k := range kids {
		c := Component{Type: k.t.Name, FullName: childFullName(parent, k)}
		if _, dup := set[c]; dup {
			return fmt.Errorf("%s: %s appears twice; remove one of the two <%s> elements", p, c, k.t.ElementName)
		}
		set.add(c, memFile(p, fragment(k.el), true))
	}
	if hasOwnContent(root) {
		set.add(parent, memFile(p, document(root), true))
	}
	return nil
}

// childFullName is the component name of a child: Parent.Child, except for
// custom labels, whose names are global.
func childFullName(parent Component, k childElem) string {
	if k.t.Parent == "CustomLabels" {
		return k.name
	}
	return parent.FullName + "." + k.name
}

// pairDocumentMetas attaches each Document's X.document-meta.xml to the item
// of its content file X.<ext> in the same folder.
func pairDocumentMetas(set itemSet, fsys fs.FS, metas []string) []error {
	if len(metas) == 0 {
		return nil
	}
	byStem := map[string]Component{}
	for c := range set {
		if c.Type == "Document" {
			stem := strings.TrimSuffix(c.FullName, path.Ext(c.FullName))
			byStem[stem] = c
		}
	}
	var errs []error
	for _, p := range metas {
		stem := strings.TrimSuffix(strings.TrimPrefix(p, "documents/"), ".document"+metaXML)
		c, ok := byStem[stem]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: no content file beside this Document meta file (expected documents/%s.<ext>)", p, stem))
			continue
		}
		set.add(c, fsFile(fsys, p, p))
	}
	return errs
}
