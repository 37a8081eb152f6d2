//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package store

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// waitLocked opens the store file for bbolt with the lock bbolt is about to
// take (exclusive to write, shared to read) already held, waiting until
// deadline. bbolt's own flock on this same open file then succeeds at once.
//
// Polling alone is unfair: a process that runs transactions back to back
// frees the store lock only for microseconds, and a waiter that polls
// (bbolt polls every 50 ms) rarely hits that gap, least of all on a loaded
// machine. So every relman first passes a turnstile, a flock on
// <store>.lock held only while taking the store lock. A waiter holding the
// turnstile is next: the busy process cannot take the store lock again
// without passing the turnstile too, and readers cannot pile up in front of
// a waiting writer.
func waitLocked(name string, flag int, perm os.FileMode, exclusive bool, deadline time.Time) (*os.File, error) {
	gate, err := os.OpenFile(name+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	switch {
	case err == nil:
		// Closing the turnstile releases it, once the store lock is held or
		// the wait is over.
		defer gate.Close()
		if err := pollLock(func() (bool, error) { return tryFlock(gate, true) }, deadline); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		// A store in a directory relman cannot write to (a read-only copy)
		// is still readable, just without the turnstile's fairness.
	default:
		return nil, err
	}
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	if err := pollLock(func() (bool, error) { return tryFlock(f, exclusive) }, deadline); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// tryFlock takes a flock on f without blocking, reporting false if another
// open file holds a conflicting one.
func tryFlock(f *os.File, exclusive bool) (bool, error) {
	how := syscall.LOCK_SH | syscall.LOCK_NB
	if exclusive {
		how = syscall.LOCK_EX | syscall.LOCK_NB
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case !errors.Is(err, syscall.EINTR):
			return false, err
		}
	}
}
