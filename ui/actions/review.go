package actions

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
)

// CompareLog reads one saved comparison.
func (s *Service) CompareLog(id int64) (model.CompareLog, error) {
	var l model.CompareLog
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		l, err = tx.CompareLog(id)
		return err
	})
	return l, err
}

// CompareLogs lists saved comparisons, of one change request when cr is not 0.
func (s *Service) CompareLogs(cr int64) ([]model.CompareLog, error) {
	var ls []model.CompareLog
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		ls, err = tx.ListCompareLogs(cr)
		return err
	})
	return ls, err
}

// MarkViewed sets or clears the acting user's viewed mark on one component
// of a saved comparison, bound to both sides' current content.
func (s *Service) MarkViewed(logID int64, c metadata.Component, viewed bool) (model.CompareLog, error) {
	var out model.CompareLog
	now := s.now()
	err := s.update("", func(tx *store.Tx) error {
		l, err := tx.CompareLog(logID)
		if err != nil {
			return err
		}
		var ch model.Change
		if out, ch, err = model.MarkViewed(l, c, viewed, s.User, now); err != nil {
			return err
		}
		if err := tx.PutCompareLog(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// PackagePlan is what deploying a comparison's source onto its target
// takes: components to add or update, and components to delete.
type PackagePlan struct {
	Deploy  []metadata.Component
	Destroy []metadata.Component
	// LeftOut are the components that cannot go into a manifest: files
	// compared byte for byte that are no component of their folder's type
	// (classes/notes.txt), names the Metadata API would refuse.
	LeftOut []metadata.Warning
}

// PlanPackage turns compare entries into a deployment plan: only-in-source
// and different components are deployed, only-in-target ones destroyed.
func PlanPackage(entries []model.CompareEntry) PackagePlan {
	var p PackagePlan
	for _, e := range entries {
		if e.Category != model.Same {
			if err := deployable(e); err != nil {
				p.LeftOut = append(p.LeftOut, metadata.Warning{Path: strings.Join(e.Files, ", "),
					Problem: fmt.Sprintf("left out of package.xml and destructiveChanges.xml: %v", err)})
				continue
			}
		}
		switch e.Category {
		case model.OnlyInSource, model.Different:
			p.Deploy = append(p.Deploy, e.Component)
		case model.OnlyInTarget:
			p.Destroy = append(p.Destroy, e.Component)
		}
	}
	return p
}

// deployable says why a compared component cannot be named in a manifest:
// a name the Metadata API would refuse, or a file that is no component of
// its type (read only to be compared). Types relman does not know (from an
// org's describeMetadata) are named as they are.
func deployable(e model.CompareEntry) error {
	if _, known := metadata.LookupType(e.Component.Type); !known {
		return nil
	}
	if err := metadata.Validate(e.Component); err != nil {
		return err
	}
	for _, f := range e.Files {
		if err := metadata.FileBelongs(e.Component, f, true); err != nil {
			return err
		}
	}
	return nil
}

// ManifestAPIVersion is the <version> written into generated manifests.
const ManifestAPIVersion = "62.0"

// WritePackage writes package.xml, and destructiveChanges.xml when there is
// something to delete, into dir. A stale destructiveChanges.xml from an
// earlier run is removed, so the folder always describes this plan alone.
func (s *Service) WritePackage(dir string, p PackagePlan) error {
	if err := s.LocalOnly("writing package.xml into " + fmt.Sprintf("%q", dir)); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("package folder %s: %v", dir, err)
	}
	if err := writeFileWith(filepath.Join(dir, "package.xml"), func(w io.Writer) error {
		return metadata.NewManifest(p.Deploy, ManifestAPIVersion).WriteXML(w)
	}); err != nil {
		return err
	}
	destructive := filepath.Join(dir, "destructiveChanges.xml")
	if len(p.Destroy) > 0 {
		return writeFileWith(destructive, func(w io.Writer) error {
			return metadata.WriteDestructive(w, p.Destroy, ManifestAPIVersion)
		})
	}
	if err := os.Remove(destructive); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the stale %s: %v", destructive, err)
	}
	return nil
}

func writeFileWith(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return f.Close()
}
