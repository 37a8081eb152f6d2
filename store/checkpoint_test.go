package store

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig"
	"relman/model/sshsig/testkeys"
)

// checkpointHere is a checkpoint of the trail's head, by user, signed with
// signer's key.
func checkpointHere(t *testing.T, s *Store, user string, signer model.Signer) model.Checkpoint {
	t.Helper()
	var cp model.Checkpoint
	mustView(t, s, func(tx *Tx) error {
		cp.Seq, cp.Head = tx.Head()
		return nil
	})
	cp.User, cp.Time = user, t0
	sig, err := signer.Sign(cp.Message())
	if err != nil {
		t.Fatal(err)
	}
	cp.Signature = sig
	return cp
}

// checkpointedStore holds alice, bob and carol (events 1-3), events 4-9,
// alice's checkpoint of event 9 kept in the store, and events 10-12.
func checkpointedStore(t *testing.T) (*Store, model.Checkpoint) {
	t.Helper()
	s := openTest(t)
	register(t, s, "alice", "bob", "carol")
	appendEvents(t, s, 6)
	cp := checkpointHere(t, s, "alice", as("alice").Signer)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutCheckpoint(cp) })
	appendEvents(t, s, 3)
	return s, cp
}

func verifyOK(t *testing.T, s *Store, o VerifyOptions) VerifyResult {
	t.Helper()
	res, err := s.VerifyWith(o)
	if err != nil || !res.OK || res.Events != 12 {
		t.Fatalf("VerifyWith(%+v) = %+v, %v", o, res, err)
	}
	return res
}

// TestVerifyTrustsTheStoredCheckpoint: with alice's checkpoint of event 9
// kept, the signatures of events 4-9 are not checked (alice vouched for
// them), those of the user events and of 10-12 are; --full checks all.
func TestVerifyTrustsTheStoredCheckpoint(t *testing.T) {
	s, cp := checkpointedStore(t)
	res := verifyOK(t, s, VerifyOptions{})
	if res.TrustedFrom == nil || res.TrustedFrom.Seq != 9 || res.TrustedFrom.User != "alice" || res.Trusted != 6 || res.Signed != 6 || len(res.Notes) != 0 {
		t.Errorf("Verify = %+v, want events 4-9 trusted from alice's checkpoint, 6 signatures checked", res)
	}
	full := verifyOK(t, s, VerifyOptions{Full: true})
	if full.TrustedFrom != nil || full.Trusted != 0 || full.Signed != 12 {
		t.Errorf("VerifyWith(Full) = %+v, want all 12 signatures checked", full)
	}
	// A signature swapped before the checkpoint leaves what alice vouched
	// for (the events' contents) as it was: only --full sees it.
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return resign(tx, 5, "mallory") })
	verifyOK(t, s, VerifyOptions{})
	if res, _ := s.VerifyWith(VerifyOptions{Full: true}); res.OK || res.FirstBad != 5 {
		t.Errorf("VerifyWith(Full) after a swapped signature = %+v, want event 5 named", res)
	}
	// A later checkpoint replaces it; an older one is refused.
	later := checkpointHere(t, s, "bob", as("bob").Signer)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutCheckpoint(later) })
	if res := verifyOK(t, s, VerifyOptions{}); res.TrustedFrom.Seq != 12 || res.TrustedFrom.User != "bob" || res.Signed != 3 {
		t.Errorf("Verify after bob's checkpoint = %+v", res)
	}
	if err := s.Update(func(tx *Tx) error { return tx.PutCheckpoint(cp) }); err == nil || !strings.Contains(err.Error(), "later one") {
		t.Errorf("PutCheckpoint of an older checkpoint = %v, want it refused", err)
	}
	// Put back behind relman's back, the older one only makes verify check more.
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyCheckpoint, append(cp.Message(), sshsig.Armor(cp.Signature)...))
	})
	if res := verifyOK(t, s, VerifyOptions{}); res.TrustedFrom.Seq != 9 || res.Signed != 6 {
		t.Errorf("Verify after the older checkpoint was put back = %+v", res)
	}
}

