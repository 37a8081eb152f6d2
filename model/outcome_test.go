package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
)

func TestBoundMessageCutsAndNotesTheSize(t *testing.T) {
	long := strings.Repeat("é", MaxStoredMessage) // 2 bytes each: the cut falls mid-rune
	got := BoundMessage(long)
	if len(got) > MaxStoredMessage+64 || !strings.Contains(got, "[cut: 32768 bytes in all]") || !strings.HasPrefix(got, "éé") {
		t.Errorf("BoundMessage kept %d bytes ending %q", len(got), got[len(got)-40:])
	}
	if strings.ContainsRune(got, '\uFFFD') {
		t.Error("the cut split a rune")
	}
	if s := "short"; BoundMessage(s) != s {
		t.Error("a short message changed")
	}
}

func TestOutcomeUnknownBlocksUntilAbandonedWithAReason(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := DeploymentRecord{ID: 7, Status: DeployInProgress}
	l := DeploymentLog{ID: 3, Deployment: 7, Kind: LogDeploy, Status: LogInProgress, Started: now}
	if !l.OutcomeUnknown() || !l.Blocking() {
		t.Fatal("an open deploy log without a job id must be outcome-unknown and block")
	}
	if v := (DeploymentLog{Kind: LogValidate, Started: now}); v.OutcomeUnknown() || v.Blocking() {
		t.Error("a validation without a job id changed nothing: it must not block")
	}
	d, l, _ = MarkOutcomeUnknown(d, l, "EOF", now)
	if d.Status != DeployOutcomeUnknown || l.Status != LogOutcomeUnknown || !l.Running() {
		t.Fatalf("after a lost answer: %s / %s (running %v)", d.Status, l.Status, l.Running())
	}
	if _, _, _, err := Abandon(d, l, "alice", "  ", now); !errors.Is(err, ErrAbandonReason) {
		t.Errorf("abandon without a reason = %v", err)
	}
	d2, l2, changes, err := Abandon(d, l, "alice", "not in Deployment Status", now)
	if err != nil || d2.Status != DeployApproved || l2.Status != LogAbandoned || l2.Running() || len(changes) != 2 ||
		changes[1].Details["reason"] != "not in Deployment Status" {
		t.Fatalf("abandon = %v, %s / %s, %v", err, d2.Status, l2.Status, changes)
	}
	if _, _, _, err := Abandon(d2, l2, "alice", "again", now); !errors.Is(err, ErrNotAbandonable) {
		t.Errorf("abandoning a closed attempt = %v", err)
	}
}

func TestRedeployNeedsAReasonOnlyAfterTheTargetWasReached(t *testing.T) {
	if err := CheckRedeploy(DeploymentRecord{Status: DeployDeployed}, ""); !errors.Is(err, ErrRedeployNeedsReason) {
		t.Errorf("redeploy of a Deployed record without a reason = %v", err)
	}
	for _, st := range []DeploymentStatus{DeployApproved, DeployFailed} {
		if err := CheckRedeploy(DeploymentRecord{Status: st}, ""); err != nil {
			t.Errorf("%s: %v", st, err)
		}
	}
}

func TestScopeDifferenceListsEverythingUnapproved(t *testing.T) {
	c := func(s string) metadata.Component {
		typ, name, _ := strings.Cut(s, ":")
		return metadata.Component{Type: typ, FullName: name}
	}
	d := DeploymentRecord{Components: []metadata.Component{c("ApexClass:A")}, Destructive: []metadata.Component{c("ApexClass:Old")}}
	got := ScopeDifference(d, []metadata.Component{c("ApexClass:A"), c("ApexClass:Backdoor")},
		[]metadata.Component{c("ApexClass:Old"), c("ApexClass:Important")}, []metadata.Component{c("ApexClass:A"), c("ApexClass:Hidden")}, []string{"ApexClass:*"})
	want := []string{"deletion not approved: ApexClass:Important", "files of ApexClass:Hidden, which package.xml does not list",
		"not approved: ApexClass:Backdoor", "wildcard member ApexClass:*"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ScopeDifference =\n %q\nwant\n %q", got, want)
	}
	if got := ScopeDifference(d, []metadata.Component{c("ApexClass:A")}, []metadata.Component{c("ApexClass:Old")}, []metadata.Component{c("ApexClass:A")}, nil); len(got) != 0 {
		t.Errorf("the exact scope differs: %q", got)
	}
}

