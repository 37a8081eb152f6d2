package model

import (
	"time"

	"relman/model/metadata"
)

// TestLevel is the Metadata API test level of a deploy.
type TestLevel string

// Test levels.
const (
	NoTestRun         TestLevel = "NoTestRun"
	RunSpecifiedTests TestLevel = "RunSpecifiedTests"
	RunLocalTests     TestLevel = "RunLocalTests"
	RunAllTestsInOrg  TestLevel = "RunAllTestsInOrg"
)

// TestLevels lists the test levels in the order forms offer them.
var TestLevels = []TestLevel{NoTestRun, RunSpecifiedTests, RunLocalTests, RunAllTestsInOrg}

// DefaultTestLevel is RunLocalTests for a production target, else NoTestRun.
func DefaultTestLevel(target EnvKind) TestLevel {
	if target == KindProduction {
		return RunLocalTests
	}
	return NoTestRun
}

// DeploymentStatus is where a deployment record stands overall.
type DeploymentStatus string

// Deployment record statuses: the approval part (Draft → Pending Approval →
// Approved | Rejected) then the outcome of Deploy Changes.
const (
	DeployDraft      DeploymentStatus = "Draft"
	DeployPending    DeploymentStatus = "Pending Approval"
	DeployApproved   DeploymentStatus = "Approved"
	DeployRejected   DeploymentStatus = "Rejected"
	DeployInProgress DeploymentStatus = "In Progress"
	DeployDeployed   DeploymentStatus = "Deployed"
	DeployFailed     DeploymentStatus = "Failed"
	DeployVerified   DeploymentStatus = "Verified"
	DeployRolledBack DeploymentStatus = "Rolled Back"
	// DeployOutcomeUnknown is a deploy sent to the org whose answer never
	// came back (lost, or relman stopped before saving the job id): the
	// org may have deployed. Nothing else may run until the job is found
	// in the org (`deploy resume`) or a release manager abandons it.
	DeployOutcomeUnknown DeploymentStatus = "Submitted — outcome unknown"
)

// Package is a retrieved Metadata API zip as stored: its digest, its
// manifest's components and the proposed ones that were still missing.
type Package struct {
	SHA256     string               `json:"sha256"`
	Size       int64                `json:"size"`
	Components []metadata.Component `json:"components"`
	Missing    []metadata.Component `json:"missing,omitempty"`
	// Warnings are, in full, the files the retrieve could not read or
	// classify.
	Warnings []metadata.Warning `json:"warnings,omitempty"`
	// Blob is the store key of the zip bytes.
	Blob        string    `json:"blob,omitempty"`
	RetrievedAt time.Time `json:"retrievedAt"`
}

// Dependency is one reference found in a package, marked by where it was found.
type Dependency struct {
	From   metadata.Component `json:"from"`
	To     metadata.Component `json:"to"`
	Where  string             `json:"where"` // "package", "target" or "missing"
	Source string             `json:"source"`
}

// DeploymentRecord is one planned deployment of an approved CR's components.
type DeploymentRecord struct {
	ID             int64                `json:"id"`
	CR             int64                `json:"cr"`
	Source         string               `json:"source"`
	Target         string               `json:"target"`
	Components     []metadata.Component `json:"components"`
	Destructive    []metadata.Component `json:"destructive,omitempty"`
	TestLevel      TestLevel            `json:"testLevel"`
	Tests          []string             `json:"tests,omitempty"`
	Approvers      []Approver           `json:"approvers"`
	Requester      string               `json:"requester"`
	ApprovalStatus ApprovalStatus       `json:"approvalStatus"`
	Status         DeploymentStatus     `json:"status"`
	Package        *Package             `json:"package,omitempty"`
	Dependencies   []Dependency         `json:"dependencies,omitempty"`
	ValidationID   string               `json:"validationId,omitempty"`
	ValidatedAt    time.Time            `json:"validatedAt,omitempty"`
	// ValidatedPackage and ValidatedTarget are the package's SHA-256 and the
	// hash of the target's copies when the validation ran: quick deploy is
	// only offered while both still hold.
	ValidatedPackage string `json:"validatedPackage,omitempty"`
	ValidatedTarget  string `json:"validatedTarget,omitempty"`
	// SnapshotBlob is the store key of the target's pre-deploy copies (for rollback).
	SnapshotBlob string `json:"snapshotBlob,omitempty"`
	// Created lists the package's components the target did not have
	// before the deploy: rolling back deletes them.
	Created []metadata.Component `json:"created,omitempty"`
	// ApprovedContent is the content (component → content hash) the
	// approval binds: what the reviewers compared, else the first package
	// retrieved after the approval. A package with other content sends the
	// deployment back for approval.
	ApprovedContent map[string]string `json:"approvedContent,omitempty"`
	Logs            []int64           `json:"logs"`
	CreatedAt       time.Time         `json:"createdAt"`
	UpdatedAt       time.Time         `json:"updatedAt"`
}

