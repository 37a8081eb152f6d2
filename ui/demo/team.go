package demo

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/crypto/ssh"

	"relman/model"
	"relman/model/sshsig"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/identity"
)

// roles of the demo's people: alice runs the store, everyone requests,
// approves and deploys.
func rolesOf(user string) []model.Role {
	roles := []model.Role{model.RoleRequester, model.RoleApprover, model.RoleReleaseManager}
	if user == "alice" {
		roles = append(roles, model.RoleAdmin)
	}
	return roles
}

// KeyPath is where the demo keeps user's private key (0600; the .pub
// beside it): `RELMAN_IDENTITY=<KeyPath> relman …` acts as user.
func (d *Demo) KeyPath(user string) string { return filepath.Join(d.Dir, "keys", user) }

// ensureTeam gives alice, bob and carol a key each in the demo folder (made
// once, reused with the folder) and registers them in the store: alice
// registers herself first (the store's admin), then the others.
func (d *Demo) ensureTeam() error {
	if err := os.MkdirAll(filepath.Join(d.Dir, "keys"), 0o700); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	signers := map[string]model.Signer{}
	for _, u := range Users {
		s, err := loadOrMakeKey(d.KeyPath(u), u)
		if err != nil {
			return err
		}
		signers[u] = s
	}
	var users model.Users
	if err := d.Store.View(func(tx *store.Tx) error {
		var err error
		users, err = tx.Users()
		return err
	}); err != nil {
		return err
	}
	for _, u := range Users {
		if existing, ok := users.Find(u); ok {
			if !existing.HasPublicKey(signers[u].PublicKey()) {
				return fmt.Errorf("demo folder %s: %s's key in keys/ is not the one registered in its store; start a new demo in an empty folder", d.Dir, u)
			}
			continue
		}
		key, err := sshsig.ParseUserKey(signers[u].PublicKey())
		if err != nil {
			return err
		}
		key.Comment = u + "@relman-demo"
		by := model.Actor{User: Users[0], Signer: signers[Users[0]]}
		if _, err := actions.New(d.Store, by).AddUser(u, rolesOf(u), key); err != nil {
			return fmt.Errorf("demo: registering %s: %w", u, err)
		}
	}
	d.signers = signers
	return nil
}

// loadOrMakeKey reads the demo key at path, or makes a new ed25519 key
// there (0600, never printed) with its .pub beside it.
func loadOrMakeKey(path, user string) (model.Signer, error) {
	if _, err := os.Stat(path); err == nil {
		return identity.ReadKeyFile(path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("demo key %s: %w", path, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo key for %s: %w", user, err)
	}
	block, err := ssh.MarshalPrivateKey(priv, user+"@relman-demo")
	if err != nil {
		return nil, fmt.Errorf("demo key for %s: %w", user, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("demo key %s: %w", path, err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	signer := sshsig.NewSigner(s)
	if err := os.WriteFile(path+".pub", []byte(signer.PublicKey()+" "+user+"@relman-demo\n"), 0o644); err != nil {
		return nil, fmt.Errorf("demo key %s.pub: %w", path, err)
	}
	return signer, nil
}

// Actor is user acting with the demo's key for them: the demo holds the
// keys of alice, bob and carol, so any of them can be chosen.
func (d *Demo) Actor(user string) (model.Actor, error) {
	user, err := model.NormalizeUserName(user)
	if err != nil {
		return model.Actor{}, err
	}
	if !slices.Contains(Users, user) {
		return model.Actor{}, fmt.Errorf("demo user %q: choose alice, bob or carol", user)
	}
	var users model.Users
	if err := d.Store.View(func(tx *store.Tx) error {
		users, err = tx.Users()
		return err
	}); err != nil {
		return model.Actor{}, err
	}
	held := make([]model.Signer, 0, len(d.signers))
	for _, u := range Users {
		held = append(held, d.signers[u])
	}
	return identity.Resolve(users, held, user, nil)
}

// As is a Service acting as one of the demo's people.
func (d *Demo) As(user string) (*actions.Service, error) {
	a, err := d.Actor(user)
	if err != nil {
		return nil, err
	}
	return actions.New(d.Store, a), nil
}
