package store

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBackupWhileWriting: copies taken while another goroutine keeps
// writing each open and verify, and each holds a prefix of the trail.
func TestBackupWhileWriting(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := createCR(s, "alice", "busy", t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	dir := t.TempDir()
	var last int
	for i := range 5 {
		dst := filepath.Join(dir, "copy.db")
		if _, err := s.Backup(dst); err != nil {
			t.Fatal(err)
		}
		cp, err := Open(dst)
		if err != nil {
			t.Fatalf("copy %d does not open: %v", i, err)
		}
		res, err := cp.Verify()
		if err != nil || !res.OK {
			t.Fatalf("copy %d: Verify = %+v, %v", i, res, err)
		}
		if res.Events < last {
			t.Errorf("copy %d has %d events, an earlier one had %d", i, res.Events, last)
		}
		last = res.Events
		if info, _ := os.Stat(dst); info.Mode().Perm() != 0o600 {
			t.Errorf("copy mode %v, want 0600", info.Mode().Perm())
		}
	}
	close(stop)
	wg.Wait()
	if _, err := s.Backup(s.Path()); err == nil || !strings.Contains(err.Error(), "the store itself") {
		t.Errorf("backup onto the store itself = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("backup left its temporary file %s", e.Name())
		}
	}
}
