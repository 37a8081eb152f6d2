package rollback

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	feedpkg "relman/ui/components/feed"
)

// feed is one run's progress on its way to Update.
type feed = feedpkg.Feed[runResult]

func newFeed() *feed { return feedpkg.New[runResult]() }

// runResult is how a run ended: nil err is a rollback that deployed and
// validated. The screen reloads the record itself.
type runResult struct {
	err error
}

// runMsg is a batch of a run's events, and its result once it finished.
// rb and gen name the run, so a message of another run is dropped.
type runMsg struct {
	rb     int64
	gen    int
	events []actions.Event
	result *runResult
}

// waitCmd waits for the feed's next wake-up and returns everything queued.
// Update re-arms it after each message until the result arrives.
func waitCmd(f *feed, rb int64, gen int) tea.Cmd {
	return func() tea.Msg {
		events, result := f.Wait()
		return runMsg{rb: rb, gen: gen, events: events, result: result}
	}
}

// runCmd runs the rollback on the command's goroutine, streaming into f.
// It returns no message: its outcome travels through the feed.
func runCmd(ctx context.Context, svc *actions.Service, rb int64, f *feed) tea.Cmd {
	return func() tea.Msg {
		_, _, err := svc.RunRollback(ctx, rb, f.Push)
		f.Finish(runResult{err: err})
		return nil
	}
}

// run is one run of a rollback in this session. It outlives the view:
// leaving the screen does not stop it, and coming back shows where it is,
// or how it ended.
type run struct {
	rb   int64
	gen  int
	feed *feed
	// n and target say what runs: n components rolled back in target.
	n      int
	target string

	status model.LogStatus
	detail string
	// job holds the org job's latest counters; deployed is set once the
	// job succeeded and the validation against the snapshot began.
	job      actions.Event
	deployed bool
	errs     []string
	seen     map[string]bool

	started, finished time.Time
	done              bool
	err               error
}

func newRun(rb model.Rollback, gen int, started time.Time) *run {
	return &run{rb: rb.ID, gen: gen, feed: newFeed(), n: len(rb.Selected()), target: rb.Target,
		status: model.LogPending, seen: map[string]bool{}, started: started}
}

// apply folds a batch of events into the run. Events repeat every failure
// seen so far, so each failure is kept once, in the order reported.
func (r *run) apply(events []actions.Event) {
	for _, e := range events {
		r.status = e.Status
		if e.Detail != "" {
			r.detail = e.Detail
		}
		if e.Log != 0 {
			r.job = e
		}
		if e.Done && e.Status == model.LogRollbackCompleted {
			r.deployed = true
		}
		for _, f := range e.ComponentFailures {
			r.keep(componentLine(f))
		}
		for _, f := range e.TestFailures {
			r.keep(testLine(f))
		}
	}
}

func (r *run) keep(line string) {
	if !r.seen[line] {
		r.seen[line] = true
		r.errs = append(r.errs, line)
	}
}

// end records the run's outcome at now.
func (r *run) end(res runResult, now time.Time) {
	r.done, r.finished, r.err = true, now, res.err
}

// elapsed is how long the run took, or has taken by now.
func (r *run) elapsed(now time.Time) time.Duration {
	if r.done {
		return r.finished.Sub(r.started)
	}
	return now.Sub(r.started)
}

// componentLine is "ApexClass InvoiceAging: Invalid type: AgingPolicy
// (classes/InvoiceAging.cls:3:12)": the problem before where it is, as
// the problem is what a narrow screen must not cut.
func componentLine(f model.ComponentFailure) string {
	where := f.File
	if f.Line > 0 {
		where += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			where += fmt.Sprintf(":%d", f.Column)
		}
	}
	line := oneLine(strings.TrimSpace(f.Type+" "+f.Name)) + ": " + oneLine(f.Problem)
	if where != "" {
		line += " (" + where + ")"
	}
	return line
}

// testLine is "test InvoiceTotalsTest.neverNegative: System.AssertException: …".
func testLine(f model.TestFailure) string {
	return "test " + f.Class + "." + f.Method + ": " + oneLine(f.Message)
}

// oneLine folds whitespace, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
