package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/identity/identitytest"
)

// TestMonitorJourney: an out-of-band change in a running simulated
// production org is found by `relman monitor`, is non-compliant with its
// reason and who made it, shows in the lists and exports (CSV cells
// neutralised), and is resolved by an approver; the policy is changed by
// an admin only; `monitor --every` stops cleanly on Ctrl-C.
func TestMonitorJourney(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relman.db")
	c := newCLI(t, path)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := identitytest.RegisterRoles(st, "erin", model.RoleRequester); err != nil {
		t.Fatal(err)
	}
	dir, _ := c.faultyOrg(t, "production", "production", "1")

	var base struct {
		Baseline   bool
		Components int
	}
	c.ok("alice", &base, "monitor", "production")
	if !base.Baseline || base.Components < 20 {
		t.Fatalf("baseline: %+v", base)
	}

	flow := filepath.Join(dir, "force-app/main/default/flows/Invoice_Before_Save.flow-meta.xml")
	body, err := os.ReadFile(flow)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(flow, []byte(strings.Replace(string(body), "</Flow>", "<!-- edited in Setup -->\n</Flow>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Who the org reports is outside input: a formula must not run in a
	// spreadsheet opening the export.
	if err := os.WriteFile(filepath.Join(dir, ".sim-admin"), []byte("=HYPERLINK(\"x\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var run struct {
		NonCompliant int
		Changes      []struct {
			ID, Status, Reason, Who string
			Component               struct{ Type, FullName string }
		}
	}
	c.ok("alice", &run, "monitor", "production")
	if run.NonCompliant != 1 || len(run.Changes) != 1 || run.Changes[0].Component.FullName != "Invoice_Before_Save" ||
		run.Changes[0].Who != "=HYPERLINK(\"x\")" || !strings.Contains(run.Changes[0].Reason, "no change request") {
		t.Fatalf("after the out-of-band edit: %+v", run)
	}
	id := model.FormatID(model.PrefixChangeLog, 1)

	csv := c.run("alice", "changes", "list", "--status", "non-compliant", "--format", "csv")
	if csv.code != 0 || !strings.Contains(csv.stdout, "CH-0001") || !strings.Contains(csv.stdout, `"'=HYPERLINK(""x"")"`) {
		t.Fatalf("csv export (exit %d):\n%s%s", csv.code, csv.stdout, csv.stderr)
	}
	md := c.run("alice", "changes", "list", "--format", "md")
	if md.code != 0 || !strings.Contains(md.stdout, "| CH-0001 | production | Flow:Invoice_Before_Save |") {
		t.Fatalf("md export:\n%s", md.stdout)
	}
	show := c.run("alice", "changes", "show", id)
	if show.code != 0 || !strings.Contains(show.stdout, "+<!-- edited in Setup -->") || !strings.Contains(show.stdout, "non-compliant") {
		t.Fatalf("changes show:\n%s%s", show.stdout, show.stderr)
	}

	c.refused("erin", 1, "NotAllowedError", "changes", "resolve", id, "--note", "fine")
	c.refused("erin", 1, "NotAllowedError", "policy", "set", "automation", "full")
	if r := c.run("bob", "changes", "resolve", id); r.code != 2 {
		t.Fatalf("resolve without --note exited %d", r.code)
	}
	var resolved struct{ Status, ResolvedBy string }
	c.ok("bob", &resolved, "changes", "resolve", id, "--note", "reverted in the next release")
	if resolved.Status != "resolved" || resolved.ResolvedBy != "bob" {
		t.Fatalf("resolved: %+v", resolved)
	}

	var policy struct {
		Levels []struct{ Category, Level string }
	}
	c.ok("alice", &policy, "policy", "set", "automation", "log-only")
	c.ok("alice", nil, "policy", "type", "Layout", "control")
	c.ok("bob", &policy, "policy", "show")
	if policy.Levels[1].Category != "Automation" || policy.Levels[1].Level != "log-only" {
		t.Fatalf("policy: %+v", policy)
	}

	today := time.Now().UTC().Format("2006-01-02")
	rep := c.run("bob", "report", "compliance", "--from", today, "--to", today)
	if rep.code != 0 || !strings.Contains(rep.stdout, "1 change detected") || !strings.Contains(rep.stdout, "Automation") {
		t.Fatalf("report:\n%s%s", rep.stdout, rep.stderr)
	}

	// --every keeps going until interrupted, then stops cleanly.
	r, took := c.interruptAfter(3*time.Second, 10*time.Second, "alice", "monitor", "production", "--every", "15m")
	if r.hung || r.code != 0 || !strings.Contains(r.stderr, "monitor: stopped") || !strings.Contains(r.stdout, "0 changes") {
		t.Fatalf("monitor --every after Ctrl-C (%s): exit %d hung=%v\n%s%s", took, r.code, r.hung, r.stdout, r.stderr)
	}

	var v struct{ OK bool }
	c.ok("bob", &v, "audit", "--verify")
	if !v.OK {
		t.Fatal("audit --verify failed after monitoring, resolving and policy changes")
	}
}
