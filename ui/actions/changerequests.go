package actions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"relman/model"
	"relman/store"
)

// CreateCR creates a change request homed in envName.
func (s *Service) CreateCR(envName string, f model.CRFields) (model.ChangeRequest, error) {
	var cr model.ChangeRequest
	now := s.now()
	err := s.update(model.RoleRequester, func(tx *store.Tx) error {
		home, err := tx.Environment(envName)
		if err != nil {
			return err
		}
		policy, err := tx.PolicyFor(envName)
		if err != nil {
			return err
		}
		f.Approvers = policy.WithRequiredApprovers(f.Approvers, slices.Concat(f.Customizations, f.Proposed), s.User)
		if f.Approvers, err = registeredApprovers(tx, f.Approvers); err != nil {
			return err
		}
		id, err := tx.NextCRID()
		if err != nil {
			return err
		}
		var ch model.Change
		if cr, ch, err = model.NewChangeRequest(id, f, home, s.User, now); err != nil {
			return err
		}
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return cr, err
}

// CR reads one change request.
func (s *Service) CR(id int64) (model.ChangeRequest, error) {
	var cr model.ChangeRequest
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		cr, err = tx.CR(id)
		return err
	})
	return cr, err
}

// ListCRs lists change requests, most recently updated first.
func (s *Service) ListCRs(q store.CRQuery) ([]model.ChangeRequest, error) {
	var crs []model.ChangeRequest
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		crs, err = tx.ListCRs(q)
		return err
	})
	return crs, err
}

// crRule is a rule applied to one change request inside the transaction
// that stores its outcome.
type crRule func(tx *store.Tx, cr model.ChangeRequest, now time.Time) (model.ChangeRequest, model.Change, error)

