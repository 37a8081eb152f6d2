package serve

import (
	"context"
	"sync"
)

// tracker counts open connections and sessions against one bound, refuses
// new sessions once a shutdown began, and lets the shutdown wait for the
// last session to end.
type tracker struct {
	mu       sync.Mutex
	max      int
	conns    int
	sessions int
	closing  bool
	// idle is closed, and replaced, whenever the session count drops to 0.
	idle chan struct{}
}

func newTracker(max int) *tracker { return &tracker{max: max, idle: make(chan struct{})} }

func (t *tracker) admitConn() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns >= t.max {
		return false
	}
	t.conns++
	return true
}

func (t *tracker) releaseConn() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conns--
}

// begin counts a new session, or says why there cannot be one.
func (t *tracker) begin() (ok bool, shuttingDown bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closing:
		return false, true
	case t.sessions >= t.max:
		return false, false
	}
	t.sessions++
	return true, false
}

func (t *tracker) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sessions--
	if t.sessions == 0 {
		close(t.idle)
		t.idle = make(chan struct{})
	}
}

func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sessions
}

// wait refuses new sessions from now on and returns when none is open, or
// with ctx's error when ctx ends first.
func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	t.closing = true
	if t.sessions == 0 {
		t.mu.Unlock()
		return nil
	}
	idle := t.idle
	t.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
