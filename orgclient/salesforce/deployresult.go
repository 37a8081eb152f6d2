package salesforce

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"relman/model"
)

// DeployStatus is a deploy's status (§2.7).
type DeployStatus string

// Deploy statuses of the WSDL. Newer orgs may also report Finalizing and
// FinalizingFailed, which pass through as they are.
const (
	DeployPending          DeployStatus = "Pending"
	DeployInProgress       DeployStatus = "InProgress"
	DeploySucceeded        DeployStatus = "Succeeded"
	DeploySucceededPartial DeployStatus = "SucceededPartial"
	DeployFailed           DeployStatus = "Failed"
	DeployCanceling        DeployStatus = "Canceling"
	DeployCanceled         DeployStatus = "Canceled"
)

// DeployResult is checkDeployStatus's answer, every field of §2.7.
type DeployResult struct {
	CanceledBy               string        `xml:"canceledBy"`
	CanceledByName           string        `xml:"canceledByName"`
	CheckOnly                bool          `xml:"checkOnly"`
	CompletedDate            DateTime      `xml:"completedDate"`
	CreatedBy                string        `xml:"createdBy"`
	CreatedByName            string        `xml:"createdByName"`
	CreatedDate              DateTime      `xml:"createdDate"`
	Details                  DeployDetails `xml:"details"`
	Done                     bool          `xml:"done"`
	ErrorMessage             string        `xml:"errorMessage"`
	ErrorStatusCode          string        `xml:"errorStatusCode"`
	ID                       string        `xml:"id"`
	IgnoreWarnings           bool          `xml:"ignoreWarnings"`
	LastModifiedDate         DateTime      `xml:"lastModifiedDate"`
	NumberComponentErrors    int           `xml:"numberComponentErrors"`
	NumberComponentsDeployed int           `xml:"numberComponentsDeployed"`
	NumberComponentsTotal    int           `xml:"numberComponentsTotal"`
	// NumberFiles is the number of files in the deployed zip, when the org
	// reports it.
	NumberFiles          int      `xml:"numberFiles"`
	NumberTestErrors     int      `xml:"numberTestErrors"`
	NumberTestsCompleted int      `xml:"numberTestsCompleted"`
	NumberTestsTotal     int      `xml:"numberTestsTotal"`
	RollbackOnError      bool     `xml:"rollbackOnError"`
	RunTestsEnabled      bool     `xml:"runTestsEnabled"`
	StartDate            DateTime `xml:"startDate"`
	// StateDetail is free text, e.g. the component or test being processed.
	StateDetail string       `xml:"stateDetail"`
	Status      DeployStatus `xml:"status"`
	// Success is true for Succeeded and SucceededPartial.
	Success bool `xml:"success"`
}

// DeployDetails holds the per-component and test results; checkDeployStatus
// fills the lists only with includeDetails (§2.7).
type DeployDetails struct {
	ComponentFailures  []DeployMessage `xml:"componentFailures"`
	ComponentSuccesses []DeployMessage `xml:"componentSuccesses"`
	// RetrieveResult is set for deploys with performRetrieve.
	RetrieveResult *RetrieveResult `xml:"retrieveResult"`
	RunTestResult  RunTestsResult  `xml:"runTestResult"`
}

// DeployMessage is one component's outcome. FileName is the zip path of the
// file that carried it: a CustomField reports its object file (§2.7).
type DeployMessage struct {
	Changed       bool     `xml:"changed"`
	ColumnNumber  int      `xml:"columnNumber"`
	ComponentType string   `xml:"componentType"`
	Created       bool     `xml:"created"`
	CreatedDate   DateTime `xml:"createdDate"`
	Deleted       bool     `xml:"deleted"`
	FileName      string   `xml:"fileName"`
	FullName      string   `xml:"fullName"`
	ID            string   `xml:"id"`
	LineNumber    int      `xml:"lineNumber"`
	Problem       string   `xml:"problem"`
	// ProblemType is Warning, Error or Info.
	ProblemType string `xml:"problemType"`
	Success     bool   `xml:"success"`
}

