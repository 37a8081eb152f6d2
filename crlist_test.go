package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"relman/ui/uitest"
)

// TestCRListStreamsWithADefaultLimit: `cr list` shows the 50 most recent
// and says how to see more; --all streams every one (table and JSON, read
// a chunk at a time); --limit and --all together are refused.
func TestCRListStreamsWithADefaultLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relman.db")
	uitest.BulkCRs(t, path, 2500)
	c := newCLI(t, path)

	r := c.run("alice", "cr", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 52 || !strings.HasPrefix(lines[1], "CR-2500") || !strings.Contains(lines[51], "--all") {
		t.Fatalf("cr list: %d, %d lines:\n%s%s", r.code, len(lines), r.stdout, r.stderr)
	}
	r = c.run("alice", "cr", "list", "--all")
	lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2501 || !strings.HasPrefix(lines[2500], "CR-0001") {
		t.Fatalf("cr list --all: %d, %d lines, last %q", r.code, len(lines), lines[len(lines)-1])
	}
	// Aligned across chunks (of 1000): the UPDATED column starts at the
	// same place in the first and the third.
	if i, j := strings.Index(lines[1], " 2025-"), strings.Index(lines[2400], " 2025-"); i < 0 || i != j {
		t.Errorf("columns move between chunks:\n%s\n%s", lines[1], lines[2400])
	}
	r = c.run("alice", "cr", "list", "--all", "--status", "pending approval", "--json")
	var env struct {
		Status int `json:"status"`
		Result []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &env); err != nil || r.code != 0 {
		t.Fatalf("cr list --all --json: %d %v\n%.400s", r.code, err, r.stdout)
	}
	if len(env.Result) != 2500/6+1 || env.Result[0].ID != "CR-2497" || env.Result[len(env.Result)-1].ID != "CR-0001" {
		t.Fatalf("pending, all: %d, %+v … %+v", len(env.Result), env.Result[0], env.Result[len(env.Result)-1])
	}
	for _, cr := range env.Result {
		if cr.Status != "Pending Approval" {
			t.Fatalf("%s is %s", cr.ID, cr.Status)
		}
	}
	r = c.run("alice", "cr", "list", "--limit", "7", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &env); err != nil || len(env.Result) != 7 {
		t.Fatalf("--limit 7: %d %v", len(env.Result), err)
	}
	if r := c.run("alice", "cr", "list", "--all", "--limit", "3"); r.code != 2 || !strings.Contains(r.stderr, "not both") {
		t.Fatalf("--all --limit: %d %s", r.code, r.stderr)
	}
	r = c.run("alice", "cr", "list", "--status", "cancelled", "--env", "nowhere", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &env); err != nil || len(env.Result) != 0 {
		t.Fatalf("nothing matches: %v\n%s", err, r.stdout)
	}
}
