package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig"
)

// VerifyResult is the outcome of checking the audit trail. Events counts
// the events found good (up to the first bad one); when OK is false,
// FirstBad is the sequence number of the first event that fails (or of the
// last event of the record that disagrees, named in Record) and Reason says
// why.
type VerifyResult struct {
	Events   int
	OK       bool
	FirstBad uint64
	Record   string
	Reason   string
	// Signed counts events whose signature by a key their user held at
	// that point checks out; Unsigned counts events written before the
	// store was migrated to schema v5, whose authors nothing proves.
	Signed   int
	Unsigned int
	// ServerSigned counts the signed events of relman serve sessions whose
	// client forwarded no agent: signed by a registered server's host key,
	// naming the session's key, which was one of the user's at that point.
	// The others were signed by the user's own key.
	ServerSigned int
	// Records counts the records (change requests, deployment records,
	// rollbacks, environments, users) found equal to the state their last
	// event recorded; Unproven those whose last event predates schema v5.
	Records  int
	Unproven int
	// Head is the hash of the last event, what a checkpoint records.
	Head string
}

// Verify checks the audit trail in one shared-lock transaction: the hash
// chain from the first event to the head recorded in meta, every signature
// against the keys its user held at that point (rebuilt from the user
// events themselves), and every covered record against the state its last
// event recorded. It reports the first event or record that fails.
func (s *Store) Verify() (VerifyResult, error) { return s.VerifyAgainst(nil) }

// VerifyAgainst is Verify that also checks the trail extends checkpoint cp
// (when not nil): that event cp.Seq exists and has hash cp.Head, and that
// cp was signed by a key its user held at that point. A store copied back
// from before cp, or cut short, fails here though its chain is whole.
func (s *Store) VerifyAgainst(cp *model.Checkpoint) (VerifyResult, error) {
	var res VerifyResult
	err := s.View(func(tx *Tx) error {
		var err error
		res, err = tx.verify(cp)
		return err
	})
	return res, err
}

// checkCheckpoint compares cp with the trail at event cp.Seq, whose hash is
// head, with the keys registered at that point.
func checkCheckpoint(cp *model.Checkpoint, head string, registry model.KeyRegistry) string {
	if head != cp.Head {
		return fmt.Sprintf("the checkpoint of %s by %s records another hash for event %d: the trail was rewritten since", cp.Time.UTC().Format(time.RFC3339), cp.User, cp.Seq)
	}
	pub, err := sshsig.Verify(cp.Signature, cp.Message(), sshsig.Namespace)
	if err != nil {
		return "the checkpoint's signature is bad: " + err.Error()
	}
	if !registry.Holds(cp.User, sshsig.AuthorizedKey(pub)) {
		return fmt.Sprintf("the checkpoint is signed by key %s, which is not a key of %s at event %d: it proves nothing", sshsig.Describe(pub), cp.User, cp.Seq)
	}
	return ""
}

// lastState is the latest State recorded for one record, and by which event.
type lastState struct {
	seq   uint64
	state string
}

