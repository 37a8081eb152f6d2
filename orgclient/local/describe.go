package local

import (
	"context"
	"fmt"
	"path"
	"relman/model/metadata"
	"sort"
	"strings"
)

// Description is what Open found in a directory: enough for `relman env
// test` to say what the environment holds, or what is wrong with it.
type Description struct {
	Dir    string `json:"dir"` // absolute
	Layout Layout `json:"layout"`
	// Name is the project's name from sfdx-project.json, if any.
	Name string `json:"name,omitempty"`
	// APIVersion is sfdx-project.json's sourceApiVersion or package.xml's
	// version, if any.
	APIVersion string `json:"apiVersion,omitempty"`
	// PackageDirs are the package directories and their source roots
	// (sfdx-project and source-dir layouts).
	PackageDirs []PackageDir `json:"packageDirs,omitempty"`
	// Manifest is package.xml's path relative to Dir (mdapi layout).
	Manifest string `json:"manifest,omitempty"`
	// Components is the number of components; Types breaks it down by
	// type, sorted by type name.
	Components int         `json:"components"`
	Types      []TypeCount `json:"types"`
	// Warnings lists, in full, the files relman read in part or left out
	// and the duplicates it resolved, each naming its file.
	Warnings []metadata.Warning `json:"warnings,omitempty"`
}

// TypeCount is how many components of one type an org holds.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Describe reads the directory and reports what it holds: the layout,
// package directories, counts per type and the files relman does not know.
func (o *Org) Describe(ctx context.Context) (Description, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	s, err := o.read(ctx)
	if err != nil {
		return Description{}, err
	}
	d := Description{Dir: o.dir, Layout: o.layout, Name: o.desc.Name, APIVersion: o.desc.APIVersion, PackageDirs: s.packages}
	if o.layout == LayoutMDAPI {
		d.Manifest = path.Join(o.mdapiDir, "package.xml")
	}
	counts := map[string]int{}
	for _, l := range s.items {
		counts[l.item.Component.Type]++
	}
	d.Components = len(s.items)
	for t, n := range counts {
		d.Types = append(d.Types, TypeCount{Type: t, Count: n})
	}
	sort.Slice(d.Types, func(i, j int) bool { return d.Types[i].Type < d.Types[j].Type })
	d.Warnings = s.warnings
	return d, nil
}

// Dir is the org's directory (absolute).
func (o *Org) Dir() string { return o.dir }

// APIVersion is sfdx-project.json's sourceApiVersion or package.xml's
// version, or "" when the directory does not say.
func (o *Org) APIVersion() string { return o.desc.APIVersion }

// String renders the description for people, e.g.
//
//	SFDX project "relman-uat" (API 62.0) at /work/uat
//	package directory force-app (default): force-app/main/default
//	43 components: 4 ApexClass, 1 ApexPage, …
func (d Description) String() string {
	var b strings.Builder
	switch d.Layout {
	case LayoutSFDXProject:
		b.WriteString("SFDX project")
		if d.Name != "" {
			fmt.Fprintf(&b, " %q", d.Name)
		}
	case LayoutMDAPI:
		fmt.Fprintf(&b, "Metadata API folder (%s)", d.Manifest)
	case LayoutSourceDir:
		b.WriteString("source-format folder")
	}
	if d.APIVersion != "" {
		fmt.Fprintf(&b, " (API %s)", d.APIVersion)
	}
	fmt.Fprintf(&b, " at %s\n", d.Dir)
	for _, p := range d.PackageDirs {
		if d.Layout == LayoutSFDXProject {
			fmt.Fprintf(&b, "package directory %s", p.Path)
			if p.Default {
				b.WriteString(" (default)")
			}
			b.WriteString(": ")
		} else {
			b.WriteString("source roots: ")
		}
		if len(p.Roots) == 0 {
			b.WriteString("no metadata yet")
		} else {
			b.WriteString(strings.Join(p.Roots, ", "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%d components", d.Components)
	for i, t := range d.Types {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%d %s", sep, t.Count, t.Type)
	}
	b.WriteString("\n")
	if n := len(d.Warnings); n > 0 {
		fmt.Fprintf(&b, "%d warning(s):\n", n)
		for _, w := range d.Warnings {
			b.WriteString("  " + w.Error() + "\n")
		}
	}
	return b.String()
}
