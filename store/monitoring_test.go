package store

import (
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/metadata"
)

func TestMigrationV6AddsMonitoring(t *testing.T) {
	path := storeAt(t, 5)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPolicies) != nil || tx.Bucket(bucketSnapshots) != nil || tx.Bucket(bucketChangeLogs) != nil {
			t.Fatal("a v5 store already has the monitoring buckets")
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
	mustView(t, s, func(tx *Tx) error {
		p, err := tx.PolicyFor("production")
		if err != nil || p.Name != model.DefaultPolicy || p.Rule(model.CatCodeData).Level != model.LevelFull {
			t.Errorf("policy of a migrated store = %+v, %v", p, err)
		}
		if snaps, err := tx.ListSnapshots(""); err != nil || len(snaps) != 0 {
			t.Errorf("snapshots = %v, %v", snaps, err)
		}
		return nil
	})
}

// entries builds n sorted snapshot entries; changed alters the content
// hash of the components whose index it holds.
func entries(n int, changed map[int]bool) []model.SnapshotEntry {
	out := make([]model.SnapshotEntry, n)
	for i := range out {
		h := fmt.Sprintf("%064x", i)
		if changed[i] {
			h = fmt.Sprintf("%064x", i+1_000_000)
		}
		out[i] = model.SnapshotEntry{Component: metadata.Component{Type: "ApexClass", FullName: fmt.Sprintf("C%06d", i)},
			Hash: h, Files: map[string]string{fmt.Sprintf("classes/C%06d.cls", i): h}}
	}
	return out
}

func TestSnapshotsShareUnchangedChunks(t *testing.T) {
	s := openTest(t)
	var first, second model.OrgSnapshot
	mustUpdate(t, s, func(tx *Tx) error {
		var err error
		for i, es := range [][]model.SnapshotEntry{entries(5000, nil), entries(5000, map[int]bool{2500: true})} {
			id, err := tx.NextSnapshotID()
			if err != nil {
				return err
			}
			snap, err := tx.PutOrgSnapshot(model.OrgSnapshot{ID: id, Env: "production"}, es)
			if err != nil {
				return err
			}
			if i == 0 {
				first = snap
			} else {
				second = snap
			}
		}
		return err
	})
	if len(first.Chunks) < 20 || len(first.Chunks) != len(second.Chunks) {
		t.Fatalf("chunks: %d then %d", len(first.Chunks), len(second.Chunks))
	}
	differ := 0
	for i := range first.Chunks {
		if first.Chunks[i] != second.Chunks[i] {
			differ++
		}
	}
	if differ != 1 {
		t.Fatalf("%d chunks differ after one component changed, want 1", differ)
	}
	mustView(t, s, func(tx *Tx) error {
		got, err := tx.SnapshotEntries(second)
		if err != nil || len(got) != 5000 || got[2500].Hash != fmt.Sprintf("%064x", 2500+1_000_000) {
			t.Errorf("entries read back: %d, %v", len(got), err)
		}
		latest, ok, err := tx.LatestSnapshot("production")
		if err != nil || !ok || latest.ID != second.ID {
			t.Errorf("latest = %+v %v %v", latest, ok, err)
		}
		if _, ok, _ := tx.LatestSnapshot("uat"); ok {
			t.Error("uat has a snapshot it never took")
		}
		return nil
	})
}

func TestVerifyCoversPoliciesSnapshotsAndChangeLogs(t *testing.T) {
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error {
		if err := ensureUser(tx, "alice"); err != nil {
			return err
		}
		p := model.NewDefaultPolicy()
		if err := tx.PutPolicy(p); err != nil {
			return err
		}
		if err := tx.Record(as("alice"), t0, model.Change{Entity: model.EntityPolicy, EntityID: p.Name, Action: "set-level"}); err != nil {
			return err
		}
		id, err := tx.NextSnapshotID()
		if err != nil {
			return err
		}
		snap, err := tx.PutOrgSnapshot(model.OrgSnapshot{ID: id, Env: "production", TakenAt: t0}, entries(3, nil))
		if err != nil {
			return err
		}
		clID, err := tx.NextChangeLogID()
		if err != nil {
			return err
		}
		if err := tx.PutChangeLog(model.ChangeLog{ID: clID, Env: "production", Snapshot: id, Status: model.StatusNonCompliant}); err != nil {
			return err
		}
		return tx.Record(as("alice"), t0, model.Change{Entity: model.EntitySnapshot, EntityID: snap.Key(), Action: "monitor"})
	})
	if res, err := s.Verify(); err != nil || !res.OK {
		t.Fatalf("verify after monitoring events = %+v, %v", res, err)
	}
	for _, tc := range []struct {
		bucket   []byte
		key      []byte
		old, new string
		want     string
	}{
		{bucketChangeLogs, idKey(1), "non-compliant", "compliant", "change-log CH-0001"},
		{bucketPolicies, []byte(model.DefaultPolicy), "full", "log-only", "policy default"},
		{bucketSnapshots, idKey(1), "production", "prodx", "snapshot SN-0001"},
	} {
		var saved []byte
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
			b := tx.Bucket(tc.bucket)
			saved = append([]byte{}, b.Get(tc.key)...)
			return b.Put(tc.key, []byte(strings.Replace(string(saved), tc.old, tc.new, 1)))
		})
		res, err := s.Verify()
		if err != nil || res.OK || !strings.Contains(res.Reason, tc.want) {
			t.Errorf("verify after editing %s = %+v, %v", tc.want, res, err)
		}
		rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return tx.Bucket(tc.bucket).Put(tc.key, saved) })
	}
}
