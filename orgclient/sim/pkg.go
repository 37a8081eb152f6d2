package sim

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"relman/model/metadata"
)

// deployPackage is a deploy's zip, read: what to write and delete, and the
// problems found in the package itself.
type deployPackage struct {
	// prefix is the folder holding package.xml ("unpackaged/") or "" for
	// the zip-root (singlePackage) layout; reported file names carry it.
	prefix string
	// items are the components package.xml lists, read from the zip.
	items []metadata.Item
	// deletes are destructiveChanges.xml and destructiveChangesPre.xml's
	// components (deleted before the adds); deletesPost
	// destructiveChangesPost.xml's (after) (§3.2).
	deletes, deletesPost []metadata.Component
	// problems are failures of components that could not be read:
	// malformed XML, files the simulator does not know, members missing
	// from the zip.
	problems []deployMessage
	// fatal fails the whole deploy, reported against package.xml (§2.7:
	// "No package.xml found").
	fatal string
}

// hasApex reports whether the package carries Apex code, which makes
// production run local tests by default (§2.6).
func (p *deployPackage) hasApex() bool {
	for _, it := range p.items {
		if it.Component.Type == "ApexClass" || it.Component.Type == "ApexTrigger" {
			return true
		}
	}
	return false
}

// readPackage reads a deploy zip. Both layouts are accepted whatever
// singlePackage says: package.xml at the root, or in one folder such as
// unpackaged/ (§2.6, §5.6).
func readPackage(data []byte, opts deployOptions) *deployPackage {
	p := &deployPackage{}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		p.fatal = "The deploy zip could not be read: " + err.Error()
		return p
	}
	if err := checkZipLimits(zr, len(data)); err != nil {
		p.fatal = err.Error()
		return p
	}
	if p.prefix, err = manifestFolder(zr); err != nil {
		p.fatal = err.Error()
		return p
	}
	manifest, err := readManifest(zr, p.prefix+"package.xml")
	if err != nil {
		p.fatal = err.Error()
		return p
	}
	for _, name := range []string{"destructiveChanges.xml", "destructiveChangesPre.xml", "destructiveChangesPost.xml"} {
		m, err := readManifest(zr, p.prefix+name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			p.fatal = err.Error()
			return p
		}
		for _, c := range m.Components() {
			if c.FullName == metadata.Wildcard {
				p.fatal = name + ": wildcards are not allowed in destructive changes; name each " + c.Type
				return p
			}
		}
		if name == "destructiveChangesPost.xml" {
			p.deletesPost = m.Components()
		} else {
			p.deletes = append(p.deletes, m.Components()...)
		}
	}
	bad := p.checkXML(zr)
	p.readItems(zr, bad, manifest, opts)
	return p
}

// checkZipLimits applies Salesforce's limits on a deploy zip (§5.4).
func checkZipLimits(zr *zip.Reader, size int) error {
	if size > metadata.MaxZipCompressed {
		return fmt.Errorf("The deploy zip is %d bytes, more than the limit of %d MB compressed", size, metadata.MaxZipCompressed>>20)
	}
	if len(zr.File) > metadata.MaxZipFiles {
		return fmt.Errorf("The deploy zip has %d files, more than the limit of %d", len(zr.File), metadata.MaxZipFiles)
	}
	var total uint64
	for _, f := range zr.File {
		if total += f.UncompressedSize64; total > metadata.MaxZipUncompressed {
			return fmt.Errorf("The deploy zip uncompresses to more than the limit of %d MB", metadata.MaxZipUncompressed>>20)
		}
	}
	return nil
}

// manifestFolder finds package.xml: at the root, or in exactly one folder.
func manifestFolder(zr *zip.Reader) (string, error) {
	var folders []string
	for _, f := range zr.File {
		switch dir, file := path.Split(f.Name); {
		case f.Name == "package.xml":
			return "", nil
		case file == "package.xml" && strings.Count(dir, "/") == 1 && !strings.HasPrefix(dir, "__MACOSX"):
			folders = append(folders, dir)
		}
	}
	if len(folders) == 1 {
		return folders[0], nil
	}
	return "", errors.New("No package.xml found")
}

