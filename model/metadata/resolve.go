package metadata

import (
	"fmt"
	"strings"
)

const metaXML = "-meta.xml"

// ResolvePath returns the component that a source-format file belongs to.
// path is slash-separated and relative to a source root (the folder holding
// objects/, classes/, ...): "lwc/myCmp/myCmp.js" → LightningComponentBundle:myCmp,
// "objects/Account/fields/X__c.field-meta.xml" → CustomField:Account.X__c. A
// file shared by several components (labels/CustomLabels.labels-meta.xml, a
// workflow) resolves to the parent component (CustomLabels:CustomLabels).
//
// A Document's "-meta.xml" cannot be resolved alone, because a Document's name
// carries its content file's extension (Folder/Logo.png): resolve the content
// file instead.
func ResolvePath(path string) (Component, error) {
	segs, err := splitSourcePath(path)
	if err != nil {
		return Component{}, err
	}
	t, ok := typeInDir(segs[0], segs[len(segs)-1])
	if !ok {
		return Component{}, fmt.Errorf("%s: %q is not a metadata directory relman knows (e.g. classes, objects, lwc, labels); is the path relative to the source root (force-app/main/default)?", path, segs[0])
	}
	if len(segs) < 2 {
		return Component{}, fmt.Errorf("%s: a directory, not a metadata file", path)
	}
	var name string
	switch {
	case t.Decomposed && !t.TopLevel:
		return resolveObjectPath(path, segs, t)
	case t.Name == "CustomObjectTranslation":
		name, err = resolveTranslationPath(path, segs)
	case t.Decomposed:
		return resolveTopLevelPath(path, segs, t)
	case t.Bundle:
		name, err = resolveBundlePath(path, segs, t)
	case t.Name == "StaticResource":
		name, err = resolveStaticResourcePath(path, segs)
	case t.InFolder:
		return resolveFolderPath(path, segs, t)
	case t.StrictDirectory && len(segs) != 2:
		err = fmt.Errorf("%s: %s files sit directly in %s/, not in a subfolder", path, t.Name, t.Directory)
	default:
		// Other types may be grouped in subfolders (classes/utils/Foo.cls),
		// as the Salesforce CLI allows.
		name, err = resolveFilePath(path, segs[len(segs)-1], t)
	}
	if err != nil {
		return Component{}, err
	}
	return Component{Type: t.Name, FullName: name}, nil
}

