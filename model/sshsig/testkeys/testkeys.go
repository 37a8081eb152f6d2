// Package testkeys is the one place tests get a person's SSH key: a fixed
// ed25519 key per name (the same in every run, so goldens and fixtures stay
// stable), as a model.Signer, a registered model.User, an Actor, or an
// OpenSSH private key file for `relman --identity`. Store tests use it
// directly; ui/identity/identitytest builds on it to register a team in a
// store and to make the TUI, the CLI and the built binary act as one of them.
//
// The keys are derived from the names in public, so they prove nothing
// outside tests: never use this package in the program.
package testkeys

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"relman/model"
	"relman/model/sshsig"
)

// Key is one person's test key.
type Key struct {
	Name   string
	priv   ed25519.PrivateKey
	signer ssh.Signer
}

var (
	mu    sync.Mutex
	cache = map[string]Key{}
)

// Of returns name's key; the same name always gives the same key.
func Of(name string) Key {
	mu.Lock()
	defer mu.Unlock()
	if k, ok := cache[name]; ok {
		return k
	}
	seed := sha256.Sum256([]byte("relman test key\x00" + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		panic("testkeys: " + err.Error())
	}
	k := Key{Name: name, priv: priv, signer: s}
	cache[name] = k
	return k
}

// SSHSigner is the key as golang.org/x/crypto/ssh uses it: to log in to an
// SSH server (relman serve) in tests, or to put into an in-process agent.
func (k Key) SSHSigner() ssh.Signer { return k.signer }

// Signer signs as this key.
func (k Key) Signer() model.Signer { return sshsig.NewSigner(k.signer) }

// PublicKey is the key in authorized_keys form.
func (k Key) PublicKey() string { return sshsig.AuthorizedKey(k.signer.PublicKey()) }

// Fingerprint is the key's SHA256 fingerprint.
func (k Key) Fingerprint() string { return ssh.FingerprintSHA256(k.signer.PublicKey()) }

// UserKey is the key as a user's registered key.
func (k Key) UserKey() model.UserKey {
	return model.UserKey{Fingerprint: k.Fingerprint(), PublicKey: k.PublicKey(), Comment: k.Name + "@test"}
}

// Actor acts as Name, proven by this key.
func (k Key) Actor() model.Actor { return model.Actor{User: k.Name, Signer: k.Signer()} }

// AllRoles are every role, what a test user has unless a test is about roles.
var AllRoles = model.Roles

// User is Name registered with this key and roles (AllRoles if none).
func (k Key) User(at time.Time, roles ...model.Role) model.User {
	if len(roles) == 0 {
		roles = AllRoles
	}
	uk := k.UserKey()
	uk.AddedAt = at
	return model.User{Name: k.Name, Roles: roles, Keys: []model.UserKey{uk}, CreatedAt: at, UpdatedAt: at}
}

// WriteIdentity writes the private key as an OpenSSH key file (0600) in
// dir, with its .pub beside it, and returns the private key's path: what
// `relman --identity FILE` or RELMAN_IDENTITY takes.
func (k Key) WriteIdentity(t testing.TB, dir string) string {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(k.priv, k.Name+"@test")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "id_"+k.Name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".pub", []byte(k.PublicKey()+" "+k.Name+"@test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
