package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"runtime"
	"strconv"
	"strings"
	"sync"
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
	// that point was checked and checks out; Unsigned counts events written
	// before the store was migrated to schema v5, whose authors nothing
	// proves.
	Signed   int
	Unsigned int
	// Trusted counts the signed events up to the store's checkpoint whose
	// signatures were not checked: TrustedFrom, an admin's signed
	// checkpoint whose hash matched the recomputed chain, vouches for them.
	// Nil when every signature was checked.
	Trusted     int
	TrustedFrom *model.Checkpoint
	// Notes say what verify did not use and why, e.g. a stored checkpoint
	// it could not trust (it then checked every signature).
	Notes []string
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

// VerifyOptions choose what Verify trusts.
type VerifyOptions struct {
	// Against is a checkpoint kept elsewhere that the trail must extend.
	Against *model.Checkpoint
	// Full checks every signature, ignoring the store's checkpoint.
	Full bool
}

// Verify checks the audit trail in one shared-lock transaction, reading it
// once from start to end with memory bounded by the number of records, not
// of events: the hash chain from the first event to the head recorded in
// meta, every covered record against the state its last event recorded,
// and signatures against the keys each user held at that point (rebuilt
// from the user events themselves). It reports the first event or record
// that fails.
//
// Signatures are checked for every event after the store's checkpoint
// (PutCheckpoint), and for the user events before it (they decide who is
// an admin), when that checkpoint is signed by a key of a user who was an
// admin at its event and its hash is the recomputed one: that admin
// attested the events up to it. Otherwise — no checkpoint, a bad one, or
// one for another trail — every signature is checked and Notes says why.
func (s *Store) Verify() (VerifyResult, error) { return s.VerifyWith(VerifyOptions{}) }

// VerifyAgainst is Verify that also checks the trail extends checkpoint cp
// (when not nil): that event cp.Seq exists and has hash cp.Head, and that
// cp was signed by a key its user held at that point. A store copied back
// from before cp, or cut short, fails here though its chain is whole.
func (s *Store) VerifyAgainst(cp *model.Checkpoint) (VerifyResult, error) {
	return s.VerifyWith(VerifyOptions{Against: cp})
}

