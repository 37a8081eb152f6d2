package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig"
)

// hashLen is the length of a hex SHA-256; a stored event is
// prevHash | hash | canonical encoding.
const hashLen = 64

// AuditQuery selects audit events. Zero fields select everything; After is
// exclusive, so the last Seq of one page is the After of the next.
type AuditQuery struct {
	Entity   string
	EntityID string
	After    uint64
	Limit    int
}

// Append seals ev after the current head of the chain, has signer sign it
// and stores it with its signature. It assigns Seq, sets Time to now if zero
// (times are kept in UTC), records the state of the event's own record and
// of every other record written since the previous event (States),
// and returns the event as stored. signer must hold a registered key of
// ev.User; otherwise nothing is written and the error wraps ErrNoIdentity.
func (tx *Tx) Append(ev model.AuditEvent, signer model.Signer) (model.AuditEvent, error) {
	if strings.ContainsRune(ev.Entity, 0) || strings.ContainsRune(ev.EntityID, 0) {
		return model.AuditEvent{}, fmt.Errorf("audit event %s %q: entity names cannot contain NUL", ev.Entity, ev.EntityID)
	}
	if err := tx.checkSigner(ev, signer); err != nil {
		return model.AuditEvent{}, err
	}
	if ss, ok := signer.(model.SessionSigner); ok {
		// A relman serve host key signs: the event names whose session.
		ev.Details = maps.Clone(ev.Details)
		if ev.Details == nil {
			ev.Details = map[string]string{}
		}
		ev.Details[model.DetailSessionKey] = sshsig.Fingerprint(ss.SessionKey())
	}
	audit, err := tx.bucket(bucketAudit)
	if err != nil {
		return model.AuditEvent{}, err
	}
	// Keys only ever grow, so full pages never need room for inserts.
	audit.FillPercent = 1
	index, err := tx.bucket(bucketAuditEntity)
	if err != nil {
		return model.AuditEvent{}, err
	}
	sigs, err := tx.bucket(bucketAuditSig)
	if err != nil {
		return model.AuditEvent{}, err
	}
	sigs.FillPercent = 1
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return model.AuditEvent{}, err
	}
	headSeq, headHash, err := tx.head()
	if err != nil {
		return model.AuditEvent{}, err
	}
	seq, err := audit.NextSequence()
	if err != nil {
		return model.AuditEvent{}, fmt.Errorf("store %s: appending an audit event: %w", tx.s.path, err)
	}
	if seq != headSeq+1 {
		return model.AuditEvent{}, damaged("the audit trail of "+tx.s.path, fmt.Errorf("next sequence %d does not follow head %d", seq, headSeq))
	}
	ev.Seq = seq
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Time = ev.Time.UTC()
	if ev.States, err = tx.recordStates(ev.Entity, ev.EntityID); err != nil {
		return model.AuditEvent{}, err
	}
	ev.PrevHash = headHash
	canonical := ev.Canonical()
	ev.Hash = model.ChainHash(headHash, canonical)
	if ev.Signature, err = signer.Sign(ev.SignedMessage()); err != nil {
		return model.AuditEvent{}, fmt.Errorf("audit event %d (%s %s %s): signing as %s failed: %w", seq, ev.Entity, ev.EntityID, ev.Action, ev.User, err)
	}

	val := make([]byte, 0, 2*hashLen+len(canonical))
	val = append(append(append(val, ev.PrevHash...), ev.Hash...), canonical...)
	if err := audit.Put(itob(seq), val); err != nil {
		return model.AuditEvent{}, fmt.Errorf("audit event %d: %w", seq, err)
	}
	if err := sigs.Put(itob(seq), ev.Signature); err != nil {
		return model.AuditEvent{}, fmt.Errorf("audit event %d: %w", seq, err)
	}
	if err := index.Put(auditEntityKey(ev.Entity, ev.EntityID, seq), []byte{}); err != nil {
		return model.AuditEvent{}, fmt.Errorf("audit event %d: %w", seq, err)
	}
	if err := meta.Put(keyAuditHead, append(itob(seq), ev.Hash...)); err != nil {
		return model.AuditEvent{}, fmt.Errorf("audit event %d: %w", seq, err)
	}
	return ev, nil
}

// Record appends the audit event of change c by actor at now, signed by
// actor's key: the call that follows every Put of a change.
func (tx *Tx) Record(actor model.Actor, now time.Time, c model.Change) error {
	_, err := tx.Append(c.Event(actor.User, now), actor.Signer)
	return err
}

// Head is the sequence number and hash of the latest audit event, (0,
// GenesisHash) before the first. Every change appends an event, so the UI
// polls the sequence to notice writes by other relman processes. A damaged
// head reads as (0, ""); Verify names it.
func (tx *Tx) Head() (seq uint64, hash string) {
	seq, hash, err := tx.head()
	if err != nil {
		return 0, ""
	}
	return seq, hash
}

