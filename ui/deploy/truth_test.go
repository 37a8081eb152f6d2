package deploy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
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

// A key the rules refuse is not in the footer, and pressing it says the
// rule and the fix: the CLI's words.
func TestRefusedKeySaysTheRule(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "alice"), 6, 158, 45)
	if strings.Contains(enabled(m), "a") {
		t.Fatalf("the requester is offered approve: %q", enabled(m))
	}
	d.Key("a")
	err := deploytest.UntilOut[common.ErrMsg](d).Err
	if !errors.Is(err, model.ErrSelfApproval) || !strings.Contains(err.Error(), "Ask a listed approver.") {
		t.Fatalf("a on her own record: %v", err)
	}
	d.Key("r")
	if err := deploytest.UntilOut[common.ErrMsg](d).Err; !errors.Is(err, model.ErrSelfApproval) {
		t.Fatalf("r on her own record: %v", err)
	}
}

// A Draft deployment of a finished change request offers nothing that
// moves it, and says why when s is pressed.
func TestDraftOfFinishedCRCannotMove(t *testing.T) {
	t.Parallel()
	deps := depsAs(t, "alice")
	if _, err := deps.Svc.CancelCR(2, "Superseded by CR-0005."); err != nil {
		t.Fatal(err)
	}
	d, m := openDetail(t, deps, 7, 158, 45)
	if got := enabled(m); got != "l esc" {
		t.Fatalf("DR-0007 of cancelled CR-0002 offers %q", got)
	}
	d.Key("s")
	err := deploytest.UntilOut[common.ErrMsg](d).Err
	if !errors.Is(err, model.ErrCRFinishedDeployment) || !strings.Contains(err.Error(), "DR-0007 belongs to CR-0002, which is Cancelled") {
		t.Fatalf("s on DR-0007: %v", err)
	}
	if _, err := deps.Svc.SubmitDeployment(7); !errors.Is(err, model.ErrCRFinishedDeployment) {
		t.Fatalf("the actions layer (the CLI's path) submitted it: %v", err)
	}
	if _, err := deps.Svc.NewDeployment(2, "uat", "production", model.DeploymentFields{}); !errors.Is(err, model.ErrFinished) {
		t.Fatalf("a new deployment of cancelled CR-0002: %v", err)
	}
}

// From a completed deployment, b opens the rollback builder.
func TestRollbackFromACompletedDeployment(t *testing.T) {
	t.Parallel()
	d, m := openDetail(t, depsAs(t, "alice"), 5, 158, 45)
	if !strings.Contains(enabled(m), "b") {
		t.Fatalf("verified DR-0005 does not offer b: %q", enabled(m))
	}
	d.Key("b")
	if open := deploytest.UntilOut[common.OpenMsg](d); open.Screen != common.ScreenRollback || open.ID != 5 {
		t.Fatalf("b opened %+v", open)
	}
	// A draft is not rollbackable: b is refused with the rule.
	d2, m2 := openDetail(t, depsAs(t, "alice"), 7, 158, 45)
	if strings.Contains(enabled(m2), "b") {
		t.Fatalf("draft DR-0007 offers b: %q", enabled(m2))
	}
	d2.Key("b")
	if err := deploytest.UntilOut[common.ErrMsg](d2).Err; !errors.Is(err, model.ErrNotRollbackable) {
		t.Fatalf("b on a draft: %v", err)
	}
}
