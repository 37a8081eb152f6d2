package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"relman/model/metadata"
)

// Layout names how a directory org keeps its metadata.
type Layout string

// The layouts Open recognises.
const (
	LayoutSFDXProject Layout = "sfdx-project" // sfdx-project.json and its package directories
	LayoutMDAPI       Layout = "mdapi"        // a Metadata API folder holding package.xml
	LayoutSourceDir   Layout = "source-dir"   // source format without a project file
)

// expected is what Open says a metadata directory looks like.
const expected = "expected an SFDX project (sfdx-project.json), a Metadata API folder (package.xml) " +
	"or a source-format folder such as force-app holding classes/, objects/, …"

// Search depths for source roots: a package directory may nest its roots
// freely; a folder without a project file is searched only as deep as the
// conventional <dir>/force-app/main/default (plus one), so that pointing
// relman at a large unrelated tree fails fast instead of crawling it.
const (
	maxPackageDepth = 12
	maxSourceDepth  = 4
)

// Org is a directory opened as an org. Its methods may be called from
// several goroutines: Write and Delete are serialised with each other and
// with reads. Files of returned Items open lazily, so read them before a
// later Write changes the directory.
type Org struct {
	dir      string // absolute
	layout   Layout
	packages []PackageDir // sfdx-project and source-dir, without Roots: see currentPackages
	mdapiDir string       // mdapi: the folder holding package.xml, relative to dir ("." or e.g. "unpackaged")
	ignore   *forceIgnore // the project's .forceignore; nil when there is none
	desc     Description

	mu sync.RWMutex
}

// PackageDir is a package directory of an SFDX project and the source roots
// found in it. A source-dir org has one, with Path ".".
type PackageDir struct {
	// Path is the package directory relative to the org's directory,
	// slash-separated, e.g. "force-app".
	Path    string `json:"path"`
	Default bool   `json:"default"`
	// Roots are the folders holding type directories (classes/, objects/,
	// …), relative to the org's directory, e.g. "force-app/main/default".
	Roots []string `json:"roots"`
}

// Open opens dir as an org, recognising its layout (see the package
// documentation). It reads only what says the layout — sfdx-project.json,
// package.xml, the folders — so it is cheap; the metadata itself is read by
// Items and Describe, fresh each time, which also report a directory relman
// cannot use (naming the file at fault).
func Open(dir string) (*Org, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local org %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("local org %s: no such directory; %s", dir, expected)
	case err != nil:
		return nil, fmt.Errorf("local org %s: %w", dir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("local org %s: a file, not a directory; %s", dir, expected)
	}
	o := &Org{dir: abs}
	if isFile(filepath.Join(abs, "sfdx-project.json")) {
		err = o.openProject()
	} else if m, ok := findManifest(abs); ok {
		o.layout, o.mdapiDir = LayoutMDAPI, m
	} else {
		err = o.openSourceDir()
	}
	if err != nil {
		return nil, err
	}
	if o.layout == LayoutMDAPI {
		m, err := o.readManifest()
		if err != nil {
			return nil, err
		}
		o.desc.APIVersion = m.Version
	}
	return o, nil
}

// projectFile is the part of sfdx-project.json relman reads.
type projectFile struct {
	Name               string `json:"name"`
	SourceAPIVersion   string `json:"sourceApiVersion"`
	PackageDirectories []struct {
		Path    string `json:"path"`
		Default bool   `json:"default"`
	} `json:"packageDirectories"`
}

func (o *Org) openProject() error {
	o.layout = LayoutSFDXProject
	file := filepath.Join(o.dir, "sfdx-project.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	var p projectFile
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("%s: not valid JSON (%v); fix the file so the Salesforce CLI can read it too", file, err)
	}
	if len(p.PackageDirectories) == 0 {
		return fmt.Errorf(`%s: no packageDirectories; add one, e.g. "packageDirectories": [{"path": "force-app", "default": true}]`, file)
	}
	seen := map[string]bool{}
	hasDefault := false
	for i, pd := range p.PackageDirectories {
		trimmed := strings.TrimSpace(pd.Path)
		rel := path.Clean(filepath.ToSlash(trimmed))
		if trimmed == "" || !filepath.IsLocal(filepath.FromSlash(rel)) {
			return fmt.Errorf("%s: packageDirectories[%d] path %q must be a folder inside the project, e.g. force-app", file, i, pd.Path)
		}
		if !isDir(o.abs(rel)) {
			return fmt.Errorf("%s: package directory %q does not exist in %s; create it or remove it from packageDirectories", file, pd.Path, o.dir)
		}
		if seen[rel] {
			continue
		}
		seen[rel] = true
		// The Salesforce CLI wants exactly one default; relman takes the
		// first one marked, or else the first listed, rather than refuse a
		// project the admin can otherwise use.
		def := pd.Default && !hasDefault
		hasDefault = hasDefault || def
		o.packages = append(o.packages, PackageDir{Path: rel, Default: def})
	}
	if !hasDefault {
		o.packages[0].Default = true
	}
	o.desc.Name, o.desc.APIVersion = p.Name, p.SourceAPIVersion
	o.ignore, err = loadForceIgnore(o.dir)
	return err
}

