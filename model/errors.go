package model

import (
	"errors"
	"strings"
)

// RuleError is a refusal by a rule of the release process. Code is a stable
// machine name (used as the JSON error "name"), Rule says which rule refused,
// Fix what the user can do, and Detail the specifics of this refusal.
type RuleError struct {
	Code   string
	Rule   string
	Fix    string
	Detail string
}

// Error renders "rule: detail. Fix.".
func (e *RuleError) Error() string {
	msg := e.Rule
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Fix != "" {
		msg += ". " + strings.ToUpper(e.Fix[:1]) + e.Fix[1:] + "."
	}
	return msg
}

// Is makes errors.Is match any RuleError with the same Code, so callers can
// test against the sentinel values below whatever the detail.
func (e *RuleError) Is(target error) bool {
	var t *RuleError
	return errors.As(target, &t) && t.Code == e.Code
}

// With returns a copy of the sentinel carrying the specifics of one refusal.
func (e *RuleError) With(detail string) *RuleError {
	c := *e
	c.Detail = detail
	return &c
}

// Sentinel refusals. Each names the rule of process.md it enforces.
var (
	ErrNameRequired = &RuleError{Code: "NameRequired",
		Rule: "a change request needs a name", Fix: "give it a name with --name"}
	ErrInvalidChangeType = &RuleError{Code: "InvalidChangeType",
		Rule: "change type must be Minor, Standard, Major or Emergency", Fix: "use one of those with --change-type"}
	ErrHomeNotProduction = &RuleError{Code: "HomeNotProduction",
		Rule: "change requests are created in a production environment", Fix: "choose an environment of kind production with --env"}
	ErrNotRequester = &RuleError{Code: "NotRequester",
		Rule: "only the requester may do this", Fix: "ask the requester to do it"}
	ErrNotEditable = &RuleError{Code: "NotEditable",
		Rule: "a change request can be edited only while In Progress and not pending or approved", Fix: "create a new change request, or ask for it to be rejected first"}
	ErrNothingToApprove = &RuleError{Code: "NothingToApprove",
		Rule: "submitting needs at least one customization or proposed customization", Fix: "add one with --component or --proposed"}
	ErrNoApprovers = &RuleError{Code: "NoApprovers",
		Rule: "submitting needs at least one approver", Fix: "add one with --approver"}
	ErrNotSubmittable = &RuleError{Code: "NotSubmittable",
		Rule: "only an In Progress change request that is not pending or approved can be submitted", Fix: "check its status with `relman cr show`"}
	ErrNotPending = &RuleError{Code: "NotPending",
		Rule: "approve and reject need a change request in Pending Approval", Fix: "ask the requester to submit it"}
	ErrSelfApproval = &RuleError{Code: "SelfApproval",
		Rule: "the requester cannot approve or reject their own request", Fix: "ask a listed approver"}
	ErrRequesterAsApprover = &RuleError{Code: "RequesterAsApprover",
		Rule: "the requester cannot be one of the approvers", Fix: "name someone else with --approver"}
	ErrPolicyApprover = &RuleError{Code: "PolicyApprover",
		Rule: "an approver the policy requires for the scope cannot be taken off", Fix: "keep them, or take off the components of that category; an admin can change the policy with `relman policy set`"}
	ErrDuplicateComponent = &RuleError{Code: "DuplicateComponent",
		Rule: "a component is listed both as existing and as proposed", Fix: "keep it in one list: --component if it exists, --proposed if it is still to be built"}
	ErrInvalidComponent = &RuleError{Code: "InvalidComponent",
		Rule: "every customization must be a known metadata type with a well-formed name", Fix: "write it as Type:FullName, e.g. CustomField:Account.Region__c"}
	ErrNotApprover = &RuleError{Code: "NotApprover",
		Rule: "only a listed approver may decide", Fix: "ask the requester to add you as an approver"}
	ErrAlreadyDecided = &RuleError{Code: "AlreadyDecided",
		Rule: "each approver decides once per scope", Fix: "nothing to do; your decision stands"}
	ErrCommentRequired = &RuleError{Code: "CommentRequired",
		Rule: "a rejection needs a comment", Fix: "say why with --comment"}
	ErrNotApproved = &RuleError{Code: "NotApproved",
		Rule: "this needs an approved change request", Fix: "submit it and have every approver approve the current scope"}
	ErrConnectionNotTested = &RuleError{Code: "ConnectionFailed",
		Rule: "the environment must pass Test Connection first", Fix: "run `relman env test` and fix what it names"}
	ErrNotAChild = &RuleError{Code: "NotAChild",
		Rule: "only a copy made by sync can be pushed back", Fix: "push the child change request from the sandbox, not the parent"}
	ErrFinished = &RuleError{Code: "Finished",
		Rule: "a completed or cancelled change request cannot change", Fix: "create a new change request"}
	ErrReasonRequired = &RuleError{Code: "ReasonRequired",
		Rule: "cancelling needs a reason", Fix: "say why with --reason"}
	ErrNotCompletable = &RuleError{Code: "NotCompletable",
		Rule: "a change request completes once approved and its latest deployment succeeded and was verified", Fix: "deploy and verify first (`relman deploy run`)"}
	ErrNotScopeEditor = &RuleError{Code: "NotScopeEditor",
		Rule: "only the requester or an approver may add components to an approved change request", Fix: "ask the requester or an approver"}
	ErrNotCompleter = &RuleError{Code: "NotCompleter",
		Rule: "only the requester or an approver may complete", Fix: "ask the requester or an approver"}
	ErrSameEnvironment = &RuleError{Code: "SameEnvironment",
		Rule: "source and target must differ", Fix: "choose two different environments"}
	ErrWrongKind = &RuleError{Code: "WrongKind",
		Rule: "the environment is of the wrong kind for this", Fix: "choose another environment"}
	ErrInvalidTestLevel = &RuleError{Code: "InvalidTestLevel",
		Rule: "test level must be NoTestRun, RunSpecifiedTests, RunLocalTests or RunAllTestsInOrg", Fix: "use one of those with --test-level"}
	ErrTestsRequired = &RuleError{Code: "TestsRequired",
		Rule: "RunSpecifiedTests needs at least one test class", Fix: "name them with --tests"}
	// ErrNoTestRunInProduction mirrors the org's own refusal (INVALID_OPERATION:
	// testLevel of NoTestRun cannot be used in production organizations), so
	// it is met before anything is approved or sent.
	ErrNoTestRunInProduction = &RuleError{Code: "NoTestRunInProduction",
		Rule: "a deployment to a production org must run Apex tests: Salesforce refuses NoTestRun in production",
		Fix:  "use --test-level RunLocalTests, or RunSpecifiedTests with --tests"}
	ErrInvalidUser = &RuleError{Code: "InvalidUser",
		Rule: "user names, roles and keys must be valid", Fix: "see relman user add --help"}
	ErrNotAllowed = &RuleError{Code: "NotAllowed",
		Rule: "the acting user's roles do not allow this", Fix: "ask an admin for the role (relman user list shows who has which)"}
	ErrUserConflict = &RuleError{Code: "UserConflict",
		Rule: "users and keys are unique", Fix: "choose another name or key"}
	ErrUnknownUser = &RuleError{Code: "UnknownUser",
		Rule: "only registered users take part", Fix: "register them with relman user add, or check the name with relman user list"}
)
