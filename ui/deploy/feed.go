package deploy

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	feedpkg "relman/ui/components/feed"
)

// step is a Deploy Changes step the detail screen starts.
type step int

const (
	stepRetrieve step = iota
	stepDependencies
	stepValidate
	stepDeploy
	stepQuickDeploy
	stepResume
)

// String names the step in the progress panel ("Deploy").
func (s step) String() string {
	return [...]string{"Retrieve", "Check dependencies", "Validate", "Deploy", "Quick deploy", "Resume"}[s]
}

// feed is one run's progress on its way to Update.
type feed = feedpkg.Feed[runResult]

func newFeed() *feed { return feedpkg.New[runResult]() }

// runResult is how a step ended.
type runResult struct {
	record model.DeploymentRecord
	err    error
}

// runMsg is a batch of a run's events, and its result once it finished.
// dr and gen name the run, so a message of an earlier run is dropped.
type runMsg struct {
	dr     int64
	gen    int
	events []actions.Event
	result *runResult
}

// waitCmd waits for the feed's next wake-up and returns everything queued.
// Update re-arms it after each message until the result arrives.
func waitCmd(f *feed, dr int64, gen int) tea.Cmd {
	return func() tea.Msg {
		events, result := f.Wait()
		return runMsg{dr: dr, gen: gen, events: events, result: result}
	}
}

// workCmd runs the step on the command's goroutine, streaming into f. It
// returns no message: its outcome travels through the feed.
func workCmd(ctx context.Context, svc *actions.Service, dr int64, s step, f *feed) tea.Cmd {
	return func() tea.Msg {
		var d model.DeploymentRecord
		var err error
		switch s {
		case stepRetrieve:
			d, _, err = svc.Retrieve(ctx, dr, f.Push)
		case stepDependencies:
			d, _, err = svc.CheckDependencies(ctx, dr, f.Push)
		case stepValidate:
			d, _, err = svc.Validate(ctx, dr, f.Push)
		case stepDeploy, stepQuickDeploy:
			d, _, err = svc.Deploy(ctx, dr, s == stepQuickDeploy, f.Push)
		case stepResume:
			d, _, err = svc.Resume(ctx, dr, f.Push)
		}
		f.Finish(runResult{record: d, err: err})
		return nil
	}
}
