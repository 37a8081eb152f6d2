package metadata

//go:generate go run ./internal/gen -in ../../../shared/data/sdr-metadataRegistry.json -date 2026-08-21 -out registry_gen.go

import (
	"sort"
	"strings"
)

// Type describes one Metadata API type: where its files live and how they are
// split between the Metadata API ("MDAPI") format and the source (SFDX)
// format. The facts come from the Salesforce CLI's metadata registry
// (source-deploy-retrieve), restricted to the types relman handles.
type Type struct {
	// Name is the Metadata API xmlName, e.g. "CustomField".
	Name string
	// Directory is the metadata directory, e.g. "classes" or "objects". For
	// children of decomposed parents it is the child folder inside the
	// parent's folder in source format ("fields"); for children kept inside
	// their parent's file it is the parent's directory.
	Directory string
	// Suffix is the file suffix without the dot, e.g. "cls", "object",
	// "field". Bundles (lwc, aura) have none; ExperienceBundle's "site" is
	// the suffix of the meta file beside its folder.
	Suffix string
	// InFolder is set for types whose components live in folders (Report,
	// Dashboard, Document, EmailTemplate); their full names are Folder/Name.
	InFolder bool
	// FolderType is the type of the folders of an InFolder type, e.g.
	// "ReportFolder" for Report.
	FolderType string
	// FolderContentType is, for a folder type, the type of what it holds,
	// e.g. "Report" for ReportFolder. Package manifests list folders under
	// that type.
	FolderContentType string
	// Bundle is set when a component is a directory of files
	// (LightningComponentBundle, AuraDefinitionBundle, ExperienceBundle).
	Bundle bool
	// MetaFile is set when a component is a content file plus a
	// "<file>-meta.xml" companion in the Metadata API format (ApexClass, ...).
	MetaFile bool
	// MixedContent is set when the content file's extension is not the
	// suffix: StaticResource (X.resource in MDAPI, X.json or an expanded
	// folder in source) and Document (X.png with X.document-meta.xml).
	MixedContent bool
	// StrictDirectory is set when the layout under Directory is fixed
	// (objects/<Object>/..., lwc/<name>/..., sites/<Name>.site-meta.xml);
	// files of other types may be grouped in subfolders of Directory.
	StrictDirectory bool
	// Parent is the parent type of a child type, e.g. "CustomObject".
	Parent string
	// Children lists the child type names of a parent type, in the order
	// their elements are written when a parent file is recomposed.
	Children []string
	// Decomposed is set on parents whose children are separate files in
	// source format (CustomObject, CustomObjectTranslation). Other parents
	// (CustomLabels, Workflow, SharingRules, ...) keep children inside one
	// shared file in source format.
	Decomposed bool
	// TopLevel is set on decomposed parents whose children's files sit
	// directly in the parent's folder (bots/B/v1.botVersion-meta.xml)
	// rather than in a folder per child type (objects/A/fields/...).
	TopLevel bool
	// ElementName is, for a child type, the element holding one child inside
	// the parent's XML, e.g. "fields", "labels", "rules".
	ElementName string
	// IDElement is, for a child type, the element inside ElementName holding
	// the child's name: "fullName" for most, "name" for CustomFieldTranslation.
	IDElement string
	// PartOfParent is set for child types that are not components of their
	// own (CustomFieldTranslation): their files belong to the parent's Item
	// and they never appear in a manifest.
	PartOfParent bool
	// LegacySuffix is an older suffix the Salesforce CLI still reads for
	// the type ("indexe" for Index).
	LegacySuffix string
	// AliasFor names the type this one is another name of
	// (EmailTemplateFolder is EmailFolder).
	AliasFor string
	// Adapter names the Salesforce CLI's source adapter for types whose
	// files follow a layout of their own ("digitalExperience",
	// "uiBundles"); relman reads each component as a folder compared byte
	// for byte (see the overlays).
	Adapter string
}

// IsChild reports whether t is a child type (its components are named
// Parent.Child and live inside the parent's metadata).
func (t Type) IsChild() bool { return t.Parent != "" }

// sharedFile reports whether t is a parent whose children stay in its file in
// source format (labels, workflows, sharing rules, assignment rules, ...).
func (t Type) sharedFile() bool { return len(t.Children) > 0 && !t.Decomposed && !t.Bundle }

// xmlOnly reports whether a component of t is one XML file: X.suffix in
// MDAPI format and X.suffix-meta.xml in source format.
func (t Type) xmlOnly() bool { return !t.MetaFile && !t.Bundle && !t.MixedContent }

var (
	typesByName  map[string]*Type
	typesByLower map[string]*Type
	typesByDir   map[string]*Type
	// dirTypes lists, for a directory several top-level types share
	// (wave/, discovery/, featureParameters/), all of them.
	dirTypes    map[string][]*Type
	sortedTypes []Type
)

