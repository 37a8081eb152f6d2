package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"relman/model"
)

func TestListCRsOrderFiltersAndPaging(t *testing.T) {
	s := openTest(t)
	// id: env, status, minutes after t0 of the last update.
	type spec struct {
		env    string
		status model.Status
		at     int
	}
	specs := []spec{
		1: {"prod", model.StatusInProgress, 5},
		2: {"prod", model.StatusApproved, 1},
		3: {"uat", model.StatusInProgress, 9},
		4: {"prod", model.StatusCompleted, 7},
		5: {"uat", model.StatusApproved, 3},
		6: {"prod", model.StatusInProgress, 5}, // same time as 1: the higher id first
	}
	mustUpdate(t, s, func(tx *Tx) error {
		for id := 1; id < len(specs); id++ {
			got, err := tx.NextCRID()
			if err != nil || got != int64(id) {
				t.Fatalf("NextCRID = %d, %v, want %d", got, err, id)
			}
			sp := specs[id]
			cr := newCR(got, "CR", sp.env, t0.Add(time.Duration(sp.at)*time.Minute))
			switch sp.status {
			case model.StatusApproved:
				cr.ApprovalStatus = model.ApprovalApproved
			case model.StatusCompleted:
				cr.ApprovalStatus, cr.CompletionStatus = model.ApprovalApproved, model.CompletionCompleted
			}
			if err := tx.PutCR(cr); err != nil {
				return err
			}
		}
		return nil
	})
	// Editing 2 moves it to the top; its old index entry must go.
	mustUpdate(t, s, func(tx *Tx) error {
		cr, err := tx.CR(2)
		if err != nil {
			return err
		}
		cr.UpdatedAt, cr.Revision = t0.Add(10*time.Minute), 2
		return tx.PutCR(cr)
	})
	// Rewriting 3 without a new UpdatedAt must not duplicate it.
	mustUpdate(t, s, func(tx *Tx) error {
		cr, err := tx.CR(3)
		if err != nil {
			return err
		}
		cr.Overview = "more words"
		return tx.PutCR(cr)
	})

	ids := func(q CRQuery) []int64 {
		t.Helper()
		var out []int64
		mustView(t, s, func(tx *Tx) error {
			crs, err := tx.ListCRs(q)
			for _, cr := range crs {
				out = append(out, cr.ID)
			}
			return err
		})
		return out
	}
	for _, c := range []struct {
		name string
		q    CRQuery
		want []int64
	}{
		{"all, newest first", CRQuery{}, []int64{2, 3, 4, 6, 1, 5}},
		{"status", CRQuery{Status: model.StatusInProgress}, []int64{3, 6, 1}},
		{"env", CRQuery{Env: "uat"}, []int64{3, 5}},
		{"status and env", CRQuery{Status: model.StatusApproved, Env: "prod"}, []int64{2}},
		{"limit", CRQuery{Limit: 2}, []int64{2, 3}},
		{"offset", CRQuery{Offset: 2, Limit: 3}, []int64{4, 6, 1}},
		{"offset past filtered end", CRQuery{Status: model.StatusInProgress, Offset: 3}, nil},
		{"no match", CRQuery{Env: "dev"}, nil},
	} {
		if got := ids(c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: ListCRs(%+v) = %v, want %v", c.name, c.q, got, c.want)
		}
	}
	mustView(t, s, func(tx *Tx) error {
		if n, err := tx.CountCRs(); err != nil || n != 6 {
			t.Errorf("CountCRs = %d, %v, want 6", n, err)
		}
		if cr, _ := tx.CR(3); cr.Overview != "more words" {
			t.Errorf("CR(3).Overview = %q", cr.Overview)
		}
		return nil
	})
}

func TestCRErrors(t *testing.T) {
	s := openTest(t)
	mustView(t, s, func(tx *Tx) error {
		_, err := tx.CR(42)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "CR-0042") {
			t.Errorf("CR(42) = %v, want not found naming CR-0042", err)
		}
		return nil
	})
	err := s.Update(func(tx *Tx) error { return tx.PutCR(newCR(7, "invented id", "prod", t0)) })
	if err == nil || !strings.Contains(err.Error(), "NextCRID") {
		t.Errorf("PutCR with an id never issued = %v, want a refusal pointing at NextCRID", err)
	}
	mustView(t, s, func(tx *Tx) error {
		if n, _ := tx.CountCRs(); n != 0 {
			t.Errorf("a refused PutCR left %d change requests", n)
		}
		return nil
	})
}

func TestUpdateCommitsChangeAndEventTogetherOrNot(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice")
	var regSeq uint64
	var regHash string
	mustView(t, s, func(tx *Tx) error { regSeq, regHash = tx.Head(); return nil })
	failure := errors.New("validation failed after the writes")
	err := s.Update(func(tx *Tx) error {
		id, _ := tx.NextCRID()
		if err := tx.PutCR(newCR(id, "doomed", "prod", t0)); err != nil {
			return err
		}
		if err := tx.Record(as("alice"), t0, model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "create"}); err != nil {
			return err
		}
		return failure
	})
	if !errors.Is(err, failure) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	mustView(t, s, func(tx *Tx) error {
		n, _ := tx.CountCRs()
		seq, hash := tx.Head()
		if n != 0 || seq != regSeq || hash != regHash {
			t.Errorf("after a failed Update: %d change requests, head %d %s", n, seq, hash)
		}
		return nil
	})
	// The id was not consumed either: the whole transaction rolled back.
	if id, err := createCR(s, "alice", "kept", t0); err != nil || id != 1 {
		t.Errorf("next create = %d, %v, want id 1", id, err)
	}
}
