package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// migration moves the schema from version-1 to version. Its apply runs in
// the same transaction that records the new version, so a store is always at
// exactly one version, whatever happens midway.
type migration struct {
	version uint64
	name    string
	apply   func(*bolt.Tx) error
}

// migrations is the schema's history, oldest first. Append only: a released
// migration never changes, because stores in the field have already run it.
var migrations = []migration{
	{1, "create the buckets", createBuckets},
	{2, "index change requests by recency", indexCRsByRecency},
	{3, "index audit events by entity", indexAuditByEntity},
	{4, "add rollbacks", createRollbacks},
	{5, "add users and signed audit events", addUsersAndSignatures},
	{6, "add policies, org snapshots and change logs", addMonitoring},
	{7, "index pending decisions by approver", indexAwaiting},
}

// currentVersion is the schema version this relman reads and writes.
func currentVersion() uint64 { return migrations[len(migrations)-1].version }

// migrate brings the store up to the last version of list, running each
// pending migration once, in order.
func migrate(tx *bolt.Tx, path string, list []migration) error {
	v, err := schemaOf(tx, path)
	if err != nil {
		return err
	}
	if last := list[len(list)-1].version; v > last {
		return newerSchema(path, v, last)
	}
	for _, m := range list {
		if m.version <= v {
			continue
		}
		if m.version != v+1 {
			return fmt.Errorf("store %s: migration v%d (%s) cannot follow v%d: the migration list has a gap", path, m.version, m.name, v)
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("store %s: migration to schema v%d (%s) failed, nothing was changed: %w", path, m.version, m.name, err)
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("store %s: migration v%d (%s) left no meta bucket", path, m.version, m.name)
		}
		if err := meta.Put(keySchema, itob(m.version)); err != nil {
			return fmt.Errorf("store %s: recording schema v%d: %w", path, m.version, err)
		}
		v = m.version
	}
	return nil
}

// schemaOf reads the schema version; 0 means no migration has run yet.
func schemaOf(tx *bolt.Tx, path string) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		// A bbolt file without buckets is a store whose first migration never
		// committed; one with other buckets belongs to another program.
		if k, _ := tx.Cursor().First(); k != nil {
			return 0, corrupt(path, errors.New("it is a bbolt file of another program"))
		}
		return 0, nil
	}
	raw := meta.Get(keySchema)
	if len(raw) != 8 {
		return 0, corrupt(path, fmt.Errorf("its schema version is %d bytes long, not 8", len(raw)))
	}
	return btoi(raw), nil
}

func newerSchema(path string, found, known uint64) error {
	return fmt.Errorf("store %s has schema v%d but this relman knows only up to v%d: %w; upgrade relman",
		path, found, known, ErrNewerSchema)
}

// probe reads the schema version of an existing file under a shared lock,
// refusing a newer or foreign store without writing to it.
func (s *Store) probe() (uint64, error) {
	db, err := s.openDB(true)
	if err != nil {
		return 0, err
	}
	var v uint64
	err = s.guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			// Reading a page past the end of a truncated file would crash the
			// process (SIGBUS), so the size the store claims is checked first.
			info, err := os.Stat(s.path)
			if err != nil {
				return fmt.Errorf("store %s: %w", s.path, err)
			}
			if tx.Size() > info.Size() {
				return corrupt(s.path, fmt.Errorf("it is truncated: %d bytes of %d", info.Size(), tx.Size()))
			}
			v, err = schemaOf(tx, s.path)
			return err
		})
	})
	if err = closeDB(db, s.path, err); err != nil {
		return 0, err
	}
	if v > currentVersion() {
		return 0, newerSchema(s.path, v, currentVersion())
	}
	return v, nil
}

// createBuckets is schema v1.
func createBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketEnvironments, bucketSecrets, bucketCRs,
		bucketDeployments, bucketLogs, bucketCompareLogs, bucketBlobs, bucketAudit} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	return nil
}

// indexCRsByRecency is schema v2: cr_recent, built from the stored change
// requests, lets lists show the most recently updated first without reading
// them all.
func indexCRsByRecency(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketCRRecent)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", bucketCRRecent, err)
	}
	return tx.Bucket(bucketCRs).ForEach(func(k, v []byte) error {
		var cr model.ChangeRequest
		if err := json.Unmarshal(v, &cr); err != nil {
			return fmt.Errorf("change request %s: %w", model.FormatID(model.PrefixChangeRequest, int64(btoi(k))), err)
		}
		return idx.Put(recencyKey(cr.UpdatedAt, int64(btoi(k))), crIndexValue(cr))
	})
}

// indexAuditByEntity is schema v3: audit_entity, built from the stored
// events, lets a screen show one record's history without scanning the
// whole trail.
func indexAuditByEntity(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketAuditEntity)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", bucketAuditEntity, err)
	}
	return tx.Bucket(bucketAudit).ForEach(func(k, v []byte) error {
		ev, err := decodeEvent(k, v)
		if err != nil {
			// A damaged event must not make the store unopenable; Verify
			// names it, and it simply stays out of per-entity listings.
			return nil
		}
		return idx.Put(auditEntityKey(ev.Entity, ev.EntityID, ev.Seq), []byte{})
	})
}

// createRollbacks is schema v4: the rollbacks bucket.
func createRollbacks(tx *bolt.Tx) error {
	if _, err := tx.CreateBucketIfNotExists(bucketRollbacks); err != nil {
		return fmt.Errorf("bucket %s: %w", bucketRollbacks, err)
	}
	return nil
}

// addUsersAndSignatures is schema v5: users with their SSH keys, and a
// signature for every audit event from now on. Events already written
// cannot be signed after the fact (nobody's key is at hand, and a signature
// made now would not prove who acted then): signed_from records where
// signing began, and verify reports the events before it as unsigned.
func addUsersAndSignatures(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketUsers, bucketAuditSig} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	seq, _, err := parseHead(tx.Bucket(bucketMeta).Get(keyAuditHead))
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return tx.Bucket(bucketMeta).Put(keySignedFrom, itob(seq+1))
}

// addMonitoring is schema v6: compliance policies, snapshots of monitored
// environments and the change logs found between them. Nothing existing
// changes; a store without policies uses model.NewDefaultPolicy.
func addMonitoring(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketPolicies, bucketSnapshots, bucketChangeLogs} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	return nil
}
