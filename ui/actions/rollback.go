package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
// Like a deploy, it is claimed in the transaction that checks nothing else
// runs, and a lost answer leaves it outcome-unknown for ResumeRollback.
func (s *Service) RunRollback(ctx context.Context, rbID int64, progress Progress) (model.Rollback, model.DeploymentLog, error) {
	r, err := s.Rollback(rbID)
	if err != nil {
		return r, model.DeploymentLog{}, err
	}
	if err := model.CanRunRollback(r); err != nil {
		return r, model.DeploymentLog{}, err
	}
	plan, err := s.planRollback(r)
	if err != nil {
		return r, model.DeploymentLog{}, err
	}
	var zip bytes.Buffer
	if err := metadata.WriteMDAPIZip(&zip, plan.restore, plan.destroy, ManifestAPIVersion); err != nil {
		return r, model.DeploymentLog{}, fmt.Errorf("%s: building the rollback package: %w", r.Key(), err)
	}
	p, r, l, err := s.claimRollback(rbID, progress)
	if err != nil {
		return r, l, err
	}
	target, err := p.org(r.Target)
	if err != nil {
		l, _ = p.finishLog(l, model.LogRollbackFailed, err.Error(), nil)
		r, _ = s.rollbackStatus(rbID, 0, model.RollbackFailed)
		return r, l, err
	}
	st, err := target.Deploy(ctx, zip.Bytes(), orgclient.DeployOptions{TestLevel: p.d.TestLevel, Tests: p.d.Tests})
	var unknown *orgclient.UnknownOutcomeError
	if errors.As(err, &unknown) {
		_, l, err = p.outcomeUnknown(l, err, "relman rollback resume "+r.Key())
		r, _ = s.rollbackStatus(rbID, 0, model.RollbackOutcomeUnknown)
		return r, l, err
	}
	return s.finishRollback(ctx, p, r, l, target, st, err, plan)
}

// rollbackPlan is what a rollback restores and deletes.
type rollbackPlan struct {
	restore []metadata.Item
	destroy []metadata.Component
}

// planRollback reads the deployment's first snapshot and splits r into
// the copies to restore and the components to delete.
func (s *Service) planRollback(r model.Rollback) (rollbackPlan, error) {
	var snapZip []byte
	if err := s.Store.View(func(tx *store.Tx) error {
		d, err := tx.Deployment(r.Deployment)
		if err != nil {
			return err
		}
		snapZip, err = tx.Blob(d.SnapshotBlob)
		return err
	}); err != nil {
		return rollbackPlan{}, err
	}
	restore, destroy, err := rollbackContent(snapZip, r)
	if err != nil {
		return rollbackPlan{}, fmt.Errorf("%s: %w", r.Key(), err)
	}
	return rollbackPlan{restore: restore, destroy: destroy}, nil
}

// claimRollback checks that the rollback may run and that nothing runs on
// its deployment, and opens the rollback's log — in one transaction, so of
// two `rollback run` at once only one reaches the org.
func (s *Service) claimRollback(rbID int64, progress Progress) (*pipeline, model.Rollback, model.DeploymentLog, error) {
	p := &pipeline{s: s, progress: progress}
	var r model.Rollback
	var l model.DeploymentLog
	now := s.now()
	err := s.update(model.RoleReleaseManager, func(tx *store.Tx) error {
		var err error
		if r, err = tx.Rollback(rbID); err != nil {
			return err
		}
		if err := model.CanRunRollback(r); err != nil {
			return err
		}
		if p.d, err = tx.Deployment(r.Deployment); err != nil {
			return err
		}
		open, err := blockingLog(tx, r.Deployment)
		switch {
		case err != nil:
			return err
		case open != nil && open.OutcomeUnknown():
			return unknownRefusal(p.d, *open)
		case open != nil:
			return model.ErrDeployRunning.With(p.d.Key() + " has a job in progress")
		}
		var changes []model.Change
		if l, changes, err = p.openLog(tx, model.LogRollback, now); err != nil {
			return err
		}
		var ch model.Change
		r, ch = model.SetRollbackStatus(r, model.RollbackInProgress, l.ID, now)
		if err := tx.PutRollback(r); err != nil {
			return err
		}
		return s.record(tx, now, append(changes, ch)...)
	})
	return p, r, l, err
}

