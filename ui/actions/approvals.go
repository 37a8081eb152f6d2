package actions

import (
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

// WaitingFor lists up to limit (0 = all) of what is pending approval and
// needs user's decision on its current scope, most recently updated first,
// and how many there are in all. Both come from the store's awaiting index:
// only the records listed are decoded, however many are pending.
func (s *Service) WaitingFor(user string, limit int) ([]Waiting, int, error) {
	var out []Waiting
	total := 0
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		if total, err = tx.CountAwaiting(user); err != nil {
			return err
		}
		return tx.EachAwaiting(user, func(ref store.AwaitingRef) error {
			if limit > 0 && len(out) == limit {
				return store.ErrStop
			}
			w := Waiting{Stale: ref.Stale}
			switch ref.Kind {
			case store.AwaitingCR:
				cr, err := tx.CR(ref.ID)
				if err != nil {
					return err
				}
				w.CR, w.UpdatedAt = &cr, cr.UpdatedAt
			case store.AwaitingDeployment:
				d, err := tx.Deployment(ref.ID)
				if err != nil {
					return err
				}
				w.Deployment, w.UpdatedAt = &d, d.UpdatedAt
			default:
				rb, err := tx.Rollback(ref.ID)
				if err != nil {
					return err
				}
				w.Rollback, w.UpdatedAt = &rb, rb.UpdatedAt
			}
			out = append(out, w)
			return nil
		})
	})
	return out, total, err
}