func TestBindContentSendsChangedContentBackForApproval(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := DeploymentRecord{ID: 1, Status: DeployApproved, ApprovalStatus: ApprovalApproved, ValidationID: "0Af1",
		Approvers: []Approver{{User: "bob", Decision: DecisionApproved, At: now}}}
	reviewed := map[string]string{"ApexClass:A": "h1"}
	bound, changed, _ := BindContent(d, reviewed, map[string]string{"ApexClass:A": "h1", "ApexClass:B": "h2"}, now)
	if len(changed) != 0 || bound.ApprovedContent["ApexClass:B"] != "h2" || bound.Status != DeployApproved {
		t.Fatalf("same reviewed content: changed %v, bound %v, %s", changed, bound.ApprovedContent, bound.Status)
	}
	back, changed, _ := BindContent(bound, nil, map[string]string{"ApexClass:A": "h1", "ApexClass:B": "h3"}, now)
	if len(changed) != 1 || changed[0] != "ApexClass:B" || back.Status != DeployPending || back.ApprovalStatus != ApprovalPending ||
		back.Approvers[0].Decision != DecisionNone || back.ValidationID != "" || back.ApprovedContent["ApexClass:B"] != "h3" {
		t.Fatalf("changed content: changed %v, %s/%s, %+v, validation %q", changed, back.Status, back.ApprovalStatus, back.Approvers, back.ValidationID)
	}
	if diff := ContentDiffers(back, map[string]string{"ApexClass:A": "h1", "ApexClass:B": "h3"}); len(diff) != 0 {
		t.Errorf("the content the approval now binds differs: %v", diff)
	}
}

// A rollback is a deploy too: its lost answer blocks like one, but closing
// it (not started, or abandoned) leaves the deployment record's status as
// it was; a rollback already sent cannot be run again.
func TestLostRollbackKeepsTheDeploymentStatus(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := DeploymentRecord{ID: 7, Status: DeployVerified}
	l := DeploymentLog{ID: 4, Deployment: 7, Kind: LogRollback, Status: LogRollbackInProgress, Started: now}
	if !l.OutcomeUnknown() || !l.Blocking() {
		t.Fatal("an open rollback log without a job id must be outcome-unknown and block")
	}
	d, l, _ = MarkOutcomeUnknown(d, l, "EOF", now)
	if d.Status != DeployVerified || l.Status != LogOutcomeUnknown {
		t.Fatalf("after a lost rollback answer: %s / %s", d.Status, l.Status)
	}
	if d2, l2, _ := NotStarted(d, l, "no such deploy", now); d2.Status != DeployVerified || l2.Status != LogRollbackFailed {
		t.Errorf("a rollback the org never started: %s / %s, want Verified / %s", d2.Status, l2.Status, LogRollbackFailed)
	}
	if d2, _, _, err := Abandon(d, l, "alice", "not in Deployment Status", now); err != nil || d2.Status != DeployVerified {
		t.Errorf("abandoned rollback: %v, %s", err, d2.Status)
	}
	for status, want := range map[RollbackStatus]*RuleError{RollbackOutcomeUnknown: ErrOutcomeUnknown, RollbackInProgress: ErrDeployRunning, RollbackDone: ErrAlreadyVerified} {
		err := CanRunRollback(Rollback{ID: 2, Status: status})
		if !errors.Is(err, want) || (want != ErrAlreadyVerified && !strings.Contains(err.Error(), "rollback resume RB-0002")) {
			t.Errorf("running a rollback that is %s = %v, want %s naming `rollback resume`", status, err, want.Code)
		}
	}
}
