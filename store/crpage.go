package store

import (
	"strings"

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
	// Index values are "status 0x00 env"; count by the whole raw value (a
	// handful of distinct ones), turned into strings once per distinct
	// value, not once per entry, and split by status at the end: no Cut
	// per entry. A lookup by string(bytes) does not allocate; an
	// assignment would, so the counters are reached through pointers.
	raw := map[string]*int{}
	c := recent.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n := raw[string(v)]; n != nil {
			*n++
		} else {
			one := 1
			raw[string(v)] = &one
		}
		counts.Total++
	}
	for v, n := range raw {
		status, _, _ := strings.Cut(v, "\x00")
		counts.ByStatus[model.Status(status)] += *n
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
	k, v := c.Last()
	if q.After != nil {
		// The first key at or past the cursor, then the one before it: the
		// next older change request, even if the cursor's own one has been
		// updated (and its key moved) since.
		if k, _ = c.Seek(q.After); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
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

// CRCursor is a position in the recency order of change requests.
type CRCursor []byte

// CRCursorOf is the position of cr as stored.
func CRCursorOf(cr model.ChangeRequest) CRCursor { return CRCursor(recencyKey(cr.UpdatedAt, cr.ID)) }

// SchemaVersion is the schema version this relman writes: caches of built
// stores (test fixtures) are keyed by it.
func SchemaVersion() uint64 { return currentVersion() }
