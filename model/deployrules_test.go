package model

import (
	"errors"
	"strings"
	"testing"
)

func TestDeploymentApprovals(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	d, ch, err := NewDeploymentRecord(1, approved, uat, prod, DeploymentFields{}, "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	if d.TestLevel != RunLocalTests || d.Status != DeployDraft || ch.Action != "create" || len(d.Approvers) != 2 {
		t.Fatalf("new deployment = %+v", d)
	}
	if _, _, err := NewDeploymentRecord(2, fixture(t, "submit"), uat, prod, DeploymentFields{}, "alice", t0); !errors.Is(err, ErrNotApproved) {
		t.Fatalf("deployment of an unapproved CR: %v", err)
	}
	if _, _, err := NewDeploymentRecord(2, approved, uat, prod, DeploymentFields{TestLevel: RunSpecifiedTests}, "alice", t0); !errors.Is(err, ErrTestsRequired) {
		t.Fatalf("RunSpecifiedTests without tests: %v", err)
	}
	if _, _, err := NewDeploymentRecord(2, approved, uat, prod, DeploymentFields{TestLevel: "RunSomeTests"}, "alice", t0); !errors.Is(err, ErrInvalidTestLevel) {
		t.Fatalf("bad test level: %v", err)
	}
	if _, _, err := NewDeploymentRecord(2, approved, uat, uat, DeploymentFields{}, "alice", t0); !errors.Is(err, ErrSameEnvironment) {
		t.Fatalf("same environments: %v", err)
	}
	if sb, _, err := NewDeploymentRecord(2, approved, prod, uat, DeploymentFields{}, "alice", t0); err != nil || sb.TestLevel != NoTestRun {
		t.Fatalf("sandbox target default level: %v %v", sb.TestLevel, err)
	}

	if _, _, err := SubmitDeployment(d, approved, "bob", t0); !errors.Is(err, ErrNotRequester) {
		t.Fatalf("submit by another user: %v", err)
	}
	d, _, err = SubmitDeployment(d, approved, "alice", t0)
	if err != nil || d.Status != DeployPending {
		t.Fatalf("submit: %v %s", err, d.Status)
	}
	if _, _, err := ApproveDeployment(d, "alice", "", t0); !errors.Is(err, ErrSelfApproval) {
		t.Fatalf("self approval: %v", err)
	}
	if _, _, err := RejectDeployment(d, "bob", "", t0); !errors.Is(err, ErrCommentRequired) {
		t.Fatalf("reject without comment: %v", err)
	}
	d, _, _ = ApproveDeployment(d, "bob", "", t0)
	d, _, err = ApproveDeployment(d, "carol", "", t0)
	if err != nil || d.Status != DeployApproved || !d.IsApproved() {
		t.Fatalf("approved: %v %s", err, d.Status)
	}
	changed := d
	changed.TestLevel = NoTestRun
	if changed.IsApproved() {
		t.Fatal("approval survived a change of test level")
	}
	stale := approved
	stale.Overview = "changed"
	draft, _, _ := NewDeploymentRecord(3, approved, uat, prod, DeploymentFields{}, "alice", t0)
	if _, _, err := SubmitDeployment(draft, stale, "alice", t0); !errors.Is(err, ErrNotApproved) {
		t.Fatalf("submit while the CR's approval no longer holds: %v", err)
	}
}

// TestNoTestRunRefusedForProduction: refused when the record is created
// and, for a record made before the rule, when a step would run.
func TestNoTestRunRefusedForProduction(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	_, _, err := NewDeploymentRecord(1, approved, uat, prod, DeploymentFields{TestLevel: NoTestRun}, "alice", t0)
	if !errors.Is(err, ErrNoTestRunInProduction) || !strings.Contains(err.Error(), "RunLocalTests") {
		t.Fatalf("NoTestRun to production: %v", err)
	}
	if _, _, err := NewDeploymentRecord(1, approved, prod, uat, DeploymentFields{TestLevel: NoTestRun}, "alice", t0); err != nil {
		t.Fatalf("NoTestRun to a sandbox: %v", err)
	}
	d, _, err := NewDeploymentRecord(1, approved, uat, prod, DeploymentFields{}, "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	d.TestLevel = NoTestRun // as an older record may hold
	if err := CanDeploy(d, approved, KindProduction, false); !errors.Is(err, ErrNoTestRunInProduction) {
		t.Errorf("run with NoTestRun to production: %v", err)
	}
	if err := CanDeploy(d, approved, KindSandbox, false); errors.Is(err, ErrNoTestRunInProduction) {
		t.Errorf("a sandbox target: %v", err)
	}
}

func TestCoverageSummary(t *testing.T) {
	c := &Coverage{Covered: 46, Lines: 71, OrgWide: true, Below: []ClassCoverage{{Type: "ApexClass", Name: "Untested", Lines: 20}}}
	if got := CoverageSummary(nil, c); got != "" {
		t.Errorf("no warnings: %q", got)
	}
	if got := CoverageSummary([]string{"x"}, c); got != "coverage 64% org-wide (75% required); under 75%: ApexClass Untested 0%" {
		t.Errorf("summary %q", got)
	}
	if got := CoverageSummary([]string{"Foo: Test coverage of selected Apex Class is 0%"}, nil); got != "coverage: Foo: Test coverage of selected Apex Class is 0%" {
		t.Errorf("without figures %q", got)
	}
	perClass := &Coverage{Covered: 46, Lines: 71, Below: []ClassCoverage{{Type: "ApexClass", Name: "Greeter", Covered: 1, Lines: 4}}}
	if got := CoverageSummary([]string{"Greeter: Test coverage of selected Apex Class is 25%"}, perClass); got != "coverage under 75%: ApexClass Greeter 25%" {
		t.Errorf("per-class summary %q", got)
	}
	lines := CoverageDetails(c)
	if len(lines) != 2 || lines[0].String() != "org-wide coverage: 64% (46 of 71 lines), 75% required" || lines[1].String() != "ApexClass Untested: 0% (0 of 20 lines)" {
		t.Errorf("details %v", lines)
	}
}

// TestQuickDeployNeedsTests: like the org, relman quick-deploys only a
// validation that ran Apex tests.
func TestQuickDeployNeedsTests(t *testing.T) {
	d := DeploymentRecord{ValidationID: "0Af1", TestLevel: NoTestRun, Package: &Package{SHA256: "p"}, ValidatedPackage: "p",
		ValidatedAt: t0, ValidatedTarget: "h"}
	if why := QuickDeployProblem(d, "h", t0); !strings.Contains(why, "ran no Apex tests") {
		t.Errorf("NoTestRun validation: %q", why)
	}
	d.TestLevel = RunLocalTests
	if why := QuickDeployProblem(d, "h", t0); why != "" {
		t.Errorf("validation with tests: %q", why)
	}
}
