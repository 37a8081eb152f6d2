package actions

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
)

// packageContents is what a package zip would deploy.
type packageContents struct {
	// manifest and destructive are the members package.xml and the
	// destructiveChanges*.xml files list.
	manifest, destructive []metadata.Component
	// wildcards are "*" members, which no approval names.
	wildcards []string
	// present are the components the zip's files make up, with their
	// content hashes (as compare computes them).
	present []metadata.Component
	content map[string]string
	// unread are the files no component claims.
	unread []metadata.Warning
}

// readPackage reads a package zip's manifests and files.
func readPackage(ctx context.Context, zipBytes []byte) (packageContents, error) {
	var pc packageContents
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return pc, fmt.Errorf("reading the package zip: %w", err)
	}
	manifests := 0
	for _, f := range zr.File {
		base := path.Base(f.Name)
		isDestructive := strings.HasPrefix(base, "destructiveChanges") && strings.HasSuffix(base, ".xml")
		if base != "package.xml" && !isDestructive {
			continue
		}
		if base == "package.xml" {
			if manifests++; manifests > 1 {
				pc.wildcards = append(pc.wildcards, "(a second package.xml: "+f.Name+")")
			}
		}
		m, err := readManifest(f)
		if err != nil {
			return pc, err
		}
		for typ, members := range m.Types {
			for _, name := range members {
				switch {
				case strings.Contains(name, "*"):
					pc.wildcards = append(pc.wildcards, typ+":"+name+" in "+f.Name)
				case isDestructive:
					pc.destructive = append(pc.destructive, metadata.Component{Type: typ, FullName: name})
				default:
					pc.manifest = append(pc.manifest, metadata.Component{Type: typ, FullName: name})
				}
			}
		}
	}
	items, err := metadata.ReadMDAPIZip(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	var unresolved *metadata.UnresolvedError
	if errors.As(err, &unresolved) {
		pc.unread, err = unresolved.Warnings, nil
	}
	if err != nil {
		return pc, err
	}
	res, err := diff.Compare(ctx, items, nil, diff.Options{})
	if err != nil {
		return pc, err
	}
	pc.content = map[string]string{}
	for _, e := range res.Entries {
		pc.present = append(pc.present, e.Component)
		pc.content[e.Component.String()] = e.SourceHash
	}
	return pc, nil
}

func readManifest(f *zip.File) (metadata.Manifest, error) {
	rc, err := f.Open()
	if err != nil {
		return metadata.Manifest{}, fmt.Errorf("reading %s of the package: %w", f.Name, err)
	}
	defer rc.Close()
	m, err := metadata.ParseManifest(rc)
	if err != nil {
		return m, fmt.Errorf("reading %s of the package: %w", f.Name, err)
	}
	return m, nil
}

// checkScope refuses a package that is not exactly the approved
// components (and the record's own deletions), listing the difference.
func checkScope(d model.DeploymentRecord, pc packageContents) error {
	diffs := model.ScopeDifference(d, pc.manifest, pc.destructive, pc.present, pc.wildcards)
	for _, w := range pc.unread {
		diffs = append(diffs, "unread file "+w.Path+" ("+w.Problem+")")
	}
	if len(diffs) > 0 {
		return model.ErrPackageScope.With(d.Key() + ": " + strings.Join(diffs, "; "))
	}
	return nil
}

// checkPackage checks, right before a deploy, that the stored package is
// still exactly the approved scope with the approved content; different
// content sends the deployment back for approval.
func (p *pipeline) checkPackage(ctx context.Context, zip []byte) error {
	pc, err := readPackage(ctx, zip)
	if err != nil {
		return fmt.Errorf("%s: %w", p.d.Key(), err)
	}
	if err := checkScope(p.d, pc); err != nil {
		return err
	}
	if p.d.ApprovedContent == nil {
		return model.ErrNoPackage.With(p.d.Key() + "'s package was retrieved before its content was bound to the approval")
	}
	changed := model.ContentDiffers(p.d, pc.content)
	if len(changed) == 0 {
		return nil
	}
	now := p.s.now()
	if err := p.updateRecord(func(d model.DeploymentRecord) (model.DeploymentRecord, []model.Change) {
		d, ch := model.SendBack(d, pc.content, changed, now)
		return d, []model.Change{ch}
	}); err != nil {
		return err
	}
	return contentChanged(p.d, changed)
}

// contentChanged says which components changed and where that leaves d.
func contentChanged(d model.DeploymentRecord, changed []string) error {
	return model.ErrContentChanged.With(d.Key() + ": the content of " + strings.Join(changed, ", ") +
		" is not what was approved; it is back to Pending Approval")
}
