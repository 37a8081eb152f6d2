package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient"
	"relman/store"
)

// NewRollback drafts the rollback of a completed deployment; only, when
// given, selects the components to roll back (the others are kept).
func (s *Service) NewRollback(drID int64, only []metadata.Component) (model.Rollback, error) {
	var r model.Rollback
	now := s.now()
	err := s.update(model.RoleRequester, func(tx *store.Tx) error {
		d, err := tx.Deployment(drID)
		if err != nil {
			return err
		}
		cr, err := tx.CR(d.CR)
		if err != nil {
			return err
		}
		id, err := tx.NextRollbackID()
		if err != nil {
			return err
		}
		var ch model.Change
		if r, ch, err = model.NewRollback(id, d, cr, only, s.User, now); err != nil {
			return err
		}
		if err := tx.PutRollback(r); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return r, err
}

// Rollback reads one rollback.
func (s *Service) Rollback(id int64) (model.Rollback, error) {
	var r model.Rollback
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		r, err = tx.Rollback(id)
		return err
	})
	return r, err
}

// Rollbacks lists a deployment's rollbacks (all when drID is 0).
func (s *Service) Rollbacks(drID int64) ([]model.Rollback, error) {
	var rs []model.Rollback
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		rs, err = tx.ListRollbacks(drID)
		return err
	})
	return rs, err
}

type rbRule func(r model.Rollback, now time.Time) (model.Rollback, model.Change, error)