// RunTestsResult is the Apex test outcome of a deploy (§2.7).
type RunTestsResult struct {
	ApexLogID            string                `xml:"apexLogId"`
	CodeCoverage         []CodeCoverageResult  `xml:"codeCoverage"`
	CodeCoverageWarnings []CodeCoverageWarning `xml:"codeCoverageWarnings"`
	Failures             []RunTestFailure      `xml:"failures"`
	FlowCoverage         []FlowCoverageResult  `xml:"flowCoverage"`
	FlowCoverageWarnings []FlowCoverageWarning `xml:"flowCoverageWarnings"`
	NumFailures          int                   `xml:"numFailures"`
	NumTestsRun          int                   `xml:"numTestsRun"`
	Successes            []RunTestSuccess      `xml:"successes"`
	TotalTime            float64               `xml:"totalTime"`
}

// RunTestFailure is one failed test method; Name is the class.
type RunTestFailure struct {
	ID          string  `xml:"id"`
	Message     string  `xml:"message"`
	MethodName  string  `xml:"methodName"`
	Name        string  `xml:"name"`
	Namespace   string  `xml:"namespace"`
	PackageName string  `xml:"packageName"`
	SeeAllData  bool    `xml:"seeAllData"`
	StackTrace  string  `xml:"stackTrace"`
	Time        float64 `xml:"time"`
	Type        string  `xml:"type"`
}

// RunTestSuccess is one passed test method.
type RunTestSuccess struct {
	ID         string  `xml:"id"`
	MethodName string  `xml:"methodName"`
	Name       string  `xml:"name"`
	Namespace  string  `xml:"namespace"`
	SeeAllData bool    `xml:"seeAllData"`
	Time       float64 `xml:"time"`
}

// CodeCoverageResult is the coverage of one class or trigger.
type CodeCoverageResult struct {
	DMLInfo                []CodeLocation `xml:"dmlInfo"`
	ID                     string         `xml:"id"`
	LocationsNotCovered    []CodeLocation `xml:"locationsNotCovered"`
	MethodInfo             []CodeLocation `xml:"methodInfo"`
	Name                   string         `xml:"name"`
	Namespace              string         `xml:"namespace"`
	NumLocations           int            `xml:"numLocations"`
	NumLocationsNotCovered int            `xml:"numLocationsNotCovered"`
	SOQLInfo               []CodeLocation `xml:"soqlInfo"`
	SOSLInfo               []CodeLocation `xml:"soslInfo"`
	Type                   string         `xml:"type"`
}

// CodeLocation is a line of Apex in a coverage result.
type CodeLocation struct {
	Column        int     `xml:"column"`
	Line          int     `xml:"line"`
	NumExecutions int     `xml:"numExecutions"`
	Time          float64 `xml:"time"`
}

// CodeCoverageWarning is a coverage shortfall, e.g. "Average test coverage
// across all Apex Classes and Triggers is 62%, at least 75% test coverage is
// required." (§2.7).
type CodeCoverageWarning struct {
	ID        string `xml:"id"`
	Message   string `xml:"message"`
	Name      string `xml:"name"`
	Namespace string `xml:"namespace"`
}

// FlowCoverageResult is the test coverage of one flow.
type FlowCoverageResult struct {
	ElementsNotCovered    []string `xml:"elementsNotCovered"`
	FlowID                string   `xml:"flowId"`
	FlowName              string   `xml:"flowName"`
	FlowNamespace         string   `xml:"flowNamespace"`
	NumElements           int      `xml:"numElements"`
	NumElementsNotCovered int      `xml:"numElementsNotCovered"`
	ProcessType           string   `xml:"processType"`
}

// FlowCoverageWarning is a flow coverage shortfall.
type FlowCoverageWarning struct {
	FlowID        string `xml:"flowId"`
	FlowName      string `xml:"flowName"`
	FlowNamespace string `xml:"flowNamespace"`
	Message       string `xml:"message"`
}

