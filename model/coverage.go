package model

import (
	"fmt"
	"strings"
)

// CoverageRequired is the Apex code coverage a production deployment needs:
// org-wide with RunLocalTests and RunAllTestsInOrg, per deployed class and
// trigger with RunSpecifiedTests.
const CoverageRequired = 75

// Coverage is the Apex code coverage a deployment's test run measured.
type Coverage struct {
	Covered int `json:"covered"` // lines covered, all classes and triggers
	Lines   int `json:"lines"`
	// OrgWide is set when the org-wide figure is what fell short
	// (RunLocalTests, RunAllTestsInOrg); otherwise the classes below did.
	OrgWide bool `json:"orgWide,omitempty"`
	// Below are the classes and triggers that fell short — with OrgWide,
	// every one under CoverageRequired — least covered first.
	Below []ClassCoverage `json:"below,omitempty"`
}

// ClassCoverage is one Apex class's or trigger's coverage.
type ClassCoverage struct {
	Type    string `json:"type"` // ApexClass or ApexTrigger
	Name    string `json:"name"`
	Covered int    `json:"covered"`
	Lines   int    `json:"lines"`
}

// percentOf is covered/lines in whole percent, rounded down as Salesforce
// reports it (74.9 % is not 75 %).
func percentOf(covered, lines int) int {
	if lines == 0 {
		return 100
	}
	return covered * 100 / lines
}

// Percent is the org-wide coverage.
func (c Coverage) Percent() int { return percentOf(c.Covered, c.Lines) }

// Percent is the class's coverage.
func (c ClassCoverage) Percent() int { return percentOf(c.Covered, c.Lines) }

// CoverageSummary says in one line why coverage failed a deployment, from
// the org's coverage warnings and, when the org reported it, the measured
// coverage: "coverage 64% org-wide (75% required); under 75%: ApexClass
// Untested 0%". It is "" when there are no warnings.
func CoverageSummary(warnings []string, c *Coverage) string {
	if len(warnings) == 0 {
		return ""
	}
	if c == nil {
		return "coverage: " + strings.Join(warnings, "; ")
	}
	var parts []string
	if c.OrgWide {
		parts = append(parts, fmt.Sprintf("coverage %d%% org-wide (%d%% required)", c.Percent(), CoverageRequired))
	}
	if len(c.Below) > 0 {
		var names []string
		for _, b := range c.Below {
			names = append(names, fmt.Sprintf("%s %s %d%%", b.Type, b.Name, b.Percent()))
		}
		under := fmt.Sprintf("under %d%%: %s", CoverageRequired, strings.Join(names, ", "))
		if !c.OrgWide {
			under = "coverage " + under
		}
		parts = append(parts, under)
	}
	if len(parts) == 0 {
		return "coverage: " + strings.Join(warnings, "; ")
	}
	return strings.Join(parts, "; ")
}

// CoverageLine is one line of a coverage shortfall: what (org-wide, or a
// class or trigger) and its figure.
type CoverageLine struct {
	Subject, Figure string
}

func (l CoverageLine) String() string { return l.Subject + ": " + l.Figure }

// CoverageDetails are the lines `deploy log`, the logs screen and the
// deployment screen's failures show for a coverage failure: the org-wide
// figure when it is what fell short, then each class and trigger below the
// bar.
func CoverageDetails(c *Coverage) []CoverageLine {
	if c == nil {
		return nil
	}
	var out []CoverageLine
	if c.OrgWide {
		out = append(out, CoverageLine{"org-wide coverage", fmt.Sprintf("%d%% (%d of %d lines), %d%% required", c.Percent(), c.Covered, c.Lines, CoverageRequired)})
	}
	for _, b := range c.Below {
		out = append(out, CoverageLine{b.Type + " " + b.Name, fmt.Sprintf("%d%% (%d of %d lines)", b.Percent(), b.Covered, b.Lines)})
	}
	return out
}
