package deploy

import (
	"errors"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/theme"
)

// stageState is where one stage of Deploy Changes stands.
type stageState int

const (
	stagePending stageState = iota
	stageRunning
	stageDone
	stageFailed
	// stageSkipped is a stage a later one ran without (a deploy without a
	// validation first).
	stageSkipped
	// stageWarned finished with something to look at: the dependency
	// check found components missing from the target and the package.
	stageWarned
	// stageCancelled was stopped on request: not a failure of the package.
	stageCancelled
)

// String names the state beside the stage when there is room.
func (s stageState) String() string {
	return [...]string{"pending", "running", "done", "failed", "skipped", "warnings", "cancelled"}[s]
}

// stageNames label actions.Stages, in order.
var stageNames = [...]string{"Retrieve", "Dependencies", "Validate", "Deploy", "Verify"}

// stageIndex is s's position in actions.Stages.
func stageIndex(s actions.Stage) int { return slices.Index(actions.Stages, s) }

// stageOfKind is the stage a log of kind k belongs to, or -1 (rollback).
func stageOfKind(k model.LogKind) int {
	switch k {
	case model.LogRetrieve:
		return 0
	case model.LogDeps:
		return 1
	case model.LogValidate:
		return 2
	case model.LogDeploy, model.LogQuickDeploy:
		return 3
	case model.LogVerify:
		return 4
	}
	return -1
}

// stagesOf is what d's logs say about each stage. A new retrieve replaces
// the package, so only logs since the latest retrieve count for the later
// stages (but a validation of identical content still holds), and none
// count once the package is dropped (its scope grew), except a job still
// running; a stage passed over by a later one reads as skipped.
func stagesOf(d model.DeploymentRecord, logs []model.DeploymentLog) [5]stageState {
	var out [5]stageState
	since := int64(0)
	for _, l := range logs {
		if l.Kind == model.LogRetrieve {
			since = l.ID
		}
	}
	last := -1
	for _, l := range logs {
		i := stageOfKind(l.Kind)
		stale := (i > 0 && l.ID < since) || (d.Package == nil && !l.Running())
		if i < 0 || stale {
			continue
		}
		switch outcomeOf(l.Status) {
		case outcomeOK:
			out[i] = stageDone
		case outcomeCancelled:
			out[i] = stageCancelled
		case outcomeFailed:
			out[i] = stageFailed
		default:
			out[i] = stageRunning
		}
		last = max(last, i)
	}
	// Retrieving the same content again keeps its validation good.
	if out[2] == stagePending && d.ValidationID != "" && d.Package != nil && d.ValidatedPackage == d.Package.SHA256 {
		out[2], last = stageDone, max(last, 2)
	}
	for i := range last {
		if out[i] == stagePending {
			out[i] = stageSkipped
		}
	}
	if out[1] == stageDone && len(missingOf(d)) > 0 {
		out[1] = stageWarned
	}
	return out
}

// missingOf lists d's dependencies found in neither the package nor the
// target: a deploy without them fails or breaks the org.
func missingOf(d model.DeploymentRecord) []string {
	var out []string
	for _, dep := range d.Dependencies {
		if dep.Where == actions.Missing {
			out = append(out, dep.To.String())
		}
	}
	return out
}

// planOf lists the stages a step goes through. A resumed job continues the
// stage of its log's kind.
func planOf(s step, kind model.LogKind) []int {
	switch s {
	case stepRetrieve:
		return []int{0}
	case stepDependencies:
		return []int{1}
	case stepValidate:
		return []int{2}
	case stepDeploy, stepQuickDeploy:
		return []int{3, 4}
	}
	if kind == model.LogValidate {
		return []int{2}
	}
	return []int{3, 4}
}

// run is one step running (or run) on a deployment record in this session.
// It outlives the view: leaving the screen does not stop it, and coming
// back shows where it is, or how it ended.
type run struct {
	key  string // "DR-0007"
	gen  int
	step step
	feed *feed
	plan []int

	stages  [5]stageState
	current int // index of the stage the latest event was about
	status  model.LogStatus
	detail  string

	// job holds the latest counters of the org job (retrieve, validate or
	// deploy); verify and dependencies report no progress of their own.
	job     actions.Event
	hasJob  bool
	eta     estimate
	errs    errorList
	compBar progress.Model
	testBar progress.Model
	// failColor fills a bar once its counter has failures: a full green
	// Tests bar with a failed test would say the opposite of what happened.
	failColor string

	started, finished time.Time
	done              bool
	err               error
	// reloadSeq is the load asked for when the run ended: until it arrives
	// the screen keeps showing the run's stages over the stored ones.
	reloadSeq int
}

func newRun(st *theme.Styles, key string, gen int, s step, plan []int, started time.Time) *run {
	r := &run{key: key, gen: gen, step: s, feed: newFeed(), plan: plan, current: plan[0],
		errs: newErrorList(), started: started}
	bar := func(c lipgloss.TerminalColor) progress.Model {
		return progress.New(progress.WithSolidFill(hexColor(st.Renderer, c)), progress.WithoutPercentage(),
			progress.WithColorProfile(st.Renderer.ColorProfile()))
	}
	r.compBar, r.testBar = bar(st.Palette.Accent), bar(st.Palette.Success)
	r.compBar.EmptyColor, r.testBar.EmptyColor = hexColor(st.Renderer, st.Palette.Border), hexColor(st.Renderer, st.Palette.Border)
	r.failColor = hexColor(st.Renderer, st.Palette.Error)
	// The first stage runs from the moment the step is asked for: the org
	// may take a while to report anything.
	r.stages[plan[0]] = stageRunning
	return r
}