func (o *Org) openSourceDir() error {
	o.layout = LayoutSourceDir
	var err error
	if o.ignore, err = loadForceIgnore(o.dir); err != nil {
		return err
	}
	o.packages = []PackageDir{{Path: ".", Default: true}}
	pkgs, err := o.currentPackages()
	if err != nil {
		return err
	}
	if len(pkgs[0].Roots) == 0 {
		return fmt.Errorf("local org %s: not a metadata directory: no sfdx-project.json, no package.xml and no folder holding type directories such as classes/ or objects/ within %d levels; %s", o.dir, maxSourceDepth, expected)
	}
	return nil
}

// findRoots returns the source roots at or below base (relative to the org
// directory): the folders that hold at least one type directory. The search
// does not enter type directories (a static resource may hold a folder
// named classes/), tooling folders or .forceignore'd paths; it does enter
// the other folders of a root, so roots may nest.
func (o *Org) findRoots(base string, maxDepth int) ([]string, error) {
	var roots []string
	var walk func(rel string, depth int) error
	walk = func(rel string, depth int) error {
		entries, err := os.ReadDir(o.abs(rel))
		if errors.Is(err, fs.ErrNotExist) && rel == base {
			return nil // a package directory removed since Open holds nothing
		}
		if err != nil {
			return fmt.Errorf("local org %s: %w", o.dir, err)
		}
		isRoot := false
		var subdirs []string
		for _, e := range entries {
			if !e.IsDir() || skipDir(e.Name()) {
				continue
			}
			child := path.Join(rel, e.Name())
			if o.ignore.match(child, true) {
				continue
			}
			if _, ok := metadata.TypeForDirectory(e.Name()); ok {
				isRoot = true
				continue
			}
			subdirs = append(subdirs, child)
		}
		if isRoot {
			roots = append(roots, rel)
		}
		if depth >= maxDepth {
			return nil
		}
		for _, s := range subdirs {
			if err := walk(s, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return roots, walk(base, 0)
}

// skipDir reports folders that never hold metadata: dot-folders (.git, .sf,
// .sfdx), dependencies and LWC test folders.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "__tests__" || name == "__mocks__"
}

// findManifest returns the folder holding package.xml: dir itself, or the
// only folder in it (the unpackaged/ layout of a retrieve), ignoring
// dot-files such as .DS_Store.
func findManifest(dir string) (string, bool) {
	if isFile(filepath.Join(dir, "package.xml")) {
		return ".", true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	var only string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if only != "" || !e.IsDir() {
			return "", false
		}
		only = e.Name()
	}
	if only != "" && isFile(filepath.Join(dir, only, "package.xml")) {
		return only, true
	}
	return "", false
}

// defaultRoot is where Write puts components that have no place in the org
// yet: <default package>/main/default when it exists or nothing else does,
// else the default package's first root.
func defaultRoot(packages []PackageDir) string {
	p := packages[0]
	for _, q := range packages {
		if q.Default {
			p = q
			break
		}
	}
	conventional := path.Join(p.Path, "main", "default")
	if len(p.Roots) == 0 || slices.Contains(p.Roots, conventional) {
		return conventional
	}
	return p.Roots[0]
}

// currentPackages returns the package directories with their roots as they
// are now: roots are looked for again on every read, so folders created
// since Open (by Write, or by hand) are seen.
func (o *Org) currentPackages() ([]PackageDir, error) {
	depth := maxPackageDepth
	if o.layout == LayoutSourceDir {
		depth = maxSourceDepth
	}
	out := make([]PackageDir, len(o.packages))
	claimed := map[string]bool{}
	for i, p := range o.packages {
		roots, err := o.findRoots(p.Path, depth)
		if err != nil {
			return nil, err
		}
		out[i] = PackageDir{Path: p.Path, Default: p.Default}
		for _, r := range roots {
			if !claimed[r] {
				claimed[r] = true
				out[i].Roots = append(out[i].Roots, r)
			}
		}
	}
	return out, nil
}

// abs returns the absolute path of rel, a slash path relative to the org
// directory.
func (o *Org) abs(rel string) string { return filepath.Join(o.dir, filepath.FromSlash(rel)) }

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// checkContext returns the context's error, naming the org.
func (o *Org) checkContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	return nil
}
