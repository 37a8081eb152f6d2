package store

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/metadata"
)

// putWaitingCR stores change request id as pending for approvers, with its
// event, the way every command writes.
func putWaitingCR(t *testing.T, s *Store, id int64, updated time.Time, approvers ...model.Approver) {
	t.Helper()
	mustUpdate(t, s, func(tx *Tx) error {
		if _, err := tx.NextCRID(); err != nil {
			return err
		}
		cr := newCR(id, "waiting", "prod", updated)
		cr.ApprovalStatus, cr.Approvers = model.ApprovalPending, approvers
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return tx.Record(as("alice"), updated, model.Change{Entity: model.EntityChangeRequest, EntityID: cr.Key(), Action: "submit"})
	})
}

// awaitingOf lists what the index says waits for user, newest first, as
// "CR-id" or "CR-id stale".
func awaitingOf(t *testing.T, s *Store, user string) (list []string, count int) {
	t.Helper()
	mustView(t, s, func(tx *Tx) error {
		var err error
		if count, err = tx.CountAwaiting(user); err != nil {
			return err
		}
		return tx.EachAwaiting(user, func(r AwaitingRef) error {
			item := model.FormatID(model.PrefixChangeRequest, r.ID)
			if r.Kind != AwaitingCR {
				item = string(r.Kind) + item
			}
			if r.Stale {
				item += " stale"
			}
			list = append(list, item)
			return nil
		})
	})
	return list, count
}

// Existing stores get the index from their records when they migrate to
// v7: pending ones wait for their approvers who have not decided on the
// current scope, never for the requester, and nothing else waits.
func TestMigrationV7IndexesPendingDecisionsByApprover(t *testing.T) {
	path := storeAt(t, 6)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketAwaiting) != nil {
			t.Error("v6 already has the awaiting bucket")
		}
		return nil
	})
	putRawCRs(t, path, 4, func(cr *model.ChangeRequest) {
		cr.UpdatedAt = t0.Add(time.Duration(cr.ID) * time.Hour)
		cr.ApprovalStatus = model.ApprovalPending
		cr.Approvers = []model.Approver{{User: "bob"}, {User: "alice"}}
		switch cr.ID {
		case 2: // bob approved an earlier scope: he must decide again
			cr.Approvers[0] = model.Approver{User: "bob", Decision: model.DecisionApproved, ScopeHash: "earlier"}
		case 3: // bob approved this scope
			cr.Approvers[0] = model.Approver{User: "bob", Decision: model.DecisionApproved, ScopeHash: cr.ScopeHash()}
		case 4: // cancelled: nobody decides any more
			cr.CompletionStatus = model.CompletionCancelled
		}
	})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaAt(t, path); v != 7 {
		t.Fatalf("schema = %d, want 7", v)
	}
	if got, n := awaitingOf(t, s, "bob"); strings.Join(got, ",") != "CR-0002 stale,CR-0001" || n != 2 {
		t.Errorf("bob waits for %v (count %d), want CR-0002 stale, CR-0001", got, n)
	}
	if got, n := awaitingOf(t, s, "alice"); len(got) != 0 || n != 0 {
		t.Errorf("alice, the requester, waits for %v (count %d)", got, n)
	}
}

