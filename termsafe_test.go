package main

import (
	"encoding/csv"
	"strings"
	"testing"
)

// TestNamesReachTheTerminalEscaped: a name built to rewrite the screen is
// shown with its control characters as text, and a comment a spreadsheet
// would run as a formula is exported as text.
func TestNamesReachTheTerminalEscaped(t *testing.T) {
	c := newCLI(t, tempStore(t))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	evil := "Fix\x1b[2K\rApproved by bob"
	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", evil, "--approver", "bob", "--component", "ApexClass:InvoiceService")
	c.ok("alice", nil, "cr", "submit", cr.ID)
	c.ok("bob", nil, "cr", "reject", cr.ID, "--comment", `=HYPERLINK("http://evil.example","ok")`)
	for _, args := range [][]string{{"cr", "list"}, {"cr", "show", cr.ID}, {"audit"}} {
		r := c.run("alice", args...)
		if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\r") {
			t.Errorf("relman %s: exit %d, raw control characters in %q", strings.Join(args, " "), r.code, r.stdout)
		}
		if args[0] == "cr" && !strings.Contains(r.stdout, `Fix\x1b[2K\rApproved`) {
			t.Errorf("relman %s does not show the name escaped:\n%s", strings.Join(args, " "), r.stdout)
		}
	}
	r := c.run("alice", "audit", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if r.code != 0 || err != nil {
		t.Fatalf("audit --format csv: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	found := false
	for _, row := range rows[1:] {
		for _, cell := range row {
			if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "-") || strings.HasPrefix(cell, "@") {
				t.Errorf("CSV cell %q would run as a formula", cell)
			}
		}
		if row[5] == "reject" {
			found = strings.Contains(row[6], "HYPERLINK")
		}
	}
	if !found {
		t.Errorf("the rejection and its comment are not in the CSV:\n%s", r.stdout)
	}
}
