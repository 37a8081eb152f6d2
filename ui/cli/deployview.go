package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"relman/model"
	"relman/model/metadata"
)

// deploymentView is `deploy show --json`'s result (cli.md).
type deploymentView struct {
	ID             string               `json:"id"`
	CR             string               `json:"cr"`
	Source         string               `json:"source"`
	Target         string               `json:"target"`
	Status         string               `json:"status"`
	ApprovalStatus string               `json:"approvalStatus"`
	TestLevel      string               `json:"testLevel"`
	Tests          []string             `json:"tests"`
	Components     []metadata.Component `json:"components"`
	Approvers      []approverView       `json:"approvers"`
	Requester      string               `json:"requester"`
	Package        *packageInfo         `json:"package"`
	Dependencies   []model.Dependency   `json:"dependencies"`
	ValidationID   string               `json:"validationId,omitempty"`
	ValidatedAt    *time.Time           `json:"validatedAt,omitempty"`
	Logs           []logView            `json:"logs"`
	// Warnings is set on `deploy retrieve`'s result: what the retrieve
	// could not read or classify, in full.
	Warnings []metadata.Warning `json:"warnings,omitempty"`
}

type packageInfo struct {
	SHA256     string               `json:"sha256"`
	Size       int64                `json:"size"`
	Components []metadata.Component `json:"components"`
	Missing    []metadata.Component `json:"missing"`
}

type logView struct {
	ID                 int64                    `json:"id"`
	Kind               string                   `json:"kind"`
	JobID              string                   `json:"jobId"`
	Status             string                   `json:"status"`
	StateDetail        string                   `json:"stateDetail,omitempty"`
	ComponentsTotal    int                      `json:"componentsTotal"`
	ComponentsDeployed int                      `json:"componentsDeployed"`
	ComponentErrors    int                      `json:"componentErrors"`
	TestsTotal         int                      `json:"testsTotal"`
	TestsCompleted     int                      `json:"testsCompleted"`
	TestErrors         int                      `json:"testErrors"`
	ComponentFailures  []model.ComponentFailure `json:"componentFailures"`
	TestFailures       []model.TestFailure      `json:"testFailures"`
	CoverageWarnings   []string                 `json:"coverageWarnings"`
	Coverage           *model.Coverage          `json:"coverage,omitempty"`
	Message            string                   `json:"message,omitempty"`
	User               string                   `json:"user"`
	Started            time.Time                `json:"started"`
	Completed          *time.Time               `json:"completed"`
}

func logViewOf(l model.DeploymentLog) logView {
	v := logView{ID: l.ID, Kind: string(l.Kind), JobID: l.JobID, Status: string(l.Status), StateDetail: l.StateDetail,
		ComponentsTotal: l.ComponentsTotal, ComponentsDeployed: l.ComponentsDeployed, ComponentErrors: l.ComponentErrors,
		TestsTotal: l.TestsTotal, TestsCompleted: l.TestsCompleted, TestErrors: l.TestErrors,
		ComponentFailures: l.ComponentFailures, TestFailures: l.TestFailures, CoverageWarnings: l.CoverageWarnings,
		Coverage: l.Coverage, Message: l.Message, User: l.User, Started: l.Started}
	if v.ComponentFailures == nil {
		v.ComponentFailures = []model.ComponentFailure{}
	}
	if v.TestFailures == nil {
		v.TestFailures = []model.TestFailure{}
	}
	if v.CoverageWarnings == nil {
		v.CoverageWarnings = []string{}
	}
	if !l.Completed.IsZero() {
		c := l.Completed
		v.Completed = &c
	}
	return v
}

func deploymentViewOf(d model.DeploymentRecord, logs []model.DeploymentLog) deploymentView {
	v := deploymentView{ID: d.Key(), CR: model.FormatID(model.PrefixChangeRequest, d.CR), Source: d.Source, Target: d.Target,
		Status: string(d.Status), ApprovalStatus: string(d.ApprovalStatus), TestLevel: string(d.TestLevel),
		Tests: d.Tests, Components: nonNil(d.Components), Requester: d.Requester,
		Dependencies: d.Dependencies, ValidationID: d.ValidationID, Logs: []logView{}}
	if v.Tests == nil {
		v.Tests = []string{}
	}
	if v.Dependencies == nil {
		v.Dependencies = []model.Dependency{}
	}
	v.Approvers = approverViews(d.Approvers, d.ScopeHash())
	if p := d.Package; p != nil {
		v.Package = &packageInfo{SHA256: p.SHA256, Size: p.Size, Components: nonNil(p.Components), Missing: nonNil(p.Missing)}
	}
	if !d.ValidatedAt.IsZero() {
		at := d.ValidatedAt
		v.ValidatedAt = &at
	}
	for _, l := range logs {
		v.Logs = append(v.Logs, logViewOf(l))
	}
	return v
}