func (tx *Tx) head() (uint64, string, error) {
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return 0, "", err
	}
	seq, hash, err := parseHead(meta.Get(keyAuditHead))
	if err != nil {
		return 0, "", damaged("the audit head of "+tx.s.path, err)
	}
	return seq, hash, nil
}

// parseHead decodes meta's audit_head: seq 8B BE | hash 64 hex, absent
// before the first event.
func parseHead(v []byte) (uint64, string, error) {
	switch len(v) {
	case 0:
		return 0, model.GenesisHash, nil
	case 8 + hashLen:
		return btoi(v[:8]), string(v[8:]), nil
	}
	return 0, "", fmt.Errorf("%d bytes long, not %d", len(v), 8+hashLen)
}

// AuditEvents lists audit events in sequence order. With an Entity it reads
// the per-entity index instead of the whole trail.
func (tx *Tx) AuditEvents(q AuditQuery) ([]model.AuditEvent, error) {
	audit, err := tx.bucket(bucketAudit)
	if err != nil {
		return nil, err
	}
	if q.Entity != "" {
		return tx.entityEvents(audit, q)
	}
	var out []model.AuditEvent
	c := audit.Cursor()
	for k, v := c.Seek(itob(q.After + 1)); k != nil; k, v = c.Next() {
		ev, err := tx.readEvent(k, v)
		if err != nil {
			return nil, err
		}
		if q.EntityID != "" && ev.EntityID != q.EntityID {
			continue
		}
		out = append(out, ev)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// entityEvents serves a query with an Entity from the audit_entity index.
func (tx *Tx) entityEvents(audit *bolt.Bucket, q AuditQuery) ([]model.AuditEvent, error) {
	index, err := tx.bucket(bucketAuditEntity)
	if err != nil {
		return nil, err
	}
	prefix := append([]byte(q.Entity), 0)
	if q.EntityID != "" {
		prefix = append(append(prefix, q.EntityID...), 0)
	}
	var seqs []uint64
	c := index.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) >= len(prefix)+8; k, _ = c.Next() {
		if seq := btoi(k[len(k)-8:]); seq > q.After {
			seqs = append(seqs, seq)
		}
	}
	// Under an entity alone the index runs by entity id, then sequence.
	slices.Sort(seqs)
	if q.Limit > 0 && len(seqs) > q.Limit {
		seqs = seqs[:q.Limit]
	}
	out := make([]model.AuditEvent, 0, len(seqs))
	for _, seq := range seqs {
		k := itob(seq)
		ev, err := tx.readEvent(k, audit.Get(k))
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// readEvent decodes a stored event with its signature, if it has one.
func (tx *Tx) readEvent(k, v []byte) (model.AuditEvent, error) {
	ev, err := decodeEvent(k, v)
	if err != nil {
		return model.AuditEvent{}, damaged(fmt.Sprintf("audit event %d", btoi(k)), err)
	}
	if sigs := tx.tx.Bucket(bucketAuditSig); sigs != nil {
		ev.Signature = bytes.Clone(sigs.Get(k))
	}
	return ev, nil
}

// storedEvent mirrors model.AuditEvent.Canonical's encoding.
type storedEvent struct {
	Seq      uint64            `json:"seq"`
	Time     string            `json:"time"`
	User     string            `json:"user"`
	Entity   string            `json:"entity"`
	EntityID string            `json:"entityId"`
	Action   string            `json:"action"`
	Details  map[string]string `json:"details"`
	States   map[string]string `json:"states"`
}

// decodeEvent rebuilds an event from its key and stored value.
func decodeEvent(k, v []byte) (model.AuditEvent, error) {
	if len(k) != 8 {
		return model.AuditEvent{}, fmt.Errorf("key of %d bytes is not a sequence number", len(k))
	}
	if len(v) < 2*hashLen {
		return model.AuditEvent{}, fmt.Errorf("value of %d bytes is shorter than its two hashes", len(v))
	}
	var se storedEvent
	if err := json.Unmarshal(v[2*hashLen:], &se); err != nil {
		return model.AuditEvent{}, err
	}
	if se.Seq != btoi(k) {
		return model.AuditEvent{}, fmt.Errorf("stored under %d but encodes seq %d", btoi(k), se.Seq)
	}
	t, err := time.Parse(time.RFC3339Nano, se.Time)
	if err != nil {
		return model.AuditEvent{}, err
	}
	if len(se.Details) == 0 {
		se.Details = nil
	}
	return model.AuditEvent{Seq: se.Seq, Time: t.UTC(), User: se.User, Entity: se.Entity, EntityID: se.EntityID,
		Action: se.Action, Details: se.Details, States: se.States, PrevHash: string(v[:hashLen]), Hash: string(v[hashLen : 2*hashLen])}, nil
}
