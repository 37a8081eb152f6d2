package orgclient

import (
	"relman/model"
	"relman/model/metadata"
)

// Package is a retrieved Metadata API zip: what it holds and which of the
// requested components the org does not have.
type Package struct {
	Zip        []byte
	Components []metadata.Component
	Missing    []metadata.Component
	// Warnings are what the org's files or the retrieved zip held that
	// relman could not read or classify, in full.
	Warnings []metadata.Warning
}

// DeployOptions are the deploy settings relman uses (a subset of the
// Metadata API's DeployOptions).
type DeployOptions struct {
	// CheckOnly validates without changing the org.
	CheckOnly bool
	TestLevel model.TestLevel
	// Tests are the classes of RunSpecifiedTests.
	Tests []string
}

// DeployState is a deploy job as last seen: status, counters, and the
// failures reported so far.
type DeployState struct {
	JobID              string
	Status             model.LogStatus
	StateDetail        string
	Done               bool
	Success            bool
	CheckOnly          bool
	ComponentsTotal    int
	ComponentsDeployed int
	ComponentErrors    int
	TestsTotal         int
	TestsCompleted     int
	TestErrors         int
	ComponentFailures  []model.ComponentFailure
	TestFailures       []model.TestFailure
	CoverageWarnings   []string
	// Coverage is what the tests covered, when the org reported it.
	Coverage     *model.Coverage
	ErrorMessage string
}

// Reference is one dependency an org reports: From uses To.
type Reference struct {
	From, To metadata.Component
}
