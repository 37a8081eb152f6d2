package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"relman/ui/actions"
)

// Backups schedules hot copies of the store while the server runs.
type Backups struct {
	// Dir receives relman-<UTC time>.db files; no backups when empty.
	Dir string
	// Every is the time between two backups; the first is taken at start.
	Every time.Duration
	// Keep is how many of the newest backups stay; older ones are removed.
	Keep int
}

// backupPrefix and backupSuffix frame the backups' names, so pruning never
// touches another file in Dir; the time in between sorts as it reads.
const (
	backupPrefix     = "relman-"
	backupSuffix     = ".db"
	backupTimeLayout = "20060102T150405.000000000Z"
)

// runBackups takes a backup now and every b.Every until stop is closed. A
// backup in progress when stop closes is finished first.
func (s *Server) runBackups(b Backups, stop <-chan struct{}) {
	tick := time.NewTicker(b.Every)
	defer tick.Stop()
	for {
		s.backupOnce(b)
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// backupOnce writes one verified backup and prunes the oldest beyond Keep,
// saying in the log what it did or why it failed.
func (s *Server) backupOnce(b Backups) {
	dst := filepath.Join(b.Dir, backupPrefix+time.Now().UTC().Format(backupTimeLayout)+backupSuffix)
	rep, err := actions.Backup(s.store, dst)
	if err != nil {
		s.logf("backup failed: %v", err)
		return
	}
	s.logf("backup %s: %d bytes, its audit trail verifies (%d events)", rep.Path, rep.Bytes, rep.Verify.Events)
	removed, err := pruneBackups(b.Dir, b.Keep)
	if err != nil {
		s.logf("backup: removing old backups from %s: %v", b.Dir, err)
	}
	for _, r := range removed {
		s.logf("backup: removed %s (keeping the newest %d)", r, b.Keep)
	}
}

// pruneBackups removes all but the newest keep backups in dir and returns
// what it removed.
func pruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var removed []string
	for len(names) > keep {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			return removed, err
		}
		removed, names = append(removed, p), names[1:]
	}
	return removed, nil
}

// checkBackups says what is wrong with a schedule, and creates its Dir.
func checkBackups(b Backups) error {
	switch {
	case b.Dir == "":
		return nil
	case b.Every <= 0:
		return fmt.Errorf("--backup-every %s: give a positive duration, like 1h", b.Every)
	case b.Keep < 1:
		return fmt.Errorf("--keep %d: keep at least 1 backup", b.Keep)
	}
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return fmt.Errorf("--backup-dir %s: %v", b.Dir, err)
	}
	return nil
}
