package actions

import (
	"fmt"

	"relman/store"
)

// BackupReport is what Backup wrote and found.
type BackupReport struct {
	Path   string
	Bytes  int64
	Verify store.VerifyResult
}

// Backup writes a hot copy of st to dst and verifies the copy's audit
// trail (chain, signatures, records): a backup that does not verify is
// reported as an error, never as done. relman backup and relman serve's
// scheduled backups both use it.
func Backup(st *store.Store, dst string) (BackupReport, error) {
	n, err := st.Backup(dst)
	if err != nil {
		return BackupReport{}, err
	}
	cp, err := store.Open(dst)
	if err != nil {
		return BackupReport{}, fmt.Errorf("backup %s was written but does not open: %w", dst, err)
	}
	res, err := cp.Verify()
	if err != nil {
		return BackupReport{}, fmt.Errorf("backup %s: verifying it: %w", dst, err)
	}
	if !res.OK {
		return BackupReport{}, fmt.Errorf("backup %s does not verify: event %d: %s; the store itself is damaged: run relman audit --verify", dst, res.FirstBad, res.Reason)
	}
	return BackupReport{Path: cp.Path(), Bytes: n, Verify: res}, nil
}
