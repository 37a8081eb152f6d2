package metadata

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Salesforce's limits on a Metadata API zip (deploy and retrieve).
const (
	MaxZipFiles        = 10000
	MaxZipCompressed   = 39 << 20  // bytes
	MaxZipUncompressed = 400 << 20 // bytes
	// MaxZipRatio bounds how much one entry of over minBombSize may expand:
	// XML and Apex compress about 10:1, a zip bomb a thousand to one.
	MaxZipRatio = 200
	minBombSize = 1 << 20
)

// ReadMDAPITree reads a Metadata API format tree and converts it to
// source-format Items, sorted. fsys is rooted at the folder holding
// package.xml; a tree whose package.xml sits in a single subfolder (the
// unpackaged/ layout of a retrieve) is read from that subfolder.
//
// Files that convert by renaming (Foo.cls, Admin.profile → Admin.profile-meta.xml)
// open lazily from fsys; decomposed and split content (objects, labels,
// workflows, static resources) is generated in memory. A parent whose file
// holds only children (objects/Account.object with just a field) gets an Item
// of its own only when package.xml lists it or it has content of its own.
func ReadMDAPITree(fsys fs.FS) ([]Item, error) { return readMDAPITree(fsys, nil) }

// OrgType is a metadata type as an org's describeMetadata describes it:
// enough to read the files of a type relman's registry does not know yet.
type OrgType struct {
	Name, Directory, Suffix string
	MetaFile                bool
}

// ReadMDAPIZipWith is ReadMDAPIZip for a retrieve from an org whose
// describeMetadata names types the registry lacks: the files in their
// directories are read as opaque components of those types (Name from the
// file name), compared byte for byte, with one warning per type.
func ReadMDAPIZipWith(r io.ReaderAt, size int64, orgTypes []OrgType) ([]Item, error) {
	zr, err := openMDAPIZip(r, size)
	if err != nil {
		return nil, err
	}
	return readMDAPITree(zr, orgTypes)
}

func readMDAPITree(fsys fs.FS, orgTypes []OrgType) ([]Item, error) {
	byDir := map[string]OrgType{}
	for _, t := range orgTypes {
		if _, known := typesByName[t.Name]; !known && t.Directory != "" {
			byDir[t.Directory] = t
		}
	}
	opaque := itemSet{}
	fsys, err := mdapiRoot(fsys)
	if err != nil {
		return nil, err
	}
	listed, err := readListed(fsys)
	if err != nil {
		return nil, err
	}
	var order []Component
	groups := map[Component][]mdapiFile{}
	var unresolved []Warning
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading Metadata API tree at %s: %w", p, err)
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if isManifestFile(p) || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		f, err := resolveMDAPIPath(p)
		if dir, _, _ := strings.Cut(p, "/"); err != nil && byDir[dir].Name != "" {
			ot := byDir[dir]
			name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(p, dir+"/"), metaXML), "."+ot.Suffix)
			if _, seen := opaque[Component{Type: ot.Name, FullName: name}]; !seen && !opaqueTypeWarned(unresolved, ot.Name) {
				unresolved = append(unresolved, Warning{Path: dir, Problem: fmt.Sprintf("%s is not in relman's registry (Salesforce CLI registry of %s): its components are compared byte for byte", ot.Name, registrySnapshot)})
			}
			opaque.add(Component{Type: ot.Name, FullName: name}, File{Path: p, Origin: p, Open: opener(fsys, p)})
			return nil
		}
		if err != nil {
			name, _, _ := strings.Cut(d.Name(), ".")
			unresolved = append(unresolved, Warning{Path: p, Problem: "not read: " + unprefixed(err, p), Name: name})
			return nil
		}
		if _, ok := groups[f.c]; !ok {
			order = append(order, f.c)
		}
		groups[f.c] = append(groups[f.c], f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	set := opaque
	for _, c := range order {
		if err := convertToSource(set, fsys, groups[c], listed); err != nil {
			unresolved = append(unresolved, Warning{Path: groups[c][0].path, Problem: "not read: " + unprefixed(err, groups[c][0].path), Incomplete: c.Type})
		}
	}
	return set.sorted(), warningsOf(unresolved)
}

