package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// The awaiting bucket (schema v7) indexes who must decide on what: one key
// per approver of a pending change request, deployment record or rollback
// who has no decision on its current scope (model's Awaiting rule). Every
// Put of those records rewrites the record's entries in the same
// transaction, so an approvals queue reads its user's keys and decodes only
// the records of the page it shows. It is derived data: no event covers it;
// Verify compares it with the records and reports any difference.

// AwaitingKind says which kind of record waits.
type AwaitingKind byte

// Kinds of waiting records, as stored in the key.
const (
	AwaitingCR         AwaitingKind = 'c'
	AwaitingDeployment AwaitingKind = 'd'
	AwaitingRollback   AwaitingKind = 'r'
)

// AwaitingRef is one record waiting for a user, as the index holds it.
type AwaitingRef struct {
	Kind      AwaitingKind
	ID        int64
	UpdatedAt time.Time
	// Stale: the user decided on an earlier scope and must decide again.
	Stale bool
}

// awaitingKey is user 0x00 | updatedAt unix-nanos 8B BE | kind 1B | id 8B BE:
// one user's entries are adjacent, newest last.
func awaitingKey(user string, updated time.Time, kind AwaitingKind, id int64) []byte {
	k := make([]byte, 0, len(user)+18)
	k = append(k, user...)
	k = append(k, 0)
	k = append(k, recencyKey(updated, 0)[:8]...)
	k = append(k, byte(kind))
	return append(k, idKey(id)...)
}

func awaitingPrefix(user string) []byte { return append([]byte(user), 0) }

// awaitingEntries are the index entries (key → stale flag) of one record.
func awaitingEntries(kind AwaitingKind, id int64, updated time.Time, who []model.Awaiting) map[string][]byte {
	out := make(map[string][]byte, len(who))
	for _, w := range who {
		flag := []byte{0}
		if w.Stale {
			flag = []byte{1}
		}
		out[string(awaitingKey(w.User, updated, kind, id))] = flag
	}
	return out
}

// pendingJSON is how a record pending approval says so in its stored JSON
// (encoding/json writes no spaces): one without it waits for nobody and
// need not be decoded, which keeps the v7 migration and Verify's check of
// a million records cheap.
var pendingJSON = []byte(`"approvalStatus":"` + model.ApprovalPending + `"`)

// approvalFields are the fields of a stored change request, deployment
// record or rollback the Awaiting rule reads, but for its scope: decoding
// them alone skips the components, comments and the rest.
type approvalFields struct {
	ID               int64                  `json:"id"`
	UpdatedAt        time.Time              `json:"updatedAt"`
	Requester        string                 `json:"requester"`
	ApprovalStatus   model.ApprovalStatus   `json:"approvalStatus"`
	CompletionStatus model.CompletionStatus `json:"completionStatus"`
	Approvers        []model.Approver       `json:"approvers"`
}

// entriesOf returns the index entries of a stored record of kind. The
// whole record is decoded only when an approver has decided (their
// decision is checked against the scope's hash); a record waiting for
// undecided approvers, the usual case, is read through approvalFields.
func entriesOf(kind AwaitingKind, raw []byte) (map[string][]byte, error) {
	if !bytes.Contains(raw, pendingJSON) {
		return nil, nil
	}
	var f approvalFields
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	undecided := !slices.ContainsFunc(f.Approvers, func(a model.Approver) bool { return a.Decision != model.DecisionNone })
	switch {
	case kind == AwaitingCR && undecided:
		cr := model.ChangeRequest{ID: f.ID, UpdatedAt: f.UpdatedAt, Requester: f.Requester, ApprovalStatus: f.ApprovalStatus,
			CompletionStatus: f.CompletionStatus, Approvers: f.Approvers}
		return awaitingEntries(kind, f.ID, f.UpdatedAt, cr.Awaiting()), nil
	case kind == AwaitingDeployment && undecided:
		d := model.DeploymentRecord{ID: f.ID, UpdatedAt: f.UpdatedAt, Requester: f.Requester, ApprovalStatus: f.ApprovalStatus, Approvers: f.Approvers}
		return awaitingEntries(kind, f.ID, f.UpdatedAt, d.Awaiting()), nil
	case kind == AwaitingRollback && undecided:
		r := model.Rollback{ID: f.ID, UpdatedAt: f.UpdatedAt, Requester: f.Requester, ApprovalStatus: f.ApprovalStatus, Approvers: f.Approvers}
		return awaitingEntries(kind, f.ID, f.UpdatedAt, r.Awaiting()), nil
	case kind == AwaitingCR:
		var cr model.ChangeRequest
		if err := json.Unmarshal(raw, &cr); err != nil {
			return nil, err
		}
		return awaitingEntries(kind, cr.ID, cr.UpdatedAt, cr.Awaiting()), nil
	case kind == AwaitingDeployment:
		var d model.DeploymentRecord
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, err
		}
		return awaitingEntries(kind, d.ID, d.UpdatedAt, d.Awaiting()), nil
	default:
		var r model.Rollback
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		return awaitingEntries(kind, r.ID, r.UpdatedAt, r.Awaiting()), nil
	}
}

// awaitingBuckets maps each kind to the bucket of its records.
var awaitingBuckets = map[AwaitingKind][]byte{
	AwaitingCR: bucketCRs, AwaitingDeployment: bucketDeployments, AwaitingRollback: bucketRollbacks,
}