// ComponentFailures converts details.componentFailures for a deployment
// log. Warnings keep their kind in the problem text. Note that a zip without
// package.xml fails with such an entry while numberComponentErrors stays 0
// (§2.7), so read this list rather than the counter. Orgs may report the
// same failure twice (once per file of a component); it is kept once.
func (r DeployResult) ComponentFailures() []model.ComponentFailure {
	out := make([]model.ComponentFailure, 0, len(r.Details.ComponentFailures))
	seen := map[model.ComponentFailure]bool{}
	for _, m := range r.Details.ComponentFailures {
		problem := m.Problem
		if m.ProblemType == "Warning" {
			problem = "Warning: " + problem
		}
		f := model.ComponentFailure{Type: m.ComponentType, Name: m.FullName, File: m.FileName,
			Line: m.LineNumber, Column: m.ColumnNumber, Problem: problem}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// Coverage sums runTestResult.codeCoverage: lines covered of all classes
// and triggers, and which fell short. A warning without a name is the
// org-wide one (§2.7): then every class and trigger under
// model.CoverageRequired is listed; otherwise those the warnings name.
// It is nil when the org reported no coverage.
func (r DeployResult) Coverage() *model.Coverage {
	rt := r.Details.RunTestResult
	cc := rt.CodeCoverage
	if len(cc) == 0 {
		return nil
	}
	out := &model.Coverage{}
	named := map[string]bool{}
	for _, w := range rt.CodeCoverageWarnings {
		if w.Name == "" {
			out.OrgWide = true
		}
		named[qualified(w.Namespace, w.Name)] = true
	}
	for _, c := range cc {
		covered := c.NumLocations - c.NumLocationsNotCovered
		out.Covered += covered
		out.Lines += c.NumLocations
		kind := "ApexClass"
		if c.Type == "Trigger" {
			kind = "ApexTrigger"
		}
		name := qualified(c.Namespace, c.Name)
		b := model.ClassCoverage{Type: kind, Name: name, Covered: covered, Lines: c.NumLocations}
		if named[name] || (out.OrgWide || len(named) == 0) && b.Percent() < model.CoverageRequired {
			out.Below = append(out.Below, b)
		}
	}
	slices.SortStableFunc(out.Below, func(a, b model.ClassCoverage) int {
		return cmp.Or(cmp.Compare(a.Percent(), b.Percent()), strings.Compare(a.Name, b.Name))
	})
	return out
}

// qualified prefixes name with its namespace, if any.
func qualified(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "." + name
}

// TestFailures converts runTestResult.failures; the class is prefixed with
// its namespace when it has one.
func (r DeployResult) TestFailures() []model.TestFailure {
	fs := r.Details.RunTestResult.Failures
	out := make([]model.TestFailure, 0, len(fs))
	for _, f := range fs {
		out = append(out, model.TestFailure{Class: qualified(f.Namespace, f.Name), Method: f.MethodName, Message: f.Message, StackTrace: f.StackTrace})
	}
	return out
}

// CoverageWarnings lists the Apex and flow coverage warnings as text.
func (r DeployResult) CoverageWarnings() []string {
	rt := r.Details.RunTestResult
	out := make([]string, 0, len(rt.CodeCoverageWarnings)+len(rt.FlowCoverageWarnings))
	for _, w := range rt.CodeCoverageWarnings {
		out = append(out, labelled(w.Name, w.Message))
	}
	for _, w := range rt.FlowCoverageWarnings {
		out = append(out, labelled(w.FlowName, w.Message))
	}
	return out
}

func labelled(name, msg string) string {
	if name == "" {
		return msg
	}
	return name + ": " + msg
}

// progress summarises what moves during a deploy, to reset polling backoff.
func (r DeployResult) progress() string {
	return fmt.Sprint(r.Status, r.StateDetail, r.NumberComponentsDeployed, r.NumberComponentErrors,
		r.NumberTestsCompleted, r.NumberTestErrors)
}
