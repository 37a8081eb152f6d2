package store

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// storeAt makes a store file at the schema version reached by the first n
// migrations, as an older relman left it.
func storeAt(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "relman.db")
	rawUpdate(t, path, func(tx *bolt.Tx) error { return migrate(tx, path, migrations[:n]) })
	return path
}

// putRawCRs stores change requests 1 to n as an older relman did, straight
// into the crs bucket with no index, each as newCR made it, then shape
// changed it.
func putRawCRs(t *testing.T, path string, n int64, shape func(*model.ChangeRequest)) {
	t.Helper()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		crs := tx.Bucket(bucketCRs)
		for id := int64(1); id <= n; id++ {
			if _, err := crs.NextSequence(); err != nil {
				return err
			}
			cr := newCR(id, "old", "prod", t0)
			shape(&cr)
			b, _ := json.Marshal(cr)
			if err := crs.Put(idKey(id), b); err != nil {
				return err
			}
		}
		return nil
	})
}

func schemaAt(t *testing.T, path string) uint64 {
	t.Helper()
	var v uint64
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		var err error
		v, err = schemaOf(tx, path)
		return err
	})
	return v
}

func TestMigrationV1CreatesBuckets(t *testing.T) {
	path := storeAt(t, 1)
	if v := schemaAt(t, path); v != 1 {
		t.Fatalf("schema = %d, want 1", v)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketEnvironments, bucketSecrets, bucketCRs,
			bucketDeployments, bucketLogs, bucketCompareLogs, bucketBlobs, bucketAudit} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing at v1", name)
			}
		}
		if tx.Bucket(bucketCRRecent) != nil || tx.Bucket(bucketAuditEntity) != nil {
			t.Error("v1 created a later migration's bucket")
		}
		return nil
	})
}

func TestMigrationV2IndexesChangeRequestsByRecency(t *testing.T) {
	path := storeAt(t, 1)
	// Change requests as a v1 relman stored them: no index.
	updated := map[int64]time.Time{1: t0.Add(2 * time.Hour), 2: t0, 3: t0.Add(time.Hour)}
	putRawCRs(t, path, 3, func(cr *model.ChangeRequest) {
		cr.UpdatedAt = updated[cr.ID]
		if cr.ID == 3 {
			cr.ApprovalStatus = model.ApprovalApproved
		}
	})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaAt(t, path); v != currentVersion() {
		t.Fatalf("schema after Open = %d, want %d", v, currentVersion())
	}
	mustView(t, s, func(tx *Tx) error {
		var keys [][]byte
		tx.tx.Bucket(bucketCRRecent).ForEach(func(k, v []byte) error {
			keys = append(keys, append([]byte{}, k...))
			return nil
		})
		want := [][]byte{recencyKey(updated[2], 2), recencyKey(updated[3], 3), recencyKey(updated[1], 1)}
		if !slices.EqualFunc(keys, want, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Errorf("cr_recent keys = %x, want %x", keys, want)
		}
		crs, err := tx.ListCRs(CRQuery{Status: model.StatusApproved})
		if err != nil || len(crs) != 1 || crs[0].ID != 3 {
			t.Errorf("ListCRs(Approved) after migration = %+v, %v", crs, err)
		}
		return nil
	})
}

