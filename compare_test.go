package main

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// manifestMembers reads a package.xml-shaped file as "Type:member" strings.
func manifestMembers(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	var pkg struct {
		Types []struct {
			Members []string `xml:"members"`
			Name    string   `xml:"name"`
		} `xml:"types"`
	}
	if err := xml.Unmarshal(b, &pkg); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, ty := range pkg.Types {
		for _, m := range ty.Members {
			out = append(out, ty.Name+":"+m)
		}
	}
	sort.Strings(out)
	return out
}

// TestCompareListsWhatAnEngineerWouldDeploy compares generated trees whose
// differences are known and checks that --package-xml lists exactly the
// members a hand-built manifest would: changed and new components to
// deploy, components deleted in the source to destroy — each changed
// CustomLabel on its own, not the whole labels file.
func TestCompareListsWhatAnEngineerWouldDeploy(t *testing.T) {
	dir := t.TempDir()
	src, tgt, deploy, destroy := genTrees(t, dir, smallSize)
	c := relmanCLI{t: t, store: filepath.Join(dir, "no-store", "relman.db")}
	pkg := filepath.Join(dir, "pkg")
	var out struct {
		Summary map[string]int `json:"summary"`
	}
	c.ok("alice", &out, "compare", src, tgt, "--package-xml", pkg)
	if got := manifestMembers(t, filepath.Join(pkg, "package.xml")); strings.Join(got, "\n") != strings.Join(deploy, "\n") {
		t.Fatalf("package.xml members:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(deploy, "\n"))
	}
	if got := manifestMembers(t, filepath.Join(pkg, "destructiveChanges.xml")); strings.Join(got, "\n") != strings.Join(destroy, "\n") {
		t.Fatalf("destructiveChanges.xml members:\n%v\nwant:\n%v", got, destroy)
	}
	if out.Summary["onlyInTarget"] != len(destroy) || out.Summary["onlyInSource"]+out.Summary["different"] != len(deploy) {
		t.Fatalf("summary %v for %d to deploy and %d to destroy", out.Summary, len(deploy), len(destroy))
	}
	if _, err := os.Stat(c.store); !os.IsNotExist(err) {
		t.Fatalf("comparing two directories created a store: %v", err)
	}
}

// BenchmarkCompareRealSizeTrees runs `relman compare` and `git diff
// --no-index --stat` on the same two generated real-size trees (≈12,000
// files and ≈75 MB each, ≈2,500 changed files) in one run, reporting each
// one's time and relman's peak memory (budget: no slower than git, ≤ 100 MB).
func BenchmarkCompareRealSizeTrees(b *testing.B) {
	dir := b.TempDir()
	start := time.Now()
	src, tgt, deploy, destroy := genTrees(b, dir, realSize)
	files, bytes := treeSize(b, src)
	b.Logf("generated two trees of %d files / %.0f MB in %s; %d members to deploy, %d to destroy",
		files, float64(bytes)/1e6, time.Since(start).Round(time.Millisecond), len(deploy), len(destroy))
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, env []string, name string, args ...string) *os.ProcessState {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		// git diff exits 1 when the trees differ, which they do.
		if err != nil && !(name == "git" && cmd.ProcessState.ExitCode() == 1) {
			b.Fatalf("%s: %v\n%s", name, err, out)
		}
		return cmd.ProcessState
	}
	b.Run("relman", func(b *testing.B) {
		var peak int64
		for b.Loop() {
			st := run(b, []string{"RELMAN_BE_MAIN=1", "RELMAN_STORE=" + filepath.Join(dir, "none", "relman.db")},
				self, "compare", src, tgt, "--json")
			peak = max(peak, st.SysUsage().(*syscall.Rusage).Maxrss)
		}
		b.ReportMetric(float64(peak)/1024, "peak-MB")
	})
	b.Run("git-diff-stat", func(b *testing.B) {
		if _, err := exec.LookPath("git"); err != nil {
			b.Skip("git is not installed")
		}
		for b.Loop() {
			run(b, nil, "git", "diff", "--no-index", "--stat", src, tgt)
		}
	})
}

