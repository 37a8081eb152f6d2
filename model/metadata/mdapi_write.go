package metadata

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// WriteMDAPIZip writes a deployable Metadata API zip of items to w:
// package.xml (listing the items' components) and, when destructive is not
// empty, destructiveChanges.xml at the zip root (the singlePackage layout),
// then every file converted to Metadata API format, children recomposed into
// their parent's file (a CustomField inside objects/Account.object as
// <fields>). The zip is streamed: only one recomposed file at a time is held
// in memory. It fails, naming the limit, when the zip would exceed
// Salesforce's limits (MaxZipFiles, MaxZipCompressed, MaxZipUncompressed).
func WriteMDAPIZip(w io.Writer, items []Item, destructive []Component, apiVersion string) error {
	plan, err := planMDAPI(items)
	if err != nil {
		return err
	}
	if n := len(plan) + 2; n > MaxZipFiles {
		return fmt.Errorf("the deployment would hold %d files, more than Salesforce's limit of %d; deploy it in parts", n, MaxZipFiles)
	}
	cs := make([]Component, 0, len(items))
	for _, it := range items {
		cs = append(cs, it.Component)
	}
	cw := &limitWriter{w: w, limit: MaxZipCompressed, what: fmt.Sprintf("the zip exceeds Salesforce's limit of %d MB compressed; deploy it in parts", MaxZipCompressed>>20)}
	zw := zip.NewWriter(cw)
	uncompressed := &limitWriter{w: io.Discard, limit: MaxZipUncompressed, what: fmt.Sprintf("the zip exceeds Salesforce's limit of %d MB uncompressed; deploy it in parts", MaxZipUncompressed>>20)}
	entry := func(name string, write func(io.Writer) error) error {
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipEpoch})
		if err != nil {
			return err
		}
		return write(io.MultiWriter(ew, uncompressed))
	}
	if err := entry("package.xml", NewManifest(cs, apiVersion).WriteXML); err != nil {
		return fmt.Errorf("writing package.xml: %w", err)
	}
	if len(destructive) > 0 {
		err := entry("destructiveChanges.xml", func(w io.Writer) error { return WriteDestructive(w, destructive, apiVersion) })
		if err != nil {
			return fmt.Errorf("writing destructiveChanges.xml: %w", err)
		}
	}
	for _, of := range plan {
		if err := entry(of.path, of.write); err != nil {
			return fmt.Errorf("writing %s: %w", of.path, err)
		}
	}
	return zw.Close()
}

// limitWriter fails once more than limit bytes have gone through it.
type limitWriter struct {
	w     io.Writer
	n     int64
	limit int64
	what  string
}

func (l *limitWriter) Write(p []byte) (int, error) {
	l.n += int64(len(p))
	if l.n > l.limit {
		return 0, errors.New(l.what)
	}
	return l.w.Write(p)
}

// allLabels names the one CustomLabels file of the Metadata API format, into
// which labels from every source-format labels file are recomposed.
const allLabels = "CustomLabels"

// outFile is one file of the Metadata API zip and how to produce it.
type outFile struct {
	path  string
	write func(io.Writer) error
}

// family is a parent file recomposed from a parent item and child items.
type family struct {
	t      *Type
	parent *File // the parent's own content, when its item is deployed
	kids   []familyKid
}

type familyKid struct {
	t    *Type
	name string // bare child name
	file File
}

// planMDAPI maps the items' source files to Metadata API files, sorted by path.
func planMDAPI(items []Item) ([]outFile, error) {
	var plan []outFile
	families := map[string]*family{}
	famOf := func(t *Type, name string) *family {
		key := t.Directory + "/" + name + "." + t.Suffix
		f, ok := families[key]
		if !ok {
			f = &family{t: t}
			families[key] = f
		}
		return f
	}
	for _, it := range items {
		t, ok := typesByName[it.Component.Type]
		if !ok {
			return nil, fmt.Errorf("%s: %w", it.Component, unknownTypeError(it.Component.Type))
		}
		if len(it.Files) == 0 {
			return nil, fmt.Errorf("%s: the item has no files", it.Component)
		}
		for _, f := range it.Files {
			if err := FileBelongs(it.Component, f.Path, f.Fragment); err != nil {
				return nil, fmt.Errorf("%s: %w", it.Component, err)
			}
		}
		switch {
		case t.Parent != "" && !t.PartOfParent:
			p := typesByName[t.Parent]
			parentName, child, ok := strings.Cut(it.Component.FullName, ".")
			if t.Parent == "CustomLabels" {
				parentName, child, ok = allLabels, it.Component.FullName, true
			}
			if !ok || child == "" {
				return nil, fmt.Errorf("%s: a child component is named Parent.Child, e.g. %s:%s", it.Component, t.Name, exampleName(t))
			}
			fam := famOf(p, parentName)
			for _, f := range it.Files {
				fam.kids = append(fam.kids, familyKid{t: t, name: child, file: f})
			}
		case t.Name == "CustomObjectTranslation":
			fam := famOf(t, it.Component.FullName)
			ct := typesByName[t.Children[0]]
			for _, f := range it.Files {
				f := f
				if name, ok := strings.CutSuffix(path.Base(f.Path), "."+ct.Suffix+metaXML); ok {
					fam.kids = append(fam.kids, familyKid{t: ct, name: name, file: f})
				} else {
					fam.parent = &f
				}
			}
		case t.Decomposed || t.sharedFile():
			if len(it.Files) != 1 {
				return nil, fmt.Errorf("%s: expected one file for the parent, got %d", it.Component, len(it.Files))
			}
			name := it.Component.FullName
			if t.Name == "CustomLabels" {
				name = allLabels
			}
			fam := famOf(t, name)
			if fam.parent != nil {
				return nil, fmt.Errorf("%s: a second item gives the content of %s/%s.%s (the first came from %s); merge them into one", it.Component, t.Directory, name, t.Suffix, fam.parent.Path)
			}
			fam.parent = &it.Files[0]
		case t.Name == "StaticResource":
			out, err := planStaticResource(it)
			if err != nil {
				return nil, err
			}
			plan = append(plan, out...)
		default:
			ext := ""
			if t.Name == "Document" {
				ext = path.Ext(it.Component.FullName)
			}
			for _, f := range it.Files {
				f := f
				plan = append(plan, outFile{path: mdapiPathOf(t, f.Path, ext), write: func(w io.Writer) error { return copyFile(w, f) }})
			}
		}
	}
	for key, fam := range families {
		fam := fam
		plan = append(plan, outFile{path: key, write: fam.write})
	}
	sort.Slice(plan, func(i, j int) bool { return plan[i].path < plan[j].path })
	for i := 1; i < len(plan); i++ {
		if plan[i].path == plan[i-1].path {
			return nil, fmt.Errorf("two items write %s in the Metadata API zip; each component may appear only once", plan[i].path)
		}
	}
	return plan, nil
}