func readManifest(zr *zip.Reader, name string) (metadata.Manifest, error) {
	f, err := zr.Open(name)
	if err != nil {
		return metadata.Manifest{}, err
	}
	defer f.Close()
	m, err := metadata.ParseManifest(f)
	if err != nil {
		return m, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// checkXML parses every XML file of the package and reports each malformed
// one as a failure of its component with line and column. It returns the
// malformed paths, relative to the package folder.
func (p *deployPackage) checkXML(zr *zip.Reader) map[string]bool {
	bad := map[string]bool{}
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, p.prefix)
		if !ok || f.FileInfo().IsDir() || !isXMLFile(rel) || strings.HasPrefix(rel, "destructiveChanges") || rel == "package.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue // reported when the items are read
		}
		line, col, msg := wellFormed(rc)
		rc.Close()
		if msg == "" {
			continue
		}
		bad[rel] = true
		c := guessComponent(rel)
		p.problems = append(p.problems, deployMessage{
			ComponentType: c.Type, FullName: c.FullName, FileName: f.Name,
			LineNumber: &line, ColumnNumber: &col, Problem: ptr("Error parsing file: " + msg), ProblemType: ptr("Error"),
		})
	}
	return bad
}

// isXMLFile reports whether a Metadata API path is an XML document: a
// -meta.xml companion, or the file of an XML-only type (objects, layouts,
// profiles, flows, …). Code, markup and static content are not.
func isXMLFile(rel string) bool {
	if strings.HasSuffix(rel, ".xml") {
		return true
	}
	dir, _, _ := strings.Cut(rel, "/")
	t, ok := metadata.TypeForDirectory(dir)
	return ok && !t.MetaFile && !t.Bundle && !t.MixedContent
}

// wellFormed reads an XML document and returns where and why it is not
// well-formed, or an empty message.
func wellFormed(r io.Reader) (line, col int, msg string) {
	d := xml.NewDecoder(r)
	seen := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !seen {
				line, col = d.InputPos()
				return line, col, "Premature end of file."
			}
			return 0, 0, ""
		}
		if err != nil {
			line, col = d.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return line, col, se.Msg
			}
			return line, col, err.Error()
		}
		if _, ok := tok.(xml.StartElement); ok {
			seen = true
		}
	}
}

// guessComponent names the component a Metadata API path belongs to, for
// reporting a file that could not be read: classes/Foo.cls-meta.xml →
// ApexClass:Foo, lwc/cmp/cmp.js-meta.xml → LightningComponentBundle:cmp.
func guessComponent(rel string) metadata.Component {
	segs := strings.Split(rel, "/")
	t, ok := metadata.TypeForDirectory(segs[0])
	if !ok || len(segs) < 2 {
		return metadata.Component{FullName: rel}
	}
	if t.Bundle {
		return metadata.Component{Type: t.Name, FullName: segs[1]}
	}
	name := strings.Join(segs[1:], "/")
	name = strings.TrimSuffix(name, "-meta.xml")
	name = strings.TrimSuffix(name, "."+t.Suffix)
	return metadata.Component{Type: t.Name, FullName: name}
}

// readItems converts the package's files (the malformed ones hidden) to
// items and keeps the components package.xml lists, with the children in
// the files of listed parents. Listed components not found are failures
// unless allowMissingFiles (§2.6).
func (p *deployPackage) readItems(zr *zip.Reader, bad map[string]bool, manifest metadata.Manifest, opts deployOptions) {
	var root fs.FS = zr
	if p.prefix != "" {
		root, _ = fs.Sub(zr, strings.TrimSuffix(p.prefix, "/")) // a valid folder name: found by manifestFolder
	}
	items, err := metadata.ReadMDAPITree(hidingFS{root, bad})
	var ue *metadata.UnresolvedError
	if errors.As(err, &ue) {
		for _, w := range ue.Warnings {
			p.problems = append(p.problems, deployMessage{FileName: p.prefix + w.Path,
				Problem: ptr("Not deployed: " + w.Error()), ProblemType: ptr("Warning")})
		}
	} else if err != nil {
		p.fatal = err.Error()
		return
	}
	listed := newListedSet(manifest.Components())
	have := map[metadata.Component]bool{}
	for _, it := range items {
		if listed.has(it.Component) {
			p.items = append(p.items, it)
			have[it.Component] = true
		}
	}
	for _, pr := range p.problems {
		have[metadata.Component{Type: pr.ComponentType, FullName: pr.FullName}] = true
	}
	if opts.AllowMissingFiles {
		return
	}
	for _, c := range manifest.Components() {
		if c.FullName != metadata.Wildcard && !have[c] {
			p.problems = append(p.problems, deployMessage{ComponentType: c.Type, FullName: c.FullName, FileName: p.prefix + "package.xml",
				Problem:     ptr("An object '" + c.FullName + "' of type " + c.Type + " was named in package.xml, but was not found in zipped directory"),
				ProblemType: ptr("Error")})
		}
	}
}

// hidingFS is a file tree without some of its files.
type hidingFS struct {
	fs.FS
	hidden map[string]bool
}

func (h hidingFS) Open(name string) (fs.File, error) {
	if h.hidden[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.FS.Open(name)
}

func (h hidingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(h.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return h.hidden[path.Join(name, e.Name())] }), err
}
