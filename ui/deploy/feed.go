package deploy

import (
	"context"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
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

// feed carries one run's progress from its worker to Update. The worker
// never waits for the UI: events queue under a mutex and a one-slot wake-up
// says there is something to read, so a slow frame can delay drawing but
// never the deploy, and no event is lost (a frame drains them all).
type feed struct {
	mu     sync.Mutex
	events []actions.Event
	result *runResult
	wake   chan struct{}
}

// runResult is how a step ended.
type runResult struct {
	record model.DeploymentRecord
	err    error
}

func newFeed() *feed { return &feed{wake: make(chan struct{}, 1)} }

// push queues an event; it is the actions.Progress of the run.
func (f *feed) push(e actions.Event) {
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
	f.signal()
}

// finish records the step's outcome; nothing is pushed after it.
func (f *feed) finish(r runResult) {
	f.mu.Lock()
	f.result = &r
	f.mu.Unlock()
	f.signal()
}

func (f *feed) signal() {
	select {
	case f.wake <- struct{}{}:
	default: // a wake-up is already pending; its reader drains this too
	}
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
func (f *feed) waitCmd(dr int64, gen int) tea.Cmd {
	return func() tea.Msg {
		<-f.wake
		f.mu.Lock()
		defer f.mu.Unlock()
		events := f.events
		f.events = nil
		return runMsg{dr: dr, gen: gen, events: events, result: f.result}
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
			d, _, err = svc.Retrieve(ctx, dr, f.push)
		case stepDependencies:
			d, _, err = svc.CheckDependencies(ctx, dr, f.push)
		case stepValidate:
			d, _, err = svc.Validate(ctx, dr, f.push)
		case stepDeploy, stepQuickDeploy:
			d, _, err = svc.Deploy(ctx, dr, s == stepQuickDeploy, f.push)
		case stepResume:
			d, _, err = svc.Resume(ctx, dr, f.push)
		}
		f.finish(runResult{record: d, err: err})
		return nil
	}
}
