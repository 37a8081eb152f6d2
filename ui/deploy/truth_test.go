package deploy

import (
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/theme"
)

// The deploy question says when no validation of the package passed, and
// why: a failed one (with the org's words) or none at all.
func TestDeployWithoutAPassingValidationSaysWhy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		id   int64
		want []string
	}{
		{2, []string{"The latest validation of this package failed (Validation Failed", "V validates first"}},
		{1, []string{"This package has not been validated", "V validates first"}},
	}
	for _, c := range cases {
		d, m := openDetail(t, depsAs(t, "alice"), c.id, 158, 45)
		d.Key("x")
		view := m.View()
		for _, w := range c.want {
			if !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(view, "│", " ")), " "), w) {
				t.Errorf("DR-%04d: the deploy question lacks %q:\n%s", c.id, w, view)
			}
		}
	}
	// A validated package asks without a warning.
	d, m := openDetail(t, depsAs(t, "alice"), 4, 158, 45)
	d.Key("x")
	if view := m.View(); !strings.Contains(view, "Deploy DR-0004") || strings.Contains(view, "⚠") {
		t.Errorf("validated DR-0004's deploy question:\n%s", view)
	}
}

// A missing dependency marks the Dependencies stage with a warning, not a
// green tick.
func TestMissingDependencyIsAWarningMark(t *testing.T) {
	t.Parallel()
	_, m := openDetail(t, depsAs(t, "alice"), 1, 158, 45)
	if s := m.stages(); s[1] != stageWarned {
		t.Fatalf("DR-0001 with a missing dependency: stages %v", s)
	}
	if strip := m.stripView(); !strings.Contains(strip, "! Dependencies warnings") || strings.Contains(strip, "✓ Dependencies") {
		t.Errorf("strip %q", strip)
	}
}

// A failed test turns the Tests bar to the error colour.
func TestTestsBarIsNotGreenWithFailures(t *testing.T) {
	st := theme.Default()
	r := newRun(st, "DR-0001", 1, stepDeploy, planOf(stepDeploy, ""), time.Time{})
	green := r.testBar.FullColor
	r.apply([]actions.Event{{Stage: actions.StageDeploy, Log: 1, Status: model.LogInProgress, TestsTotal: 4, TestsCompleted: 3}})
	if r.testBar.FullColor != green {
		t.Fatalf("the Tests bar changed colour with no failure")
	}
	r.apply([]actions.Event{{Stage: actions.StageDeploy, Log: 1, Status: model.LogInProgress, TestsTotal: 4, TestsCompleted: 3, TestErrors: 1}})
	if r.testBar.FullColor == green || r.testBar.FullColor != r.failColor {
		t.Fatalf("Tests bar colour %q with a failed test (green %q)", r.testBar.FullColor, green)
	}
}