// updateCR applies rule to the current stored value of CR id, in one transaction.
func (s *Service) updateCR(id int64, need model.Role, rule crRule) (model.ChangeRequest, error) {
	var out model.ChangeRequest
	now := s.now()
	err := s.update(need, func(tx *store.Tx) error {
		cr, err := tx.CR(id)
		if err != nil {
			return err
		}
		var ch model.Change
		if out, ch, err = rule(tx, cr, now); err != nil {
			return err
		}
		if err := tx.PutCR(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// EditCR applies an edit by the acting user.
func (s *Service) EditCR(id int64, e model.CREdit) (model.ChangeRequest, error) {
	return s.updateCR(id, model.RoleRequester, func(tx *store.Tx, cr model.ChangeRequest, now time.Time) (model.ChangeRequest, model.Change, error) {
		policy, err := tx.PolicyFor(cr.Env)
		if err != nil {
			return cr, model.Change{}, err
		}
		// The policy's approvers for what the request will hold join it.
		var listed []string
		for _, a := range cr.Approvers {
			listed = append(listed, a.User)
		}
		all := policy.WithRequiredApprovers(append(listed, e.AddApprovers...),
			slices.Concat(cr.Customizations, cr.Proposed, e.AddCustomizations, e.AddProposed), cr.Requester)
		if e.AddApprovers, err = registeredApprovers(tx, all[len(listed):]); err != nil {
			return cr, model.Change{}, err
		}
		out, ch, err := model.EditChangeRequest(cr, s.User, e, now)
		if err != nil {
			return cr, model.Change{}, err
		}
		// Taking off an approver the policy requires for what the request
		// now holds would go unnoticed: the policy adds only the missing.
		for _, u := range e.RemoveApprovers {
			if by := policy.RequiredBy(u, out.Components()); by != "" {
				return cr, model.Change{}, model.ErrPolicyApprover.With(fmt.Sprintf("%s is required by policy (%s) for %s", u, by, cr.Key()))
			}
		}
		return out, ch, nil
	})
}

// SubmitCR sends a change request for approval.
func (s *Service) SubmitCR(id int64) (model.ChangeRequest, error) {
	return s.updateCR(id, model.RoleRequester, func(_ *store.Tx, cr model.ChangeRequest, now time.Time) (model.ChangeRequest, model.Change, error) {
		return model.SubmitChangeRequest(cr, s.User, now)
	})
}

// ApproveCR records the acting user's approval.
func (s *Service) ApproveCR(id int64, comment string) (model.ChangeRequest, error) {
	return s.updateCR(id, model.RoleApprover, func(_ *store.Tx, cr model.ChangeRequest, now time.Time) (model.ChangeRequest, model.Change, error) {
		return model.ApproveChangeRequest(cr, s.User, comment, now)
	})
}

// RejectCR records the acting user's rejection.
func (s *Service) RejectCR(id int64, comment string) (model.ChangeRequest, error) {
	return s.updateCR(id, model.RoleApprover, func(_ *store.Tx, cr model.ChangeRequest, now time.Time) (model.ChangeRequest, model.Change, error) {
		return model.RejectChangeRequest(cr, s.User, comment, now)
	})
}

// CancelCR cancels a change request.
func (s *Service) CancelCR(id int64, reason string) (model.ChangeRequest, error) {
	return s.updateCR(id, model.RoleRequester, func(_ *store.Tx, cr model.ChangeRequest, now time.Time) (model.ChangeRequest, model.Change, error) {
		return model.CancelChangeRequest(cr, s.User, reason, now)
	})
}

// CompleteCR completes a change request once its latest deployment is verified.
func (s *Service) CompleteCR(id int64) (model.ChangeRequest, error) {
	var out model.ChangeRequest
	now := s.now()
	err := s.update("", func(tx *store.Tx) error {
		cr, err := tx.CR(id)
		if err != nil {
			return err
		}
		var latest *model.DeploymentRecord
		if n := len(cr.Deployments); n > 0 {
			d, err := tx.Deployment(cr.Deployments[n-1])
			if err != nil {
				return err
			}
			latest = &d
		}
		var ch model.Change
		if out, ch, err = model.CompleteChangeRequest(cr, latest, s.User, now); err != nil {
			return err
		}
		if err := tx.PutCR(out); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return out, err
}

// SyncCR tests the target environment's connection, then copies the approved
// change request into it as a child.
func (s *Service) SyncCR(ctx context.Context, id int64, target string) (model.ChangeRequest, error) {
	parent, err := s.CR(id)
	if err != nil {
		return model.ChangeRequest{}, err
	}
	env, err := s.Environment(target)
	if err != nil {
		return model.ChangeRequest{}, err
	}
	// Every rule but the connection's is checked before calling the org: a
	// refused sync must not leave a Test Connection behind it.
	if _, _, _, err := model.SyncChangeRequest(parent, assumeReachable(env), 0, s.User, s.now()); err != nil {
		return model.ChangeRequest{}, err
	}
	if _, err := s.testConnection(ctx, target); err != nil {
		return model.ChangeRequest{}, err
	}
	var child model.ChangeRequest
	now := s.now()
	err = s.update("", func(tx *store.Tx) error {
		parent, err := tx.CR(id)
		if err != nil {
			return err
		}
		env, err := tx.Environment(target)
		if err != nil {
			return err
		}
		childID, err := tx.NextCRID()
		if err != nil {
			return err
		}
		var updated model.ChangeRequest
		var changes []model.Change
		if child, updated, changes, err = model.SyncChangeRequest(parent, env, childID, s.User, now); err != nil {
			return err
		}
		if err := tx.PutCR(child); err != nil {
			return err
		}
		if err := tx.PutCR(updated); err != nil {
			return err
		}
		return s.record(tx, now, changes...)
	})
	return child, err
}

// PushBackCR tests the production environment's connection, then pushes a
// synced child's scope back to its parent, creating a Draft deployment record.
func (s *Service) PushBackCR(ctx context.Context, childID int64) (model.PushBackResult, error) {
	child, err := s.CR(childID)
	if err != nil {
		return model.PushBackResult{}, err
	}
	if child.Parent == 0 {
		return model.PushBackResult{}, model.ErrNotAChild.With(child.Key() + " has no parent")
	}
	parent, err := s.CR(child.Parent)
	if err != nil {
		return model.PushBackResult{}, fmt.Errorf("parent of %s: %w", child.Key(), err)
	}
	source, err := s.Environment(child.Env)
	if err != nil {
		return model.PushBackResult{}, err
	}
	production, err := s.Environment(parent.Env)
	if err != nil {
		return model.PushBackResult{}, err
	}
	if _, err := model.PushBackChangeRequest(child, parent, source, assumeReachable(production), 0, s.User, s.now()); err != nil {
		return model.PushBackResult{}, err
	}
	if _, err := s.testConnection(ctx, parent.Env); err != nil {
		return model.PushBackResult{}, err
	}
	var res model.PushBackResult
	now := s.now()
	err = s.update("", func(tx *store.Tx) error {
		child, err := tx.CR(childID)
		if err != nil {
			return err
		}
		parent, err := tx.CR(child.Parent)
		if err != nil {
			return err
		}
		source, err := tx.Environment(child.Env)
		if err != nil {
			return err
		}
		production, err := tx.Environment(parent.Env)
		if err != nil {
			return err
		}
		drID, err := tx.NextDeploymentID()
		if err != nil {
			return err
		}
		if res, err = model.PushBackChangeRequest(child, parent, source, production, drID, s.User, now); err != nil {
			return err
		}
		if err := tx.PutCR(res.Parent); err != nil {
			return err
		}
		if err := tx.PutCR(res.Child); err != nil {
			return err
		}
		if err := tx.PutDeployment(res.Deployment); err != nil {
			return err
		}
		return s.record(tx, now, res.Changes...)
	})
	return res, err
}

// CRHistory returns a change request's audit events, oldest first.
func (s *Service) CRHistory(id int64) ([]model.AuditEvent, error) {
	var evs []model.AuditEvent
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		evs, err = tx.AuditEvents(store.AuditQuery{Entity: model.EntityChangeRequest, EntityID: model.FormatID(model.PrefixChangeRequest, id)})
		return err
	})
	return evs, err
}

// assumeReachable is env as if its Test Connection had just passed: rules
// are checked with it before the real test is spent on the org.
func assumeReachable(env model.Environment) model.Environment {
	env.LastTest = &model.TestResult{OK: true}
	return env
}

// registeredApprovers checks that each name is a registered user with the
// approver role and returns the names as registered (names ignore case).
func registeredApprovers(tx *store.Tx, names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			continue
		}
		u, err := tx.User(strings.TrimSpace(n))
		if isNotFound(err) {
			return nil, model.ErrUnknownUser.With(fmt.Sprintf("approver %q is not a registered user", n))
		}
		if err != nil {
			return nil, err
		}
		if !u.Has(model.RoleApprover) {
			return nil, model.ErrNotAllowed.With(fmt.Sprintf("approver %s does not have the approver role; an admin can give it (relman user list shows roles)", u.Name))
		}
		out = append(out, u.Name)
	}
	return out, nil
}
