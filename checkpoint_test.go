package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckpointCatchesAnOldCopy: an older copy of the store put back has a
// whole, signed chain — only a checkpoint kept elsewhere tells it lacks the
// newer events, and says which. relman backup makes such a copy safely.
func TestCheckpointCatchesAnOldCopy(t *testing.T) {
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", "Region", "--component", "ApexClass:InvoiceService", "--approver", "bob")

	old := filepath.Join(t.TempDir(), "backups", "old.db")
	var b struct {
		File   string
		Events int
		OK     bool
	}
	c.ok("carol", &b, "backup", old)
	if !b.OK || b.Events != 6 || b.File != old {
		t.Fatalf("backup = %+v, want 6 verified events in %s", b, old)
	}
	if info, err := os.Stat(old); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", info, err)
	}

	c.ok("alice", nil, "cr", "submit", cr.ID)
	c.ok("bob", nil, "cr", "approve", cr.ID)
	r := c.run("carol", "audit", "checkpoint")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "relman audit checkpoint v1\nseq 8\n") || !strings.Contains(r.stdout, "BEGIN SSH SIGNATURE") {
		t.Fatalf("audit checkpoint: %d %q %s", r.code, r.stdout, r.stderr)
	}
	cp := filepath.Join(t.TempDir(), "checkpoint.txt")
	if err := os.WriteFile(cp, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	var v struct {
		OK         bool
		Checkpoint uint64
	}
	c.ok("auditor", &v, "audit", "--verify", "--checkpoint", cp)
	if !v.OK || v.Checkpoint != 8 {
		t.Fatalf("verify against the checkpoint = %+v", v)
	}

	// The old copy put back: its chain is whole, only the checkpoint knows.
	data, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.store, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("auditor", &v, "audit", "--verify")
	msg := c.refused("auditor", 1, "RelmanError", "audit", "--verify", "--checkpoint", cp)
	if !strings.Contains(msg, "events 7 to 8 are missing") || !strings.Contains(msg, "older copy") {
		t.Errorf("verify of the old copy against the checkpoint: %q", msg)
	}

	// A checkpoint edited by hand proves nothing.
	forged := strings.Replace(r.stdout, "seq 8", "seq 6", 1)
	if err := os.WriteFile(cp, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	msg = c.refused("auditor", 1, "RelmanError", "audit", "--verify", "--checkpoint", cp)
	if !strings.Contains(msg, "checkpoint") {
		t.Errorf("verify against an edited checkpoint: %q", msg)
	}
	var list []json.RawMessage
	c.ok("auditor", &list, "audit")
	if len(list) != 6 {
		t.Errorf("the old copy holds %d events, want 6", len(list))
	}
}
