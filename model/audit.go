package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Entity names used in audit events.
const (
	EntityEnvironment   = "environment"
	EntityChangeRequest = "change-request"
	EntityDeployment    = "deployment"
	EntityDeploymentLog = "deployment-log"
	EntityCompareLog    = "compare-log"
	EntityRollback      = "rollback"
)

// AuditEvent is one append-only record of a state change. Hash is the
// SHA-256 (hex) over PrevHash followed by the event's canonical encoding;
// the first event's PrevHash is GenesisHash.
type AuditEvent struct {
	Seq      uint64            `json:"seq"`
	Time     time.Time         `json:"time"`
	User     string            `json:"user"`
	Entity   string            `json:"entity"`
	EntityID string            `json:"entityId"`
	Action   string            `json:"action"`
	Details  map[string]string `json:"details,omitempty"`
	// States holds, for the event's own record and every other record the
	// same change wrote (StateKey → value), the SHA-256 (hex) of the record
	// as stored right after the change, or StateAbsent once deleted. Only
	// change requests, deployment records, rollbacks, environments and
	// users are covered (logs are written between events), and events
	// before schema v5 have none. It lets verify check every record against
	// the signed trail.
	States   map[string]string `json:"states,omitempty"`
	PrevHash string            `json:"prevHash"`
	Hash     string            `json:"hash"`
	// Signature is the SSHSIG signature (namespace relman) of
	// SignedMessage by the actor's key; empty on events before schema v5.
	Signature []byte `json:"signature,omitempty"`
}

// StateAbsent is the state recorded for a record the change deleted.
const StateAbsent = "absent"

// StateKey names a record in AuditEvent.States: "entity/id" (entity names
// hold no "/").
func StateKey(entity, id string) string { return entity + "/" + id }

// GenesisHash is the PrevHash of the first event of a chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// canonicalEvent fixes the field order and the time format of the encoding
// that is hashed; encoding/json sorts the Details keys.
type canonicalEvent struct {
	Seq      uint64            `json:"seq"`
	Time     string            `json:"time"`
	User     string            `json:"user"`
	Entity   string            `json:"entity"`
	EntityID string            `json:"entityId"`
	Action   string            `json:"action"`
	Details  map[string]string `json:"details"`
	States   map[string]string `json:"states,omitempty"`
}

// Canonical is the event's canonical encoding: compact JSON with a fixed
// field order, sorted detail keys and the time in UTC RFC 3339 with
// nanoseconds. PrevHash and Hash are not part of it.
func (e AuditEvent) Canonical() []byte {
	d := e.Details
	if d == nil {
		d = map[string]string{}
	}
	b, err := json.Marshal(canonicalEvent{Seq: e.Seq, Time: e.Time.UTC().Format(time.RFC3339Nano),
		User: e.User, Entity: e.Entity, EntityID: e.EntityID, Action: e.Action, Details: d, States: e.States})
	if err != nil {
		panic("model: audit event of plain strings failed to encode: " + err.Error())
	}
	return b
}

// SignedMessage is what the actor signs and what Hash hashes: the previous
// hash followed by the canonical encoding, so a signature also fixes the
// event's place in the chain.
func (e AuditEvent) SignedMessage() []byte {
	return append([]byte(e.PrevHash), e.Canonical()...)
}

// ChainHash computes the hash that links an event with the given canonical
// encoding to its predecessor.
func ChainHash(prevHash string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets PrevHash and Hash, linking the event after prevHash.
func (e AuditEvent) Seal(prevHash string) AuditEvent {
	e.PrevHash = prevHash
	e.Hash = ChainHash(prevHash, e.Canonical())
	return e
}

// Change is what a rule function reports alongside the new value: the audit
// action and its details, for the store to append in the same transaction.
type Change struct {
	Entity   string
	EntityID string
	Action   string
	Details  map[string]string
}

// Event turns the change into an unsealed audit event by user at time t.
func (c Change) Event(user string, t time.Time) AuditEvent {
	return AuditEvent{Time: t, User: user, Entity: c.Entity, EntityID: c.EntityID, Action: c.Action, Details: c.Details}
}
