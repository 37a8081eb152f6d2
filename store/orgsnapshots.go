package store

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// Snapshot entries are stored in chunks, each a content-addressed blob, so
// a snapshot that differs from the previous one in a few components writes
// only the chunks holding them; the rest are shared. A chunk ends after a
// component whose name hashes to 0 modulo chunkAverage (or at chunkMax
// entries): the boundaries depend on the names alone, so adding or removing
// a component moves no boundary but its own.
const (
	chunkAverage = 64
	chunkMax     = 512
)

func snapshotName(id int64) string { return "snapshot " + model.FormatID(model.PrefixSnapshot, id) }

func endsChunk(e model.SnapshotEntry) bool {
	h := fnv.New32a()
	h.Write([]byte(e.Component.String()))
	return h.Sum32()%chunkAverage == 0
}

// NextSnapshotID issues a new snapshot id.
func (tx *Tx) NextSnapshotID() (int64, error) { return tx.nextID(bucketSnapshots) }

// PutOrgSnapshot stores snapshot s with its entries (sorted by component):
// the entries go into shared chunk blobs, whose keys it sets in s.Chunks.
// It returns s as stored.
func (tx *Tx) PutOrgSnapshot(s model.OrgSnapshot, entries []model.SnapshotEntry) (model.OrgSnapshot, error) {
	s.Chunks = s.Chunks[:0]
	s.Components = len(entries)
	start := 0
	for i, e := range entries {
		if i+1 < len(entries) && !endsChunk(e) && i+1-start < chunkMax {
			continue
		}
		data, err := json.Marshal(entries[start : i+1])
		if err != nil {
			return s, fmt.Errorf("%s: encoding entries: %w", snapshotName(s.ID), err)
		}
		key, err := tx.PutBlob(data)
		if err != nil {
			return s, err
		}
		s.Chunks = append(s.Chunks, key)
		start = i + 1
	}
	tx.touch(model.EntitySnapshot, s.Key())
	return s, tx.putJSON(bucketSnapshots, s.ID, snapshotName(s.ID), "NextSnapshotID", s)
}

// OrgSnapshot reads one snapshot record (without its entries).
func (tx *Tx) OrgSnapshot(id int64) (model.OrgSnapshot, error) {
	var s model.OrgSnapshot
	err := tx.getJSON(bucketSnapshots, id, snapshotName(id), &s)
	return s, err
}

// LatestSnapshot is env's newest snapshot; false when it has none.
func (tx *Tx) LatestSnapshot(env string) (model.OrgSnapshot, bool, error) {
	b, err := tx.bucket(bucketSnapshots)
	if err != nil {
		return model.OrgSnapshot{}, false, err
	}
	c := b.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var s model.OrgSnapshot
		if err := json.Unmarshal(v, &s); err != nil {
			return s, false, damaged(snapshotName(int64(btoi(k))), err)
		}
		if s.Env == env {
			return s, true, nil
		}
	}
	return model.OrgSnapshot{}, false, nil
}

// ListSnapshots lists the snapshots of env ("" = of every environment),
// oldest first.
func (tx *Tx) ListSnapshots(env string) ([]model.OrgSnapshot, error) {
	return listJSON(tx, bucketSnapshots, snapshotName, func(s *model.OrgSnapshot) bool { return env == "" || s.Env == env })
}

// SnapshotEntries reads the entries of snapshot s, sorted by component.
func (tx *Tx) SnapshotEntries(s model.OrgSnapshot) ([]model.SnapshotEntry, error) {
	out := make([]model.SnapshotEntry, 0, s.Components)
	for i, key := range s.Chunks {
		data, err := tx.Blob(key)
		if err != nil {
			return nil, fmt.Errorf("%s, chunk %d: %w", snapshotName(s.ID), i, err)
		}
		var chunk []model.SnapshotEntry
		if err := json.Unmarshal(data, &chunk); err != nil {
			return nil, damaged(snapshotName(s.ID)+" chunk "+strconv.Itoa(i), err)
		}
		out = append(out, chunk...)
	}
	return out, nil
}

// Space is the store file's size and the bytes its pages hold in use (the
// file less its free pages): bbolt grows a file in steps and reuses freed
// pages, so the used bytes are what a budget on stored data compares.
func (s *Store) Space() (file, used int64, err error) {
	err = s.rawUpdate(func(tx *bolt.Tx) error {
		file = tx.Size()
		st := tx.DB().Stats()
		used = file - int64(st.FreeAlloc)
		return nil
	})
	return file, used, err
}
