package store

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig/testkeys"
)

// TestAppendRefusesUnprovenActors: an event is written only when signed by a
// registered key of its own user.
func TestAppendRefusesUnprovenActors(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob")
	c := model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "approve"}
	for _, a := range []model.Actor{
		{User: "bob"}, // no key at all
		{User: "bob", Signer: as("alice").Signer},       // alice's key claiming to be bob
		{User: "mallory", Signer: as("mallory").Signer}, // an unregistered user
		{User: "Bob", Signer: as("mallory").Signer},     // bob in another case, wrong key
	} {
		err := s.Update(func(tx *Tx) error { return tx.Record(a, t0, c) })
		if !errors.Is(err, ErrNoIdentity) {
			t.Errorf("Record as %s with %v = %v, want ErrNoIdentity", a.User, a.Signer, err)
		}
	}
	// Names compare case-insensitively: Bob with bob's key is bob.
	mustUpdate(t, s, func(tx *Tx) error { return tx.Record(model.Actor{User: "Bob", Signer: as("bob").Signer}, t0, c) })
	if res, err := s.Verify(); err != nil || !res.OK || res.Signed != 3 {
		t.Errorf("Verify = %+v, %v", res, err)
	}
}

// TestVerifyCatchesForgedSignatures: the hash chain can be recomputed by
// anyone holding the file; the signatures cannot.
func TestVerifyCatchesForgedSignatures(t *testing.T) {
	cases := []struct {
		name   string
		forge  func(t *testing.T, path string)
		seq    uint64
		reason string
	}{
		{"signature stripped", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketAuditSig).Delete(itob(4)) })
		}, 4, "unsigned"},
		{"signature of another event", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketAuditSig)
				return b.Put(itob(4), append([]byte{}, b.Get(itob(3))...))
			})
		}, 4, "does not match"},
		{"actor changed and chain rehashed", func(t *testing.T, path string) {
			rewrite(t, path, 4, func(ev *model.AuditEvent) { ev.User = "carol" })
		}, 4, "does not match"},
		{"approval re-signed by another registered user", func(t *testing.T, path string) {
			rewrite(t, path, 4, func(ev *model.AuditEvent) {})
			rawUpdate(t, path, func(tx *bolt.Tx) error { return resign(tx, 4, "carol") })
		}, 4, "not a key of alice"},
		{"unregistered key", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bolt.Tx) error { return resign(tx, 5, "mallory") })
		}, 5, "not a key of alice"},
		{"signing switched off", func(t *testing.T, path string) {
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				if err := tx.Bucket(bucketMeta).Put(keySignedFrom, itob(99)); err != nil {
					return err
				}
				return tx.Bucket(bucketAuditSig).Delete(itob(6))
			})
		}, 6, "unsigned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			register(t, s, "alice", "bob", "carol")
			appendEvents(t, s, 3) // events 4, 5, 6
			if res, err := s.Verify(); err != nil || !res.OK {
				t.Fatalf("before forging: %+v, %v", res, err)
			}
			c.forge(t, s.Path())
			res, err := s.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.FirstBad != c.seq || !strings.Contains(res.Reason, c.reason) {
				t.Errorf("Verify = %+v, want event %d named for %q", res, c.seq, c.reason)
			}
		})
	}
}

// rewrite changes event seq and recomputes the chain from there on, as a
// tamperer with the store package in hand would; signatures stay as they were.
func rewrite(t *testing.T, path string, seq uint64, change func(*model.AuditEvent)) {
	t.Helper()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		audit := tx.Bucket(bucketAudit)
		prev := string(audit.Get(itob(seq))[:hashLen])
		c := audit.Cursor()
		for k, v := c.Seek(itob(seq)); k != nil; k, v = c.Next() {
			ev, err := decodeEvent(k, v)
			if err != nil {
				return err
			}
			if btoi(k) == seq {
				change(&ev)
			}
			ev = ev.Seal(prev)
			if err := audit.Put(k, append(append([]byte(ev.PrevHash), ev.Hash...), ev.Canonical()...)); err != nil {
				return err
			}
			prev = ev.Hash
		}
		last, _ := audit.Cursor().Last()
		return tx.Bucket(bucketMeta).Put(keyAuditHead, append(append([]byte{}, last...), prev...))
	})
}

// resign replaces event seq's signature with one by name's key.
func resign(tx *bolt.Tx, seq uint64, name string) error {
	ev, err := decodeEvent(itob(seq), tx.Bucket(bucketAudit).Get(itob(seq)))
	if err != nil {
		return err
	}
	sig, err := testkeys.Of(name).Signer().Sign(ev.SignedMessage())
	if err != nil {
		return err
	}
	return tx.Bucket(bucketAuditSig).Put(itob(seq), sig)
}

