package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"relman/store"
)

// Scheduled backups are taken while sessions write, each verifies, and
// only the newest Keep stay; other files in the folder are left alone.
func TestScheduledBackupsWhileSessionsWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(c *Config) { c.Backups = Backups{Dir: dir, Every: 50 * time.Millisecond, Keep: 3} })
	for i := range 5 {
		if _, errOut, code := f.ssh("alice", "cr", "new", "--env", "production", "--name", "Change-"+string(rune('A'+i)),
			"--component", "ApexClass:InvoiceService"); code != 0 {
			t.Fatalf("cr new while backing up: exit %d: %s", code, errOut)
		}
	}
	if _, errOut, code := f.ssh("bob", "cr", "approve", "1"); code != 0 {
		t.Fatalf("approve while backing up: exit %d: %s", code, errOut)
	}
	waitFor(t, "six backups", 30*time.Second, func() bool { return strings.Count(f.log.String(), "its audit trail verifies") >= 6 })
	if strings.Contains(f.log.String(), "backup failed") {
		t.Errorf("a backup failed:\n%s", f.log.String())
	}
	ctxShutdown(t, f)
	backups, err := filepath.Glob(filepath.Join(dir, "relman-*.db"))
	if err != nil {
		t.Fatal(err)
	}
	if len(backups) != 3 {
		t.Errorf("%d backups kept, want 3: %v", len(backups), backups)
	}
	for _, b := range backups {
		st, err := store.Open(b)
		if err != nil {
			t.Errorf("backup %s: %v", b, err)
			continue
		}
		if res, err := st.Verify(); err != nil || !res.OK {
			t.Errorf("backup %s does not verify: %+v, %v", b, res, err)
		}
	}
	if data, err := os.ReadFile(other); err != nil || string(data) != "keep me" {
		t.Errorf("pruning touched another file in the backup folder: %q, %v", data, err)
	}
}

// ctxShutdown shuts the fixture's server down, failing the test on error.
func ctxShutdown(t *testing.T, f *fixture) {
	t.Helper()
	if err := f.srv.Shutdown(t.Context()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
