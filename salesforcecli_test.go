package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
)

// sfInstallHint says how to get the Salesforce CLI this test drives.
const sfInstallHint = "install the Salesforce CLI (needs Node.js 22 or later) with `npm install -g @salesforce/cli@2.150.6`; see README, \"The Salesforce CLI against relman sim\""

// sfCLI runs the Salesforce CLI in a throwaway home so the user's own sf
// state is never read or changed, with telemetry and auto-update off.
type sfCLI struct {
	t   *testing.T
	env []string
	dir string // the sfdx project, once generated
}

// requireSF skips the test unless sf and a Node.js it runs on are
// installed; nothing is installed here.
func requireSF(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("the Salesforce CLI check takes a minute; run without -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: " + sfInstallHint)
	}
	out, err := exec.Command(node, "--version").Output()
	major, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(strings.TrimSpace(string(out)), ".", 2)[0], "v"))
	if err != nil || major < 22 {
		t.Skipf("node %s is too old for the Salesforce CLI: %s", strings.TrimSpace(string(out)), sfInstallHint)
	}
	if _, err := exec.LookPath("sf"); err != nil {
		t.Skip("sf is not on PATH: " + sfInstallHint)
	}
}

func newSFCLI(t *testing.T, token string) *sfCLI {
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_DATA_HOME=" + filepath.Join(home, ".local/share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "SF_DISABLE_TELEMETRY=true", "SFDX_DISABLE_TELEMETRY=true",
		"SF_AUTOUPDATE_DISABLE=true", "SFDX_AUTOUPDATE_DISABLE=true", "SF_SKIP_NEW_VERSION_CHECK=true",
		"SF_USE_GENERIC_UNIX_KEYCHAIN=true", "SF_ACCESS_TOKEN=" + token, "PATH=" + os.Getenv("PATH")}
	return &sfCLI{t: t, env: env, dir: home}
}

// run runs `sf ARGS --json` and returns the JSON envelope and exit code.
func (c *sfCLI) run(args ...string) (map[string]any, int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sf", append(args, "--json")...)
	cmd.Env, cmd.Dir = c.env, c.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("sf %s: %v", strings.Join(args, " "), err)
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		c.t.Fatalf("sf %s: exit %d, output is not JSON: %v\n%s\n%s", strings.Join(args, " "), code, err, stdout.Bytes(), stderr.Bytes())
	}
	return out, code
}

// ok runs sf and fails the test unless it exits 0; it returns the result.
func (c *sfCLI) ok(args ...string) map[string]any {
	c.t.Helper()
	out, code := c.run(args...)
	if code != 0 || out["status"] != 0.0 {
		c.t.Fatalf("sf %s: exit %d: %v", strings.Join(args, " "), code, out)
	}
	res, _ := out["result"].(map[string]any)
	return res
}

