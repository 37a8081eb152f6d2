package sim

import (
	"bytes"
	"fmt"
	"strings"

	"relman/model/metadata"
)

// mdapiFileName is the zip path (without a package folder) of the file
// that carries c in the Metadata API format: a child's parent file
// (objects/Account.object for CustomField:Account.X__c,
// labels/CustomLabels.labels for a label), a bundle's or folder's
// directory, else <dir>/<name>.<suffix> (§2.7, §3.4).
func mdapiFileName(c metadata.Component) string {
	t, ok := metadata.LookupType(c.Type)
	if !ok {
		return c.FullName
	}
	if parent, ok := parentOf(c); ok {
		p, _ := metadata.LookupType(parent.Type)
		return p.Directory + "/" + parent.FullName + "." + p.Suffix
	}
	if t.FolderContentType != "" || t.Bundle || t.Name == "Document" || t.Suffix == "" {
		return t.Directory + "/" + c.FullName
	}
	return t.Directory + "/" + c.FullName + "." + t.Suffix
}

// parentOf returns the component whose file carries child c: the object of
// CustomField:Account.X__c, CustomLabels:CustomLabels for a label.
func parentOf(c metadata.Component) (metadata.Component, bool) {
	t, ok := metadata.LookupType(c.Type)
	if !ok || !t.IsChild() {
		return metadata.Component{}, false
	}
	parent := metadata.Component{Type: t.Parent, FullName: t.Parent}
	if i := strings.IndexByte(c.FullName, '.'); i > 0 {
		parent.FullName = c.FullName[:i]
	}
	return parent, true
}

// listedSet tells whether a manifest selects a component: by name, by
// wildcard, or through its parent (a listed object brings the fields in
// its file, as the Metadata API deploys and retrieves whole files).
type listedSet struct {
	named    map[metadata.Component]bool
	wildcard map[string]bool
}

func newListedSet(cs []metadata.Component) listedSet {
	l := listedSet{named: map[metadata.Component]bool{}, wildcard: map[string]bool{}}
	for _, c := range cs {
		if c.FullName == metadata.Wildcard {
			l.wildcard[c.Type] = true
		} else {
			l.named[c] = true
		}
	}
	return l
}

// self reports whether c itself is listed (by name or wildcard).
func (l listedSet) self(c metadata.Component) bool { return l.named[c] || l.wildcard[c.Type] }

// has reports whether c or its parent is listed.
func (l listedSet) has(c metadata.Component) bool {
	if l.self(c) {
		return true
	}
	p, ok := parentOf(c)
	return ok && l.self(p)
}

// readFiles reads an item's files, keyed by source path.
func readFiles(it metadata.Item) (map[string][]byte, error) {
	out := make(map[string][]byte, len(it.Files))
	for _, f := range it.Files {
		b, err := metadata.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", it.Component, f.Path, err)
		}
		out[f.Path] = b
	}
	return out, nil
}

// sameFiles reports whether the org's item has exactly these files.
func sameFiles(old metadata.Item, files map[string][]byte) bool {
	prev, err := readFiles(old)
	if err != nil || len(prev) != len(files) {
		return false
	}
	for p, b := range files {
		if !bytes.Equal(prev[p], b) {
			return false
		}
	}
	return true
}
