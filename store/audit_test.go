package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig"
	"relman/model/sshsig/testkeys"
)

// appendEvents registers alice (event 1) unless she is, then records n
// events by her alternating between two change requests and one
// environment, a minute apart.
func appendEvents(t *testing.T, s *Store, n int) []model.AuditEvent {
	t.Helper()
	var out []model.AuditEvent
	mustUpdate(t, s, func(tx *Tx) error {
		if err := ensureUser(tx, "alice"); err != nil {
			return err
		}
		for i := range n {
			c := model.Change{Entity: model.EntityChangeRequest, EntityID: fmt.Sprintf("CR-%04d", 1+i%2),
				Action: "edit", Details: map[string]string{"revision": fmt.Sprint(i)}}
			if i%3 == 2 {
				c = model.Change{Entity: model.EntityEnvironment, EntityID: "prod", Action: "test"}
			}
			ev, err := tx.Append(c.Event("alice", t0.Add(time.Duration(i)*time.Minute)), as("alice").Signer)
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out
}

func TestAppendBuildsTheChain(t *testing.T) {
	s := openTest(t)
	appended := appendEvents(t, s, 7)
	mustView(t, s, func(tx *Tx) error {
		events, err := tx.AuditEvents(AuditQuery{})
		if err != nil {
			return err
		}
		if len(events) != 8 {
			t.Fatalf("%d events, want alice's registration and 7", len(events))
		}
		prev := events[0].Hash
		for i, ev := range events[1:] {
			if ev.Seq != uint64(i+2) || ev.PrevHash != prev {
				t.Errorf("event %d: seq %d prev %s, want seq %d prev %s", i, ev.Seq, ev.PrevHash, i+2, prev)
			}
			unsealed := ev
			unsealed.PrevHash, unsealed.Hash = "", ""
			if ev.Hash != unsealed.Seal(prev).Hash {
				t.Errorf("event %d does not hash as model.Seal does", ev.Seq)
			}
			if pub, err := sshsig.Verify(ev.Signature, ev.SignedMessage(), sshsig.Namespace); err != nil || sshsig.AuthorizedKey(pub) != testkeys.Of("alice").PublicKey() {
				t.Errorf("event %d: signature read back does not verify as alice's: %v", ev.Seq, err)
			}
			if !ev.Time.Equal(appended[i].Time) || ev.Hash != appended[i].Hash {
				t.Errorf("event %d read back as %+v, appended %+v", ev.Seq, ev, appended[i])
			}
			prev = ev.Hash
		}
		if seq, hash := tx.Head(); seq != 8 || hash != prev {
			t.Errorf("Head = %d %s, want 8 %s", seq, hash, prev)
		}
		return nil
	})
	if res, err := s.Verify(); err != nil || !res.OK || res.Events != 8 || res.Signed != 8 || res.Unsigned != 0 {
		t.Errorf("Verify = %+v, %v", res, err)
	}
}

func TestAppendAssignsSeqAndTime(t *testing.T) {
	s := openTest(t)
	before := time.Now()
	mustUpdate(t, s, func(tx *Tx) error {
		if err := ensureUser(tx, "alice"); err != nil {
			return err
		}
		_, reg := tx.Head()
		ev, err := tx.Append(model.AuditEvent{Seq: 99, Hash: "forged", User: "alice", Entity: model.EntityEnvironment, EntityID: "prod", Action: "add"}, as("alice").Signer)
		if err != nil {
			return err
		}
		if ev.Seq != 2 || ev.PrevHash != reg || ev.Hash == "forged" {
			t.Errorf("Append kept caller-supplied chain fields: %+v", ev)
		}
		if ev.Time.Before(before) || ev.Time.Location() != time.UTC {
			t.Errorf("Append set Time %v, want now in UTC", ev.Time)
		}
		_, err = tx.Append(model.AuditEvent{User: "alice", Entity: "x\x00y", Action: "add"}, as("alice").Signer)
		if err == nil {
			t.Error("an entity with NUL was accepted")
		}
		return nil
	})
	if err := s.View(func(tx *Tx) error {
		_, err := tx.Append(model.AuditEvent{User: "alice"}, as("alice").Signer)
		return err
	}); !errors.Is(err, bolt.ErrTxNotWritable) {
		t.Errorf("Append in View = %v, want ErrTxNotWritable", err)
	}
}

func TestAuditEventsQueries(t *testing.T) {
	s := openTest(t)
	appendEvents(t, s, 12)
	// Event 1 registers alice; event i+1 (i 1-based) is CR-0001 when i%3 !=
	// 0 and i is odd, CR-0002 when i%3 != 0 and i is even, environment prod
	// when i%3 == 0. The expectations below count i.
	seqs := func(q AuditQuery) []uint64 {
		t.Helper()
		if q.After > 0 {
			q.After++
		}
		var out []uint64
		mustView(t, s, func(tx *Tx) error {
			events, err := tx.AuditEvents(q)
			for _, ev := range events {
				if ev.Entity != model.EntityUser {
					out = append(out, ev.Seq-1)
				}
			}
			return err
		})
		return out
	}
	for _, c := range []struct {
		q    AuditQuery
		want []uint64
	}{
		{AuditQuery{}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{AuditQuery{After: 10}, []uint64{11, 12}},
		{AuditQuery{After: 3, Limit: 2}, []uint64{4, 5}},
		{AuditQuery{Entity: model.EntityChangeRequest, EntityID: "CR-0001"}, []uint64{1, 5, 7, 11}},
		{AuditQuery{Entity: model.EntityChangeRequest, EntityID: "CR-0001", After: 5, Limit: 1}, []uint64{7}},
		{AuditQuery{Entity: model.EntityChangeRequest}, []uint64{1, 2, 4, 5, 7, 8, 10, 11}},
		{AuditQuery{Entity: model.EntityChangeRequest, After: 4, Limit: 3}, []uint64{5, 7, 8}},
		{AuditQuery{Entity: model.EntityEnvironment, EntityID: "prod"}, []uint64{3, 6, 9, 12}},
		{AuditQuery{Entity: model.EntityChangeRequest, EntityID: "CR-000"}, nil},
		{AuditQuery{EntityID: "prod", Limit: 2}, []uint64{3, 6}},
	} {
		if got := seqs(c.q); !slices.Equal(got, c.want) {
			t.Errorf("AuditEvents(%+v) = %v, want %v", c.q, got, c.want)
		}
	}
}

func TestRecordIsAppendOfTheChangesEvent(t *testing.T) {
	s := openTest(t)
	c := model.Change{Entity: model.EntityDeployment, EntityID: "DR-0001", Action: "approve", Details: map[string]string{"by": "bob"}}
	mustUpdate(t, s, func(tx *Tx) error {
		if err := ensureUser(tx, "bob"); err != nil {
			return err
		}
		return tx.Record(as("bob"), t0, c)
	})
	mustView(t, s, func(tx *Tx) error {
		events, _ := tx.AuditEvents(AuditQuery{})
		want := c.Event("bob", t0)
		want.Seq, want.States = 2, map[string]string{model.StateKey(model.EntityDeployment, "DR-0001"): model.StateAbsent}
		want = want.Seal(events[0].Hash)
		if len(events) != 2 || events[1].Hash != want.Hash || events[1].Details["by"] != "bob" {
			t.Errorf("Record stored %+v, want %+v", events, want)
		}
		return nil
	})
}
