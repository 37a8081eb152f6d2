package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"relman/model"
	"relman/model/sshsig"
)

// PutUser stores a user under their (lower-case) name.
func (tx *Tx) PutUser(u model.User) error {
	name, err := model.NormalizeUserName(u.Name)
	if err != nil {
		return err
	}
	users, err := tx.bucket(bucketUsers)
	if err != nil {
		return err
	}
	u.Name = name
	tx.touch(model.EntityUser, name)
	data, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("user %s: encoding: %w", name, err)
	}
	if err := users.Put([]byte(name), data); err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	return nil
}

// DeleteUser removes a user; their past events keep their signatures.
func (tx *Tx) DeleteUser(name string) error {
	users, err := tx.bucket(bucketUsers)
	if err != nil {
		return err
	}
	key := []byte(strings.ToLower(name))
	tx.touch(model.EntityUser, string(key))
	if users.Get(key) == nil {
		return fmt.Errorf("user %s: %w", name, ErrNotFound)
	}
	return users.Delete(key)
}

// User reads one user by name, in any case.
func (tx *Tx) User(name string) (model.User, error) {
	users, err := tx.bucket(bucketUsers)
	if err != nil {
		return model.User{}, err
	}
	data := users.Get([]byte(strings.ToLower(name)))
	if data == nil {
		return model.User{}, fmt.Errorf("user %s: %w; relman user list shows who is registered", name, ErrNotFound)
	}
	var u model.User
	if err := json.Unmarshal(data, &u); err != nil {
		return model.User{}, damaged("user "+name, err)
	}
	return u, nil
}

// Users lists every registered user by name.
func (tx *Tx) Users() (model.Users, error) {
	return listRecords[model.User](tx, bucketUsers, func(k []byte) string { return "user " + string(k) }, nil)
}

// checkSigner refuses an event whose signer is not a registered key of the
// event's user: the store never writes an event verify would reject.
func (tx *Tx) checkSigner(ev model.AuditEvent, signer model.Signer) error {
	if signer == nil {
		return fmt.Errorf("%s %s %s by %s: %w", ev.Entity, ev.EntityID, ev.Action, ev.User, ErrNoIdentity)
	}
	u, err := tx.User(ev.User)
	if err != nil {
		return fmt.Errorf("%s %s %s: %s is not a registered user: %w", ev.Entity, ev.EntityID, ev.Action, ev.User, ErrNoIdentity)
	}
	if ss, ok := signer.(model.SessionSigner); ok {
		return tx.checkSessionSigner(ev, u, ss)
	}
	if !u.HasPublicKey(signer.PublicKey()) {
		return fmt.Errorf("%s %s %s: the key offered is not one of %s's: %w", ev.Entity, ev.EntityID, ev.Action, u.Name, ErrNoIdentity)
	}
	if u.Has(model.RoleServer) {
		return fmt.Errorf("%s %s %s: %s is a relman serve host key, which signs only for the SSH sessions of registered users: %w", ev.Entity, ev.EntityID, ev.Action, u.Name, ErrNoIdentity)
	}
	return nil
}

// checkSessionSigner refuses an event a relman serve host key would sign
// for an SSH session unless the host key is a registered server's and the
// session's key is one of the event user's.
func (tx *Tx) checkSessionSigner(ev model.AuditEvent, u model.User, ss model.SessionSigner) error {
	what := fmt.Sprintf("%s %s %s by %s over SSH", ev.Entity, ev.EntityID, ev.Action, u.Name)
	if !u.HasPublicKey(ss.SessionKey()) {
		return fmt.Errorf("%s: the session's key %s is not one of %s's: %w", what, sshsig.Fingerprint(ss.SessionKey()), u.Name, ErrNoIdentity)
	}
	users, err := tx.Users()
	if err != nil {
		return err
	}
	for _, s := range users {
		if s.Has(model.RoleServer) && s.HasPublicKey(ss.PublicKey()) {
			return nil
		}
	}
	return fmt.Errorf("%s: the server's host key %s is not registered, so it cannot sign for sessions; forward your agent (ssh -A) to sign with your own key, or have an admin register the server (start relman serve as an admin, or relman user add NAME --role server --public-key HOSTKEY.pub): %w",
		what, sshsig.Fingerprint(ss.PublicKey()), ErrNoIdentity)
}
