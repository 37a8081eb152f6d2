package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig/testkeys"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// openTest opens a fresh store in the test's temporary directory.
func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "relman.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustUpdate(t testing.TB, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func mustView(t testing.TB, s *Store, fn func(*Tx) error) {
	t.Helper()
	if err := s.View(fn); err != nil {
		t.Fatal(err)
	}
}

// newCR is a change request as model's create rule would make it.
func newCR(id int64, name, env string, updated time.Time) model.ChangeRequest {
	return model.ChangeRequest{ID: id, Name: name, ChangeType: model.ChangeMinor, Env: env, Requester: "alice",
		ApprovalStatus: model.ApprovalNone, CompletionStatus: model.CompletionInProgress, Revision: 1,
		CreatedAt: updated, UpdatedAt: updated}
}

// createCR stores a new change request and its audit event in one Update,
// the way every command does.
func createCR(s *Store, user, name string, now time.Time) (int64, error) {
	var id int64
	err := s.Update(func(tx *Tx) error {
		if err := ensureUser(tx, user); err != nil {
			return err
		}
		var err error
		if id, err = tx.NextCRID(); err != nil {
			return err
		}
		cr := newCR(id, name, "prod", now)
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return tx.Record(as(user), now, model.Change{Entity: model.EntityChangeRequest, EntityID: cr.Key(),
			Action: "create", Details: map[string]string{"name": name}})
	})
	return id, err
}

// rawUpdate changes the file behind the store's back, as a tamperer or an
// older or newer relman would. NoSync keeps byte-by-byte tampering fast.
func rawUpdate(t testing.TB, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fileMode(t testing.TB, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// as acts as name with name's test key.
func as(name string) model.Actor { return testkeys.Of(name).Actor() }

// ensureUser registers name with every role, as relman user add does, with
// its signed event, unless they are registered: the first user of a store
// registers themselves, later ones are added by that first user.
func ensureUser(tx *Tx, name string) error {
	all, err := tx.Users()
	if err != nil {
		return err
	}
	if _, ok := all.Find(name); ok {
		return nil
	}
	admin := name
	if len(all) > 0 {
		admin = all[0].Name
	}
	u, ch, err := model.NewUser(all, admin, name, testkeys.AllRoles, testkeys.Of(name).UserKey(), t0)
	if err != nil {
		return err
	}
	if err := tx.PutUser(u); err != nil {
		return err
	}
	return tx.Record(as(admin), t0, ch)
}

// register registers names in order (the first becomes the admin) in one
// Update.
func register(t testing.TB, s *Store, names ...string) {
	t.Helper()
	mustUpdate(t, s, func(tx *Tx) error {
		for _, n := range names {
			if err := ensureUser(tx, n); err != nil {
				return err
			}
		}
		return nil
	})
}
