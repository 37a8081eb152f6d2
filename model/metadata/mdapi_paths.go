package metadata

import (
	"fmt"
	"strings"
)

// mdapiFile is one file of a Metadata API format tree, attributed to its
// component.
type mdapiFile struct {
	t    *Type
	c    Component
	path string // path in the MDAPI tree
}

// resolveMDAPIPath returns the component a Metadata API format file belongs
// to: classes/Foo.cls → ApexClass:Foo, objects/Account.object →
// CustomObject:Account (children included), reports/Sales-meta.xml →
// ReportFolder:Sales, documents/Pub/Logo.png-meta.xml → Document:Pub/Logo.png.
func resolveMDAPIPath(p string) (mdapiFile, error) {
	segs, err := splitSourcePath(p)
	if err != nil {
		return mdapiFile{}, err
	}
	t, ok := typeInDir(segs[0], segs[len(segs)-1])
	if !ok {
		return mdapiFile{}, fmt.Errorf("%s: %q is not a metadata directory relman knows (e.g. classes, objects, lwc, labels)", p, segs[0])
	}
	if len(segs) < 2 {
		return mdapiFile{}, fmt.Errorf("%s: not a metadata file", p)
	}
	file := segs[len(segs)-1]
	name, err := func() (string, error) {
		switch {
		case t.Bundle && t.Adapter == "digitalExperience":
			return resolveBundlePath(p, segs, t)
		case t.Bundle:
			if len(segs) >= 3 {
				return segs[1], nil
			}
			if t.Suffix != "" && len(segs) == 2 {
				if n, ok := strings.CutSuffix(file, "."+t.Suffix); ok && n != "" {
					return n, nil
				}
			}
		case t.InFolder:
			return "", nil // resolved below: the folder decides the type
		case len(segs) != 2:
			// Metadata API folders are flat, except bundles and folders.
		case t.Name == "StaticResource":
			if n, ok := strings.CutSuffix(strings.TrimSuffix(file, metaXML), ".resource"); ok && n != "" {
				return n, nil
			}
		case t.MetaFile:
			if n, ok := strings.CutSuffix(strings.TrimSuffix(file, metaXML), "."+t.Suffix); ok && n != "" {
				return n, nil
			}
		case t.Name == "CustomLabels":
			// Source format may spread labels over several files; the
			// Metadata API has exactly one.
			if file == "CustomLabels.labels" {
				return "CustomLabels", nil
			}
		default:
			if n, ok := strings.CutSuffix(file, "."+t.Suffix); ok && n != "" {
				return n, nil
			}
		}
		return "", fmt.Errorf("%s: not a %s file in Metadata API format (expected %s)", p, t.Name, mdapiExample(t))
	}()
	if err != nil {
		return mdapiFile{}, err
	}
	if t.InFolder {
		return resolveMDAPIFolderPath(p, segs, t)
	}
	return mdapiFile{t: t, c: Component{Type: t.Name, FullName: name}, path: p}, nil
}

// resolveMDAPIFolderPath handles in-folder content and folder records
// ("<dir>/<Folder>-meta.xml"; nested folders "<dir>/<A>/<B>-meta.xml").
func resolveMDAPIFolderPath(p string, segs []string, t *Type) (mdapiFile, error) {
	file := segs[len(segs)-1]
	prefix := strings.Join(segs[1:len(segs)-1], "/")
	join := func(n string) string {
		if prefix == "" {
			return n
		}
		return prefix + "/" + n
	}
	if base, ok := strings.CutSuffix(file, metaXML); ok && base != "" && !strings.Contains(base, ".") {
		ft := typesByName[t.FolderType]
		return mdapiFile{t: ft, c: Component{Type: ft.Name, FullName: join(base)}, path: p}, nil
	}
	if prefix == "" {
		return mdapiFile{}, fmt.Errorf("%s: %s components live in folders (expected %s)", p, t.Name, mdapiExample(t))
	}
	var name string
	switch {
	case t.MixedContent: // Document: Logo.png and Logo.png-meta.xml
		name = strings.TrimSuffix(file, metaXML)
	case t.MetaFile: // EmailTemplate: X.email and X.email-meta.xml
		name, _ = strings.CutSuffix(strings.TrimSuffix(file, metaXML), "."+t.Suffix)
	default:
		if n, ok := strings.CutSuffix(file, "."+t.Suffix); ok {
			name = n
		}
	}
	if name == "" {
		return mdapiFile{}, fmt.Errorf("%s: not a %s file in Metadata API format (expected %s)", p, t.Name, mdapiExample(t))
	}
	return mdapiFile{t: t, c: Component{Type: t.Name, FullName: join(name)}, path: p}, nil
}

