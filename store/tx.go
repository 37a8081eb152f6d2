package store

import (
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// Tx is one transaction, valid only inside the View or Update function it
// was passed to. Everything it returns is a copy that outlives it.
type Tx struct {
	tx *bolt.Tx
	s  *Store
	// touched lists the covered records ("entity/id") written since the
	// last event: the next event records their state (model.AuditEvent.States).
	touched []string
}

// touch notes that a covered record was written, for the next event.
func (tx *Tx) touch(entity, id string) {
	key := model.StateKey(entity, id)
	if !slices.Contains(tx.touched, key) {
		tx.touched = append(tx.touched, key)
	}
}

// checkSchema refuses to work on a store another relman has migrated since
// Open: writing the old layout into a newer schema would damage it.
func (tx *Tx) checkSchema() error {
	v, err := schemaOf(tx.tx, tx.s.path)
	if err != nil {
		return err
	}
	switch want := currentVersion(); {
	case v > want:
		return newerSchema(tx.s.path, v, want)
	case v < want:
		return fmt.Errorf("store %s has schema v%d, not v%d: it was replaced since relman started; restart relman", tx.s.path, v, want)
	}
	return nil
}

func (tx *Tx) bucket(name []byte) (*bolt.Bucket, error) {
	b := tx.tx.Bucket(name)
	if b == nil {
		return nil, damaged("store "+tx.s.path, fmt.Errorf("bucket %s is missing", name))
	}
	return b, nil
}

// nextID issues the next id of bucket. Once the transaction commits the id
// is never issued again, even if no record was written under it.
func (tx *Tx) nextID(bucket []byte) (int64, error) {
	b, err := tx.bucket(bucket)
	if err != nil {
		return 0, err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("store %s: new id in %s: %w", tx.s.path, bucket, err)
	}
	return int64(seq), nil
}

// putJSON stores v under id. An id the bucket never issued is refused: a
// later Next…ID would hand it out again and overwrite the record.
func (tx *Tx) putJSON(bucket []byte, id int64, what, next string, v any) error {
	b, err := tx.bucket(bucket)
	if err != nil {
		return err
	}
	if id <= 0 || uint64(id) > b.Sequence() {
		return fmt.Errorf("%s: id %d was not issued by this store; take one from %s first", what, id, next)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encoding: %w", what, err)
	}
	if err := b.Put(idKey(id), data); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// getJSON decodes the record under id into v.
func (tx *Tx) getJSON(bucket []byte, id int64, what string, v any) error {
	b, err := tx.bucket(bucket)
	if err != nil {
		return err
	}
	data := b.Get(idKey(id))
	if data == nil {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return damaged(what, err)
	}
	return nil
}

// listJSON decodes every record of bucket in id order and keeps those keep
// accepts.
func listJSON[T any](tx *Tx, bucket []byte, what func(id int64) string, keep func(*T) bool) ([]T, error) {
	return listRecords(tx, bucket, func(k []byte) string { return what(int64(btoi(k))) }, keep)
}

// listRecords decodes every record of bucket in key order and keeps those
// keep accepts (all when keep is nil); what names a record in errors.
func listRecords[T any](tx *Tx, bucket []byte, what func(k []byte) string, keep func(*T) bool) ([]T, error) {
	b, err := tx.bucket(bucket)
	if err != nil {
		return nil, err
	}
	var out []T
	err = b.ForEach(func(k, v []byte) error {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			return damaged(what(k), err)
		}
		if keep == nil || keep(&rec) {
			out = append(out, rec)
		}
		return nil
	})
	return out, err
}
