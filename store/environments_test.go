package store

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"relman/model"
)

// secrets used in these tests; none may ever appear in the file or an error.
var testCreds = model.Credentials{AccessToken: "00D5g000004ZvA!AQ-access-token-7f3a", RefreshToken: "5Aep861-refresh-token-9b2c",
	ClientSecret: "client-secret-e41d", Password: "hunter2-pass-word", SfdxAuthURL: "force://PlatformCLI::5Aep-sfdx-url@example.my.salesforce.com"}

func secretsOf(c model.Credentials) []string {
	return []string{c.AccessToken, c.RefreshToken, c.ClientSecret, c.Password, c.SfdxAuthURL}
}

func prodEnv(name string, c model.Credentials) model.Environment {
	return model.Environment{Name: name, Kind: model.KindProduction, Connection: model.ConnSalesforce,
		URL: "https://login.salesforce.com", Auth: model.AuthRefreshToken, Credentials: c, CreatedAt: t0, UpdatedAt: t0}
}

func assertNoSecret(t *testing.T, where string, text []byte) {
	t.Helper()
	for _, secret := range secretsOf(testCreds) {
		if bytes.Contains(text, []byte(secret)) {
			t.Errorf("%s contains the secret %q", where, secret)
		}
	}
}

func TestEnvironmentCredentialsAreSealed(t *testing.T) {
	t.Setenv(keyEnv, "")
	s := openTest(t)
	local := model.Environment{Name: "dev", Kind: model.KindSandbox, Connection: model.ConnLocal, Dir: "/src/dev"}
	mustUpdate(t, s, func(tx *Tx) error {
		for _, e := range []model.Environment{prodEnv("uat", testCreds), prodEnv("prod", testCreds), local} {
			if err := tx.PutEnvironment(e); err != nil {
				return err
			}
		}
		return nil
	})
	assertNoSecret(t, "the store file", readFile(t, s.Path()))
	if got := fileMode(t, s.KeyPath()); got != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", got)
	}
	if key := readFile(t, s.KeyPath()); len(key) != 32 {
		t.Errorf("key file holds %d bytes, want 32", len(key))
	}
	// A fresh Store (another process) reads them with the key file.
	again, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	mustView(t, again, func(tx *Tx) error {
		envs, err := tx.Environments()
		if err != nil {
			return err
		}
		var names []string
		for _, e := range envs {
			names = append(names, e.Name)
		}
		if strings.Join(names, ",") != "dev,prod,uat" {
			t.Errorf("Environments() = %v, want dev, prod, uat", names)
		}
		if envs[1].Credentials != testCreds || !envs[0].Credentials.IsZero() {
			t.Errorf("credentials did not round-trip")
		}
		return nil
	})
	// Clearing the credentials removes the sealed value.
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("uat", model.Credentials{})) })
	mustView(t, s, func(tx *Tx) error {
		if tx.tx.Bucket(bucketSecrets).Get([]byte("uat")) != nil {
			t.Error("cleared credentials are still stored")
		}
		return nil
	})
}

func TestDeleteEnvironment(t *testing.T) {
	t.Setenv(keyEnv, "")
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("prod", testCreds)) })
	mustUpdate(t, s, func(tx *Tx) error { return tx.DeleteEnvironment("prod") })
	mustView(t, s, func(tx *Tx) error {
		if _, err := tx.Environment("prod"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "environment prod") {
			t.Errorf("Environment after delete = %v, want not found naming it", err)
		}
		if tx.tx.Bucket(bucketSecrets).Get([]byte("prod")) != nil {
			t.Error("the deleted environment's credentials remain")
		}
		return nil
	})
	if err := s.Update(func(tx *Tx) error { return tx.DeleteEnvironment("prod") }); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice = %v, want ErrNotFound", err)
	}
}