// finishRollback follows the rollback's job to its end and validates the
// target. A job lost track of stays open, for ResumeRollback.
func (s *Service) finishRollback(ctx context.Context, p *pipeline, r model.Rollback, l model.DeploymentLog, target orgclient.Org,
	st orgclient.DeployState, startErr error, plan rollbackPlan) (model.Rollback, model.DeploymentLog, error) {
	_, l, err := p.follow(ctx, target, l, st, startErr, func(d *model.DeploymentRecord, final orgclient.DeployState) []model.Change {
		if final.Success && final.Status == model.LogSucceeded {
			d.Status = model.DeployRolledBack
		}
		return []model.Change{deployChange(*d, "rollback", map[string]string{"rollback": r.Key(), "status": string(final.Status)})}
	})
	if err != nil && l.Running() {
		return r, l, fmt.Errorf("%s: %w (for this rollback: `relman rollback resume %s`)", r.Key(), err, r.Key())
	}
	if err != nil {
		r, _ = s.rollbackStatus(r.ID, 0, model.RollbackFailed)
		return r, l, err
	}
	if err := validateRollback(ctx, target, plan.restore, plan.destroy); err != nil {
		r, _ = s.rollbackStatus(r.ID, 0, model.RollbackFailed)
		return r, l, fmt.Errorf("%s: the rollback deployed, but %w", r.Key(), err)
	}
	r, err = s.rollbackStatus(r.ID, 0, model.RollbackDone)
	return r, l, err
}

// ResumeRollback finishes a rollback whose run stopped: its job is
// followed again, or, when its answer was lost, first found among the
// org's recent deploys (as a lost deploy is). When the org never started
// it, the attempt is closed and the rollback may run again.
func (s *Service) ResumeRollback(ctx context.Context, rbID int64, progress Progress) (model.Rollback, model.DeploymentLog, error) {
	r, err := s.Rollback(rbID)
	if err != nil {
		return r, model.DeploymentLog{}, err
	}
	p := &pipeline{s: s, progress: progress}
	var open *model.DeploymentLog
	if err := s.Store.View(func(tx *store.Tx) error {
		var err error
		if p.d, err = tx.Deployment(r.Deployment); err != nil {
			return err
		}
		open, err = blockingLog(tx, r.Deployment)
		return err
	}); err != nil {
		return r, model.DeploymentLog{}, err
	}
	if open == nil || !slices.Contains(r.Logs, open.ID) {
		return r, model.DeploymentLog{}, model.ErrNothingRunning.With(r.Key() + " has no unfinished run")
	}
	l := *open
	plan, err := s.planRollback(r)
	if err != nil {
		return r, l, err
	}
	target, err := p.org(r.Target)
	if err != nil {
		return r, l, err
	}
	st := orgclient.DeployState{JobID: l.JobID}
	if l.OutcomeUnknown() {
		resume := "relman rollback resume " + r.Key()
		candidates, window, err := s.lookupLost(ctx, target, l, resume)
		if err != nil {
			return r, l, fmt.Errorf("%s: %w", r.Key(), err)
		}
		switch len(candidates) {
		case 0:
			if err := p.closeLost(l, window); err != nil {
				return r, l, err
			}
			r, _ = s.rollbackStatus(rbID, 0, model.RollbackApproved)
			return r, l, fmt.Errorf("%s: %s never started rollback %s (it lists no deploy by this user %s that relman does not know): nothing was rolled back; run `relman rollback run %s` again",
				r.Key(), r.Target, l.Key(), window, r.Key())
		case 1:
			st.JobID = candidates[0]
			if r, err = s.rollbackStatus(rbID, 0, model.RollbackInProgress); err != nil {
				return r, l, err
			}
		default:
			return r, l, model.ErrOutcomeUnknown.With(fmt.Sprintf("%s: %s lists %d deploys by this user %s that relman does not know (%s); check them in Setup → Deployment Status, or `relman rollback abandon %s --reason …`",
				r.Key(), r.Target, len(candidates), window, strings.Join(candidates, ", "), r.Key()))
		}
	}
	return s.finishRollback(ctx, p, r, l, target, st, nil, plan)
}

// AbandonRollback closes a rollback whose outcome is unknown and whose job
// cannot be found, on a release manager's word and reason; the rollback
// may then run again.
func (s *Service) AbandonRollback(rbID int64, reason string) (model.Rollback, model.DeploymentLog, error) {
	r, err := s.Rollback(rbID)
	if err != nil {
		return r, model.DeploymentLog{}, err
	}
	_, l, err := s.abandon(r.Deployment, reason, func(tx *store.Tx, d model.DeploymentRecord, open model.DeploymentLog, now time.Time) ([]model.Change, error) {
		if r, err = tx.Rollback(rbID); err != nil {
			return nil, err
		}
		if !slices.Contains(r.Logs, open.ID) {
			return nil, model.ErrNotAbandonable.With(r.Key() + " has no run whose outcome is unknown")
		}
		var ch model.Change
		r, ch = model.SetRollbackStatus(r, model.RollbackApproved, 0, now)
		return []model.Change{ch}, tx.PutRollback(r)
	})
	return r, l, err
}

func (s *Service) rollbackStatus(id, logID int64, status model.RollbackStatus) (model.Rollback, error) {
	return s.updateRollback(id, "", func(r model.Rollback, now time.Time) (model.Rollback, model.Change, error) {
		r, ch := model.SetRollbackStatus(r, status, logID, now)
		return r, ch, nil
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
