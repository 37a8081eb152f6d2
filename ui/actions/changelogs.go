package actions

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
	"relman/store"
)

// ChangeLogs lists the change logs q selects: non-compliant first, then
// newest first.
func (s *Service) ChangeLogs(q store.ChangeLogQuery) ([]model.ChangeLog, error) {
	var out []model.ChangeLog
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.ListChangeLogs(q)
		return err
	})
	model.SortChangeLogs(out)
	return out, err
}

// ChangeLog reads one change log.
func (s *Service) ChangeLog(id int64) (model.ChangeLog, error) {
	var out model.ChangeLog
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.ChangeLog(id)
		return err
	})
	return out, err
}

// ResolveChangeLog resolves non-compliant change id: with approved change
// request cr (0: none) covering it after the fact, and a note saying why.
// Only approvers resolve.
func (s *Service) ResolveChangeLog(id, cr int64, note string) (model.ChangeLog, error) {
	now := s.now()
	var out model.ChangeLog
	err := s.update(model.RoleApprover, func(tx *store.Tx) error {
		cl, err := tx.ChangeLog(id)
		if err != nil {
			return err
		}
		users, err := tx.Users()
		if err != nil {
			return err
		}
		var linked *model.ChangeRequest
		if cr != 0 {
			c, err := tx.CR(cr)
			if err != nil {
				return err
			}
			linked = &c
		}
		var ch model.Change
		if out, ch, err = model.ResolveChangeLog(cl, users, s.User, linked, note, now); err != nil {
			return err
		}
		if err := tx.PutChangeLog(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// ChangeDiff is the line diff of change log cl: its component's files in
// the snapshot before against those after, read from the stored blobs.
func (s *Service) ChangeDiff(cl model.ChangeLog) ([]diff.FileDiff, error) {
	before, after, err := s.ChangeItems(cl)
	if err != nil {
		return nil, err
	}
	// ItemDiff shows its source over its target: the change is after over before.
	return diff.ItemDiff(after, before, 3, diff.Options{})
}

// ChangeItems are change log cl's component before and after the change
// (nil on the side where it did not exist), read from the stored blobs.
func (s *Service) ChangeItems(cl model.ChangeLog) (before, after *metadata.Item, err error) {
	err = s.Store.View(func(tx *store.Tx) error {
		var err error
		if before, err = itemFromBlobs(tx, cl.Component, cl.Before); err != nil {
			return err
		}
		after, err = itemFromBlobs(tx, cl.Component, cl.After)
		return err
	})
	return before, after, err
}

// itemFromBlobs rebuilds a component from its files' blob keys; nil when
// it has none (the side where it did not exist).
func itemFromBlobs(tx *store.Tx, c metadata.Component, files map[string]string) (*metadata.Item, error) {
	if len(files) == 0 {
		return nil, nil
	}
	it := &metadata.Item{Component: c}
	for path, key := range files {
		data, err := tx.Blob(key)
		if err != nil {
			return nil, err
		}
		it.Files = append(it.Files, metadata.File{Path: path,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }})
	}
	slices.SortFunc(it.Files, func(a, b metadata.File) int { return strings.Compare(a.Path, b.Path) })
	return it, nil
}

// Policy is the policy that applies to environment env ("" or
// model.DefaultPolicy: the default one).
func (s *Service) Policy(env string) (model.Policy, error) {
	var p model.Policy
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		p, err = tx.PolicyFor(env)
		return err
	})
	return p, err
}

// SetPolicyLevel sets category c of policy name (model.DefaultPolicy or an
// environment, which then gets its own policy starting from the default)
// to level l with approvers. Admins only.
func (s *Service) SetPolicyLevel(name string, c model.PolicyCategory, l model.Level, approvers []string) (model.Policy, error) {
	return s.changePolicy(name, func(p model.Policy, users model.Users, now time.Time) (model.Policy, model.Change, error) {
		return model.SetLevel(p, users, s.User, c, l, approvers, now)
	})
}

// SetPolicyType moves metadata type typeName to category c in policy name.
// Admins only.
func (s *Service) SetPolicyType(name, typeName string, c model.PolicyCategory) (model.Policy, error) {
	return s.changePolicy(name, func(p model.Policy, users model.Users, now time.Time) (model.Policy, model.Change, error) {
		return model.SetTypeCategory(p, users, s.User, typeName, c, now)
	})
}

func (s *Service) changePolicy(name string, rule func(model.Policy, model.Users, time.Time) (model.Policy, model.Change, error)) (model.Policy, error) {
	if name == "" {
		name = model.DefaultPolicy
	}
	now := s.now()
	var out model.Policy
	err := s.update(model.RoleAdmin, func(tx *store.Tx) error {
		if name != model.DefaultPolicy {
			if _, err := tx.Environment(name); err != nil {
				return err
			}
		}
		p, err := tx.PolicyFor(name)
		if err != nil {
			return err
		}
		p.Name = name
		users, err := tx.Users()
		if err != nil {
			return err
		}
		var ch model.Change
		if out, ch, err = rule(p, users, now); err != nil {
			return err
		}
		if err := tx.PutPolicy(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// ReviewChange saves a Compare Log of change log cl — its component after
// the change as the source, before it as the target — so the review screen
// opens it like any comparison. Both sides are written as small source
// trees beside the store (<store>.changes/CH-…/after and …/before), where
// the reviewer reads them again.
func (s *Service) ReviewChange(ctx context.Context, cl model.ChangeLog) (model.CompareLog, error) {
	before, after, err := s.ChangeItems(cl)
	if err != nil {
		return model.CompareLog{}, err
	}
	base := filepath.Join(s.Store.Path()+".changes", cl.Key())
	dirs := [2]string{filepath.Join(base, "after"), filepath.Join(base, "before")}
	for i, it := range []*metadata.Item{after, before} {
		if err := writeSourceTree(dirs[i], it); err != nil {
			return model.CompareLog{}, fmt.Errorf("writing %s for review: %w", cl.Key(), err)
		}
	}
	out, err := s.Compare(ctx, CompareRequest{Source: dirs[0], Target: dirs[1], Save: true,
		Filters: model.CompareFilters{Components: []metadata.Component{cl.Component}}})
	return out.Log, err
}

// writeSourceTree writes item (nil: nothing) as an SFDX project at dir,
// replacing what an earlier review left there.
func writeSourceTree(dir string, it *metadata.Item) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	src := filepath.Join(dir, "force-app", "main", "default")
	if err := os.MkdirAll(src, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "sfdx-project.json"), []byte(`{"packageDirectories":[{"path":"force-app","default":true}]}`), 0o600); err != nil {
		return err
	}
	if it == nil {
		return nil
	}
	for _, f := range it.Files {
		data, err := metadata.ReadFile(f)
		if err != nil {
			return err
		}
		p := filepath.Join(src, filepath.FromSlash(f.Path))
		if !strings.HasPrefix(p, src+string(filepath.Separator)) {
			return fmt.Errorf("file %q leaves the source tree", f.Path)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