// reindexAwaiting replaces the entries of a record: old is the record as
// stored before this write (nil when new), now its entries after it.
func (tx *Tx) reindexAwaiting(kind AwaitingKind, what string, old []byte, now map[string][]byte) error {
	idx, err := tx.bucket(bucketAwaiting)
	if err != nil {
		return err
	}
	if old != nil {
		prev, err := entriesOf(kind, old)
		if err != nil {
			return damaged(what, err)
		}
		for k := range prev {
			if _, keep := now[k]; keep {
				continue
			}
			if err := idx.Delete([]byte(k)); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	for k, v := range now {
		if err := idx.Put([]byte(k), v); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// putAwaited stores record v of kind under id (putJSON) and replaces its
// awaiting entries with now in the same transaction.
func (tx *Tx) putAwaited(kind AwaitingKind, id int64, what, next string, v any, now map[string][]byte) error {
	b, err := tx.bucket(awaitingBuckets[kind])
	if err != nil {
		return err
	}
	old := bytes.Clone(b.Get(idKey(id)))
	if err := tx.putJSON(awaitingBuckets[kind], id, what, next, v); err != nil {
		return err
	}
	return tx.reindexAwaiting(kind, what, old, now)
}

// CountAwaiting counts the records waiting for user's decision, from the
// index alone.
func (tx *Tx) CountAwaiting(user string) (int, error) {
	idx, err := tx.bucket(bucketAwaiting)
	if err != nil {
		return 0, err
	}
	prefix := awaitingPrefix(user)
	n := 0
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n, nil
}

// EachAwaiting calls fn for the records waiting for user, most recently
// updated first; fn returning ErrStop ends the walk without error. Nothing
// is decoded: fn reads the records it needs.
func (tx *Tx) EachAwaiting(user string, fn func(AwaitingRef) error) error {
	idx, err := tx.bucket(bucketAwaiting)
	if err != nil {
		return err
	}
	prefix := awaitingPrefix(user)
	c := idx.Cursor()
	// The last key of the prefix: seek past it (prefix with 0x00 → 0x01)
	// and step back.
	end := append(bytes.Clone(prefix[:len(prefix)-1]), 1)
	k, v := c.Seek(end)
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		ref, err := parseAwaiting(k[len(prefix):], v)
		if err != nil {
			return damaged("approvals index of "+user, err)
		}
		if err := fn(ref); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// ErrStop ends a walk early from its callback without an error.
var ErrStop = errors.New("stop the walk")

func parseAwaiting(rest, v []byte) (AwaitingRef, error) {
	if len(rest) != 17 || len(v) != 1 {
		return AwaitingRef{}, fmt.Errorf("entry of %d+%d bytes, want 17+1", len(rest), len(v))
	}
	ref := AwaitingRef{Kind: AwaitingKind(rest[8]), ID: int64(binary.BigEndian.Uint64(rest[9:])), Stale: v[0] == 1}
	if nanos := binary.BigEndian.Uint64(rest[:8]); nanos > 0 {
		ref.UpdatedAt = time.Unix(0, int64(nanos)).UTC()
	}
	return ref, nil
}

// buildAwaiting fills the awaiting index from every stored change request,
// deployment record and rollback (schema v7; Verify compares with it).
func buildAwaiting(tx *bolt.Tx, put func(k, v []byte) error) error {
	for kind, name := range awaitingBuckets {
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			entries, err := entriesOf(kind, v)
			if err != nil {
				// A damaged record must not make the store unopenable;
				// Verify names it, and it waits for nobody.
				return nil
			}
			for ek, ev := range entries {
				if err := put([]byte(ek), ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// indexAwaiting is schema v7: the awaiting bucket, built from the stored
// records, so approval queues and their counts read no record they do not
// show.
func indexAwaiting(tx *bolt.Tx) error {
	idx, err := tx.CreateBucketIfNotExists(bucketAwaiting)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", bucketAwaiting, err)
	}
	return buildAwaiting(tx, idx.Put)
}

// checkAwaiting compares the awaiting index with what the stored records
// call for, one record at a time (memory bounded by one record's entries):
// every entry they call for must be there with its stale flag, and nothing
// else. It returns why they differ, or "".
func (tx *Tx) checkAwaiting() string {
	idx := tx.tx.Bucket(bucketAwaiting)
	if idx == nil {
		return "the approvals index (bucket awaiting) is missing"
	}
	want := 0
	var bad string
	for _, kind := range []AwaitingKind{AwaitingCR, AwaitingDeployment, AwaitingRollback} {
		name := awaitingBuckets[kind]
		_ = tx.tx.Bucket(name).ForEach(func(k, v []byte) error {
			entries, err := entriesOf(kind, v)
			if err != nil {
				// Not decodable: it waits for nobody, as when it was indexed.
				return nil
			}
			for ek, flag := range entries {
				if got := idx.Get([]byte(ek)); !bytes.Equal(got, flag) {
					user, _, _ := strings.Cut(ek, "\x00")
					bad = fmt.Sprintf("the approvals index disagrees with %s %d, which waits for %s: the index was changed outside relman", name, btoi(k), user)
					return errStop
				}
			}
			want += len(entries)
			return nil
		})
		if bad != "" {
			return bad
		}
	}
	if n := idx.Stats().KeyN; n != want {
		return fmt.Sprintf("the approvals index holds %d entries, but the records call for %d: the index was changed outside relman", n, want)
	}
	return ""
}
