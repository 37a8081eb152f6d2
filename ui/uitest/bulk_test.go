package uitest

import (
	"bytes"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/store"
)

// TestBulkCRsVerify: a bulk store is what relman would have written: its
// trail verifies, every status is present, and a change request edited
// behind the trail's back is caught.
func TestBulkCRsVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relman.db")
	st := BulkCRs(t, path, 600)
	res, err := st.Verify()
	if err != nil || !res.OK || res.Signed != res.Events {
		t.Fatalf("verify: %+v, %v", res, err)
	}
	var counts store.CRCounts
	if err := st.View(func(tx *store.Tx) error {
		counts, err = tx.CountCRsByStatus()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if counts.Total != 600 || len(counts.ByStatus) != len(model.Statuses) {
		t.Fatalf("counts %+v", counts)
	}
	// Edit CR-0007's name in the file, as someone bypassing relman would.
	var cr model.ChangeRequest
	if err := st.View(func(tx *store.Tx) error { cr, err = tx.CR(7); return err }); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("crs"))
		key := []byte{0, 0, 0, 0, 0, 0, 0, 7}
		v := b.Get(key)
		edited := []byte(string(v))
		i := bytes.Index(edited, []byte(cr.Name))
		if i < 0 {
			t.Fatalf("name %q not in %s", cr.Name, v)
		}
		edited[i] = 'X'
		return b.Put(key, edited)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if res, err := st.Verify(); err != nil || res.OK {
		t.Fatalf("verify after an edit behind its back: %+v, %v", res, err)
	}
}
