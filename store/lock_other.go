//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package store

import (
	"os"
	"time"
)

// waitLocked only opens the file where flock is not available: bbolt then
// takes the lock itself, waiting up to the store's timeout.
func waitLocked(name string, flag int, perm os.FileMode, _ bool, _ time.Time) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
