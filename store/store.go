package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultTimeout is how long View and Update wait for another relman to
// release the store before giving up with ErrBusy.
const DefaultTimeout = 3 * time.Second

// Sentinel errors. They are always wrapped with what was being done, e.g.
// "change request CR-0042: not found", and match with errors.Is.
var (
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrBusy means another relman held the store for longer than the timeout.
	ErrBusy = errors.New("store busy")
	// ErrNewerSchema means the store was written by a newer relman.
	ErrNewerSchema = errors.New("store written by a newer relman")
	// ErrCorrupt means stored bytes cannot be read: the file is not a
	// relman store, or it is damaged.
	ErrCorrupt = errors.New("unreadable")
	// ErrNoIdentity means a write was attempted without a registered key to
	// sign its audit event with.
	ErrNoIdentity = errors.New("no registered key to sign with: register yourself with `relman user add NAME --public-key ~/.ssh/id_ed25519.pub` (an admin does it once the store has users), then prove it with your key: load it into your SSH agent (ssh-add) or pass --identity FILE")
)

// Store is a relman store file. It holds no open file between transactions,
// so any number of Stores, in any number of processes, may share one path.
// A Store is safe for concurrent use.
type Store struct {
	path    string
	timeout time.Duration

	// keyMu guards key, loaded on the first seal or unseal and then reused.
	keyMu sync.Mutex
	key   *sealKey
}

// Option configures Open.
type Option func(*Store)

// WithTimeout sets how long View and Update wait for the file lock. A
// non-positive duration keeps DefaultTimeout: waiting forever is never offered.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// DefaultPath is $RELMAN_STORE, else $XDG_DATA_HOME/relman/relman.db, else
// ~/.local/share/relman/relman.db.
func DefaultPath() (string, error) {
	if p := os.Getenv("RELMAN_STORE"); p != "" {
		return p, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "relman", "relman.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locating the relman store: %w; set RELMAN_STORE to a file path", err)
	}
	return filepath.Join(home, ".local", "share", "relman", "relman.db"), nil
}

// Open prepares the store at path: it creates the parent directories (0700)
// and the file (0600) if absent, refuses a file that is not a relman store or
// comes from a newer relman (leaving it untouched), and runs any pending
// migrations in one transaction. The file is closed again before Open returns.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("store path is empty: set RELMAN_STORE or pass a file path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s := &Store{path: abs, timeout: DefaultTimeout}
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store %s: creating its directory: %w", abs, err)
	}
	// Probe an existing file read-only first: a corrupt or newer store must
	// be refused without a single byte of it changing, and a current one
	// needs no write lock at all.
	if info, err := os.Stat(abs); err == nil && info.Size() > 0 {
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("store %s is not a regular file: %w; set RELMAN_STORE to a file path", abs, ErrCorrupt)
		}
		v, err := s.probe()
		if err != nil {
			return nil, err
		}
		if v == currentVersion() {
			return s, s.tightenMode()
		}
	}
	if err := s.create(); err != nil {
		return nil, err
	}
	if err := s.rawUpdate(func(tx *bolt.Tx) error { return migrate(tx, abs, migrations) }); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the absolute path of the store file.
func (s *Store) Path() string { return s.path }

// View runs fn in a read-only transaction. Readers share the file lock, so
// several processes can read at once.
func (s *Store) View(fn func(*Tx) error) error {
	db, err := s.openDB(true)
	if err != nil {
		return err
	}
	err = s.guard(func() error { return db.View(func(btx *bolt.Tx) error { return s.run(btx, fn) }) })
	return closeDB(db, s.path, err)
}

// guard turns a panic inside bbolt into an error: bbolt panics when it
// reads a damaged page, and a damaged store must give a clear message, not
// a crash. bbolt rolls the transaction back as the panic unwinds, so the
// file is left as it was.
func (s *Store) guard(run func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(s.path, fmt.Errorf("reading it failed: %v", r))
		}
	}()
	return run()
}

// Update runs fn in a read-write transaction: everything fn writes — every
// change and the audit event recording it — commits together if fn returns
// nil, and nothing does otherwise.
func (s *Store) Update(fn func(*Tx) error) error {
	return s.rawUpdate(func(btx *bolt.Tx) error { return s.run(btx, fn) })
}

func (s *Store) run(btx *bolt.Tx, fn func(*Tx) error) error {
	tx := &Tx{tx: btx, s: s}
	if err := tx.checkSchema(); err != nil {
		return err
	}
	return fn(tx)
}

func (s *Store) rawUpdate(fn func(*bolt.Tx) error) error {
	db, err := s.openDB(false)
	if err != nil {
		return err
	}
	return closeDB(db, s.path, s.guard(func() error { return db.Update(fn) }))
}

// openDB opens the bbolt file for exactly one transaction, waiting up to the
// store's timeout for the file lock.
//
// bbolt's own wait (Options.Timeout) retries every 50 ms, but another
// process running transactions back to back leaves the lock free only for
// microseconds between them, so such a waiter almost always timed out. The
// file is therefore opened and locked by waitLocked, which retries far more
// often at the cost of one system call per attempt; bbolt then takes the
// lock this file already holds, at once.
func (s *Store) openDB(readOnly bool) (*bolt.DB, error) {
	deadline := time.Now().Add(s.timeout)
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{
		Timeout:  s.timeout,
		ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			return waitLocked(name, flag, perm, !readOnly, deadline)
		},
		// Statistics are never read; skipping them trims every open.
		NoStatistics: true,
	})
	if errors.Is(err, errLockTimeout) || errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("store %s: another relman is using it (waited %s); try again in a moment: %w", s.path, s.timeout, ErrBusy)
	}
	return db, s.openErr(err)
}

// openErr explains why bbolt would not open the file.
func (s *Store) openErr(err error) error {
	var pathErr *fs.PathError
	var errno syscall.Errno
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pathErr), errors.As(err, &errno):
		return fmt.Errorf("opening store %s: %w", s.path, err)
	default:
		// Everything else bbolt refuses to open is about the file's content:
		// bad magic, version or checksum, or a size no store can have.
		return corrupt(s.path, err)
	}
}

func closeDB(db *bolt.DB, path string, err error) error {
	if cerr := db.Close(); cerr != nil && err == nil {
		return fmt.Errorf("closing store %s: %w", path, cerr)
	}
	return err
}

// corrupt refuses a file as a whole, when opening it.
func corrupt(path string, cause error) error {
	return fmt.Errorf("store %s is %w (%v): it is not a relman store or it is damaged; it was left untouched: move it aside or set RELMAN_STORE to another file",
		path, ErrCorrupt, cause)
}

// damaged reports a part of an open store that cannot be read back.
func damaged(what string, cause error) error {
	return fmt.Errorf("%s is %w (%v): the store is damaged; run `relman audit --verify` and restore it from a backup", what, ErrCorrupt, cause)
}

// create makes the file with mode 0600 before bbolt sees it, so that no
// umask or default mode ever leaves it readable by others.
func (s *Store) create() error {
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("creating store %s: %w", s.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("creating store %s: %w", s.path, err)
	}
	return s.tightenMode()
}

// tightenMode makes the store file 0600 even if something loosened it.
func (s *Store) tightenMode() error {
	info, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	if info.Mode().Perm() == 0o600 {
		return nil
	}
	if err := os.Chmod(s.path, 0o600); err != nil {
		return fmt.Errorf("store %s: making it private (chmod 600): %w", s.path, err)
	}
	return nil
}