// VerifyWith is Verify with options.
func (s *Store) VerifyWith(o VerifyOptions) (VerifyResult, error) {
	var res VerifyResult
	err := s.View(func(tx *Tx) error {
		var err error
		res, err = tx.verify(o)
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

// verify reads the trail once trusting the store's checkpoint, if it has
// one the options allow; if that checkpoint turns out untrustworthy, it
// reads the trail again checking every signature.
func (tx *Tx) verify(o VerifyOptions) (VerifyResult, error) {
	stored, err := tx.Checkpoint()
	var note string
	switch {
	case o.Full:
		stored = nil
	case err != nil:
		stored, note = nil, err.Error()+": every signature was checked"
	case stored != nil:
		res, distrust, err := tx.verifyPass(o.Against, stored, true)
		if err == nil && distrust == "" && !res.OK && res.TrustedFrom == nil {
			// An event it vouches for may be the first bad one.
			distrust = fmt.Sprintf("the trail breaks at event %d, before it", res.FirstBad)
		}
		if err != nil || distrust == "" {
			return res, err
		}
		note = fmt.Sprintf("%s was not trusted: %s; every signature was checked", describeCheckpoint(stored), distrust)
	}
	res, _, err := tx.verifyPass(o.Against, stored, false)
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	return res, err
}

// verifyPass reads the trail once. With trust, signatures of events up to
// stored.Seq other than user events are not checked; if stored then proves
// untrustworthy the pass stops and distrust says why. Without trust, stored
// (if any) only fails the trail when an admin signed it for another hash.
func (tx *Tx) verifyPass(against, stored *model.Checkpoint, trust bool) (_ VerifyResult, distrust string, _ error) {
	audit, err := tx.bucket(bucketAudit)
	if err != nil {
		return VerifyResult{}, "", err
	}
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return VerifyResult{}, "", err
	}
	sigs, err := tx.bucket(bucketAuditSig)
	if err != nil {
		return VerifyResult{}, "", err
	}
	t := newTrailCheck()
	if v := meta.Get(keySignedFrom); len(v) == 8 {
		t.signedFrom = btoi(v)
	}
	if trust {
		t.trustTo = stored.Seq
	}
	fail := func(seq uint64, format string, args ...any) (VerifyResult, string, error) {
		res, err := t.fail(seq, format, args...)
		return res, "", err
	}
	var (
		prev = []byte(model.GenesisHash)
		want = uint64(1)
	)
	// Whatever is wrong with an event, one before it still in the batch
	// may have failed first: failAt checks the batch, then reports.
	failAt := func(seq uint64, format string, args ...any) (VerifyResult, string, error) {
		if t.flush() {
			return t.res, "", nil
		}
		return fail(seq, format, args...)
	}
	// checkpoints checks the checkpoints that name event seq, whose hash is
	// head; stop reports the pass is over.
	checkpoints := func(seq uint64, head string) (res VerifyResult, distrust string, stop bool) {
		if t.flush() {
			return t.res, "", true
		}
		if stored != nil && stored.Seq == seq {
			reason, attested := storedCheckpointTrust(stored, head, t.registry)
			switch {
			case trust && reason != "":
				return VerifyResult{}, reason, true
			case trust:
				t.res.TrustedFrom = stored
			case attested:
				res, _, _ = fail(seq, "%s records another hash for this event: the trail was rewritten since that admin vouched for it", describeCheckpoint(stored))
				return res, "", true
			}
		}
		if against != nil && against.Seq == seq {
			if reason := checkCheckpoint(against, head, t.registry); reason != "" {
				res, _, _ = fail(seq, "%s", reason)
				return res, "", true
			}
		}
		return VerifyResult{}, "", false
	}
	if res, distrust, stop := checkpoints(0, model.GenesisHash); stop {
		return res, distrust, nil
	}
	c, sc := audit.Cursor(), sigs.Cursor()
	sk, sv := sc.First()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return failAt(want, "undecodable: a key of %d bytes stands where event %d should be", len(k), want)
		}
		seq := btoi(k)
		if seq != want {
			return failAt(want, "gap: event %d is missing (the next stored event is %d)", want, seq)
		}
		if len(v) < 2*hashLen {
			return failAt(seq, "undecodable: %d bytes are too short for the two hashes", len(v))
		}
		if !bytes.Equal(v[:hashLen], prev) {
			return failAt(seq, "broken link: its previous hash is not the hash of event %d", seq-1)
		}
		// The signatures are keyed like the events: one cursor follows the other.
		for sk != nil && bytes.Compare(sk, k) < 0 {
			sk, sv = sc.Next()
		}
		var sig []byte
		if bytes.Equal(sk, k) {
			sig = sv
		}
		if t.add(pendingEvent{seq: seq, value: v, prev: prev, sig: sig}) {
			return t.res, "", nil
		}
		prev = v[hashLen : 2*hashLen]
		if (stored != nil && stored.Seq == seq) || (against != nil && against.Seq == seq) {
			if res, distrust, stop := checkpoints(seq, string(prev)); stop {
				return res, distrust, nil
			}
		}
		want++
	}
	if t.flush() {
		return t.res, "", nil
	}
	res := &t.res
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
	if trust && stored.Seq > last {
		return VerifyResult{}, fmt.Sprintf("it records event %d but the trail ends at %d", stored.Seq, last), nil
	}
	if against != nil && against.Seq > last {
		return fail(last+1, "the trail ends at event %d, but the checkpoint of %s by %s records event %d: events %d to %d are missing — this is an older copy of the store, or its end was cut off",
			last, against.Time.UTC().Format(time.RFC3339), against.User, against.Seq, last+1, against.Seq)
	}
	if id, seq, reason := tx.checkRecords(t.states, res); reason != "" {
		res.Record = id
		return fail(seq, "%s", reason)
	}
	// The records hold; the index derived from them must match them.
	if reason := tx.checkAwaiting(); reason != "" {
		res.Record = "approvals index"
		return fail(last, "%s", reason)
	}
	return *res, "", nil
}

// pendingEvent is an event whose link to the one before checked out,
// waiting to be checked with the rest of its batch.
type pendingEvent struct {
	seq uint64
	// value is the stored event, prev the previous event's hash and sig
	// its signature: bbolt memory, valid for the transaction.
	value, prev, sig []byte
	// Set by the batch: the event read, or why it is bad; whether a
	// trusted checkpoint vouches for it (its signature is then not
	// checked); the signing key, or why the signature is bad.
	ev      trailEvent
	bad     string
	vouched bool
	key     string
	err     error
}