func treeSize(b *testing.B, root string) (files int, size int64) {
	err := filepath.WalkDir(root, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return files, size
}

// TestCompareAndDiffOnSampleOrgs checks the compare JSON against cli.md,
// that --ignore-order hides the profile uat only reorders, that a compare
// run for a CR is saved as a Compare Log linked to it, and that diff prints
// a unified diff of one component.
func TestCompareAndDiffOnSampleOrgs(t *testing.T) {
	c := newCLI(t, filepath.Join(t.TempDir(), "relman.db"))
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--dir", copyOrg(t, "uat"))

	type component struct {
		Type     string   `json:"type"`
		FullName string   `json:"fullName"`
		Status   string   `json:"status"`
		Files    []string `json:"files"`
	}
	type compareJSON struct {
		Source     string         `json:"source"`
		Target     string         `json:"target"`
		Summary    map[string]int `json:"summary"`
		CompareLog string         `json:"compareLog"`
		Components []component    `json:"components"`
	}
	status := func(out compareJSON, typ, name string) component {
		for _, c := range out.Components {
			if c.Type == typ && c.FullName == name {
				return c
			}
		}
		t.Fatalf("%s:%s not in the comparison", typ, name)
		return component{}
	}
	var plain, ordered compareJSON
	c.ok("alice", &plain, "compare", "uat", "production")
	if plain.Source != "uat" || plain.Target != "production" || len(plain.Summary) != 4 {
		t.Fatalf("compare result = %+v", plain)
	}
	field := status(plain, "CustomField", "Invoice__c.Due_Date__c")
	if field.Status != "onlyInSource" || len(field.Files) != 1 || field.Files[0] != "objects/Invoice__c/fields/Due_Date__c.field-meta.xml" {
		t.Fatalf("Due_Date__c = %+v", field)
	}
	for _, want := range []struct{ typ, name, status string }{
		{"ApexClass", "InvoiceLegacyExport", "onlyInTarget"},
		{"ApexClass", "InvoiceService", "different"},
		{"CustomLabel", "Invoice_Paid_Message", "different"},
		{"CustomLabel", "Invoice_Overdue_Message", "onlyInSource"},
		{"Profile", "Finance User", "different"},
		{"ApexTrigger", "InvoiceTrigger", "same"},
	} {
		if got := status(plain, want.typ, want.name).Status; got != want.status {
			t.Errorf("%s:%s is %s, want %s", want.typ, want.name, got, want.status)
		}
	}
	c.ok("alice", &ordered, "compare", "uat", "production", "--ignore-order")
	if got := status(ordered, "Profile", "Finance User").Status; got != "same" {
		t.Fatalf("with --ignore-order the reordered profile is %s, want same", got)
	}
	if ordered.Summary["different"] != plain.Summary["different"]-1 {
		t.Fatalf("--ignore-order changed different from %d to %d, want one fewer", plain.Summary["different"], ordered.Summary["different"])
	}

	var cr crJSON
	c.ok("alice", &cr, "cr", "new", "--env", "production", "--name", "Due dates",
		"--component", "ApexClass:InvoiceService", "--proposed", "CustomField:Invoice__c.Due_Date__c")
	var forCR compareJSON
	c.ok("alice", &forCR, "compare", "uat", "production", "--cr", cr.ID)
	if len(forCR.Components) != 2 || forCR.CompareLog == "" {
		t.Fatalf("compare for %s = %+v", cr.ID, forCR)
	}
	var shown struct {
		CompareLogs []string `json:"compareLogs"`
	}
	c.ok("alice", &shown, "cr", "show", cr.ID)
	if len(shown.CompareLogs) != 1 || shown.CompareLogs[0] != forCR.CompareLog {
		t.Fatalf("%s links compare logs %v, want [%s]", cr.ID, shown.CompareLogs, forCR.CompareLog)
	}

	d := c.run("alice", "diff", "uat", "production", "CustomLabel:Invoice_Paid_Message")
	if d.code != 0 || !strings.Contains(d.stdout, "--- production/labels/CustomLabels.labels-meta.xml") ||
		!strings.Contains(d.stdout, "+++ uat/labels/CustomLabels.labels-meta.xml") || !strings.Contains(d.stdout, "\n@@ -") ||
		!strings.Contains(d.stdout, "+    <value>Paid in full on</value>") {
		t.Fatalf("diff exit %d:\n%s%s", d.code, d.stdout, d.stderr)
	}
	c.refused("alice", 2, "UsageError", "diff", "uat", "production", "CustomFeld:Invoice__c.X__c")
}