func TestKeyFromEnvironmentVariable(t *testing.T) {
	keyA := strings.Repeat("ab", 32)
	keyB := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	t.Setenv(keyEnv, keyA)
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("prod", testCreds)) })
	if _, err := os.Stat(s.KeyPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was made although %s is set", keyEnv)
	}

	// The wrong key: a clear error naming the environment and the key's
	// source, and never the secret.
	t.Setenv(keyEnv, keyB)
	other, _ := Open(s.Path())
	err := other.View(func(tx *Tx) error { _, err := tx.Environment("prod"); return err })
	if err == nil {
		t.Fatal("credentials decrypted with the wrong key")
	}
	for _, want := range []string{"environment prod", keyEnv, "not the key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("wrong-key error %q does not say %q", err, want)
		}
	}
	assertNoSecret(t, "the wrong-key error", []byte(err.Error()))

	// A malformed key is refused without being echoed.
	t.Setenv(keyEnv, "hunter2-pass-word")
	bad, _ := Open(s.Path())
	err = bad.View(func(tx *Tx) error { _, err := tx.Environment("prod"); return err })
	if err == nil || !strings.Contains(err.Error(), "64 hex characters") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("malformed key error = %v", err)
	}
}

func TestKeyFileReadableByOthersIsRefused(t *testing.T) {
	t.Setenv(keyEnv, "")
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("prod", testCreds)) })
	if err := os.Chmod(s.KeyPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	again, _ := Open(s.Path())
	err := again.View(func(tx *Tx) error { _, err := tx.Environment("prod"); return err })
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+s.KeyPath()) {
		t.Errorf("loose key file error = %v, want it to say chmod 600 %s", err, s.KeyPath())
	}
}

func TestMissingKeyFileIsNotReplaced(t *testing.T) {
	t.Setenv(keyEnv, "")
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("prod", testCreds)) })
	if err := os.Remove(s.KeyPath()); err != nil {
		t.Fatal(err)
	}
	again, _ := Open(s.Path())
	err := again.View(func(tx *Tx) error { _, err := tx.Environment("prod"); return err })
	if err == nil || !strings.Contains(err.Error(), s.KeyPath()) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing key file error = %v", err)
	}
	if _, err := os.Stat(s.KeyPath()); !errors.Is(err, os.ErrNotExist) {
		t.Error("reading made a new key file, which can never decrypt the old credentials")
	}
}

func TestSealedCredentialsAreBoundToTheirEnvironment(t *testing.T) {
	t.Setenv(keyEnv, "")
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error {
		if err := tx.PutEnvironment(prodEnv("prod", testCreds)); err != nil {
			return err
		}
		return tx.PutEnvironment(prodEnv("uat", model.Credentials{Password: "other"}))
	})
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		return b.Put([]byte("uat"), append([]byte{}, b.Get([]byte("prod"))...))
	})
	err := s.View(func(tx *Tx) error { _, err := tx.Environment("uat"); return err })
	if err == nil || !strings.Contains(err.Error(), "environment uat") {
		t.Errorf("credentials moved to another environment = %v, want a refusal", err)
	}
}

// Sealing new secrets with a key that cannot open those already stored
// (a wrong RELMAN_KEY, or none when the key file is gone) is refused, and
// no second key file is made.
func TestSealingWithAnotherKeyIsRefused(t *testing.T) {
	keyA := strings.Repeat("ab", 32)
	keyB := strings.Repeat("cd", 32)
	t.Setenv(keyEnv, keyA)
	s := openTest(t)
	mustUpdate(t, s, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("prod", testCreds)) })

	t.Setenv(keyEnv, keyB)
	other, _ := Open(s.Path())
	err := other.Update(func(tx *Tx) error { return tx.PutEnvironment(prodEnv("uat", testCreds)) })
	if err == nil || !strings.Contains(err.Error(), "sealed with another key") || !strings.Contains(err.Error(), "environment prod") {
		t.Fatalf("sealing with another key = %v, want a refusal naming the stored secrets", err)
	}
	assertNoSecret(t, "the refusal", []byte(err.Error()))

	t.Setenv(keyEnv, "")
	none, _ := Open(s.Path())
	err = none.Update(func(tx *Tx) error { return tx.PutEnvironment(prodEnv("uat", testCreds)) })
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("sealing with no key while secrets are stored = %v, want a refusal", err)
	}
	if _, statErr := os.Stat(none.KeyPath()); !errors.Is(statErr, os.ErrNotExist) {
		t.Error("a new key file was made although the stored secrets were sealed with another key")
	}

	// The right key still adds secrets; replacing the only ones is allowed.
	t.Setenv(keyEnv, keyA)
	right, _ := Open(s.Path())
	mustUpdate(t, right, func(tx *Tx) error { return tx.PutEnvironment(prodEnv("uat", testCreds)) })
}
