package model

import (
	"strings"
	"time"

	"relman/model/metadata"
)

// DeploymentScope is what a deployment approval is bound to: the components,
// both environments and the tests that will run.
type DeploymentScope struct {
	Components  []metadata.Component `json:"components"`
	Destructive []metadata.Component `json:"destructive"`
	Source      string               `json:"source"`
	Target      string               `json:"target"`
	TestLevel   TestLevel            `json:"testLevel"`
	Tests       []string             `json:"tests"`
}

// ScopeHash is the SHA-256 (hex) of the deployment's canonical scope.
func (d DeploymentRecord) ScopeHash() string {
	return hashJSON(DeploymentScope{Components: sortedCopy(d.Components), Destructive: sortedCopy(d.Destructive),
		Source: d.Source, Target: d.Target, TestLevel: d.TestLevel, Tests: d.Tests})
}

// IsApproved reports whether every approver approved the current scope.
func (d DeploymentRecord) IsApproved() bool {
	return d.ApprovalStatus == ApprovalApproved && allApproved(d.Approvers, d.ScopeHash())
}

// DeploymentFields is what `deploy new` asks for.
type DeploymentFields struct {
	TestLevel TestLevel
	Tests     []string
}

// NewDeploymentRecord creates a Draft deployment of an approved change
// request's components from source to target. The CR's approvers (minus the
// actor, who requests it) approve it.
func NewDeploymentRecord(id int64, cr ChangeRequest, source, target Environment, f DeploymentFields, actor string, now time.Time) (DeploymentRecord, Change, error) {
	if cr.CompletionStatus != CompletionInProgress {
		return DeploymentRecord{}, Change{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if !cr.IsApproved() {
		return DeploymentRecord{}, Change{}, ErrNotApproved.With(cr.Key() + " is " + string(cr.Status()) + staleNote(cr))
	}
	if source.Name == target.Name {
		return DeploymentRecord{}, Change{}, ErrSameEnvironment.With(source.Name + " twice")
	}
	level, tests, err := checkTests(f, target.Kind)
	if err != nil {
		return DeploymentRecord{}, Change{}, err
	}
	d := DeploymentRecord{ID: id, CR: cr.ID, Source: source.Name, Target: target.Name,
		Components: sortedCopy(cr.Components()), TestLevel: level, Tests: tests, Requester: actor,
		Approvers: resetDecisions(cr.Approvers), ApprovalStatus: ApprovalNone, Status: DeployDraft,
		CreatedAt: now, UpdatedAt: now}
	if i := approverIndex(d.Approvers, actor); i >= 0 {
		d.Approvers = append(d.Approvers[:i], d.Approvers[i+1:]...)
	}
	return d, Change{Entity: EntityDeployment, EntityID: d.Key(), Action: "create", Details: map[string]string{
		"cr": cr.Key(), "source": d.Source, "target": d.Target, "testLevel": string(d.TestLevel),
		"components": joinComponents(d.Components)}}, nil
}

func checkTests(f DeploymentFields, target EnvKind) (TestLevel, []string, error) {
	level := f.TestLevel
	if level == "" {
		level = DefaultTestLevel(target)
	}
	valid := false
	for _, l := range TestLevels {
		valid = valid || l == level
	}
	if !valid {
		return "", nil, ErrInvalidTestLevel.With(string(level))
	}
	var tests []string
	for _, t := range f.Tests {
		if t = strings.TrimSpace(t); t != "" {
			tests = append(tests, t)
		}
	}
	if level == RunSpecifiedTests && len(tests) == 0 {
		return "", nil, ErrTestsRequired
	}
	if level != RunSpecifiedTests && len(tests) > 0 {
		return "", nil, ErrInvalidTestLevel.With("--tests needs --test-level RunSpecifiedTests")
	}
	return level, tests, nil
}

// SubmitDeployment sends a Draft (or Rejected) deployment for approval. Its
// change request must still be approved.
func SubmitDeployment(d DeploymentRecord, cr ChangeRequest, actor string, now time.Time) (DeploymentRecord, Change, error) {
	if !SameUser(actor, d.Requester) {
		return d, Change{}, ErrNotRequester.With(d.Key() + " was requested by " + d.Requester)
	}
	if d.Status != DeployDraft && d.Status != DeployRejected {
		return d, Change{}, ErrNotSubmittable.With(d.Key() + " is " + string(d.Status))
	}
	if !cr.IsApproved() {
		return d, Change{}, ErrNotApproved.With(cr.Key() + " is " + string(cr.Status()) + staleNote(cr))
	}
	if len(d.Approvers) == 0 {
		return d, Change{}, ErrNoApprovers.With(d.Key() + " lists no approvers")
	}
	out := d
	out.ApprovalStatus, out.Status = ApprovalPending, DeployPending
	out.Approvers = resetDecisions(d.Approvers)
	out.UpdatedAt = now
	return out, Change{Entity: EntityDeployment, EntityID: d.Key(), Action: "submit",
		Details: map[string]string{"scopeHash": out.ScopeHash()}}, nil
}

// ApproveDeployment records actor's approval of the deployment's current scope.
func ApproveDeployment(d DeploymentRecord, actor, comment string, now time.Time) (DeploymentRecord, Change, error) {
	return decideDeployment(d, actor, DecisionApproved, comment, now)
}

// RejectDeployment records actor's rejection, which needs a comment.
func RejectDeployment(d DeploymentRecord, actor, comment string, now time.Time) (DeploymentRecord, Change, error) {
	return decideDeployment(d, actor, DecisionRejected, strings.TrimSpace(comment), now)
}

func decideDeployment(d DeploymentRecord, actor string, dec Decision, comment string, now time.Time) (DeploymentRecord, Change, error) {
	scope := d.ScopeHash()
	approvers, status, err := decide(d.Approvers, d.ApprovalStatus, d.Requester, actor, dec, comment, scope, now)
	if err != nil {
		return d, Change{}, err
	}
	out := d
	out.Approvers, out.ApprovalStatus, out.UpdatedAt = approvers, status, now
	switch status {
	case ApprovalApproved:
		out.Status = DeployApproved
	case ApprovalRejected:
		out.Status = DeployRejected
	}
	action := "approve"
	if dec == DecisionRejected {
		action = "reject"
	}
	details := map[string]string{"scopeHash": scope, "approvalStatus": string(status)}
	if comment != "" {
		details["comment"] = comment
	}
	return out, Change{Entity: EntityDeployment, EntityID: d.Key(), Action: action, Details: details}, nil
}
