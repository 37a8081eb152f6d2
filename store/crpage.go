package store

import (
	"bytes"

	"relman/model"
)

// CRCounts is how many change requests there are, in all and per status.
type CRCounts struct {
	Total    int
	ByStatus map[model.Status]int
}

// CountCRsByStatus counts the change requests per status from the recency
// index alone: no change request is decoded, so a million cost a walk over
// a few tens of megabytes of index pages.
func (tx *Tx) CountCRsByStatus() (CRCounts, error) {
	recent, err := tx.bucket(bucketCRRecent)
	if err != nil {
		return CRCounts{}, err
	}
	counts := CRCounts{ByStatus: map[model.Status]int{}}
	// Index values are "status 0x00 env"; count by the raw status bytes,
	// turned into strings once per distinct status, not once per entry.
	raw := map[string]int{}
	c := recent.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		status, _, _ := bytes.Cut(v, []byte{0})
		raw[string(status)]++ // no allocation: the compiler reuses the bytes for the lookup
		counts.Total++
	}
	for s, n := range raw {
		counts.ByStatus[model.Status(s)] = n
	}
	return counts, nil
}

// EachCR calls fn for each change request q selects, most recently updated
// first, decoding one at a time: a caller that streams (cr list --all, the
// list's search) holds one change request, not all of them. fn returning
// an error stops the walk with that error.
func (tx *Tx) EachCR(q CRQuery, fn func(model.ChangeRequest) error) error {
	recent, err := tx.bucket(bucketCRRecent)
	if err != nil {
		return err
	}
	skip, n := q.Offset, 0
	c := recent.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if !q.matches(v) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		cr, err := tx.CR(int64(btoi(k[8:])))
		if err != nil {
			return err
		}
		if err := fn(cr); err != nil {
			return err
		}
		if n++; q.Limit > 0 && n == q.Limit {
			return nil
		}
	}
	return nil
}

// SchemaVersion is the schema version this relman writes: caches of built
// stores (test fixtures) are keyed by it.
func SchemaVersion() uint64 { return currentVersion() }