func (tx *Tx) verify(cp *model.Checkpoint) (VerifyResult, error) {
	audit, err := tx.bucket(bucketAudit)
	if err != nil {
		return VerifyResult{}, err
	}
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return VerifyResult{}, err
	}
	sigs, err := tx.bucket(bucketAuditSig)
	if err != nil {
		return VerifyResult{}, err
	}
	res := VerifyResult{OK: true, Head: model.GenesisHash}
	fail := func(seq uint64, format string, args ...any) (VerifyResult, error) {
		res.OK, res.FirstBad, res.Reason = false, seq, fmt.Sprintf(format, args...)
		return res, nil
	}
	signedFrom := uint64(1)
	if v := meta.Get(keySignedFrom); len(v) == 8 {
		signedFrom = btoi(v)
	}
	var (
		prev     = []byte(model.GenesisHash)
		want     = uint64(1)
		h        = sha256.New()
		sum      [sha256.Size]byte
		hexSum   [hashLen]byte
		prefix   []byte
		msg      []byte
		registry = model.KeyRegistry{}
		states   = map[string]lastState{}
		signing  bool // a signed event was seen: every later one must be signed too
	)
	c := audit.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return fail(want, "undecodable: a key of %d bytes stands where event %d should be", len(k), want)
		}
		seq := btoi(k)
		if seq != want {
			return fail(want, "gap: event %d is missing (the next stored event is %d)", want, seq)
		}
		if len(v) < 2*hashLen {
			return fail(seq, "undecodable: %d bytes are too short for the two hashes", len(v))
		}
		if !bytes.Equal(v[:hashLen], prev) {
			return fail(seq, "broken link: its previous hash is not the hash of event %d", seq-1)
		}
		canonical := v[2*hashLen:]
		// The hash covers the canonical bytes but not the key; the seq inside
		// them ties the two together.
		prefix = strconv.AppendUint(append(prefix[:0], `{"seq":`...), seq, 10)
		prefix = append(prefix, ',')
		if !bytes.HasPrefix(canonical, prefix) {
			return fail(seq, "undecodable: its encoding does not start with %s", prefix)
		}
		h.Reset()
		h.Write(prev)
		h.Write(canonical)
		hex.Encode(hexSum[:], h.Sum(sum[:0]))
		if !bytes.Equal(hexSum[:], v[hashLen:2*hashLen]) {
			return fail(seq, "hash mismatch: the event was altered after it was written")
		}
		var ev storedEvent
		if err := json.Unmarshal(canonical, &ev); err != nil {
			return fail(seq, "undecodable: %v", err)
		}
		msg = append(append(msg[:0], prev...), canonical...)
		sig := sigs.Get(k)
		switch {
		case sig != nil:
			server, reason := checkSignature(registry, ev, sig, msg)
			if reason != "" {
				return fail(seq, "%s", reason)
			}
			signing = true
			res.Signed++
			if server != "" {
				res.ServerSigned++
			}
		case seq >= signedFrom || signing:
			return fail(seq, "unsigned: the event by %s has no signature, but every event since the store moved to schema v5 (event %d) must have one: it was written or stripped outside relman", ev.User, signedFrom)
		default:
			res.Unsigned++
		}
		registry.Apply(model.AuditEvent{Entity: ev.Entity, EntityID: ev.EntityID, Action: ev.Action, Details: ev.Details})
		if _, covered := stateBucketOf(ev.Entity); covered && ev.States == nil {
			// Before schema v5: the record's state was not recorded.
			states[model.StateKey(ev.Entity, ev.EntityID)] = lastState{seq: seq}
		}
		for key, state := range ev.States {
			states[key] = lastState{seq: seq, state: state}
		}
		prev = v[hashLen : 2*hashLen]
		if cp != nil && cp.Seq == seq {
			if reason := checkCheckpoint(cp, string(prev), registry); reason != "" {
				return fail(seq, "%s", reason)
			}
		}
		want++
		res.Events++
	}
	res.Head = string(prev)
	// The head catches what the chain alone cannot: events cut off its end.
	last := want - 1
	headSeq, headHash, err := parseHead(meta.Get(keyAuditHead))
	switch {
	case err != nil:
		return fail(last, "the head recorded in meta is damaged (%v)", err)
	case headSeq > last:
		return fail(want, "gap: the head records event %d but the trail ends at %d", headSeq, last)
	case headSeq < last:
		return fail(headSeq+1, "event %d follows the recorded head, event %d", headSeq+1, headSeq)
	case headHash != string(prev):
		return fail(last, "the recorded head has another hash for event %d", last)
	}
	if cp != nil && cp.Seq == 0 {
		if reason := checkCheckpoint(cp, model.GenesisHash, registry); reason != "" {
			return fail(0, "%s", reason)
		}
	}
	if cp != nil && cp.Seq > last {
		return fail(last+1, "the trail ends at event %d, but the checkpoint of %s by %s records event %d: events %d to %d are missing — this is an older copy of the store, or its end was cut off",
			last, cp.Time.UTC().Format(time.RFC3339), cp.User, cp.Seq, last+1, cp.Seq)
	}
	if id, seq, reason := tx.checkRecords(states, &res); reason != "" {
		res.Record = id
		return fail(seq, "%s", reason)
	}
	return res, nil
}

