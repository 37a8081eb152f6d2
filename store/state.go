package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"relman/model"
)

// stateBucket is a bucket whose records the audit trail covers: the event
// of every change carries the hash of each such record the change wrote, as
// stored right after it (model.AuditEvent.States), so verify can tell a
// record changed outside relman. Logs and compare logs are not covered:
// their progress is written between events.
type stateBucket struct {
	entity string
	bucket []byte
	// key turns an event's entity id into the record's key, false when the
	// id cannot name a record.
	key func(entityID string) ([]byte, bool)
	// id turns a record's key back into the entity id events use.
	id func(k []byte) string
}

func numbered(prefix string) (func(string) ([]byte, bool), func([]byte) string) {
	return func(entityID string) ([]byte, bool) {
			id, err := model.ParseID(prefix, entityID)
			return idKey(id), err == nil
		}, func(k []byte) string {
			return model.FormatID(prefix, int64(btoi(k)))
		}
}

func named(lower bool) (func(string) ([]byte, bool), func([]byte) string) {
	return func(entityID string) ([]byte, bool) {
			if lower {
				entityID = strings.ToLower(entityID)
			}
			return []byte(entityID), entityID != ""
		}, func(k []byte) string {
			return string(k)
		}
}

var stateBuckets = func() []stateBucket {
	var out []stateBucket
	add := func(entity string, bucket []byte, key func(string) ([]byte, bool), id func([]byte) string) {
		out = append(out, stateBucket{entity: entity, bucket: bucket, key: key, id: id})
	}
	k, i := numbered(model.PrefixChangeRequest)
	add(model.EntityChangeRequest, bucketCRs, k, i)
	k, i = numbered(model.PrefixDeployment)
	add(model.EntityDeployment, bucketDeployments, k, i)
	k, i = numbered(model.PrefixRollback)
	add(model.EntityRollback, bucketRollbacks, k, i)
	k, i = named(false)
	add(model.EntityEnvironment, bucketEnvironments, k, i)
	k, i = named(true)
	add(model.EntityUser, bucketUsers, k, i)
	k, i = named(false)
	add(model.EntityPolicy, bucketPolicies, k, i)
	k, i = numbered(model.PrefixSnapshot)
	add(model.EntitySnapshot, bucketSnapshots, k, i)
	k, i = numbered(model.PrefixChangeLog)
	add(model.EntityChangeLog, bucketChangeLogs, k, i)
	return out
}()

func stateBucketOf(entity string) (stateBucket, bool) {
	for _, b := range stateBuckets {
		if b.entity == entity {
			return b, true
		}
	}
	return stateBucket{}, false
}

// stateHash is the State of a stored record value.
func stateHash(v []byte) string {
	if v == nil {
		return model.StateAbsent
	}
	sum := sha256.Sum256(v)
	return hex.EncodeToString(sum[:])
}

// recordStates is the States of an event of entity/entityID: the hash of
// its own record and of every covered record written since the previous
// event, as this transaction has stored them; nil when none is covered.
func (tx *Tx) recordStates(entity, entityID string) (map[string]string, error) {
	keys := tx.touched
	tx.touched = nil
	if _, ok := stateBucketOf(entity); ok {
		keys = append(keys, model.StateKey(entity, entityID))
	}
	var states map[string]string
	for _, key := range keys {
		entity, id, _ := strings.Cut(key, "/")
		sb, _ := stateBucketOf(entity)
		k, ok := sb.key(id)
		if !ok {
			continue
		}
		b, err := tx.bucket(sb.bucket)
		if err != nil {
			return nil, err
		}
		if states == nil {
			states = map[string]string{}
		}
		states[key] = stateHash(b.Get(k))
	}
	return states, nil
}