// verifyBatch is how many events are checked at once.
const verifyBatch = 2048

// trailCheck follows the trail in order: the keys each user held, the
// last state of each record, and the counts. What each event needs alone —
// its hash, its decoding and its signature, the costly part — is checked a
// batch at a time on every core; everything that depends on order is then
// applied one event after the other.
type trailCheck struct {
	res      VerifyResult
	registry model.KeyRegistry
	states   map[string]*lastState
	batch    []pendingEvent
	workers  []*batchWorker
	// signedFrom is the first event that must be signed (schema v5);
	// signing that a signed event was seen, so every later one must be
	// too. Events up to trustTo other than user events are vouched for.
	signedFrom uint64
	signing    bool
	trustTo    uint64
}

// batchWorker checks its share of a batch with its own hash, SSHSIG
// verifier (which parses each key once) and array for the States read.
type batchWorker struct {
	verifier *sshsig.Verifier
	hash     hash.Hash
	pairs    []statePair
	prefix   []byte
	sum      []byte // the hash's output, kept: Sum through an interface would allocate it per event
}

func newTrailCheck() *trailCheck {
	t := &trailCheck{res: VerifyResult{OK: true, Head: model.GenesisHash}, registry: model.KeyRegistry{Fingerprint: sshsig.Fingerprint},
		states: map[string]*lastState{}, signedFrom: 1}
	for range max(1, runtime.GOMAXPROCS(0)) {
		t.workers = append(t.workers, &batchWorker{verifier: sshsig.NewVerifier(sshsig.Namespace), hash: sha256.New()})
	}
	return t
}

func (t *trailCheck) fail(seq uint64, format string, args ...any) (VerifyResult, error) {
	t.res.OK, t.res.FirstBad, t.res.Reason = false, seq, fmt.Sprintf(format, args...)
	return t.res, nil
}

// add queues p, checking the batch once it is full; it reports whether an
// event failed.
func (t *trailCheck) add(p pendingEvent) bool {
	t.batch = append(t.batch, p)
	return len(t.batch) == verifyBatch && t.flush()
}

// flush checks the queued events and applies them in order; it reports
// whether one failed (t.res then says which and why).
func (t *trailCheck) flush() bool {
	var wg sync.WaitGroup
	for n, w := range t.workers {
		w.pairs = w.pairs[:0]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := n; i < len(t.batch); i += len(t.workers) {
				w.check(&t.batch[i], t.trustTo)
			}
		}()
	}
	wg.Wait()
	defer func() { t.batch = t.batch[:0] }()
	for i := range t.batch {
		if reason := t.apply(&t.batch[i]); reason != "" {
			t.fail(t.batch[i].seq, "%s", reason)
			return true
		}
	}
	return false
}

// check does what p needs alone: its encoding names its seq, its hash is
// the hash of prev and its encoding, and its signature checks out unless
// the events up to trustTo are vouched for and it is not a user event.
func (w *batchWorker) check(p *pendingEvent, trustTo uint64) {
	canonical := p.value[2*hashLen:]
	// The hash covers the canonical bytes but not the key; the seq inside
	// them ties the two together.
	w.prefix = strconv.AppendUint(append(w.prefix[:0], `{"seq":`...), p.seq, 10)
	w.prefix = append(w.prefix, ',')
	if !bytes.HasPrefix(canonical, w.prefix) {
		p.bad = fmt.Sprintf("undecodable: its encoding does not start with %s", w.prefix)
		return
	}
	var hexSum [hashLen]byte
	w.hash.Reset()
	w.hash.Write(p.prev)
	w.hash.Write(canonical)
	w.sum = w.hash.Sum(w.sum[:0])
	hex.Encode(hexSum[:], w.sum)
	if !bytes.Equal(hexSum[:], p.value[hashLen:2*hashLen]) {
		p.bad = "hash mismatch: the event was altered after it was written"
		return
	}
	var err error
	if w.pairs, err = decodeTrailEvent(canonical, &p.ev, w.pairs); err != nil {
		p.bad = "undecodable: " + err.Error()
		return
	}
	p.vouched = p.seq <= trustTo && string(p.ev.Entity) != model.EntityUser
	if p.sig != nil && !p.vouched {
		p.key, p.err = w.verifier.Verify(p.sig, p.prev, canonical)
	}
}