// apply folds a batch of events into the run and returns the progress
// bars' animation commands.
func (r *run) apply(events []actions.Event) tea.Cmd {
	var cmds []tea.Cmd
	for _, e := range events {
		i := stageIndex(e.Stage)
		if i < 0 {
			continue
		}
		r.current, r.status = i, e.Status
		if e.Detail != "" {
			r.detail = e.Detail
		}
		r.errs.add(e.ComponentFailures, e.TestFailures, e.CoverageWarnings, e.Coverage)
		switch {
		case !e.Done:
			r.stages[i] = stageRunning
		case outcomeOf(e.Status) == outcomeOK:
			r.stages[i] = stageDone
			// The next stage of the step starts without an event of its
			// own (verify begins as soon as the deploy ends).
			if j := slices.Index(r.plan, i); j >= 0 && j+1 < len(r.plan) {
				r.current = r.plan[j+1]
				r.stages[r.current], r.status, r.detail = stageRunning, "", ""
			}
		case outcomeOf(e.Status) == outcomeCancelled:
			r.stages[i] = stageCancelled
		default:
			r.stages[i] = stageFailed
		}
		// Only the org jobs count (the deploy's snapshot event has no log
		// yet, verify and dependencies no counters).
		if e.Log != 0 && (e.Stage == actions.StageRetrieve || e.Stage == actions.StageValidate || e.Stage == actions.StageDeploy) {
			if e.Log != r.job.Log {
				r.eta = estimate{}
			}
			r.job, r.hasJob = e, true
			r.eta.observe(e)
			if e.ComponentErrors > 0 {
				r.compBar.FullColor = r.failColor
			}
			if e.TestErrors > 0 {
				r.testBar.FullColor = r.failColor
			}
			cmds = append(cmds, setPercent(&r.compBar, ratio(e.ComponentsDeployed, e.ComponentsTotal)),
				setPercent(&r.testBar, ratio(e.TestsRun(), e.TestsTotal)))
		}
	}
	return tea.Batch(cmds...)
}

// end records the step's outcome at now.
func (r *run) end(res runResult, now time.Time) {
	r.done, r.finished, r.err = true, now, res.err
	for _, i := range r.plan {
		if r.stages[i] == stageRunning {
			switch {
			case res.err == nil:
				r.stages[i] = stageDone
			case r.cancelled():
				r.stages[i] = stageCancelled
			default:
				r.stages[i] = stageFailed
			}
		}
	}
}

// cancelled reports whether the run ended because its job was cancelled
// on request: not a failure of the package.
func (r *run) cancelled() bool {
	var failed *actions.JobFailedError
	return r.done && errors.As(r.err, &failed) && outcomeOf(failed.Status) == outcomeCancelled
}

// quickRefused reports whether the run ended because quick deploy was not
// possible (nothing ran in the org).
func (r *run) quickRefused() bool { return r.done && errors.Is(r.err, model.ErrQuickDeploy) }

// elapsed is how long the run took, or has taken by now.
func (r *run) elapsed(now time.Time) time.Duration {
	if r.done {
		return r.finished.Sub(r.started)
	}
	return now.Sub(r.started)
}

// setWidth sizes both progress bars.
func (r *run) setWidth(w int) { r.compBar.Width, r.testBar.Width = w, w }

// frame forwards a progress bar animation frame; each bar ignores the
// frames of others.
func (r *run) frame(msg progress.FrameMsg) tea.Cmd {
	var c1, c2 tea.Cmd
	var m tea.Model
	m, c1 = r.compBar.Update(msg)
	r.compBar = m.(progress.Model)
	m, c2 = r.testBar.Update(msg)
	r.testBar = m.(progress.Model)
	return tea.Batch(c1, c2)
}

// setPercent moves a bar to p. bubbles/progress's animation command
// reads the bar it was made from when its tick fires, on another
// goroutine: it is made from a copy no one changes afterwards, never from
// the bar the run keeps and updates.
func setPercent(bar *progress.Model, p float64) tea.Cmd {
	c := *bar
	cmd := c.SetPercent(p)
	*bar = c
	return cmd
}

func ratio(done, total int) float64 {
	if total <= 0 {
		return 0
	}
	return float64(done) / float64(total)
}

// estimate guesses the time left of an org job from how fast it moved
// since it was first seen in its current phase: components deploy in
// seconds, tests can take hours, so each phase is timed on its own, and
// while components deploy the tests still to come are not guessed at.
type estimate struct {
	tests       bool // the phase: tests once every component is deployed
	at0, at     time.Time
	done0, done int
	total       int
	seen        bool
}

func (e *estimate) observe(ev actions.Event) {
	tests := ev.TestsTotal > 0 && ev.ComponentsDeployed+ev.ComponentErrors >= ev.ComponentsTotal
	work, total := ev.ComponentsDeployed, ev.ComponentsTotal
	if tests {
		work, total = ev.TestsRun(), ev.TestsTotal
	}
	if !e.seen || tests != e.tests {
		e.tests, e.at0, e.done0, e.seen = tests, ev.At, work, true
	}
	e.at, e.done, e.total = ev.At, work, total
}

// left is the estimated time to finish at now, when the counters moved
// enough to tell. The time since the last report counts as spent.
func (e estimate) left(now time.Time) (time.Duration, bool) {
	moved, took := e.done-e.done0, e.at.Sub(e.at0)
	if !e.seen || moved <= 0 || took <= 0 || e.total <= e.done {
		return 0, false
	}
	rest := time.Duration(float64(took)/float64(moved)*float64(e.total-e.done)) - now.Sub(e.at)
	return max(rest, 0), true
}
