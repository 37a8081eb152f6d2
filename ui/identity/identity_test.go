package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"relman/model"
	"relman/model/sshsig/testkeys"
	"relman/store"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func team() model.Users {
	return model.Users{testkeys.Of("alice").User(t0), testkeys.Of("bob").User(t0)}
}

func TestResolve(t *testing.T) {
	alice, bob, mallory := testkeys.Of("alice").Signer(), testkeys.Of("bob").Signer(), testkeys.Of("mallory").Signer()
	for _, c := range []struct {
		name   string
		users  model.Users
		held   []model.Signer
		want   string
		user   string // the actor's name; "" when refused
		refuse string
	}{
		{"one key held", team(), []model.Signer{mallory, bob}, "", "bob", ""},
		{"--user among held keys, any case", team(), []model.Signer{alice, bob}, "BOB", "bob", ""},
		{"two users' keys, no --user", team(), []model.Signer{alice, bob}, "", "", "choose one with --user"},
		{"--user whose key is not held", team(), []model.Signer{alice}, "bob", "", "you hold no key of bob"},
		{"--user not registered", team(), []model.Signer{alice}, "mallory", "", "not a registered user"},
		{"no registered key", team(), []model.Signer{mallory}, "", "", "none of the keys you hold"},
		{"no key at all", team(), nil, "", "", "no --identity, no agent key"},
		{"empty store", nil, []model.Signer{alice}, "", "", "relman user add"},
	} {
		a, err := Resolve(c.users, c.held, c.want, nil)
		switch {
		case c.refuse == "" && (err != nil || a.User != c.user || a.Signer == nil):
			t.Errorf("%s: Resolve = %+v, %v; want %s", c.name, a, err, c.user)
		case c.refuse != "" && (!errors.Is(err, store.ErrNoIdentity) || !strings.Contains(err.Error(), c.refuse) || a.Signer != nil):
			t.Errorf("%s: Resolve = %+v, %v; want a refusal saying %q", c.name, a, err, c.refuse)
		}
	}
}

func TestReadKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := testkeys.Of("alice").WriteIdentity(t, dir)
	s, err := ReadKeyFile(path)
	if err != nil || s.PublicKey() != testkeys.Of("alice").PublicKey() {
		t.Fatalf("ReadKeyFile = %v, %v", s, err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.WriteFile(locked, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, says := range map[string]string{locked: "ssh-add " + locked, path + ".pub": "not an SSH private key", filepath.Join(dir, "none"): "no such file"} {
		if _, err := ReadKeyFile(file); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ReadKeyFile(%s) = %v, want it to say %q", file, err, says)
		}
	}
}

// TestHeldFindsTheUsualKeys: without --identity the ~/.ssh defaults count;
// a passphrase-protected one is skipped with a note, not an error.
func TestHeldFindsTheUsualKeys(t *testing.T) {
	home := t.TempDir()
	ssh := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(ssh, 0o700); err != nil {
		t.Fatal(err)
	}
	p := testkeys.Of("bob").WriteIdentity(t, ssh)
	if err := os.Rename(p, filepath.Join(ssh, "id_ed25519")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ssh, "id_rsa"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	held, notes, err := Held(FromEnv("", "", func(k string) string { return map[string]string{"HOME": home}[k] }))
	if err != nil || len(held) != 1 || held[0].PublicKey() != testkeys.Of("bob").PublicKey() || len(notes) != 1 {
		t.Fatalf("Held = %v, %v, %v", held, notes, err)
	}
	if _, _, err := Held(Options{IdentityFile: filepath.Join(home, "missing")}); err == nil {
		t.Error("a missing --identity file was not an error")
	}
}
