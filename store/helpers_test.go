package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"relman/model"
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
		var err error
		if id, err = tx.NextCRID(); err != nil {
			return err
		}
		cr := newCR(id, name, "prod", now)
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return tx.Record(user, now, model.Change{Entity: model.EntityChangeRequest, EntityID: cr.Key(),
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
