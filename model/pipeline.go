package model

import (
	"fmt"
	"strings"
	"time"

	"relman/model/metadata"
)

// Refusals of the Deploy Changes steps.
var (
	ErrNotDeployable = &RuleError{Code: "NotDeployable",
		Rule: "Deploy Changes needs an approved deployment record whose change request is still approved", Fix: "submit the deployment record and have every approver approve it"}
	ErrNoPackage = &RuleError{Code: "NoPackage",
		Rule: "this step needs the retrieved package", Fix: "retrieve it first with `relman deploy retrieve`"}
	ErrDeployRunning = &RuleError{Code: "DeployRunning",
		Rule: "a deployment record runs one job at a time", Fix: "wait for it, resume it with `relman deploy resume`, or cancel it"}
	ErrNothingRunning = &RuleError{Code: "NothingRunning",
		Rule: "there is no unfinished job to resume or cancel", Fix: "check `relman deploy show`"}
	ErrQuickDeploy = &RuleError{Code: "QuickDeployUnavailable",
		Rule: "quick deploy needs a successful validation of this exact package against the target as it still is, less than 10 days old", Fix: "deploy without --quick, or validate again"}
	ErrAlreadyVerified = &RuleError{Code: "AlreadyVerified",
		Rule: "a verified deployment is finished", Fix: "create a new deployment record for further changes"}
)

// QuickDeployWindow is how long a validation can be quick-deployed (§2.9).
const QuickDeployWindow = 10 * 24 * time.Hour

// CanDeploy checks that Deploy Changes may run a step on d, whose target
// is an org of kind target ("" when unknown).
func CanDeploy(d DeploymentRecord, cr ChangeRequest, target EnvKind, running bool) error {
	switch {
	case d.Status == DeployVerified || d.Status == DeployRolledBack:
		return ErrAlreadyVerified.With(d.Key() + " is " + string(d.Status))
	case DeploymentMayMove(d, cr) != nil:
		return DeploymentMayMove(d, cr)
	case CheckTestLevel(d.TestLevel, target) != nil:
		return ErrNoTestRunInProduction.With(d.Key() + " targets the production org " + d.Target + " with NoTestRun")
	case running:
		return ErrDeployRunning.With(d.Key() + " has a job in progress")
	case !d.IsApproved():
		return ErrNotDeployable.With(d.Key() + " is " + string(d.Status) + staleDeployNote(d))
	case !cr.IsApproved():
		return ErrNotDeployable.With(cr.Key() + " is " + string(cr.Status()) + staleNote(cr))
	}
	return nil
}

func staleDeployNote(d DeploymentRecord) string {
	if stale := StaleApprovers(d.Approvers, d.ScopeHash()); len(stale) > 0 {
		return " (its scope changed after " + strings.Join(stale, ", ") + " decided)"
	}
	return ""
}

// QuickDeployProblem explains why the kept validation cannot be
// quick-deployed now, or returns "" when it can. targetHash is the hash of
// the target's current copies of the package's components.
func QuickDeployProblem(d DeploymentRecord, targetHash string, now time.Time) string {
	switch {
	case d.ValidationID == "":
		return "there is no successful validation"
	case d.TestLevel == NoTestRun:
		return "the validation ran no Apex tests (NoTestRun), and Salesforce quick-deploys only validations whose tests passed"
	case d.Package == nil || d.ValidatedPackage != d.Package.SHA256:
		return "the package was retrieved again after the validation"
	case now.Sub(d.ValidatedAt) >= QuickDeployWindow:
		return fmt.Sprintf("the validation is %d days old (the limit is 10)", int(now.Sub(d.ValidatedAt).Hours()/24))
	case d.ValidatedTarget != targetHash:
		return "the target's copies of these components changed since the validation"
	}
	return ""
}

// startStatus is the in-progress status a log of that kind starts in.
func startStatus(kind LogKind) LogStatus {
	switch kind {
	case LogRetrieve:
		return LogRetrieveInProgress
	case LogValidate:
		return LogValidationInProgress
	case LogRollback:
		return LogRollbackInProgress
	}
	return LogInProgress
}

// StartLog opens a deployment log for one attempt.
func StartLog(id int64, d DeploymentRecord, kind LogKind, user string, now time.Time) (DeploymentLog, Change) {
	l := DeploymentLog{ID: id, Deployment: d.ID, Kind: kind, Status: startStatus(kind), User: user, Started: now,
		ComponentFailures: []ComponentFailure{}, TestFailures: []TestFailure{}, CoverageWarnings: []string{}}
	return l, logChange(l, "start", map[string]string{"kind": string(kind), "deployment": d.Key()})
}

// Running reports whether the log's job has not finished.
func (l DeploymentLog) Running() bool { return l.Completed.IsZero() }