// apply takes one checked event into the trail's state, or says why it
// is bad.
func (t *trailCheck) apply(p *pendingEvent) string {
	if p.bad != "" {
		return p.bad
	}
	if p.sig == nil && (p.seq >= t.signedFrom || t.signing) {
		return fmt.Sprintf("unsigned: the event by %s has no signature, but every event since the store moved to schema v5 (event %d) must have one: it was written or stripped outside relman", p.ev.User, t.signedFrom)
	}
	t.signing = t.signing || p.sig != nil
	user := string(p.ev.Entity) == model.EntityUser
	var details map[string]string
	if user {
		var err error
		if details, err = p.ev.details(); err != nil {
			return "undecodable details: " + err.Error()
		}
	}
	switch {
	case p.sig == nil:
		t.res.Unsigned++
	case p.vouched:
		t.res.Trusted++
	case p.err != nil:
		return "bad signature: " + p.err.Error()
	case mayHaveSigned(t.registry, p.ev, details, p.key):
		t.res.Signed++
	default:
		if reason := t.serverSigned(p); reason != "" {
			return reason
		}
		t.res.Signed++
		t.res.ServerSigned++
	}
	if user {
		t.registry.Apply(model.AuditEvent{Entity: model.EntityUser, EntityID: string(p.ev.EntityID), Action: string(p.ev.Action), Details: details})
	}
	if p.ev.States == nil {
		if _, covered := stateBucketOf(string(p.ev.Entity)); covered {
			// Before schema v5: the record's state was not recorded.
			t.setState([]byte(model.StateKey(string(p.ev.Entity), string(p.ev.EntityID))), p.seq, nil)
		}
	}
	for _, s := range p.ev.States {
		t.setState(s.key, p.seq, s.state)
	}
	t.res.Events++
	return ""
}

// setState records that event seq left record key in state; the strings
// are allocated only when they change, as most events repeat them.
func (t *trailCheck) setState(key []byte, seq uint64, state []byte) {
	last := t.states[string(key)]
	if last == nil {
		last = &lastState{}
		t.states[string(key)] = last
	}
	last.seq = seq
	if last.state != string(state) {
		last.state = string(state)
	}
}

// serverSigned says why an event signed by a key that was not its user's
// is bad, or "" when a registered server's host key signed it for an SSH
// session of relman serve whose key, named in the event's sessionKey
// detail, was one of the user's at that point.
func (t *trailCheck) serverSigned(p *pendingEvent) string {
	name, ok := t.registry.Server(p.key)
	if !ok {
		return fmt.Sprintf("signed by key %s, which is not a key of %s registered at that point", sshsig.Fingerprint(p.key), p.ev.User)
	}
	details, err := p.ev.details()
	if err != nil {
		return "undecodable details: " + err.Error()
	}
	session := details[model.DetailSessionKey]
	if session == "" || !t.registry.HoldsFingerprint(string(p.ev.User), session) {
		return fmt.Sprintf("signed by the host key %s of relman serve %s for the session key %q, which is not a key of %s registered at that point",
			sshsig.Fingerprint(p.key), name, session, p.ev.User)
	}
	return ""
}

// mayHaveSigned reports whether key was ev's user's at this point of the
// trail. The first user of a store signs their own registration with the
// key it registers.
func mayHaveSigned(registry model.KeyRegistry, ev trailEvent, details map[string]string, key string) bool {
	if registry.Holds(string(ev.User), key) {
		return true
	}
	return registry.Empty() && string(ev.Entity) == model.EntityUser && string(ev.Action) == "add" &&
		model.SameUser(string(ev.EntityID), string(ev.User)) && details["key"] == key
}

// errStop ends a ForEach early; the reason is kept beside it.
var errStop = errors.New("stop")

// checkRecords compares every covered record with the state its last event
// recorded. It returns the record, the event and the reason of the first
// disagreement.
func (tx *Tx) checkRecords(states map[string]*lastState, res *VerifyResult) (string, uint64, string) {
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
func missingRecords(b *bolt.Bucket, sb stateBucket, states map[string]*lastState) (string, uint64, string) {
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
