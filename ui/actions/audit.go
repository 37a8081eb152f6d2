package actions

import (
	"fmt"

	"relman/model"
	"relman/store"
)

// Checkpoint verifies the audit trail and, if it is whole, returns a
// checkpoint of its head signed by the acting user, to keep outside the
// store. A broken trail gets no checkpoint: it would vouch for tampering.
// An admin's checkpoint is also kept in the store (kept), where verify
// trusts the events up to it without checking their signatures: the admin
// attests them, having verified them — up to the previous kept checkpoint
// on that one's word.
func (s *Service) Checkpoint() (cp model.Checkpoint, kept bool, err error) {
	if s.Signer == nil {
		if s.Unproven != nil {
			return model.Checkpoint{}, false, s.Unproven
		}
		return model.Checkpoint{}, false, store.ErrNoIdentity
	}
	if _, viaServer := s.Signer.(model.SessionSigner); viaServer {
		// A checkpoint is kept apart from the server to check it later:
		// the server's own key cannot vouch for it.
		return model.Checkpoint{}, false, fmt.Errorf("%w: a checkpoint must be signed by your own key, not relman serve's host key: forward your agent (ssh -A) with your key in it", store.ErrNoIdentity)
	}
	res, err := s.Store.Verify()
	if err != nil {
		return model.Checkpoint{}, false, err
	}
	if !res.OK {
		return model.Checkpoint{}, false, fmt.Errorf("no checkpoint: the audit trail is broken at event %d (%s); run relman audit --verify", res.FirstBad, res.Reason)
	}
	users, err := s.Users()
	if err != nil {
		return model.Checkpoint{}, false, err
	}
	u, ok := users.Find(s.User)
	if !ok || !u.HasPublicKey(s.Signer.PublicKey()) {
		return model.Checkpoint{}, false, fmt.Errorf("%w: the key offered is not one of %s's", store.ErrNoIdentity, s.User)
	}
	cp = model.Checkpoint{Seq: uint64(res.Events), Head: res.Head, User: s.User, Time: s.now()}
	if cp.Signature, err = s.Signer.Sign(cp.Message()); err != nil {
		return model.Checkpoint{}, false, fmt.Errorf("signing the checkpoint as %s: %w", s.User, err)
	}
	if !u.Has(model.RoleAdmin) {
		return cp, false, nil
	}
	if err := s.Store.Update(func(tx *store.Tx) error { return tx.PutCheckpoint(cp) }); err != nil {
		return model.Checkpoint{}, false, err
	}
	return cp, true, nil
}
