package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGlobalFlagsStandBeforeOrAfterTheCommand: `relman --json cr list` and
// `relman cr list --json` are the same command (issue 16, item 14).
func TestGlobalFlagsStandBeforeOrAfterTheCommand(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	for _, args := range [][]string{{"--json", "cr", "list"}, {"cr", "list", "--json"}, {"--user", "alice", "--json", "cr", "list"},
		{"--store", c.store, "cr", "--json", "list"}} {
		r := c.run("alice", args...)
		if r.code != 0 || !strings.Contains(r.stdout, `"status": 0`) {
			t.Errorf("relman %s: %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}

// TestHelpForOneCommand: `relman help CMD` and `relman CMD --help` print
// the command's usage with an example, through the binary.
func TestHelpForOneCommand(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	for _, args := range [][]string{{"help", "deploy", "run"}, {"deploy", "run", "--help"}, {"deploy", "run", "DR-0001", "-h"}} {
		r := c.run("alice", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "usage: relman deploy run ID") ||
			!strings.Contains(r.stdout, "example:\n  relman deploy run DR-0001") {
			t.Errorf("relman %s: %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{{"help", "demo"}, {"demo", "--help"}} {
		if r := c.run("alice", args...); r.code != 0 || !strings.Contains(r.stdout, "usage: relman demo") || !strings.Contains(r.stdout, "example:") {
			t.Errorf("relman %s: %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	if r := c.run("alice", "help"); r.code != 0 || !strings.Contains(r.stdout, "relman help CMD") {
		t.Errorf("relman help: %d\n%s", r.code, r.stdout)
	}
}

// TestREADMEIsSelfContained: a user cloning the project has no ../shared;
// the README says what matters to them itself.
func TestREADMEIsSelfContained(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(readme), "../shared") {
		t.Error("README.md points at ../shared, which a clone does not have")
	}
	for _, section := range []string{"## The process and its rules", "## Command line", "### Rules enforced"} {
		if !strings.Contains(string(readme), "\n"+section+"\n") {
			t.Errorf("README.md has no %q section", section)
		}
	}
}
