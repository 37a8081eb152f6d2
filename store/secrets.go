package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// keyEnv names the environment variable that supplies the sealing key.
const keyEnv = "RELMAN_KEY"

// sealVersion is the first byte of every sealed value, so a later key
// scheme can tell old values from new ones.
const sealVersion = 1

const nonceSize = 12

// sealKey is a loaded AES-256-GCM key and where it came from, for messages.
type sealKey struct {
	aead   cipher.AEAD
	source string
}

// KeyPath is the key file used when RELMAN_KEY is not set: the store path
// with ".key" appended.
func (s *Store) KeyPath() string { return s.path + ".key" }

// sealer returns the sealing key, loading it on first use. create says
// whether a missing key file may be made: sealing may, but unsealing with a
// fresh key could never succeed, so it reports the missing file instead.
func (s *Store) sealer(create bool) (*sealKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	raw, source, err := loadKey(s.KeyPath(), create)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	aead, err := cipher.NewGCMWithNonceSize(block, nonceSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	s.key = &sealKey{aead: aead, source: source}
	return s.key, nil
}

func loadKey(keyPath string, create bool) ([]byte, string, error) {
	if v := os.Getenv(keyEnv); v != "" {
		k, err := parseKey(v)
		if err != nil {
			// Never echo the value: it is the key, or close to it.
			return nil, "", fmt.Errorf("%s: %w (the value is not shown)", keyEnv, err)
		}
		return k, keyEnv, nil
	}
	source := "key file " + keyPath
	k, err := readKeyFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, "", fmt.Errorf("%s is missing: the credentials were sealed with it; restore it, or set %s to the key", source, keyEnv)
		}
		k, err = createKeyFile(keyPath)
	}
	return k, source, err
}

// parseKey accepts 64 hex characters or the standard base64 of 32 bytes.
func parseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, errors.New("expected 64 hex characters or the base64 of 32 bytes")
}

// readKeyFile reads a key file, refusing one that others can read: a key
// that leaked is no key.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file: move it aside or set %s", path, keyEnv)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is readable by group or others (mode %04o): run `chmod 600 %s` and try again", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if len(data) == 32 {
		return data, nil
	}
	k, err := parseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w, or 32 raw bytes: restore it from a backup", path, err)
	}
	return k, nil
}

// createKeyFile writes 32 random bytes to path, mode 0600. The key appears
// under its name only complete (written to a temporary file, then linked),
// and if another relman links its key first, that one is used.
func createKeyFile(path string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("key file %s: generating a key: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".relman-key-*")
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	// The key must survive a crash as surely as the secrets sealed with it.
	if d, err := os.Open(dir); err == nil {
		syncErr := d.Sync()
		d.Close()
		if syncErr != nil {
			return nil, fmt.Errorf("key file %s: %w", path, syncErr)
		}
	}
	return key, nil
}

// seal encrypts plain, binding it to aad (the environment name) so sealed
// credentials cannot be moved to another environment unnoticed.
func (k *sealKey) seal(plain, aad []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("generating a nonce: %w", err)
	}
	return k.aead.Seal(out, out[1:1+nonceSize], plain, aad), nil
}

// open decrypts a value made by seal. Its errors never contain plaintext.
func (k *sealKey) open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errors.New("the sealed value is not in a format this relman knows")
	}
	plain, err := k.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], aad)
	if err != nil {
		return nil, fmt.Errorf("it does not decrypt with the key from %s: that is not the key it was sealed with", k.source)
	}
	return plain, nil
}

// holdsOtherSecrets reports whether secrets holds another environment's
// sealed credentials than name's.
func holdsOtherSecrets(secrets *bolt.Bucket, name string) bool {
	c := secrets.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if string(k) != name {
			return true
		}
	}
	return false
}

// checkSameKey refuses to seal name's credentials with key when the store
// already holds another environment's secrets that key cannot open: they
// were sealed with another key (a wrong or missing RELMAN_KEY, another
// key file), and sealing on would leave the store with two keys, one of
// them lost.
func checkSameKey(secrets *bolt.Bucket, key *sealKey, name string) error {
	c := secrets.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if string(k) == name {
			continue
		}
		plain, err := key.open(v, k)
		clear(plain)
		if err != nil {
			return fmt.Errorf("the store already holds secrets (environment %s) sealed with another key than %s; set %s to the key they were sealed with, or restore its key file, before adding secrets", k, key.source, keyEnv)
		}
		return nil
	}
	return nil
}