// TestVerifyRebuildsRecordsFromTheTrail: a record edited in the file, one
// deleted, and one written without an event are each named.
func TestVerifyRebuildsRecordsFromTheTrail(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(b *bolt.Bucket) error
		reason string
	}{
		{"rejection turned into an approval", func(b *bolt.Bucket) error {
			var cr model.ChangeRequest
			if err := json.Unmarshal(b.Get(idKey(1)), &cr); err != nil {
				return err
			}
			cr.ApprovalStatus = model.ApprovalApproved
			v, _ := json.Marshal(cr)
			return b.Put(idKey(1), v)
		}, "CR-0001 differs from the state its last event"},
		{"record deleted", func(b *bolt.Bucket) error { return b.Delete(idKey(1)) }, "CR-0001 is missing"},
		{"record without an event", func(b *bolt.Bucket) error {
			v, _ := json.Marshal(newCR(9, "smuggled", "prod", t0))
			return b.Put(idKey(9), v)
		}, "CR-0009 has no audit event"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			if _, err := createCR(s, "alice", "Region field", t0); err != nil {
				t.Fatal(err)
			}
			if res, err := s.Verify(); err != nil || !res.OK || res.Records != 2 {
				t.Fatalf("before tampering: %+v, %v (want the CR and alice checked)", res, err)
			}
			rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return c.tamper(tx.Bucket(bucketCRs)) })
			res, err := s.Verify()
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || !strings.Contains(res.Reason, c.reason) {
				t.Errorf("Verify = %+v, want %q", res, c.reason)
			}
		})
	}
}

// TestMigrationV5SignsFromHereOn: events written before v5 stay readable and
// are reported as unsigned, never as proven; events after must be signed.
func TestMigrationV5SignsFromHereOn(t *testing.T) {
	path := storeAt(t, 4)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		audit := tx.Bucket(bucketAudit)
		ev := model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "create"}.Event("alice", t0)
		ev.Seq, _ = audit.NextSequence()
		ev = ev.Seal(model.GenesisHash)
		if err := audit.Put(itob(ev.Seq), append(append([]byte(ev.PrevHash), ev.Hash...), ev.Canonical()...)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyAuditHead, append(itob(ev.Seq), ev.Hash...))
	})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaAt(t, path); v != currentVersion() {
		t.Fatalf("schema = %d, want %d", v, currentVersion())
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUsers) == nil || tx.Bucket(bucketAuditSig) == nil {
			t.Error("v5 has no users or audit_sig bucket")
		}
		if got := btoi(tx.Bucket(bucketMeta).Get(keySignedFrom)); got != 2 {
			t.Errorf("signed_from = %d, want 2 (after the one old event)", got)
		}
		return nil
	})
	register(t, s, "alice")
	res, err := s.Verify()
	if err != nil || !res.OK || res.Unsigned != 1 || res.Signed != 1 || res.Events != 2 {
		t.Errorf("Verify after migration = %+v, %v; want 1 unsigned, 1 signed", res, err)
	}
}

// TestOneEventCoversEveryRecordItsChangeWrote: creating a deployment record
// also writes its change request (the link); the one event records both,
// so the change request verifies and a later edit of it in the file fails.
func TestOneEventCoversEveryRecordItsChangeWrote(t *testing.T) {
	s := openTest(t)
	id, err := createCR(s, "alice", "Region field", t0)
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(tx *Tx) error {
		cr, err := tx.CR(id)
		if err != nil {
			return err
		}
		did, _ := tx.NextDeploymentID()
		cr.Deployments = append(cr.Deployments, did)
		if err := tx.PutDeployment(model.DeploymentRecord{ID: did, CR: id, Source: "uat", Target: "prod", Status: model.DeployDraft}); err != nil {
			return err
		}
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return tx.Record(as("alice"), t0, model.Change{Entity: model.EntityDeployment, EntityID: "DR-0001", Action: "create"})
	})
	if res, err := s.Verify(); err != nil || !res.OK || res.Records != 3 {
		t.Fatalf("Verify = %+v, %v; want the user, the CR and the deployment record checked", res, err)
	}
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
		var cr model.ChangeRequest
		b := tx.Bucket(bucketCRs)
		if err := json.Unmarshal(b.Get(idKey(id)), &cr); err != nil {
			return err
		}
		cr.Deployments = nil
		v, _ := json.Marshal(cr)
		return b.Put(idKey(id), v)
	})
	if res, _ := s.Verify(); res.OK || res.Record != "change-request CR-0001" || res.FirstBad != 3 {
		t.Errorf("Verify after unlinking the deployment in the file = %+v, want CR-0001 named at event 3", res)
	}
}

// TestVerifyAcrossBatches: signatures are checked in batches; a bad one
// past the first batch, and a broken link right after a batch with a bad
// signature in it, are still named in trail order.
func TestVerifyAcrossBatches(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob", "carol")
	appendEvents(t, s, verifyBatch+1000) // events 4 … verifyBatch+1003
	if res, err := s.Verify(); err != nil || !res.OK || res.Signed != verifyBatch+1003 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	bad := uint64(verifyBatch + 500)
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return resign(tx, bad, "carol") })
	if res, _ := s.Verify(); res.OK || res.FirstBad != bad || res.Events != int(bad-1) {
		t.Errorf("Verify = %+v, want event %d named after %d good ones", res, bad, bad-1)
	}
	// A broken link later in the same batch: the signature comes first.
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(bucketAudit).Delete(itob(bad + 10)) })
	if res, _ := s.Verify(); res.OK || res.FirstBad != bad || !strings.Contains(res.Reason, "not a key of alice") {
		t.Errorf("Verify = %+v, want the bad signature at %d named before the gap", res, bad)
	}
}