func TestMigrationV3IndexesAuditEventsByEntity(t *testing.T) {
	path := storeAt(t, 2)
	// Events as a v2 relman stored them: chained, no per-entity index.
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		audit := tx.Bucket(bucketAudit)
		prev := model.GenesisHash
		for i, id := range []string{"CR-0001", "CR-0002", "CR-0001"} {
			seq, _ := audit.NextSequence()
			ev := model.Change{Entity: model.EntityChangeRequest, EntityID: id, Action: "edit"}.Event("alice", t0.Add(time.Duration(i)*time.Minute))
			ev.Seq = seq
			ev = ev.Seal(prev)
			if err := audit.Put(itob(seq), append(append([]byte(ev.PrevHash), ev.Hash...), ev.Canonical()...)); err != nil {
				return err
			}
			prev = ev.Hash
			if err := tx.Bucket(bucketMeta).Put(keyAuditHead, append(itob(seq), ev.Hash...)); err != nil {
				return err
			}
		}
		return nil
	})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustView(t, s, func(tx *Tx) error {
		events, err := tx.AuditEvents(AuditQuery{Entity: model.EntityChangeRequest, EntityID: "CR-0001"})
		if err != nil || len(events) != 2 || events[0].Seq != 1 || events[1].Seq != 3 {
			t.Errorf("CR-0001's events after migration = %+v, %v", events, err)
		}
		return nil
	})
	if res, err := s.Verify(); err != nil || !res.OK || res.Events != 3 {
		t.Errorf("Verify after migration = %+v, %v", res, err)
	}
	// New events continue the migrated chain.
	if _, err := createCR(s, "bob", "after upgrade", t0); err != nil {
		t.Fatal(err)
	}
	// bob registers himself, then creates: two signed events after three
	// unsigned ones from before v5.
	if res, _ := s.Verify(); !res.OK || res.Events != 5 || res.Signed != 2 || res.Unsigned != 3 {
		t.Errorf("Verify after a new event = %+v", res)
	}
}

func TestMigrationsRunOnceAndInOrder(t *testing.T) {
	var ran []uint64
	list := []migration{
		{1, "one", func(tx *bolt.Tx) error { ran = append(ran, 1); return createBuckets(tx) }},
		{2, "two", func(*bolt.Tx) error { ran = append(ran, 2); return nil }},
	}
	path := filepath.Join(t.TempDir(), "relman.db")
	rawUpdate(t, path, func(tx *bolt.Tx) error { return migrate(tx, path, list[:1]) })
	rawUpdate(t, path, func(tx *bolt.Tx) error { return migrate(tx, path, list) })
	rawUpdate(t, path, func(tx *bolt.Tx) error { return migrate(tx, path, list) })
	if !slices.Equal(ran, []uint64{1, 2}) {
		t.Errorf("migrations ran %v, want [1 2] once each", ran)
	}
	if err := migrateErr(t, []migration{list[0], {3, "three", nil}}); err == nil || !strings.Contains(err.Error(), "gap") {
		t.Errorf("a list with a gap = %v, want a refusal", err)
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	path := storeAt(t, 1)
	boom := errors.New("boom")
	list := append(slices.Clone(migrations[:1]), migration{2, "fails halfway", func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("half")); err != nil {
			return err
		}
		return boom
	}})
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return migrate(tx, path, list) })
	db.Close()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "fails halfway") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("failed migration = %v", err)
	}
	if v := schemaAt(t, path); v != 1 {
		t.Errorf("schema after a failed migration = %d, want 1", v)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half")) != nil {
			t.Error("a failed migration left its bucket")
		}
		return nil
	})
}

func migrateErr(t *testing.T, list []migration) error {
	path := filepath.Join(t.TempDir(), "relman.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error { return migrate(tx, path, list) })
}

func TestMigrationV4AddsRollbacks(t *testing.T) {
	path := storeAt(t, 3)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketRollbacks) != nil {
			t.Fatal("a v3 store already has rollbacks")
		}
		return nil
	})
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v := schemaAt(t, path); v != currentVersion() {
		t.Fatalf("schema after opening = %d, want %d", v, currentVersion())
	}
	mustUpdate(t, s, func(tx *Tx) error {
		id, err := tx.NextRollbackID()
		if err != nil {
			return err
		}
		if err := tx.PutRollback(model.Rollback{ID: id, Deployment: 7, Target: "production"}); err != nil {
			return err
		}
		got, err := tx.ListRollbacks(7)
		if err != nil || len(got) != 1 || got[0].Key() != "RB-0001" {
			t.Errorf("rollbacks of DR-0007 = %+v, %v", got, err)
		}
		return nil
	})
}