// write recomposes the family's parent file.
func (fam *family) write(w io.Writer) error {
	root := newRoot(fam.t.Name, nil)
	// Children still inside the parent's file (a whole workflow file given as
	// the parent's content) are kept unless a child item replaces them.
	embedded := map[string]childElem{}
	if fam.parent != nil {
		data, err := ReadFile(*fam.parent)
		if err != nil {
			return err
		}
		var inner []childElem
		if root, inner, err = splitChildren(fam.parent.Path, data, fam.t); err != nil {
			return err
		}
		for _, k := range inner {
			embedded[k.t.Name+"\x00"+k.name] = k
		}
	}
	kids := make([]childElem, 0, len(fam.kids)+len(embedded))
	var ns []xml.Attr
	for _, k := range fam.kids {
		data, err := ReadFile(k.file)
		if err != nil {
			return err
		}
		var el *node
		if k.file.Fragment {
			if el, err = parseXML(data); err != nil {
				return fmt.Errorf("%s (%s %s): %w", k.file.Path, k.t.Name, k.name, err)
			}
			if localName(el.name) != k.t.ElementName {
				return fmt.Errorf("%s (%s %s): fragment element is <%s>, expected <%s>", k.file.Path, k.t.Name, k.name, el.name, k.t.ElementName)
			}
		} else {
			var kidNS []xml.Attr
			if el, kidNS, err = childFromDocument(k.file.Path, data, k.t); err != nil {
				return err
			}
			ns = mergeNamespaces(ns, kidNS)
		}
		// In the Metadata API file the child is known by its ID element
		// only: one that names another child would deploy under that name.
		if id, ok := el.childText(k.t.IDElement); ok && id != "" && id != k.name {
			return fmt.Errorf("%s (%s %s): the file holds <%s>%s</%[4]s>; rename the file or fix the element so both say the same", k.file.Path, k.t.Name, k.name, k.t.IDElement, id)
		}
		kids = append(kids, childElem{t: k.t, name: k.name, el: el})
		delete(embedded, k.t.Name+"\x00"+k.name)
	}
	for _, k := range embedded {
		kids = append(kids, k)
	}
	root.attrs = mergeNamespaces(root.attrs, ns)
	_, err := w.Write(document(recompose(root, fam.t, kids)))
	return err
}

// planStaticResource maps a static resource's source files: the meta file
// stays, the content file X.<ext> becomes X.resource, an expanded folder X/
// is zipped into X.resource.
func planStaticResource(it Item) ([]outFile, error) {
	name := it.Component.FullName
	dir := "staticresources/"
	metaPath := dir + name + ".resource" + metaXML
	folder := dir + name + "/"
	var out []outFile
	var single []File
	var expanded []File
	for _, f := range it.Files {
		f := f
		switch {
		case f.Path == metaPath:
			out = append(out, outFile{path: metaPath, write: func(w io.Writer) error { return copyFile(w, f) }})
		case strings.HasPrefix(f.Path, folder):
			expanded = append(expanded, f)
		case strings.HasPrefix(f.Path, dir+name+"."):
			single = append(single, f)
		default:
			return nil, fmt.Errorf("%s: %s is not a file of this static resource (expected %s, %s<ext> or %s…)", it.Component, f.Path, metaPath, dir+name+".", folder)
		}
	}
	contentPath := dir + name + ".resource"
	switch {
	case len(single) > 1 || (len(single) == 1 && len(expanded) > 0):
		return nil, fmt.Errorf("%s: more than one content file (%s); keep one file or one folder", it.Component, single[0].Path)
	case len(single) == 1:
		f := single[0]
		out = append(out, outFile{path: contentPath, write: func(w io.Writer) error { return copyFile(w, f) }})
	case len(expanded) > 0:
		out = append(out, outFile{path: contentPath, write: func(w io.Writer) error { return writeResourceZip(w, folder, expanded) }})
	}
	return out, nil
}