// TestVerifyWithCheckpointCatchesEdits: an event edited and the chain
// rehashed, before or after the checkpoint, is named; before it, the
// checkpoint no longer matches, so every signature is checked.
func TestVerifyWithCheckpointCatchesEdits(t *testing.T) {
	for _, seq := range []uint64{5, 9, 11} {
		s, _ := checkpointedStore(t)
		rewrite(t, s.Path(), seq, func(ev *model.AuditEvent) { ev.Details = map[string]string{"revision": "forged"} })
		res, err := s.Verify()
		if err != nil || res.OK || res.FirstBad != seq || !strings.Contains(res.Reason, "does not match") {
			t.Errorf("event %d edited: Verify = %+v, %v, want it named", seq, res, err)
		}
		if seq <= 9 && (len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "not trusted")) {
			t.Errorf("event %d edited: notes %q, want the checkpoint named as not trusted", seq, res.Notes)
		}
	}
	// User events before the checkpoint decide who is an admin: they are
	// always checked.
	s, _ := checkpointedStore(t)
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return resign(tx, 2, "mallory") })
	if res, _ := s.Verify(); res.OK || res.FirstBad != 2 {
		t.Errorf("bob's registration re-signed: Verify = %+v, want event 2 named", res)
	}
}

// TestVerifyIgnoresUntrustedCheckpoints: a checkpoint kept in the store
// that is not an admin's good signature of the trail's hash is ignored
// with a note, and every signature is checked; deleting it only makes
// verify check every signature.
func TestVerifyIgnoresUntrustedCheckpoints(t *testing.T) {
	nonAdmin := func(t *testing.T, s *Store) model.Checkpoint {
		mustUpdate(t, s, func(tx *Tx) error {
			all, err := tx.Users()
			if err != nil {
				return err
			}
			u, ch, err := model.NewUser(all, "alice", "dave", []model.Role{model.RoleApprover}, testkeys.Of("dave").UserKey(), t0)
			if err != nil {
				return err
			}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			return tx.Record(as("alice"), t0, ch)
		})
		return checkpointHere(t, s, "dave", as("dave").Signer)
	}
	cases := []struct {
		name string
		make func(t *testing.T, s *Store) model.Checkpoint
		note string
	}{
		{"wrong signer", func(t *testing.T, s *Store) model.Checkpoint {
			return checkpointHere(t, s, "alice", as("mallory").Signer)
		}, "not a key of an admin alice"},
		{"not an admin", nonAdmin, "not a key of an admin dave"},
		{"bad signature", func(t *testing.T, s *Store) model.Checkpoint {
			cp := checkpointHere(t, s, "alice", as("alice").Signer)
			cp.Time = cp.Time.Add(time.Minute) // the signature covers another time
			return cp
		}, "signature is bad"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			register(t, s, "alice", "bob", "carol")
			appendEvents(t, s, 6)
			cp := c.make(t, s)
			rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keyCheckpoint, append(cp.Message(), sshsig.Armor(cp.Signature)...))
			})
			res, err := s.Verify()
			if err != nil || !res.OK || res.TrustedFrom != nil || res.Trusted != 0 || res.Signed != res.Events {
				t.Fatalf("Verify = %+v, %v, want every signature checked", res, err)
			}
			if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], c.note) {
				t.Errorf("notes %q, want one saying %q", res.Notes, c.note)
			}
		})
	}
	t.Run("damaged", func(t *testing.T) {
		s, _ := checkpointedStore(t)
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyCheckpoint, []byte("junk")) })
		res := verifyOK(t, s, VerifyOptions{})
		if res.TrustedFrom != nil || res.Signed != 12 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "not a relman checkpoint") {
			t.Errorf("Verify = %+v, want a note and every signature checked", res)
		}
	})
	t.Run("deleted", func(t *testing.T) {
		s, _ := checkpointedStore(t)
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyCheckpoint) })
		res := verifyOK(t, s, VerifyOptions{})
		if res.TrustedFrom != nil || res.Signed != 12 || len(res.Notes) != 0 {
			t.Errorf("Verify = %+v, want every signature checked", res)
		}
	})
	t.Run("an admin's for another hash", func(t *testing.T) {
		s, cp := checkpointedStore(t)
		cp.Head = strings.Repeat("0", hashLen)
		cp.Signature, _ = as("alice").Signer.Sign(cp.Message())
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keyCheckpoint, append(cp.Message(), sshsig.Armor(cp.Signature)...))
		})
		res, err := s.Verify()
		if err != nil || res.OK || res.FirstBad != 9 || !strings.Contains(res.Reason, "rewritten") {
			t.Errorf("Verify = %+v, %v, want event 9 named: alice vouched for another trail", res, err)
		}
	})
}

func TestPutCheckpointRefusesAnotherTrail(t *testing.T) {
	s := openTest(t)
	appendEvents(t, s, 2)
	cp := checkpointHere(t, s, "alice", as("alice").Signer)
	cp.Head = strings.Repeat("0", hashLen)
	if err := s.Update(func(tx *Tx) error { return tx.PutCheckpoint(cp) }); err == nil || !strings.Contains(err.Error(), "has no event 3") {
		t.Errorf("PutCheckpoint of another trail's event = %v, want it refused", err)
	}
}