// writeDeployment prints a deployment record; withDetails adds every
// log's failures and warnings (deploy log).
func writeDeployment(w io.Writer, v deploymentView, withDetails bool) error {
	pkg := "not retrieved yet"
	if v.Package != nil {
		pkg = fmt.Sprintf("%d components, %d bytes, sha256 %s", len(v.Package.Components), v.Package.Size, v.Package.SHA256[:12])
		if len(v.Package.Missing) > 0 {
			pkg += fmt.Sprintf(" (%d missing)", len(v.Package.Missing))
		}
	}
	pairs := [][2]string{{"Deployment", v.ID}, {"Change request", v.CR}, {"Route", v.Source + " → " + v.Target},
		{"Status", v.Status}, {"Approval", v.ApprovalStatus}, {"Test level", v.TestLevel + testsSuffix(v.Tests)},
		{"Requester", v.Requester}, {"Package", pkg}}
	if v.ValidationID != "" {
		pairs = append(pairs, [2]string{"Validation", v.ValidationID + " at " + v.ValidatedAt.Local().Format(time.DateTime)})
	}
	if err := fields(w, pairs); err != nil {
		return err
	}
	if len(v.Approvers) > 0 {
		fmt.Fprintln(w, "\nApprovers:")
		var rows [][]string
		for _, a := range v.Approvers {
			decision := a.Decision
			if a.Decision != "Pending" && !a.Current {
				decision += " (earlier scope)"
			}
			rows = append(rows, []string{"  " + a.User, decision, orDash(a.Comment)})
		}
		if err := table(w, []string{"  USER", "DECISION", "COMMENT"}, rows); err != nil {
			return err
		}
	}
	if len(v.Dependencies) > 0 {
		fmt.Fprintln(w, "\nDependencies:")
		var rows [][]string
		for _, d := range v.Dependencies {
			rows = append(rows, []string{"  " + d.From.String(), d.To.String(), d.Where})
		}
		if err := table(w, []string{"  FROM", "REFERENCES", "WHERE"}, rows); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\nLogs:")
	if len(v.Logs) == 0 {
		fmt.Fprintln(w, "  (none yet)")
		return nil
	}
	var rows [][]string
	for _, l := range v.Logs {
		rows = append(rows, []string{fmt.Sprintf("  %d", l.ID), l.Kind, l.Status, orDash(l.JobID), counters(l), l.Started.Local().Format(time.DateTime), l.User})
	}
	if err := table(w, []string{"  #", "KIND", "STATUS", "JOB", "PROGRESS", "STARTED", "USER"}, rows); err != nil {
		return err
	}
	for _, l := range v.Logs {
		if !withDetails && len(l.ComponentFailures)+len(l.TestFailures)+len(l.CoverageWarnings) == 0 {
			continue
		}
		writeLogDetails(w, l, withDetails)
	}
	return nil
}

func writeLogDetails(w io.Writer, l logView, all bool) {
	fmt.Fprintf(w, "\n#%d %s — %s\n", l.ID, l.Kind, l.Status)
	if all && l.Message != "" {
		fmt.Fprintf(w, "  %s\n", l.Message)
	}
	for _, f := range l.ComponentFailures {
		fmt.Fprintf(w, "  ✗ %s\n", failureLine(f))
	}
	for _, f := range l.TestFailures {
		fmt.Fprintf(w, "  ✗ test %s.%s: %s\n", f.Class, f.Method, f.Message)
		if all && f.StackTrace != "" {
			fmt.Fprintf(w, "      %s\n", strings.ReplaceAll(f.StackTrace, "\n", "\n      "))
		}
	}
	for _, c := range l.CoverageWarnings {
		fmt.Fprintf(w, "  ! %s\n", c)
	}
	for _, c := range model.CoverageDetails(l.Coverage) {
		fmt.Fprintf(w, "    %s\n", c.String())
	}
}

// failureLine is "Type Name (file:line:col): problem".
func failureLine(f model.ComponentFailure) string {
	where := f.File
	if f.Line > 0 {
		where += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			where += fmt.Sprintf(":%d", f.Column)
		}
	}
	return fmt.Sprintf("%s %s (%s): %s", f.Type, f.Name, where, f.Problem)
}

func counters(l logView) string {
	s := ""
	if l.ComponentsTotal > 0 {
		s = fmt.Sprintf("%d/%d components", l.ComponentsDeployed, l.ComponentsTotal)
		if l.ComponentErrors > 0 {
			s += fmt.Sprintf(" (%d errors)", l.ComponentErrors)
		}
	}
	if l.TestsTotal > 0 {
		s = joinNonEmpty(s, fmt.Sprintf("%d/%d tests", l.TestsCompleted, l.TestsTotal))
		if l.TestErrors > 0 {
			s += fmt.Sprintf(" (%d failed)", l.TestErrors)
		}
	}
	return orDash(s)
}

func testsSuffix(tests []string) string {
	if len(tests) == 0 {
		return ""
	}
	return " (" + strings.Join(tests, ", ") + ")"
}
