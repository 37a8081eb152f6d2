package metadata

import (
	"fmt"
	"strings"
)

// fileKind says what a file of a package directory is to relman.
type fileKind int

const (
	kindSkip    fileKind = iota // no metadata: README.md, package.xml, scripts
	kindSource                  // a source-format file of one component
	kindShared                  // a source-format file several components share (labels)
	kindDocMeta                 // a Document's meta file, paired with its content file
	kindMDAPI                   // a Metadata API-format file, converted
	kindOpaque                  // a file of no known layout in a type's folder, compared byte for byte
	kindUnknown                 // metadata relman cannot place: only a warning
)

// placed is where placeFile put a file.
type placed struct {
	kind   fileKind
	c      Component
	origin string // the path read
	// canon is the file's canonical path: relative to a conventional source
	// root (classes/Foo.cls), or for kindMDAPI to a Metadata API folder.
	canon string
	// problem, when set, is a warning about the file; incomplete and name
	// say which deletions it makes unsafe (see Warning).
	problem, incomplete, name string
}

// placeFile resolves a file at p (slash path relative to a package
// directory) the way the Salesforce CLI does:
//
//  1. A file under the directory of a type whose layout is fixed (objects/,
//     lwc/, staticresources/, bots/, ... anywhere in the path) belongs to
//     that type and is resolved by its path from that directory.
//  2. Otherwise its suffix names the type (Foo.cls, Foo.cls-meta.xml,
//     X.flow-meta.xml), wherever it sits; in-folder types (reports,
//     dashboards, email templates, documents) still need their directory,
//     which holds their folders.
//  3. A file named like a Metadata API file of an XML-only type
//     (Admin.profile) is one when its root element is the type's name
//     (rootIs); otherwise it is no metadata (README.md is not a
//     CustomMetadata record).
//  4. A file of an unknown suffix in a type's directory is compared byte for
//     byte as a component of that type; any other -meta.xml file is
//     metadata of a type relman does not know: a warning. Everything else
//     is skipped.
func placeFile(p string, rootIs func(p string, t *Type) bool) placed {
	slash := strings.LastIndexByte(p, '/')
	file := p[slash+1:]
	// Every file is placed: the folders are scanned without splitting the
	// path, which would allocate per file.
	for start := 0; start < slash; {
		end := start + strings.IndexByte(p[start:], '/')
		if t := strictDirectoryType(p[start:end]); t != nil {
			return placeStrict(p, t, p[start:])
		}
		start = end + 1
	}
	meta := strings.HasSuffix(file, metaXML)
	suffix := fileSuffix(file)
	if tn, ok := generatedSuffixes[suffix]; ok {
		return placeBySuffix(p, typesByName[tn], file, meta, rootIs)
	}
	segs := strings.Split(p, "/")
	dirs := segs[:len(segs)-1]
	stem := strings.TrimSuffix(file, metaXML)
	for i := len(dirs) - 1; i >= 0; i-- {
		if t, ok := typesByDir[dirs[i]]; ok && !t.StrictDirectory {
			return placed{kind: kindOpaque, origin: p, c: Component{Type: t.Name, FullName: stem},
				canon:   strings.Join(append([]string{t.Directory}, segs[i+1:]...), "/"),
				problem: fmt.Sprintf("in the %s folder of %s, but no %s file name the Salesforce CLI knows (suffix %q); compared byte for byte as %s:%s", t.Directory, t.Name, t.Name, suffix, t.Name, stem)}
		}
	}
	if meta {
		name, _, _ := strings.Cut(stem, ".")
		return placed{kind: kindUnknown, origin: p, name: name,
			problem: fmt.Sprintf("metadata of a type relman does not know (suffix %q); left out, and no deletion of a component named %s is proposed", suffix, name)}
	}
	return placed{kind: kindSkip, origin: p}
}

// placeStrict resolves a file under the directory of a type with a fixed
// layout; canon is its path from that directory.
func placeStrict(p string, t *Type, canon string) placed {
	file := canon[strings.LastIndexByte(canon, '/')+1:]
	c, err := ResolvePath(canon)
	switch {
	case err == nil:
		return sourcePlaced(p, canon, c)
	case t.Name == "Document" && strings.HasSuffix(file, ".document"+metaXML):
		return placed{kind: kindDocMeta, origin: p, canon: canon}
	}
	if _, merr := resolveMDAPIPath(canon); merr == nil {
		return placed{kind: kindMDAPI, origin: p, canon: canon}
	}
	pl := placed{kind: kindUnknown, origin: p, problem: "not read: " + unprefixed(err, canon)}
	if strings.HasSuffix(file, metaXML) {
		pl.incomplete = t.Name
	}
	return pl
}

// placeBySuffix resolves a file named file at p whose suffix names type t.
func placeBySuffix(p string, t *Type, file string, meta bool, rootIs func(string, *Type) bool) placed {
	if t.IsChild() {
		return placed{kind: kindUnknown, origin: p, incomplete: t.Name,
			problem: fmt.Sprintf("a %s file outside its %s's folder; not read", t.Name, t.Parent)}
	}
	if t.InFolder || t.FolderContentType != "" {
		segs := strings.Split(p, "/")
		for i := len(segs) - 2; i >= 0; i-- {
			if segs[i] == t.Directory {
				canon := strings.Join(segs[i:], "/")
				if c, err := ResolvePath(canon); err == nil {
					return sourcePlaced(p, canon, c)
				}
				if _, err := resolveMDAPIPath(canon); err == nil {
					return placed{kind: kindMDAPI, origin: p, canon: canon}
				}
			}
		}
		return placed{kind: kindUnknown, origin: p, incomplete: t.Name,
			problem: fmt.Sprintf("a %s file outside a folder of %s/; not read (in-folder types keep their folders under %s/)", t.Name, t.Directory, t.Directory)}
	}
	canon := t.Directory + "/" + file
	if !t.MetaFile && !meta {
		if !t.xmlOnly() || !rootIs(p, t) {
			return placed{kind: kindSkip, origin: p}
		}
		if _, err := resolveMDAPIPath(canon); err == nil {
			return placed{kind: kindMDAPI, origin: p, canon: canon}
		}
	}
	c, err := ResolvePath(canon)
	if err != nil {
		return placed{kind: kindUnknown, origin: p, incomplete: t.Name, problem: "not read: " + unprefixed(err, canon)}
	}
	return sourcePlaced(p, canon, c)
}

func sourcePlaced(p, canon string, c Component) placed {
	if typesByName[c.Type].sharedFile() {
		return placed{kind: kindShared, origin: p, canon: canon, c: c}
	}
	return placed{kind: kindSource, origin: p, canon: canon, c: c}
}

// strictDirectoryType returns the type whose files must sit in a directory
// named d — by the CLI's index, or by an overlay — or nil.
func strictDirectoryType(d string) *Type { return strictDirs[d] }

// strictDirs indexes strictDirectoryType's answers; the registry's init
// builds it.
var strictDirs map[string]*Type

func buildStrictDirs() map[string]*Type {
	m := map[string]*Type{}
	for d, tn := range generatedStrictDirectories {
		if t := typesByName[tn]; t != nil && d == t.Directory {
			m[d] = t
		}
	}
	for d, t := range typesByDir {
		if _, ok := m[d]; !ok && t.StrictDirectory {
			m[d] = t
		}
	}
	return m
}
