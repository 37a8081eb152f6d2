package store

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the store to dst while other relman
// processes keep reading and writing: one read transaction under the shared
// lock (bbolt's hot backup, Tx.WriteTo), so the copy is the store exactly
// as some commit left it. The copy is written to a temporary file beside
// dst (0600) and renamed into place, so a copy cut short never carries the
// name. It returns the copy's size. Credentials stay sealed in the copy:
// it needs the same sealing key (<store>.key or RELMAN_KEY) to be used.
func (s *Store) Backup(dst string) (int64, error) {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	if abs == s.path {
		return 0, fmt.Errorf("backup %s is the store itself: give another file", dst)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*")
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up a failure
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	db, err := s.openDB(true)
	if err != nil {
		tmp.Close()
		return 0, err
	}
	var n int64
	err = s.guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			var err error
			n, err = tx.WriteTo(tmp)
			return err
		})
	})
	if err = closeDB(db, s.path, err); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return 0, fmt.Errorf("backup %s: %w", dst, err)
	}
	return n, nil
}