// Key is the displayed id, e.g. "DR-0007".
func (d DeploymentRecord) Key() string { return FormatID(PrefixDeployment, d.ID) }

// LogKind is what a deployment log records.
type LogKind string

// Log kinds.
const (
	LogRetrieve    LogKind = "retrieve"
	LogDeps        LogKind = "dependencies"
	LogValidate    LogKind = "validate"
	LogDeploy      LogKind = "deploy"
	LogQuickDeploy LogKind = "quick deploy"
	LogVerify      LogKind = "verify"
	LogRollback    LogKind = "rollback"
)

// LogStatus is a deployment log's status, as process.md names them.
type LogStatus string

// Log statuses.
const (
	LogPending              LogStatus = "Pending"
	LogInProgress           LogStatus = "InProgress"
	LogSucceeded            LogStatus = "Succeeded"
	LogSucceededPartial     LogStatus = "SucceededPartial"
	LogFailed               LogStatus = "Failed"
	LogCanceling            LogStatus = "Canceling"
	LogCanceled             LogStatus = "Canceled"
	LogRetrieveInProgress   LogStatus = "Retrieve In Progress"
	LogRetrieveCompleted    LogStatus = "Retrieve Completed"
	LogRetrieveFailed       LogStatus = "Retrieve Failed"
	LogValidationInProgress LogStatus = "Validation In Progress"
	LogValidationCompleted  LogStatus = "Validation Completed"
	LogValidationFailed     LogStatus = "Validation Failed"
	LogRollbackInProgress   LogStatus = "Rollback In Progress"
	LogRollbackPartial      LogStatus = "Rollback Partial"
	LogRollbackCompleted    LogStatus = "Rollback Completed"
	LogRollbackFailed       LogStatus = "Rollback Failed"
	// LogOutcomeUnknown is a deploy log whose job id never came back.
	LogOutcomeUnknown LogStatus = "Submitted — outcome unknown"
	// LogAbandoned is an outcome-unknown deploy a release manager closed,
	// with a reason, because its job could not be found.
	LogAbandoned LogStatus = "Abandoned"
)

// ComponentFailure is one component the org refused.
type ComponentFailure struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Problem string `json:"problem"`
}

// TestFailure is one failed Apex test method.
type TestFailure struct {
	Class      string `json:"class"`
	Method     string `json:"method"`
	Message    string `json:"message"`
	StackTrace string `json:"stackTrace,omitempty"`
}

// DeploymentLog is one retrieve / validate / deploy / quick deploy / rollback attempt.
type DeploymentLog struct {
	ID                 int64              `json:"id"`
	Deployment         int64              `json:"deployment"`
	Kind               LogKind            `json:"kind"`
	JobID              string             `json:"jobId,omitempty"`
	Status             LogStatus          `json:"status"`
	StateDetail        string             `json:"stateDetail,omitempty"`
	ComponentsTotal    int                `json:"componentsTotal"`
	ComponentsDeployed int                `json:"componentsDeployed"`
	ComponentErrors    int                `json:"componentErrors"`
	TestsTotal         int                `json:"testsTotal"`
	TestsCompleted     int                `json:"testsCompleted"`
	TestErrors         int                `json:"testErrors"`
	ComponentFailures  []ComponentFailure `json:"componentFailures"`
	TestFailures       []TestFailure      `json:"testFailures"`
	CoverageWarnings   []string           `json:"coverageWarnings"`
	// Coverage is what the tests covered, kept when coverage failed.
	Coverage  *Coverage `json:"coverage,omitempty"`
	Message   string    `json:"message,omitempty"`
	User      string    `json:"user"`
	Started   time.Time `json:"started"`
	Completed time.Time `json:"completed,omitempty"`
}