func mdapiExample(t *Type) string {
	switch {
	case t.Name == "CustomLabels":
		return "labels/CustomLabels.labels, the one file of all custom labels"
	case t.Bundle && t.Suffix != "":
		return fmt.Sprintf("%s/<name>/... and %s/<name>.%s", t.Directory, t.Directory, t.Suffix)
	case t.Bundle:
		return t.Directory + "/<name>/<files>"
	case t.InFolder && t.MixedContent:
		return t.Directory + "/<Folder>/<file> with <file>-meta.xml"
	case t.InFolder:
		return fmt.Sprintf("%s/<Folder>/<Name>.%s or a folder record %s/<Folder>-meta.xml", t.Directory, t.Suffix, t.Directory)
	case t.MetaFile || t.MixedContent:
		return fmt.Sprintf("%s/<Name>.%s with %s/<Name>.%s%s", t.Directory, t.Suffix, t.Directory, t.Suffix, metaXML)
	}
	return fmt.Sprintf("%s/<Name>.%s", t.Directory, t.Suffix)
}

// sourcePathOf maps a Metadata API file path of a component that converts
// file by file (not decomposed, not a static resource) to its source path.
func sourcePathOf(f mdapiFile) string {
	t := f.t
	dir, file := splitDir(f.path)
	switch {
	case t.FolderContentType != "": // folder record: Sales-meta.xml → Sales.reportFolder-meta.xml
		return dir + strings.TrimSuffix(file, metaXML) + "." + t.Suffix + metaXML
	case t.Name == "Document" && strings.HasSuffix(file, metaXML): // Logo.png-meta.xml → Logo.document-meta.xml
		stem := strings.TrimSuffix(file, metaXML)
		if i := strings.LastIndexByte(stem, '.'); i > 0 {
			stem = stem[:i]
		}
		return dir + stem + "." + t.Suffix + metaXML
	case t.Bundle && t.Suffix != "" && strings.Count(f.path, "/") == 1: // experiences/x.site → x.site-meta.xml
		return f.path + metaXML
	case t.xmlOnly():
		return f.path + metaXML
	}
	return f.path
}

// mdapiPathOf maps the source path of a file converted file by file back to
// its Metadata API path; documentExt is the Document's content extension.
func mdapiPathOf(t *Type, p, documentExt string) string {
	dir, file := splitDir(p)
	switch {
	case t.FolderContentType != "":
		return dir + strings.TrimSuffix(file, "."+t.Suffix+metaXML) + metaXML
	case t.Name == "Document" && strings.HasSuffix(file, "."+t.Suffix+metaXML):
		return dir + strings.TrimSuffix(file, "."+t.Suffix+metaXML) + documentExt + metaXML
	case t.Bundle && t.Suffix != "" && strings.Count(p, "/") == 1:
		return strings.TrimSuffix(p, metaXML)
	case t.xmlOnly():
		return strings.TrimSuffix(p, metaXML)
	}
	return p
}

// splitDir splits p after its last slash: "a/b/c.x" → "a/b/", "c.x".
func splitDir(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	return p[:i+1], p[i+1:]
}