// ReadMDAPIZip reads a Metadata API zip (a retrieve result or a deploy
// package) through archive/zip and converts it like ReadMDAPITree. Both the
// zip-root layout and the unpackaged/ layout are accepted. Zips beyond
// Salesforce's limits (MaxZipFiles, MaxZipUncompressed) are refused.
func ReadMDAPIZip(r io.ReaderAt, size int64) ([]Item, error) {
	zr, err := openMDAPIZip(r, size)
	if err != nil {
		return nil, err
	}
	return readMDAPITree(zr, nil)
}

// openMDAPIZip opens a Metadata API zip, refusing one beyond Salesforce's
// limits.
func openMDAPIZip(r io.ReaderAt, size int64) (*zip.Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("reading metadata zip: %w; is it a zip file from a retrieve or a deploy package?", err)
	}
	if len(zr.File) > MaxZipFiles {
		return nil, fmt.Errorf("metadata zip has %d files, more than Salesforce's limit of %d; split it", len(zr.File), MaxZipFiles)
	}
	var total uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > minBombSize && f.UncompressedSize64/max(f.CompressedSize64, 1) > MaxZipRatio {
			return nil, fmt.Errorf("metadata zip entry %s expands %d:1 (%d MB from %d KB), more than any metadata file compresses: a zip bomb, not read",
				f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1), f.UncompressedSize64>>20, f.CompressedSize64>>10)
		}
		total += f.UncompressedSize64
		if total > MaxZipUncompressed {
			return nil, fmt.Errorf("metadata zip uncompresses to more than Salesforce's limit of %d MB; split it", MaxZipUncompressed>>20)
		}
	}
	return zr, nil
}

func isManifestFile(p string) bool {
	return p == "package.xml" || (!strings.Contains(p, "/") && strings.HasPrefix(p, "destructiveChanges") && strings.HasSuffix(p, ".xml"))
}

// mdapiRoot finds the folder holding package.xml: fsys itself, or its only
// subfolder holding one (unpackaged/, next to which zip tools may have added
// folders such as __MACOSX/).
func mdapiRoot(fsys fs.FS) (fs.FS, error) {
	if _, err := fs.Stat(fsys, "package.xml"); err == nil {
		return fsys, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading Metadata API tree: %w", err)
	}
	var found []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := fs.Stat(fsys, e.Name()+"/package.xml"); err == nil {
				found = append(found, e.Name())
			}
		}
	}
	if len(found) == 1 {
		return fs.Sub(fsys, found[0])
	}
	return fsys, nil
}

// listedSet tells whether package.xml names a component, by name or wildcard.
type listedSet struct {
	names    map[Component]bool
	wildcard map[string]bool
}

func (l listedSet) has(c Component) bool { return l.names[c] || l.wildcard[c.Type] }

func readListed(fsys fs.FS) (listedSet, error) {
	l := listedSet{names: map[Component]bool{}, wildcard: map[string]bool{}}
	f, err := fsys.Open("package.xml")
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("package.xml: %w", err)
	}
	defer f.Close()
	m, err := ReadManifestLenient(f)
	if err != nil {
		return l, fmt.Errorf("package.xml: %w", err)
	}
	for _, c := range m.Components() {
		if c.FullName == Wildcard {
			l.wildcard[c.Type] = true
		} else {
			l.names[c] = true
		}
	}
	return l, nil
}

