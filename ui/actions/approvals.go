package actions

import (
	"sort"
	"time"

	"relman/model"
	"relman/store"
)

// Waiting is one item of an approvals queue: a change request, a
// deployment record or a rollback that needs the user's decision.
type Waiting struct {
	CR         *model.ChangeRequest
	Deployment *model.DeploymentRecord
	Rollback   *model.Rollback
	// Stale is true when the user decided on an earlier scope: the request
	// changed since, so they must decide again.
	Stale     bool
	UpdatedAt time.Time
}

// Key is the displayed id of the waiting record.
func (w Waiting) Key() string {
	switch {
	case w.CR != nil:
		return w.CR.Key()
	case w.Rollback != nil:
		return w.Rollback.Key()
	}
	return w.Deployment.Key()
}

// WaitingFor lists what is pending approval and needs user's decision on its
// current scope, most recently updated first.
func (s *Service) WaitingFor(user string) ([]Waiting, error) {
	var out []Waiting
	err := s.Store.View(func(tx *store.Tx) error {
		// One pending change request at a time: only those waiting for
		// user are kept, however many are pending.
		err := tx.EachCR(store.CRQuery{Status: model.StatusPending}, func(cr model.ChangeRequest) error {
			if ok, stale := needsDecision(cr.Approvers, cr.Requester, user, cr.ScopeHash()); ok {
				out = append(out, Waiting{CR: &cr, Stale: stale, UpdatedAt: cr.UpdatedAt})
			}
			return nil
		})
		if err != nil {
			return err
		}
		ds, err := tx.ListDeployments(0)
		if err != nil {
			return err
		}
		for i := range ds {
			if ds[i].ApprovalStatus != model.ApprovalPending {
				continue
			}
			if ok, stale := needsDecision(ds[i].Approvers, ds[i].Requester, user, ds[i].ScopeHash()); ok {
				out = append(out, Waiting{Deployment: &ds[i], Stale: stale, UpdatedAt: ds[i].UpdatedAt})
			}
		}
		rbs, err := tx.ListRollbacks(0)
		if err != nil {
			return err
		}
		for i := range rbs {
			if rbs[i].ApprovalStatus != model.ApprovalPending {
				continue
			}
			if ok, stale := needsDecision(rbs[i].Approvers, rbs[i].Requester, user, rbs[i].ScopeHash()); ok {
				out = append(out, Waiting{Rollback: &rbs[i], Stale: stale, UpdatedAt: rbs[i].UpdatedAt})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, err
}

// needsDecision reports whether user is a listed approver (not the
// requester) without a decision on the current scope, and whether they had
// decided on an earlier one.
func needsDecision(approvers []model.Approver, requester, user, scope string) (ok, stale bool) {
	if user == requester {
		return false, false
	}
	for _, a := range approvers {
		if a.User != user {
			continue
		}
		if a.Decision == model.DecisionNone {
			return true, false
		}
		if a.ScopeHash != scope {
			return true, true
		}
	}
	return false, false
}
