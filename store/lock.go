package store

import (
	"errors"
	"math/rand/v2"
	"time"
)

// errLockTimeout is waitLocked giving up; View and Update report ErrBusy.
var errLockTimeout = errors.New("file lock not free before the deadline")

// Pauses between attempts to take a lock: short, because another relman
// holds the store only for one transaction, and random, so that attempts do
// not stay in step with its transactions.
const (
	minLockPause = 50 * time.Microsecond
	maxLockPause = 500 * time.Microsecond
)

// pollLock calls try until it reports the lock taken, fails, or deadline
// passes.
func pollLock(try func() (bool, error), deadline time.Time) error {
	for {
		locked, err := try()
		switch {
		case err != nil:
			return err
		case locked:
			return nil
		case time.Now().After(deadline):
			return errLockTimeout
		}
		time.Sleep(minLockPause + rand.N(maxLockPause-minLockPause))
	}
}
