package actions

import (
	"time"

	"relman/model"
	"relman/store"
)

// NewDeployment creates a Draft deployment record for an approved change request.
func (s *Service) NewDeployment(crID int64, source, target string, f model.DeploymentFields) (model.DeploymentRecord, error) {
	var d model.DeploymentRecord
	now := s.now()
	err := s.update(model.RoleRequester, func(tx *store.Tx) error {
		cr, err := tx.CR(crID)
		if err != nil {
			return err
		}
		src, err := tx.Environment(source)
		if err != nil {
			return err
		}
		tgt, err := tx.Environment(target)
		if err != nil {
			return err
		}
		id, err := tx.NextDeploymentID()
		if err != nil {
			return err
		}
		var ch model.Change
		if d, ch, err = model.NewDeploymentRecord(id, cr, src, tgt, f, s.User, now); err != nil {
			return err
		}
		cr.Deployments = append(append([]int64{}, cr.Deployments...), id)
		if err := tx.PutDeployment(d); err != nil {
			return err
		}
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return d, err
}

// Deployment reads one deployment record.
func (s *Service) Deployment(id int64) (model.DeploymentRecord, error) {
	var d model.DeploymentRecord
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		d, err = tx.Deployment(id)
		return err
	})
	return d, err
}

// Deployments lists a change request's deployment records (all when cr is 0).
func (s *Service) Deployments(cr int64) ([]model.DeploymentRecord, error) {
	var ds []model.DeploymentRecord
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		ds, err = tx.ListDeployments(cr)
		return err
	})
	return ds, err
}

// drRule is a pure rule applied to a deployment record and its change request.
type drRule func(d model.DeploymentRecord, cr model.ChangeRequest, now time.Time) (model.DeploymentRecord, model.Change, error)

func (s *Service) updateDeployment(id int64, need model.Role, rule drRule) (model.DeploymentRecord, error) {
	var out model.DeploymentRecord
	now := s.now()
	err := s.update(need, func(tx *store.Tx) error {
		d, err := tx.Deployment(id)
		if err != nil {
			return err
		}
		cr, err := tx.CR(d.CR)
		if err != nil {
			return err
		}
		if err := model.DeploymentMayMove(d, cr); err != nil {
			return err
		}
		var ch model.Change
		if out, ch, err = rule(d, cr, now); err != nil {
			return err
		}
		if err := tx.PutDeployment(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// SubmitDeployment sends a deployment record for approval.
func (s *Service) SubmitDeployment(id int64) (model.DeploymentRecord, error) {
	return s.updateDeployment(id, model.RoleRequester, func(d model.DeploymentRecord, cr model.ChangeRequest, now time.Time) (model.DeploymentRecord, model.Change, error) {
		return model.SubmitDeployment(d, cr, s.User, now)
	})
}

// ApproveDeployment records the acting user's approval.
func (s *Service) ApproveDeployment(id int64, comment string) (model.DeploymentRecord, error) {
	return s.updateDeployment(id, model.RoleApprover, func(d model.DeploymentRecord, _ model.ChangeRequest, now time.Time) (model.DeploymentRecord, model.Change, error) {
		return model.ApproveDeployment(d, s.User, comment, now)
	})
}

// RejectDeployment records the acting user's rejection.
func (s *Service) RejectDeployment(id int64, comment string) (model.DeploymentRecord, error) {
	return s.updateDeployment(id, model.RoleApprover, func(d model.DeploymentRecord, _ model.ChangeRequest, now time.Time) (model.DeploymentRecord, model.Change, error) {
		return model.RejectDeployment(d, s.User, comment, now)
	})
}