// Every write of a change request rewrites its entries: a decision takes
// it out of the decider's queue, a new scope brings it back as stale, and
// a record no longer pending leaves every queue.
func TestAwaitingIndexFollowsEveryWrite(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob", "carol")
	putWaitingCR(t, s, 1, t0, model.Approver{User: "bob"}, model.Approver{User: "carol"})
	putWaitingCR(t, s, 2, t0.Add(time.Hour), model.Approver{User: "bob"})
	if got, n := awaitingOf(t, s, "bob"); strings.Join(got, ",") != "CR-0002,CR-0001" || n != 2 {
		t.Fatalf("bob waits for %v (count %d), want CR-0002, CR-0001", got, n)
	}
	write := func(id int64, change func(*model.ChangeRequest)) {
		t.Helper()
		mustUpdate(t, s, func(tx *Tx) error {
			cr, err := tx.CR(id)
			if err != nil {
				return err
			}
			change(&cr)
			cr.UpdatedAt = cr.UpdatedAt.Add(2 * time.Hour)
			if err := tx.PutCR(cr); err != nil {
				return err
			}
			return tx.Record(as("alice"), cr.UpdatedAt, model.Change{Entity: model.EntityChangeRequest, EntityID: cr.Key(), Action: "edit"})
		})
	}
	write(1, func(cr *model.ChangeRequest) {
		cr.Approvers[0] = model.Approver{User: "bob", Decision: model.DecisionApproved, ScopeHash: cr.ScopeHash()}
	})
	if got, _ := awaitingOf(t, s, "bob"); strings.Join(got, ",") != "CR-0002" {
		t.Errorf("after bob approved CR-0001 he waits for %v, want CR-0002", got)
	}
	if got, _ := awaitingOf(t, s, "carol"); strings.Join(got, ",") != "CR-0001" {
		t.Errorf("carol waits for %v, want CR-0001 (moved by its new update time)", got)
	}
	write(1, func(cr *model.ChangeRequest) { cr.Overview = "scope unchanged"; cr.Revision++ })
	write(1, func(cr *model.ChangeRequest) { cr.Name = "renamed" })
	write(1, func(cr *model.ChangeRequest) {
		// A new component: bob's approval was of the scope before it.
		cr.Customizations = append(cr.Customizations, metadata.Component{Type: "ApexClass", FullName: "InvoiceService"})
	})
	if got, _ := awaitingOf(t, s, "bob"); strings.Join(got, ",") != "CR-0001 stale,CR-0002" {
		t.Errorf("after CR-0001's scope changed bob waits for %v, want CR-0001 stale first", got)
	}
	write(1, func(cr *model.ChangeRequest) { cr.CompletionStatus = model.CompletionCompleted })
	write(2, func(cr *model.ChangeRequest) { cr.ApprovalStatus = model.ApprovalRejected })
	for _, u := range []string{"alice", "bob", "carol"} {
		if got, n := awaitingOf(t, s, u); len(got) != 0 || n != 0 {
			t.Errorf("%s still waits for %v (count %d) after both left pending", u, got, n)
		}
	}
	if res, err := s.Verify(); err != nil || !res.OK {
		t.Errorf("verify after the writes: %+v, %v", res, err)
	}
}

// The index is derived data no event covers: verify compares it with the
// records, so an entry removed, added or flipped behind relman's back is
// reported, and putting it back verifies again.
func TestVerifyChecksTheAwaitingIndex(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob")
	putWaitingCR(t, s, 1, t0, model.Approver{User: "bob"})
	if res, err := s.Verify(); err != nil || !res.OK {
		t.Fatalf("verify of an honest store: %+v, %v", res, err)
	}
	key := awaitingKey("bob", t0, AwaitingCR, 1)
	for name, tamper := range map[string]func(b *bolt.Bucket) error{
		"removed": func(b *bolt.Bucket) error { return b.Delete(key) },
		"flipped": func(b *bolt.Bucket) error { return b.Put(key, []byte{1}) },
		"added":   func(b *bolt.Bucket) error { return b.Put(awaitingKey("mallory", t0, AwaitingCR, 1), []byte{0}) },
	} {
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tamper(tx.Bucket(bucketAwaiting)) })
		res, err := s.Verify()
		if err != nil || res.OK || res.Record != "approvals index" || !strings.Contains(res.Reason, "changed outside relman") {
			t.Errorf("%s entry: verify = %+v, %v; want the approvals index reported", name, res, err)
		}
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketAwaiting)
			if err := b.Delete(awaitingKey("mallory", t0, AwaitingCR, 1)); err != nil {
				return err
			}
			return b.Put(key, []byte{0})
		})
		if res, err := s.Verify(); err != nil || !res.OK {
			t.Fatalf("verify after restoring the %s entry: %+v, %v", name, res, err)
		}
	}
}
