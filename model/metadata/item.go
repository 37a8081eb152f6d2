package metadata

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
)

// File is one file of a component in source format. Path is slash-separated
// and relative to a source root (the folder holding objects/, classes/, ...,
// e.g. force-app/main/default): "objects/Account/fields/Region__c.field-meta.xml",
// "classes/Foo.cls", "labels/CustomLabels.labels-meta.xml".
type File struct {
	Path string
	// Fragment is set when the content is one element cut out of a file
	// shared by several components (a CustomLabel inside
	// CustomLabels.labels-meta.xml, a WorkflowRule inside a workflow). The
	// content is then that element's XML; for the parent of such a file it is
	// the whole document without the children's elements.
	Fragment bool
	// Open streams the content. Files read from a tree open lazily; content
	// produced by a conversion is held in memory.
	Open func() (io.ReadCloser, error)
	// Origin is where the file was read, relative to the folder read (the
	// org directory once orgclient has prefixed it): the real place of a
	// file Path names canonically, e.g. "force-app/tests/FooTest.cls" for
	// "classes/FooTest.cls". Empty for content relman generated.
	Origin string
}

// Where names the file for people: its Origin, else its Path.
func (f File) Where() string {
	if f.Origin != "" {
		return f.Origin
	}
	return f.Path
}

// Item is one component with its files in source format: the canonical
// in-memory form of an org's metadata.
type Item struct {
	Component Component
	Files     []File
}

// ReadFile returns the whole content of f.
func ReadFile(f File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return data, nil
}

// memFile returns a File whose content is data.
func memFile(path string, data []byte, fragment bool) File {
	return File{Path: path, Fragment: fragment, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// fsFile returns a File named path whose content is read from name in fsys
// when opened.
func fsFile(fsys fs.FS, path, name string) File {
	return File{Path: path, Open: func() (io.ReadCloser, error) { return fsys.Open(name) }}
}

// itemSet collects files into items by component.
type itemSet map[Component]*Item

func (s itemSet) add(c Component, files ...File) {
	it, ok := s[c]
	if !ok {
		it = &Item{Component: c}
		s[c] = it
	}
	it.Files = append(it.Files, files...)
}

// addUnique adds f to c's item unless the item already has a file at f's
// Path: then the first is kept and a warning names both places, as the
// Salesforce CLI keeps the first of duplicates in package-directory order.
func (s itemSet) addUnique(c Component, f File) *Warning {
	if it, ok := s[c]; ok {
		for _, g := range it.Files {
			// A component cut out of a shared file (a label) is one
			// fragment: a second one is a duplicate wherever it is.
			if g.Path == f.Path || g.Fragment || f.Fragment {
				return duplicateWarning(c, f, g)
			}
		}
	}
	s.add(c, f)
	return nil
}

// sorted returns the items sorted by component, each with its files sorted by
// path.
func (s itemSet) sorted() []Item {
	out := make([]Item, 0, len(s))
	for _, it := range s {
		if len(it.Files) > 1 {
			slices.SortFunc(it.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
		}
		out = append(out, *it)
	}
	slices.SortFunc(out, func(a, b Item) int { return a.Component.Compare(b.Component) })
	return out
}

func duplicateWarning(c Component, dup, kept File) *Warning {
	return &Warning{Path: dup.Where(), Problem: fmt.Sprintf("%s is also in %s; the first one is kept", c, kept.Where()), Kept: kept.Where()}
}

// MergeItem joins one component read from two package directories, as the
// Salesforce CLI does: a component whose children are part of it (an
// object translation's field translations) gets the files of b that a
// lacks, a file both have keeping a's; any other component is a
// duplicate and a is kept. Each duplicate file gets a warning naming both
// places.
func MergeItem(a, b Item) (Item, []Warning) {
	if t, ok := typesByName[a.Component.Type]; !ok || !hasPartChildren(t) {
		return a, []Warning{*duplicateWarning(a.Component, b.Files[0], a.Files[0])}
	}
	set := itemSet{a.Component: &Item{Component: a.Component, Files: append([]File(nil), a.Files...)}}
	var ws []Warning
	for _, f := range b.Files {
		if w := set.addUnique(b.Component, f); w != nil {
			ws = append(ws, *w)
		}
	}
	return set.sorted()[0], ws
}

// hasPartChildren reports whether t's children are part of its components
// rather than components of their own (CustomObjectTranslation).
func hasPartChildren(t *Type) bool {
	for _, n := range t.Children {
		if typesByName[n].PartOfParent {
			return true
		}
	}
	return false
}
