package orgclient

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"

	"relman/model/metadata"
)

// packageOf reads what a retrieved zip holds and which requested
// components it lacks.
func packageOf(env string, zipBytes []byte, requested []metadata.Component) (Package, error) {
	items, err := metadata.ReadMDAPIZip(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return Package{}, fmt.Errorf("environment %s: reading the retrieved package: %w", env, err)
	}
	var warnings []metadata.Warning
	if unresolved != nil {
		warnings = unresolved.Warnings
	}
	found := map[metadata.Component]bool{}
	for _, it := range items {
		found[it.Component] = true
	}
	p := Package{Zip: zipBytes, Warnings: warnings}
	for _, c := range requested {
		if found[c] {
			p.Components = append(p.Components, c)
		} else {
			p.Missing = append(p.Missing, c)
		}
	}
	return p, nil
}

// hasRootManifest reports whether a zip keeps package.xml at its root
// (singlePackage) rather than in a package folder such as unpackaged/.
func hasRootManifest(zipBytes []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == "package.xml" {
			return true
		}
	}
	return false
}
