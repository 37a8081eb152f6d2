package store

import (
	"fmt"
	"time"

	"relman/model"
	"relman/model/sshsig"
)

// PutCheckpoint keeps cp in the store as its latest checkpoint, from which
// Verify checks signatures only of the events after it (see Verify). cp
// must name an event of this trail by its hash; an older checkpoint than
// the one kept is refused, so the kept one only ever moves forward. The
// caller has verified the trail and signed cp (actions.Service.Checkpoint).
func (tx *Tx) PutCheckpoint(cp model.Checkpoint) error {
	audit, err := tx.bucket(bucketAudit)
	if err != nil {
		return err
	}
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return err
	}
	v := audit.Get(itob(cp.Seq))
	if len(v) < 2*hashLen || string(v[hashLen:2*hashLen]) != cp.Head {
		return fmt.Errorf("checkpoint of event %d: the trail of %s has no event %d with hash %s", cp.Seq, tx.s.path, cp.Seq, cp.Head)
	}
	if old, err := tx.Checkpoint(); err == nil && old != nil && old.Seq > cp.Seq {
		return fmt.Errorf("checkpoint of event %d: the store already keeps a later one (event %d by %s)", cp.Seq, old.Seq, old.User)
	}
	return meta.Put(keyCheckpoint, append(cp.Message(), sshsig.Armor(cp.Signature)...))
}

// Checkpoint is the checkpoint kept in the store, nil if none. Nothing
// about it is checked here: Verify decides whether to trust it.
func (tx *Tx) Checkpoint() (*model.Checkpoint, error) {
	meta, err := tx.bucket(bucketMeta)
	if err != nil {
		return nil, err
	}
	v := meta.Get(keyCheckpoint)
	if v == nil {
		return nil, nil
	}
	cp, err := model.ParseCheckpoint(v, sshsig.Unarmor)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint kept in %s: %w", tx.s.path, err)
	}
	return &cp, nil
}

// describeCheckpoint names a checkpoint in verify's messages.
func describeCheckpoint(cp *model.Checkpoint) string {
	return fmt.Sprintf("the checkpoint of event %d by %s at %s", cp.Seq, cp.User, cp.Time.UTC().Format(time.RFC3339))
}

// storedCheckpointTrust says why the kept checkpoint cp cannot vouch for
// the events up to it, "" when it can: its signature must check out, by a
// key of an admin registered at event cp.Seq (the registry is then the one
// the trail built up to that event), and the trail's recomputed hash of
// event cp.Seq must be the one it records (head). attested reports that
// only the hash disagrees: an admin vouched for another trail.
func storedCheckpointTrust(cp *model.Checkpoint, head string, registry model.KeyRegistry) (reason string, attested bool) {
	pub, err := sshsig.Verify(cp.Signature, cp.Message(), sshsig.Namespace)
	if err != nil {
		return "its signature is bad: " + err.Error(), false
	}
	if !registry.HoldsAdmin(cp.User, sshsig.AuthorizedKey(pub)) {
		return fmt.Sprintf("it is signed by key %s, which is not a key of an admin %s at event %d", sshsig.Describe(pub), cp.User, cp.Seq), false
	}
	if head != cp.Head {
		return fmt.Sprintf("it records another hash for event %d than the trail has", cp.Seq), true
	}
	return "", false
}