// Key is the displayed id of a log, e.g. "DR-0007/3".
func (l DeploymentLog) Key() string {
	return fmt.Sprintf("%s/%d", FormatID(PrefixDeployment, l.Deployment), l.ID)
}

// FinishStatus maps a job's final org status to the status its log shows
// (validations and rollbacks have their own names, process.md).
func FinishStatus(kind LogKind, orgStatus LogStatus, success bool) LogStatus {
	switch kind {
	case LogRetrieve:
		if success {
			return LogRetrieveCompleted
		}
		return LogRetrieveFailed
	case LogValidate:
		if success {
			return LogValidationCompleted
		}
		if orgStatus == LogCanceled {
			return LogCanceled
		}
		return LogValidationFailed
	case LogRollback:
		switch {
		case orgStatus == LogSucceededPartial:
			return LogRollbackPartial
		case success:
			return LogRollbackCompleted
		}
		return LogRollbackFailed
	case LogDeps, LogVerify:
		if success {
			return LogSucceeded
		}
		return LogFailed
	}
	return orgStatus
}

// FinishLog closes a log with its final status and message.
func FinishLog(l DeploymentLog, status LogStatus, message string, now time.Time) (DeploymentLog, Change) {
	l.Status, l.Message, l.Completed = status, BoundMessage(message), now
	l.ComponentFailures, l.TestFailures = BoundFailures(l.ComponentFailures, l.TestFailures)
	details := map[string]string{"status": string(status)}
	if l.Message != "" {
		details["message"] = l.Message
	}
	if l.JobID != "" {
		details["jobId"] = l.JobID
	}
	return l, logChange(l, "finish", details)
}

func logChange(l DeploymentLog, action string, details map[string]string) Change {
	return Change{Entity: EntityDeploymentLog, EntityID: l.Key(), Action: action, Details: details}
}

// JobStarted records the org's job id on a log, before anyone waits on it.
func JobStarted(l DeploymentLog, jobID string) (DeploymentLog, Change) {
	l.JobID = jobID
	return l, logChange(l, "job", map[string]string{"jobId": jobID})
}

// AddToApprovedScope adds components (found missing by Check Dependencies)
// to an approved change request: they are flagged as added after approval,
// and the request goes back for approval, since its scope grew.
func AddToApprovedScope(cr ChangeRequest, cs []metadata.Component, actor string, now time.Time) (ChangeRequest, Change, error) {
	if cr.CompletionStatus != CompletionInProgress {
		return cr, Change{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if actor != cr.Requester && approverIndex(cr.Approvers, actor) < 0 {
		return cr, Change{}, ErrNotScopeEditor.With(actor + " is neither " + cr.Requester + " nor an approver")
	}
	have := componentSet(cr.Components())
	var added []metadata.Component
	for _, c := range cs {
		if err := metadata.Validate(c); err != nil {
			return cr, Change{}, ErrInvalidComponent.With(err.Error())
		}
		if !have[c] {
			have[c] = true
			added = append(added, c)
		}
	}
	if len(added) == 0 {
		return cr, Change{}, nil
	}
	out := cr
	out.Customizations = union(cr.Customizations, added)
	out.AddedAfterApproval = union(cr.AddedAfterApproval, added)
	if cr.ApprovalStatus == ApprovalApproved {
		out.ApprovalStatus = ApprovalPending
	}
	out.UpdatedAt = now
	return out, crChange(out, "add-dependencies", map[string]string{"components": joinComponents(added),
		"approvalStatus": string(out.ApprovalStatus)}), nil
}

// AddToDeployment widens a deployment record by components Check
// Dependencies found missing. Its scope changed, so its approval no longer
// holds (it goes back to Pending Approval), and its package no longer
// matches what it deploys: retrieve again.
func AddToDeployment(d DeploymentRecord, cs []metadata.Component, now time.Time) (DeploymentRecord, Change) {
	have := componentSet(d.Components)
	var added []metadata.Component
	for _, c := range cs {
		if !have[c] {
			have[c] = true
			added = append(added, c)
		}
	}
	if len(added) == 0 {
		return d, Change{}
	}
	out := d
	out.Components = union(d.Components, added)
	out.Package, out.Dependencies, out.ValidationID = nil, nil, ""
	if d.ApprovalStatus == ApprovalApproved || d.ApprovalStatus == ApprovalPending {
		out.ApprovalStatus, out.Status = ApprovalPending, DeployPending
	}
	out.UpdatedAt = now
	return out, Change{Entity: EntityDeployment, EntityID: d.Key(), Action: "add-dependencies",
		Details: map[string]string{"components": joinComponents(added), "approvalStatus": string(out.ApprovalStatus)}}
}
