package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"relman/model"
)

// TestCountCRsByStatusAndEachCR: counts come from the index and follow
// status changes; EachCR walks newest first, filters, pages and stops.
func TestCountCRsByStatusAndEachCR(t *testing.T) {
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error {
		for i := range 7 {
			id, err := tx.NextCRID()
			if err != nil {
				return err
			}
			cr := newCR(id, "cr", []string{"prod", "prod-eu"}[i%2], t0.Add(time.Duration(i)*time.Minute))
			if i%3 == 0 {
				cr.ApprovalStatus = model.ApprovalPending
			}
			if err := tx.PutCR(cr); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, s, func(tx *Tx) error {
		c, err := tx.CountCRsByStatus()
		if err != nil {
			return err
		}
		if c.Total != 7 || c.ByStatus[model.StatusPending] != 3 || c.ByStatus[model.StatusInProgress] != 4 {
			t.Errorf("counts %+v", c)
		}
		var ids []int64
		err = tx.EachCR(CRQuery{Status: model.StatusInProgress, Offset: 1, Limit: 2}, func(cr model.ChangeRequest) error {
			ids = append(ids, cr.ID)
			return nil
		})
		if err != nil || len(ids) != 2 || ids[0] != 5 || ids[1] != 3 {
			t.Errorf("in progress, second page of 2: %v %v", ids, err)
		}
		stop := errors.New("stop")
		n := 0
		if err := tx.EachCR(CRQuery{}, func(model.ChangeRequest) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("stopping: %v after %d", err, n)
		}
		return nil
	})
	// Pages by cursor walk every change request once, newest first.
	mustView(t, s, func(tx *Tx) error {
		var ids []int64
		var after CRCursor
		for {
			n := 0
			err := tx.EachCR(CRQuery{Limit: 3, After: after}, func(cr model.ChangeRequest) error {
				ids, after, n = append(ids, cr.ID), CRCursorOf(cr), n+1
				return nil
			})
			if err != nil || n == 0 {
				break
			}
		}
		if fmt.Sprint(ids) != "[7 6 5 4 3 2 1]" {
			t.Errorf("paged by cursor: %v", ids)
		}
		return nil
	})
	// A status change moves the count.
	mustUpdate(t, s, func(tx *Tx) error {
		cr, err := tx.CR(1)
		if err != nil {
			return err
		}
		cr.ApprovalStatus, cr.UpdatedAt = model.ApprovalApproved, t0.Add(time.Hour)
		return tx.PutCR(cr)
	})
	mustView(t, s, func(tx *Tx) error {
		c, err := tx.CountCRsByStatus()
		if err == nil && (c.Total != 7 || c.ByStatus[model.StatusPending] != 2 || c.ByStatus[model.StatusApproved] != 1) {
			t.Errorf("after approving CR-0001: %+v", c)
		}
		return err
	})
}