// TestSalesforceCLIAgainstTheSimulator drives the official Salesforce CLI,
// unchanged, against `relman sim` over loopback HTTP: log in with an access
// token, list metadata types, retrieve, dry-run, validate, quick deploy,
// deploy, report, cancel and query — and checks each answer is what a real
// production org gives, coverage and NoTestRun refusals included.
func TestSalesforceCLIAgainstTheSimulator(t *testing.T) {
	requireSF(t)
	org := startSimProcess(t, []string{"sim", "--dir", copyOrg(t, "production"), "--test-ms", "500"}) // long enough to cancel a running deploy
	sf := newSFCLI(t, org.token)

	login := sf.ok("org", "login", "access-token", "--instance-url", org.url, "--alias", "sim", "--set-default", "--no-prompt")
	if login["username"] != "admin@relman.sim" || !strings.HasPrefix(login["orgId"].(string), "00D") {
		t.Fatalf("login: %v", login)
	}

	// Every type of relman's registry is described by the org.
	types := sf.ok("org", "list", "metadata-types")
	listed := map[string]bool{}
	for _, o := range types["metadataObjects"].([]any) {
		listed[o.(map[string]any)["xmlName"].(string)] = true
	}
	for _, typ := range metadata.Types() {
		if !typ.IsChild() && typ.FolderContentType == "" && !listed[typ.Name] {
			t.Errorf("sf org list metadata-types: %s missing", typ.Name)
		}
	}

	// A project as `sf project generate` writes it (sourceApiVersion 68.0).
	sf.ok("project", "generate", "--name", "proj")
	sf.dir = filepath.Join(sf.dir, "proj")
	project, err := os.ReadFile(filepath.Join(sf.dir, "sfdx-project.json"))
	if err != nil || !strings.Contains(string(project), `"sourceApiVersion"`) {
		t.Fatalf("sfdx-project.json: %v %s", err, project)
	}
	retrieved := sf.ok("project", "retrieve", "start", "--metadata", "ApexClass", "--metadata", "ApexTrigger", "--metadata", "CustomObject:Invoice__c")
	if retrieved["status"] != "Succeeded" || retrieved["success"] != true {
		t.Fatalf("retrieve: %v", retrieved["status"])
	}
	if _, err := os.Stat(filepath.Join(sf.dir, "force-app/main/default/classes/InvoiceService.cls")); err != nil {
		t.Fatalf("retrieve wrote no class: %v", err)
	}

	deployed := func(res map[string]any, status string, checkOnly bool, tests float64) {
		t.Helper()
		if res["status"] != status || res["checkOnly"] != checkOnly || res["numberTestsTotal"] != tests || res["numberTestsCompleted"] != tests {
			t.Errorf("want %s checkOnly=%t with %v tests, got %v checkOnly=%v tests %v/%v", status, checkOnly, tests,
				res["status"], res["checkOnly"], res["numberTestsCompleted"], res["numberTestsTotal"])
		}
	}
	// Production runs local tests for a package with Apex (10 methods).
	deployed(sf.ok("project", "deploy", "start", "--dry-run", "--source-dir", "force-app"), "Succeeded", true, 10)
	validation := sf.ok("project", "deploy", "validate", "--source-dir", "force-app", "--test-level", "RunLocalTests")
	deployed(validation, "Succeeded", true, 10)
	deployed(sf.ok("project", "deploy", "quick", "--job-id", validation["id"].(string)), "Succeeded", false, 0)
	deployed(sf.ok("project", "deploy", "start", "--source-dir", "force-app"), "Succeeded", false, 10)
	deployed(sf.ok("project", "deploy", "report", "--job-id", validation["id"].(string)), "Succeeded", true, 10)

	started := sf.ok("project", "deploy", "start", "--async", "--source-dir", "force-app", "--test-level", "RunLocalTests")
	if canceled := sf.ok("project", "deploy", "cancel", "--job-id", started["id"].(string)); canceled["status"] != "Canceled" {
		t.Errorf("cancel: %v", canceled["status"])
	}

	// Production refuses NoTestRun with the real fault.
	out, code := sf.run("project", "deploy", "start", "--source-dir", "force-app", "--test-level", "NoTestRun")
	if msg, _ := out["message"].(string); code == 0 || !strings.Contains(msg, "INVALID_OPERATION: testLevel of NoTestRun cannot be used in production organizations") {
		t.Errorf("NoTestRun to production: exit %d, %v", code, out["message"])
	}

	// A class no test reaches fails validation on coverage alone.
	cls := filepath.Join(sf.dir, "force-app/main/default/classes/Untested.cls")
	src := "public with sharing class Untested {\n    public static Integer count() {\n        Integer n = 0;\n" +
		strings.Repeat("        n += 1;\n", 18) + "        return n;\n    }\n}\n"
	if err := os.WriteFile(cls, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	meta, _ := os.ReadFile(filepath.Join(sf.dir, "force-app/main/default/classes/InvoiceService.cls-meta.xml"))
	if err := os.WriteFile(cls+"-meta.xml", meta, 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = sf.run("project", "deploy", "validate", "--source-dir", "force-app", "--test-level", "RunLocalTests")
	const coverageText = "Average test coverage across all Apex Classes and Triggers is 64%, at least 75% test coverage is required."
	data, _ := out["data"].(map[string]any)
	if msg, _ := out["message"].(string); code == 0 || out["name"] != "FailedValidationError" || !strings.Contains(msg, coverageText) || data["deployId"] == nil {
		t.Fatalf("coverage validation: exit %d, %v: %v", code, out["name"], out["message"])
	}
	out, _ = sf.run("project", "deploy", "report", "--job-id", data["deployId"].(string))
	res, _ := out["result"].(map[string]any)
	if res == nil {
		res, _ = out["data"].(map[string]any)
	}
	details, _ := res["details"].(map[string]any)
	rtr, _ := details["runTestResult"].(map[string]any)
	warnings, _ := rtr["codeCoverageWarnings"].([]any)
	if res["status"] != "Failed" || res["numberComponentErrors"] != 0.0 || res["numberTestErrors"] != 0.0 || len(warnings) != 1 ||
		warnings[0].(map[string]any)["message"] != coverageText || warnings[0].(map[string]any)["name"] != nil {
		t.Errorf("coverage validation report: status %v, %v component and %v test errors, warnings %v", res["status"],
			res["numberComponentErrors"], res["numberTestErrors"], rtr["codeCoverageWarnings"])
	}

	// SOQL through the data API and the Tooling API.
	q := sf.ok("data", "query", "--query", "SELECT Id, Name, IsSandbox FROM Organization")
	if recs, _ := q["records"].([]any); q["totalSize"] != 1.0 || len(recs) != 1 || recs[0].(map[string]any)["IsSandbox"] != false {
		t.Errorf("data query Organization: %v", q)
	}
	q = sf.ok("data", "query", "--use-tooling-api", "--query", "SELECT Name, ApiVersion FROM ApexClass WHERE Name LIKE 'Invoice%' ORDER BY Name")
	if recs, _ := q["records"].([]any); q["totalSize"] != 5.0 || len(recs) != 5 || recs[0].(map[string]any)["Name"] != "InvoiceLegacyExport" {
		t.Errorf("tooling query ApexClass: %v", q)
	}
}