// convertToSource converts the Metadata API files of one component into
// source-format items.
func convertToSource(set itemSet, fsys fs.FS, files []mdapiFile, listed listedSet) error {
	f := files[0]
	t := f.t
	switch {
	case t.Decomposed:
		data, err := readXMLFile(fsys, f.path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", f.path, err)
		}
		if t.Name == "CustomObjectTranslation" {
			return decomposeTranslation(set, f, data)
		}
		return decomposeObject(set, f, data, listed.has(f.c))
	case t.sharedFile():
		data, err := readXMLFile(fsys, f.path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", f.path, err)
		}
		sp := f.path + metaXML
		if err := addSplit(set, sp, f.c, data); err != nil {
			return err
		}
		if _, ok := set[f.c]; !ok && listed.has(f.c) {
			root, _, _ := splitChildren(sp, data, t) // parsed fine just above
			set.add(f.c, memFile(sp, document(root), true))
		}
		return nil
	case t.Name == "StaticResource":
		return staticResourceToSource(set, fsys, f.c, files)
	}
	for _, mf := range files {
		set.add(mf.c, fsFile(fsys, sourcePathOf(mf), mf.path))
	}
	return nil
}

// decomposeObject splits objects/X.object into objects/X/X.object-meta.xml
// and one file per child under objects/X/<childFolder>/.
func decomposeObject(set itemSet, f mdapiFile, data []byte, listed bool) error {
	root, kids, err := splitChildren(f.path, data, f.t)
	if err != nil {
		return err
	}
	obj := f.c.FullName
	if strings.Contains(obj, ".") {
		// Children are named Parent.Child: a parent name with a dot would
		// make them ambiguous.
		return fmt.Errorf("%s: %q has a dot, which a %s name cannot have", f.path, obj, f.t.Name)
	}
	dir := f.t.Directory + "/" + obj + "/"
	ns := root.namespaceAttrs()
	for _, k := range kids {
		c := Component{Type: k.t.Name, FullName: obj + "." + k.name}
		if _, dup := set[c]; dup {
			return fmt.Errorf("%s: %s appears twice; remove one of the two <%s> elements", f.path, c, k.t.ElementName)
		}
		if err := checkFileName(f.path, k.name); err != nil {
			return err
		}
		childDir := dir + k.t.Directory + "/"
		if f.t.TopLevel {
			childDir = dir // bots/B/v1.botVersion-meta.xml
		}
		set.add(c, memFile(childDir+k.name+"."+k.t.Suffix+metaXML, childDocument(k, ns), false))
	}
	if listed || hasOwnContent(root) {
		set.add(f.c, memFile(dir+obj+"."+f.t.Suffix+metaXML, document(root), false))
	}
	return nil
}

// decomposeTranslation splits objectTranslations/X.objectTranslation into the
// folder objectTranslations/X/ holding X.objectTranslation-meta.xml and one
// <Field>.fieldTranslation-meta.xml per field: all files of one component.
func decomposeTranslation(set itemSet, f mdapiFile, data []byte) error {
	root, kids, err := splitChildren(f.path, data, f.t)
	if err != nil {
		return err
	}
	name := f.c.FullName
	dir := f.t.Directory + "/" + name + "/"
	ns := root.namespaceAttrs()
	seen := map[string]bool{}
	for _, k := range kids {
		if seen[k.name] {
			return fmt.Errorf("%s: field %s is translated twice; remove one of the two <fields> elements", f.path, k.name)
		}
		seen[k.name] = true
		if err := checkFileName(f.path, k.name); err != nil {
			return err
		}
		set.add(f.c, memFile(dir+k.name+"."+k.t.Suffix+metaXML, childDocument(k, ns), false))
	}
	set.add(f.c, memFile(dir+name+"."+f.t.Suffix+metaXML, document(root), false))
	return nil
}

// checkFileName refuses child names that cannot be file names, so that a
// crafted zip cannot make relman write outside the component's folder.
func checkFileName(src, name string) error {
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) || path.Clean(name) != name {
		return fmt.Errorf("%s: child name %q cannot be a file name", src, name)
	}
	return nil
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

func opaqueTypeWarned(ws []Warning, typ string) bool {
	for _, w := range ws {
		if strings.HasPrefix(w.Problem, typ+" is not in relman's registry") {
			return true
		}
	}
	return false
}
