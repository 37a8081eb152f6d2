package store

import (
	"encoding/binary"
	"time"

	"relman/model"
)

// Bucket names; doc.go draws the tree.
var (
	bucketMeta         = []byte("meta")
	bucketEnvironments = []byte("environments")
	bucketSecrets      = []byte("secrets")
	bucketCRs          = []byte("crs")
	bucketCRRecent     = []byte("cr_recent")
	bucketDeployments  = []byte("deployments")
	bucketLogs         = []byte("logs")
	bucketCompareLogs  = []byte("comparelogs")
	bucketBlobs        = []byte("blobs")
	bucketAudit        = []byte("audit")
	bucketAuditEntity  = []byte("audit_entity")
	bucketRollbacks    = []byte("rollbacks")
	bucketUsers        = []byte("users")
	bucketAuditSig     = []byte("audit_sig")
	bucketPolicies     = []byte("policies")
	bucketSnapshots    = []byte("snapshots")
	bucketChangeLogs   = []byte("changelogs")
	bucketAwaiting     = []byte("awaiting")
)

// Keys of the meta bucket.
var (
	keySchema     = []byte("schema")
	keyAuditHead  = []byte("audit_head")
	keySignedFrom = []byte("signed_from")
	// keyCheckpoint holds the latest checkpoint (model.Checkpoint.Message
	// followed by its armored signature); absent until one is made.
	keyCheckpoint = []byte("audit_checkpoint")
)

// itob encodes v as an 8-byte big-endian key, so byte order is numeric order.
func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func idKey(id int64) []byte { return itob(uint64(id)) }

// recencyKey orders change requests by last update, ties by id. Times before
// 1970 (including the zero time) sort first, as 0: unsigned keys cannot hold
// negative nanoseconds, and no real change request is that old.
func recencyKey(updated time.Time, id int64) []byte {
	var nanos uint64
	if n := updated.UnixNano(); !updated.IsZero() && n > 0 {
		nanos = uint64(n)
	}
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, nanos)
	binary.BigEndian.PutUint64(k[8:], uint64(id))
	return k
}

// crIndexValue carries what list filters test, so a filtered listing skips
// non-matching change requests without decoding them.
func crIndexValue(cr model.ChangeRequest) []byte {
	v := make([]byte, 0, 32+len(cr.Env))
	v = append(v, cr.Status()...)
	v = append(v, 0)
	return append(v, cr.Env...)
}

// auditEntityKey indexes an event under its entity and entity id. The NUL
// separators keep "CR-1" from matching a prefix scan for "CR-10".
func auditEntityKey(entity, entityID string, seq uint64) []byte {
	k := make([]byte, 0, len(entity)+len(entityID)+10)
	k = append(k, entity...)
	k = append(k, 0)
	k = append(k, entityID...)
	k = append(k, 0)
	return append(k, itob(seq)...)
}