func init() {
	typesByName = make(map[string]*Type, len(typeTable))
	typesByLower = make(map[string]*Type, len(typeTable))
	for i := range typeTable {
		t := &typeTable[i]
		if _, dup := typesByName[t.Name]; dup {
			panic("metadata: type " + t.Name + " registered twice")
		}
		typesByName[t.Name] = t
		typesByLower[strings.ToLower(t.Name)] = t
	}
	for i := range typeTable {
		t := &typeTable[i]
		if t.Parent == "" {
			continue
		}
		p, ok := typesByName[t.Parent]
		if !ok {
			panic("metadata: type " + t.Name + " has unknown parent " + t.Parent)
		}
		p.Children = append(p.Children, t.Name)
		if !p.Decomposed {
			t.Directory, t.Suffix = p.Directory, p.Suffix
		}
		if t.IDElement == "" {
			t.IDElement = "fullName"
		}
	}
	for _, p := range typesByName {
		sort.Slice(p.Children, func(i, j int) bool {
			return typesByName[p.Children[i]].ElementName < typesByName[p.Children[j]].ElementName
		})
	}
	for i := range typeTable {
		t := &typeTable[i]
		if t.FolderType != "" && typesByName[t.FolderType].FolderContentType == "" {
			typesByName[t.FolderType].FolderContentType = t.Name
		}
	}
	// TypeForDirectory answers with top-level, non-folder types only: a
	// folder type shares its directory with its content type, which is the
	// more useful answer for "what lives in reports/?". A directory several
	// types share (wave/, discovery/) answers with the first by name; files
	// there are told apart by suffix.
	typesByDir = make(map[string]*Type)
	dirTypes = make(map[string][]*Type)
	for i := range typeTable {
		t := &typeTable[i]
		if t.Parent != "" || t.FolderContentType != "" || t.AliasFor != "" {
			continue
		}
		if _, dup := typesByDir[t.Directory]; !dup {
			typesByDir[t.Directory] = t
		}
		dirTypes[t.Directory] = append(dirTypes[t.Directory], t)
	}
	sortedTypes = make([]Type, len(typeTable))
	for i := range typeTable {
		sortedTypes[i] = typeTable[i]
		sortedTypes[i].Children = append([]string(nil), typeTable[i].Children...)
	}
	sort.Slice(sortedTypes, func(i, j int) bool { return sortedTypes[i].Name < sortedTypes[j].Name })
	strictDirs = buildStrictDirs()
}

// LookupType returns the registered type with this exact Metadata API name.
func LookupType(name string) (Type, bool) {
	t, ok := typesByName[name]
	if !ok {
		return Type{}, false
	}
	return t.clone(), true
}

// Types returns every registered type, sorted by Name. The result is a copy
// the caller may modify.
func Types() []Type {
	out := make([]Type, len(sortedTypes))
	for i, t := range sortedTypes {
		out[i] = t.clone()
	}
	return out
}

// TypeForDirectory returns the top-level type whose components live in the
// metadata directory dir ("classes" → ApexClass, "reports" → Report). Child
// and folder types are not returned: "fields" is ambiguous between parents and
// a folder type shares its directory with its content type.
func TypeForDirectory(dir string) (Type, bool) {
	t, ok := typesByDir[dir]
	if !ok {
		return Type{}, false
	}
	return t.clone(), true
}

func (t *Type) clone() Type {
	c := *t
	c.Children = append([]string(nil), t.Children...)
	return c
}

// childByElement returns the child type of parent p stored under element
// name el, or nil.
func childByElement(p *Type, el string) *Type {
	for _, n := range p.Children {
		if c := typesByName[n]; c.ElementName == el {
			return c
		}
	}
	return nil
}

// typeInDir returns the type of a file named file in the top-level type
// directory dir: the directory's type, or for a directory several types
// share, the one whose suffix the file carries.
func typeInDir(dir, file string) (*Type, bool) {
	ts := dirTypes[dir]
	if len(ts) == 0 {
		return nil, false
	}
	if len(ts) > 1 {
		suffix := fileSuffix(file)
		for _, t := range ts {
			if t.Suffix == suffix {
				return t, true
			}
		}
	}
	return ts[0], true
}

// fileSuffix returns the suffix of a file name in either format:
// "cls" for Foo.cls and Foo.cls-meta.xml, "" for a name without one.
func fileSuffix(file string) string {
	base := strings.TrimSuffix(file, metaXML)
	i := strings.LastIndexByte(base, '.')
	if i <= 0 {
		return ""
	}
	return base[i+1:]
}