func (s *Service) updateRollback(id int64, need model.Role, rule rbRule) (model.Rollback, error) {
	var out model.Rollback
	now := s.now()
	err := s.update(need, func(tx *store.Tx) error {
		r, err := tx.Rollback(id)
		if err != nil {
			return err
		}
		var ch model.Change
		if out, ch, err = rule(r, now); err != nil {
			return err
		}
		if err := tx.PutRollback(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// SubmitRollback sends a rollback for approval.
func (s *Service) SubmitRollback(id int64) (model.Rollback, error) {
	return s.updateRollback(id, model.RoleRequester, func(r model.Rollback, now time.Time) (model.Rollback, model.Change, error) {
		return model.SubmitRollback(r, s.User, now)
	})
}

// ApproveRollback records the acting user's approval.
func (s *Service) ApproveRollback(id int64, comment string) (model.Rollback, error) {
	return s.updateRollback(id, model.RoleApprover, func(r model.Rollback, now time.Time) (model.Rollback, model.Change, error) {
		return model.ApproveRollback(r, s.User, comment, now)
	})
}

// RejectRollback records the acting user's rejection.
func (s *Service) RejectRollback(id int64, comment string) (model.Rollback, error) {
	return s.updateRollback(id, model.RoleApprover, func(r model.Rollback, now time.Time) (model.Rollback, model.Change, error) {
		return model.RejectRollback(r, s.User, comment, now)
	})
}

// RunRollback executes an approved rollback: a deploy to the target that
// restores the snapshot's copies of the Override components and deletes the
// Delete ones (destructive changes), then validates that the target now
// holds exactly the pre-deploy copies and none of the deleted components.
func (s *Service) RunRollback(ctx context.Context, rbID int64, progress Progress) (model.Rollback, model.DeploymentLog, error) {
	r, err := s.Rollback(rbID)
	if err != nil {
		return r, model.DeploymentLog{}, err
	}
	if err := model.CanRunRollback(r); err != nil {
		return r, model.DeploymentLog{}, err
	}
	p := &pipeline{s: s, progress: progress}
	if p.d, err = s.Deployment(r.Deployment); err != nil {
		return r, model.DeploymentLog{}, err
	}
	var snapZip []byte
	if err := s.Store.View(func(tx *store.Tx) error {
		snapZip, err = tx.Blob(p.d.SnapshotBlob)
		return err
	}); err != nil {
		return r, model.DeploymentLog{}, err
	}
	restore, destroy, err := rollbackContent(snapZip, r)
	if err != nil {
		return r, model.DeploymentLog{}, fmt.Errorf("%s: %w", r.Key(), err)
	}
	var zip bytes.Buffer
	if err := metadata.WriteMDAPIZip(&zip, restore, destroy, ManifestAPIVersion); err != nil {
		return r, model.DeploymentLog{}, fmt.Errorf("%s: building the rollback package: %w", r.Key(), err)
	}
	target, err := p.org(r.Target)
	if err != nil {
		return r, model.DeploymentLog{}, err
	}
	l, err := p.startLog(model.LogRollback)
	if err != nil {
		return r, l, err
	}
	if r, err = s.rollbackStatus(rbID, l.ID, model.RollbackInProgress); err != nil {
		return r, l, err
	}
	st, err := target.Deploy(ctx, zip.Bytes(), orgclient.DeployOptions{TestLevel: p.d.TestLevel, Tests: p.d.Tests})
	_, l, err = p.follow(ctx, target, l, st, err, func(d *model.DeploymentRecord, final orgclient.DeployState) []model.Change {
		if final.Success && final.Status == model.LogSucceeded {
			d.Status = model.DeployRolledBack
		}
		return []model.Change{deployChange(*d, "rollback", map[string]string{"rollback": r.Key(), "status": string(final.Status)})}
	})
	if err != nil {
		r, _ = s.rollbackStatus(rbID, 0, model.RollbackFailed)
		return r, l, err
	}
	if err := validateRollback(ctx, target, restore, destroy); err != nil {
		r, _ = s.rollbackStatus(rbID, 0, model.RollbackFailed)
		return r, l, fmt.Errorf("%s: the rollback deployed, but %w", r.Key(), err)
	}
	r, err = s.rollbackStatus(rbID, 0, model.RollbackDone)
	return r, l, err
}

func (s *Service) rollbackStatus(id, logID int64, status model.RollbackStatus) (model.Rollback, error) {
	return s.updateRollback(id, "", func(r model.Rollback, now time.Time) (model.Rollback, model.Change, error) {
		r.Status, r.UpdatedAt = status, now
		details := map[string]string{"status": string(status)}
		if logID != 0 {
			r.Logs = append(append([]int64{}, r.Logs...), logID)
			details["log"] = fmt.Sprint(logID)
		}
		return r, model.Change{Entity: model.EntityRollback, EntityID: r.Key(), Action: "status", Details: details}, nil
	})
}

// rollbackContent splits a rollback into the snapshot items to restore and
// the components to delete.
func rollbackContent(snapZip []byte, r model.Rollback) (restore []metadata.Item, destroy []metadata.Component, err error) {
	items, err := metadata.ReadMDAPIZip(bytes.NewReader(snapZip), int64(len(snapZip)))
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return nil, nil, fmt.Errorf("reading the pre-deploy snapshot: %w", err)
	}
	byComp := map[metadata.Component]metadata.Item{}
	for _, it := range items {
		byComp[it.Component] = it
	}
	for _, sel := range r.Selected() {
		switch sel.Action {
		case model.RollbackDelete:
			destroy = append(destroy, sel.Component)
		case model.RollbackOverride:
			it, ok := byComp[sel.Component]
			if !ok {
				return nil, nil, fmt.Errorf("the pre-deploy snapshot has no copy of %s", sel.Component)
			}
			restore = append(restore, it)
		}
	}
	return restore, destroy, nil
}

// validateRollback checks that the target now holds the snapshot's copies
// of the restored components and none of the deleted ones.
func validateRollback(ctx context.Context, target orgclient.Org, restore []metadata.Item, destroy []metadata.Component) error {
	var cs []metadata.Component
	for _, it := range restore {
		cs = append(cs, it.Component)
	}
	now, err := target.Items(ctx, orgclient.Filter{Components: append(cs, destroy...)})
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return err
	}
	current := map[metadata.Component]metadata.Item{}
	for _, it := range now {
		current[it.Component] = it
	}
	for _, c := range destroy {
		if _, still := current[c]; still {
			return fmt.Errorf("%s is still in the target", c)
		}
	}
	for _, want := range restore {
		got, ok := current[want.Component]
		if !ok {
			return fmt.Errorf("%s is missing from the target", want.Component)
		}
		same, err := sameContent(want, got)
		if err != nil {
			return err
		}
		if !same {
			return fmt.Errorf("%s differs from its pre-deploy copy", want.Component)
		}
	}
	return nil
}

func sameContent(a, b metadata.Item) (bool, error) {
	if len(a.Files) != len(b.Files) {
		return false, nil
	}
	files := map[string][]byte{}
	for _, f := range a.Files {
		data, err := metadata.ReadFile(f)
		if err != nil {
			return false, err
		}
		files[f.Path] = data
	}
	for _, f := range b.Files {
		data, err := metadata.ReadFile(f)
		if err != nil {
			return false, err
		}
		if want, ok := files[f.Path]; !ok || !bytes.Equal(want, data) {
			return false, nil
		}
	}
	return true, nil
}
