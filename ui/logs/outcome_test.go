package logs

import (
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/ui/common"
	"relman/ui/deploy/deploytest"
)

// TestOpeningFromElsewhereResetsFilters: filters set on one visit do not
// hide the record the next visit opens ("0 of 14 attempts").
func TestOpeningFromElsewhereResetsFilters(t *testing.T) {
	t.Parallel()
	d, m := open(t, fixture(t).Deps(t, "alice"), 0, 158, 45)
	for m.status != outcomeFailed {
		d.Key("f")
	}
	d.Key("/")
	d.Type("CR-0003")
	d.Key("enter")
	if m.cr == 0 || m.status == outcomeAll {
		t.Fatalf("filters not set: cr %d, status %q", m.cr, m.status)
	}
	d.Send(common.ShowMsg{ID: 5})
	d.Until("DR-0005's logs", func() bool { return !m.loading })
	if m.status != outcomeAll || m.cr != 0 {
		t.Errorf("filters kept on a new visit: status %q, cr %d", m.status, m.cr)
	}
	if len(m.visible) != 3 || m.filterNote() != "DR-0005 only" {
		t.Errorf("DR-0005 shows %d attempts:\n%s", len(m.visible), m.View())
	}
}

// TestAttemptsNumberedPerRecord: each record's attempts count from 1 in
// the order they ran; the table and the failures pane say "DR-0005
// attempt 3", not the global log id.
func TestAttemptsNumberedPerRecord(t *testing.T) {
	t.Parallel()
	_, m := open(t, fixture(t).Deps(t, "alice"), 0, 158, 45)
	last := map[int64]model.DeploymentLog{}
	count := map[int64]int{}
	for i := len(m.entries) - 1; i >= 0; i-- { // oldest first
		e := m.entries[i]
		count[e.l.Deployment]++
		if e.attempt != count[e.l.Deployment] {
			t.Errorf("log %d of %d is attempt %d, want %d", e.l.ID, e.l.Deployment, e.attempt, count[e.l.Deployment])
		}
		if p, ok := last[e.l.Deployment]; ok && p.ID > e.l.ID {
			t.Errorf("entries out of order: %d before %d", p.ID, e.l.ID)
		}
		last[e.l.Deployment] = e.l
	}
	view := m.View()
	if !strings.Contains(view, "DR-0005 #3") || !strings.Contains(view, "DR-0005 attempt 3") {
		t.Errorf("DR-0005's third attempt is not named so:\n%s", view)
	}
	if strings.Contains(view, "DR-0005/") {
		t.Errorf("a global log id shows:\n%s", view)
	}
}

// TestOutcomes: the org's words group into four; a cancel is not a failure
// and a partial success is not a success.
func TestOutcomes(t *testing.T) {
	t.Parallel()
	done := deploytest.Now.Add(time.Minute)
	for _, c := range []struct {
		status    model.LogStatus
		completed time.Time
		want      outcome
	}{
		{model.LogInProgress, time.Time{}, outcomeRunning},
		{model.LogValidationInProgress, time.Time{}, outcomeRunning},
		{model.LogCanceling, time.Time{}, outcomeRunning},
		{model.LogSucceeded, done, outcomeSucceeded},
		{model.LogValidationCompleted, done, outcomeSucceeded},
		{model.LogRetrieveCompleted, done, outcomeSucceeded},
		{model.LogSucceededPartial, done, outcomeFailed},
		{model.LogValidationFailed, done, outcomeFailed},
		{model.LogRollbackFailed, done, outcomeFailed},
		{model.LogCanceled, done, outcomeCancelled},
	} {
		l := model.DeploymentLog{Status: c.status, Started: deploytest.Now, Completed: c.completed}
		if got := outcomeOf(l); got != c.want {
			t.Errorf("%s: %q, want %q", c.status, got, c.want)
		}
	}
}