// checkSignature returns why sig is not a valid signature of msg by a key
// ev's user held at this point of the trail, or "" if it is. The first user
// of a store signs their own registration with the key it registers. An
// event of a relman serve session without a forwarded agent is signed by a
// registered server's host key and names the session's key, which must be
// one of the user's at that point: server is then that server's name.
func checkSignature(registry model.KeyRegistry, ev storedEvent, sig, msg []byte) (server, reason string) {
	pub, err := sshsig.Verify(sig, msg, sshsig.Namespace)
	if err != nil {
		return "", "bad signature: " + err.Error()
	}
	key := sshsig.AuthorizedKey(pub)
	if registry.Holds(ev.User, key) {
		return "", ""
	}
	if registry.Empty() && ev.Entity == model.EntityUser && ev.Action == "add" &&
		model.SameUser(ev.EntityID, ev.User) && ev.Details["key"] == key {
		return "", ""
	}
	if name, ok := registry.Server(key); ok {
		session := ev.Details[model.DetailSessionKey]
		if session != "" && registry.HoldsFingerprint(ev.User, session, sshsig.Fingerprint) {
			return name, ""
		}
		return "", fmt.Sprintf("signed by the host key %s of relman serve %s for the session key %q, which is not a key of %s registered at that point",
			sshsig.Describe(pub), name, session, ev.User)
	}
	return "", fmt.Sprintf("signed by key %s, which is not a key of %s registered at that point", sshsig.Describe(pub), ev.User)
}

// errStop ends a ForEach early; the reason is kept beside it.
var errStop = errors.New("stop")

// checkRecords compares every covered record with the state its last event
// recorded. It returns the record, the event and the reason of the first
// disagreement.
func (tx *Tx) checkRecords(states map[string]lastState, res *VerifyResult) (string, uint64, string) {
	for _, sb := range stateBuckets {
		b, err := tx.bucket(sb.bucket)
		if err != nil {
			return sb.entity, 0, err.Error()
		}
		var bad string
		var badSeq uint64
		var badID string
		_ = b.ForEach(func(k, v []byte) error {
			id := sb.id(k)
			last, ok := states[model.StateKey(sb.entity, id)]
			switch {
			case !ok:
				badID, bad = sb.entity+" "+id, fmt.Sprintf("%s %s has no audit event: it was written outside relman", sb.entity, id)
			case last.state == "":
				res.Unproven++
			case last.state == model.StateAbsent:
				badID, badSeq, bad = sb.entity+" "+id, last.seq, fmt.Sprintf("%s %s exists, but its last event (%d) removed it: it was written back outside relman", sb.entity, id, last.seq)
			case stateHash(v) != last.state:
				badID, badSeq, bad = sb.entity+" "+id, last.seq, fmt.Sprintf("%s %s differs from the state its last event (%d) recorded: it was changed outside relman", sb.entity, id, last.seq)
			default:
				res.Records++
			}
			if bad != "" {
				return errStop
			}
			return nil
		})
		if bad != "" {
			return badID, badSeq, bad
		}
		if id, seq, reason := missingRecords(b, sb, states); reason != "" {
			return id, seq, reason
		}
	}
	return "", 0, ""
}

// missingRecords finds the record (with the earliest last event) that its
// last event recorded but which is no longer stored.
func missingRecords(b *bolt.Bucket, sb stateBucket, states map[string]lastState) (string, uint64, string) {
	var missing string
	var at uint64
	for key, last := range states {
		entity, id, _ := strings.Cut(key, "/")
		if entity != sb.entity || last.state == "" || last.state == model.StateAbsent || (missing != "" && last.seq > at) {
			continue
		}
		if k, ok := sb.key(id); ok && b.Get(k) == nil {
			missing, at = id, last.seq
		}
	}
	if missing == "" {
		return "", 0, ""
	}
	return sb.entity + " " + missing, at, fmt.Sprintf("%s %s is missing, but its last event (%d) recorded it: it was deleted outside relman", sb.entity, missing, at)
}
