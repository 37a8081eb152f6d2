package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relman/model"
	"relman/store"
	"relman/ui/identity/identitytest"
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

// TestVerifyStartsFromTheKeptCheckpoint: an admin's checkpoint is kept in
// the store; verify then checks the signatures after it (and of the user
// events) and says whose checkpoint vouched for the rest; --full checks
// every one. A requester's checkpoint is written out but not kept.
func TestVerifyStartsFromTheKeptCheckpoint(t *testing.T) {
	path := tempStore(t)
	c := newCLI(t, path)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := identitytest.RegisterRoles(st, "erin", model.RoleRequester); err != nil {
		t.Fatal(err)
	}
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	var cp struct {
		Seq  uint64
		User string
		Kept bool
	}
	c.ok("erin", &cp, "audit", "checkpoint")
	if cp.Kept {
		t.Errorf("erin's checkpoint (a requester's) was kept: %+v", cp)
	}
	c.ok("alice", &cp, "audit", "checkpoint")
	if !cp.Kept || cp.Seq != 6 || cp.User != "alice" {
		t.Fatalf("alice's checkpoint = %+v, want event 6 kept", cp)
	}
	c.ok("alice", nil, "cr", "new", "--env", "production", "--name", "Region", "--component", "ApexClass:InvoiceService", "--approver", "bob")

	type verified struct {
		Events, Signed, Trusted int
		Full                    bool
		TrustedFrom             *struct {
			Seq  uint64
			User string
		}
		Notes []string
	}
	var v verified
	c.ok("auditor", &v, "audit", "--verify")
	// Events 1-5 are the team's and erin's registrations, 6 the environment.
	if v.Events != 7 || v.TrustedFrom == nil || v.TrustedFrom.Seq != 6 || v.TrustedFrom.User != "alice" || v.Trusted != 1 || v.Signed != 6 || v.Full {
		t.Errorf("verify = %+v, want event 6 trusted from alice's checkpoint, 6 signatures checked", v)
	}
	c.ok("auditor", &v, "audit", "--verify", "--full")
	if v.TrustedFrom != nil || v.Trusted != 0 || v.Signed != 7 || !v.Full {
		t.Errorf("verify --full = %+v, want all 7 signatures checked", v)
	}
	r := c.run("auditor", "audit", "--verify")
	if r.code != 0 || !strings.Contains(r.stdout, "Signatures checked: 6") || !strings.Contains(r.stdout, "checkpoint alice made") {
		t.Errorf("verify's text: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = c.run("auditor", "audit", "--full")
	if r.code == 0 || !strings.Contains(r.stderr, "--full go with --verify") {
		t.Errorf("audit --full alone: %d %s", r.code, r.stderr)
	}
}