// splitSourcePath checks that path is a clean relative slash path and splits it.
func splitSourcePath(path string) ([]string, error) {
	if path == "" {
		return nil, fmt.Errorf("empty path: expected a path relative to the source root, e.g. classes/Foo.cls")
	}
	if strings.HasPrefix(path, "/") || strings.Contains(path, `\`) {
		return nil, fmt.Errorf("%s: expected a slash-separated path relative to the source root, e.g. classes/Foo.cls", path)
	}
	segs := strings.Split(path, "/")
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return nil, fmt.Errorf("%s: empty, \".\" or \"..\" path element; expected a clean relative path, e.g. classes/Foo.cls", path)
		}
	}
	return segs, nil
}

// resolveObjectPath resolves the files of a parent decomposed into a folder
// per child type: objects/<Object>/<Object>.object-meta.xml and
// objects/<Object>/<childFolder>/<Name>.<suffix>-meta.xml.
func resolveObjectPath(path string, segs []string, obt *Type) (Component, error) {
	switch len(segs) {
	case 3:
		obj := segs[1]
		if segs[2] == obj+"."+obt.Suffix+metaXML {
			return Component{Type: obt.Name, FullName: obj}, nil
		}
	case 4:
		obj, dir, file := segs[1], segs[2], segs[3]
		for _, cn := range obt.Children {
			c := typesByName[cn]
			if c.Directory != dir {
				continue
			}
			child, ok := strings.CutSuffix(file, "."+c.Suffix+metaXML)
			if !ok || child == "" {
				return Component{}, fmt.Errorf("%s: files in %s/ must be named <Name>.%s%s", path, dir, c.Suffix, metaXML)
			}
			return Component{Type: c.Name, FullName: obj + "." + child}, nil
		}
		var dirs []string
		for _, cn := range obt.Children {
			dirs = append(dirs, typesByName[cn].Directory)
		}
		return Component{}, fmt.Errorf("%s: %q is not a child folder of %s (%s)", path, dir, obt.Name, strings.Join(dirs, ", "))
	}
	return Component{}, fmt.Errorf("%s: expected %s/<Name>/<Name>.%s%s or %s/<Name>/<childFolder>/<Child>.<suffix>%s, e.g. objects/Account/fields/Region__c.field%s", path, obt.Directory, obt.Suffix, metaXML, obt.Directory, metaXML, metaXML)
}

// resolveTopLevelPath resolves the files of a parent decomposed into its
// own folder, children beside it: bots/<Bot>/<Bot>.bot-meta.xml and
// bots/<Bot>/<Version>.botVersion-meta.xml.
func resolveTopLevelPath(path string, segs []string, pt *Type) (Component, error) {
	if len(segs) == 3 {
		name, file := segs[1], segs[2]
		if file == name+"."+pt.Suffix+metaXML {
			return Component{Type: pt.Name, FullName: name}, nil
		}
		for _, cn := range pt.Children {
			c := typesByName[cn]
			if child, ok := strings.CutSuffix(file, "."+c.Suffix+metaXML); ok && child != "" {
				return Component{Type: c.Name, FullName: name + "." + child}, nil
			}
		}
	}
	return Component{}, fmt.Errorf("%s: expected %s/<Name>/<Name>.%s%s or a child file beside it", path, pt.Directory, pt.Suffix, metaXML)
}

func resolveTranslationPath(path string, segs []string) (string, error) {
	if len(segs) == 3 {
		name, file := segs[1], segs[2]
		if file == name+".objectTranslation"+metaXML {
			return name, nil
		}
		if f, ok := strings.CutSuffix(file, ".fieldTranslation"+metaXML); ok && f != "" {
			return name, nil
		}
	}
	return "", fmt.Errorf("%s: expected objectTranslations/<Object-lang>/<Object-lang>.objectTranslation%s or .../<Field>.fieldTranslation%s", path, metaXML, metaXML)
}

func resolveBundlePath(path string, segs []string, t *Type) (string, error) {
	if t.Adapter == "digitalExperience" { // digitalExperiences/site/<Name>/...
		if len(segs) >= 4 {
			return segs[1] + "/" + segs[2], nil
		}
		return "", fmt.Errorf("%s: expected %s/<kind>/<Name>/..., e.g. %s/site/Portal1/...", path, t.Directory, t.Directory)
	}
	if len(segs) >= 3 {
		return segs[1], nil
	}
	if t.Suffix != "" {
		if name, ok := strings.CutSuffix(segs[1], "."+t.Suffix+metaXML); ok && name != "" {
			return name, nil
		}
		return "", fmt.Errorf("%s: expected %s/<name>/... or %s/<name>.%s%s", path, t.Directory, t.Directory, t.Suffix, metaXML)
	}
	return "", fmt.Errorf("%s: %s components are folders: expected %s/<name>/<file>, e.g. %s/myCmp/myCmp.js", path, t.Name, t.Directory, t.Directory)
}

func resolveStaticResourcePath(path string, segs []string) (string, error) {
	if len(segs) >= 3 {
		return segs[1], nil
	}
	name, _, ok := strings.Cut(segs[1], ".")
	if !ok || name == "" {
		return "", fmt.Errorf("%s: expected staticresources/<Name>.resource%s with staticresources/<Name>.<ext> or a folder staticresources/<Name>/", path, metaXML)
	}
	return name, nil
}

// resolveFolderPath resolves files of in-folder types and their folders:
// reports/Sales.reportFolder-meta.xml, reports/Sales/Q1.report-meta.xml,
// reports/Sales/Sub/Q1.report-meta.xml, documents/Pub/Logo.png.
func resolveFolderPath(path string, segs []string, t *Type) (Component, error) {
	ft := typesByName[t.FolderType]
	file := segs[len(segs)-1]
	folder := strings.Join(segs[1:len(segs)-1], "/")
	join := func(name string) string {
		if folder == "" {
			return name
		}
		return folder + "/" + name
	}
	if name, ok := strings.CutSuffix(file, "."+ft.Suffix+metaXML); ok && name != "" {
		return Component{Type: ft.Name, FullName: join(name)}, nil
	}
	if folder == "" {
		return Component{}, fmt.Errorf("%s: %s components live in folders: expected %s/<Folder>/<Name>..., or a folder record %s/<Folder>.%s%s", path, t.Name, t.Directory, t.Directory, ft.Suffix, metaXML)
	}
	if t.MixedContent { // Document
		if strings.HasSuffix(file, "."+t.Suffix+metaXML) {
			return Component{}, fmt.Errorf("%s: a Document's name includes its content file's extension; resolve the content file beside it (e.g. %s/Logo.png)", path, folder)
		}
		return Component{Type: t.Name, FullName: join(file)}, nil
	}
	name, err := resolveFilePath(path, file, t)
	if err != nil {
		return Component{}, err
	}
	return Component{Type: t.Name, FullName: join(name)}, nil
}

// resolveFilePath returns the component name of a file named file of type t
// in source format: Foo.cls / Foo.cls-meta.xml for types with a meta file,
// X.suffix-meta.xml for XML-only types.
func resolveFilePath(path, file string, t *Type) (string, error) {
	if name, ok := strings.CutSuffix(file, "."+t.Suffix+metaXML); ok && name != "" {
		return name, nil
	}
	if t.MetaFile {
		if name, ok := strings.CutSuffix(file, "."+t.Suffix); ok && name != "" {
			return name, nil
		}
		return "", fmt.Errorf("%s: %s files are <Name>.%s with <Name>.%s%s", path, t.Name, t.Suffix, t.Suffix, metaXML)
	}
	if name, ok := strings.CutSuffix(file, "."+t.Suffix); ok && name != "" {
		return "", fmt.Errorf("%s: this is the Metadata API file name; in source format it is %s.%s%s", path, name, t.Suffix, metaXML)
	}
	return "", fmt.Errorf("%s: %s files in source format are named <Name>.%s%s", path, t.Name, t.Suffix, metaXML)
}

// Family returns the component whose Metadata API file holds c: the parent
// for a child (CustomObject:Account for CustomField:Account.Region__c,
// CustomLabels:CustomLabels for any label), else c itself.
func Family(c Component) Component {
	t, ok := typesByName[c.Type]
	if !ok || t.Parent == "" {
		return c
	}
	if t.Parent == "CustomLabels" { // label names are global: Greeting, not CustomLabels.Greeting
		return Component{Type: t.Parent, FullName: allLabels}
	}
	parent, _, _ := strings.Cut(c.FullName, ".")
	return Component{Type: t.Parent, FullName: parent}
}

// FileBelongs checks that the source-format file at p is one of c's: it
// resolves to c or, for a fragment, to c's family. A file read as an
// opaque component (classes/notes.txt, compared byte for byte) belongs to
// no component, so it never goes into a package or a directory.
func FileBelongs(c Component, p string, fragment bool) error {
	got, err := ResolvePath(p)
	switch {
	case err != nil && c.Type == "Document" && strings.HasSuffix(p, ".document"+metaXML):
		return nil // a Document's meta file resolves only together with its content file
	case err != nil:
		return err
	case got == c, fragment && got == Family(c):
		return nil
	}
	return fmt.Errorf("file %s belongs to %s; an item carries only its own component's files", p, got)
}
