// Package feed carries a long job's progress (a deploy, a rollback) from
// the goroutine running it to a screen's Update. The worker never waits for
// the UI: events queue under a mutex and a one-slot wake-up says there is
// something to read, so a slow frame can delay drawing but never the job,
// and no event is lost (each read drains them all).
//
// feed may import ui/actions only.
package feed

import (
	"sync"

	"relman/ui/actions"
)

// Feed is one run's events and, once it ended, its result R.
type Feed[R any] struct {
	mu     sync.Mutex
	events []actions.Event
	result *R
	wake   chan struct{}
}

// New returns an empty feed.
func New[R any]() *Feed[R] { return &Feed[R]{wake: make(chan struct{}, 1)} }

// Push queues an event; it serves as the run's actions.Progress.
func (f *Feed[R]) Push(e actions.Event) {
	f.mu.Lock()
	f.events = append(f.events, e)
	f.mu.Unlock()
	f.signal()
}

// Finish records the run's outcome; nothing is pushed after it.
func (f *Feed[R]) Finish(r R) {
	f.mu.Lock()
	f.result = &r
	f.mu.Unlock()
	f.signal()
}

func (f *Feed[R]) signal() {
	select {
	case f.wake <- struct{}{}:
	default: // a wake-up is already pending; its reader drains this too
	}
}

// Wait blocks until something was pushed or the run finished, then returns
// every queued event and the result (nil while the run goes on). Screens
// call it from a command they re-arm until the result arrives.
func (f *Feed[R]) Wait() ([]actions.Event, *R) {
	<-f.wake
	f.mu.Lock()
	defer f.mu.Unlock()
	events := f.events
	f.events = nil
	return events, f.result
}
