package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"relman/model"
)

// CRQuery selects change requests for ListCRs. Zero fields select
// everything: no status or environment filter, no limit, no offset.
type CRQuery struct {
	Status model.Status
	Env    string
	Limit  int
	Offset int
	// After, when set, starts the walk at the change request after this
	// one in recency order (CRCursorOf the last one read): the next page
	// without walking the ones before it again.
	After CRCursor
}

func crName(id int64) string {
	return "change request " + model.FormatID(model.PrefixChangeRequest, id)
}

// NextCRID issues a new change request id.
func (tx *Tx) NextCRID() (int64, error) { return tx.nextID(bucketCRs) }

// PutCR stores a change request (new or changed) and keeps the recency
// index pointing at its current UpdatedAt and the awaiting index at who
// must decide on it.
func (tx *Tx) PutCR(cr model.ChangeRequest) error {
	tx.touch(model.EntityChangeRequest, cr.Key())
	crs, err := tx.bucket(bucketCRs)
	if err != nil {
		return err
	}
	recent, err := tx.bucket(bucketCRRecent)
	if err != nil {
		return err
	}
	var oldKey []byte
	old := bytes.Clone(crs.Get(idKey(cr.ID)))
	if old != nil {
		// Only updatedAt is needed to find the old index entry.
		var prev struct {
			UpdatedAt time.Time `json:"updatedAt"`
		}
		if err := json.Unmarshal(old, &prev); err != nil {
			return damaged(crName(cr.ID), err)
		}
		oldKey = recencyKey(prev.UpdatedAt, cr.ID)
	}
	if err := tx.putJSON(bucketCRs, cr.ID, crName(cr.ID), "NextCRID", cr); err != nil {
		return err
	}
	if err := tx.reindexAwaiting(AwaitingCR, crName(cr.ID), old, awaitingEntries(AwaitingCR, cr.ID, cr.UpdatedAt, cr.Awaiting())); err != nil {
		return err
	}
	newKey := recencyKey(cr.UpdatedAt, cr.ID)
	if oldKey != nil && !bytes.Equal(oldKey, newKey) {
		if err := recent.Delete(oldKey); err != nil {
			return fmt.Errorf("%s: %w", crName(cr.ID), err)
		}
	}
	if err := recent.Put(newKey, crIndexValue(cr)); err != nil {
		return fmt.Errorf("%s: %w", crName(cr.ID), err)
	}
	return nil
}

// CR reads one change request.
func (tx *Tx) CR(id int64) (model.ChangeRequest, error) {
	var cr model.ChangeRequest
	err := tx.getJSON(bucketCRs, id, crName(id), &cr)
	return cr, err
}

// ListCRs lists change requests, most recently updated first. Filters are
// tested against the recency index, so skipped ones are never decoded.
func (tx *Tx) ListCRs(q CRQuery) ([]model.ChangeRequest, error) {
	var out []model.ChangeRequest
	err := tx.EachCR(q, func(cr model.ChangeRequest) error {
		out = append(out, cr)
		return nil
	})
	return out, err
}

// matches tests an index value (status 0x00 env) against the filters.
func (q CRQuery) matches(indexValue []byte) bool {
	status, env, _ := bytes.Cut(indexValue, []byte{0})
	return (q.Status == "" || string(status) == string(q.Status)) &&
		(q.Env == "" || string(env) == q.Env)
}

// CountCRs counts the stored change requests.
func (tx *Tx) CountCRs() (int, error) {
	recent, err := tx.bucket(bucketCRRecent)
	if err != nil {
		return 0, err
	}
	return recent.Stats().KeyN, nil
}
