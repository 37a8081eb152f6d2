package screentest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/common"
	"relman/ui/uitest"
)

// timeout bounds every wait; a screen that never answers fails the test
// instead of hanging it.
const timeout = 10 * time.Second

// Run is a command being executed in the background, batches and sequences
// expanded, with the messages it produced so far.
type Run struct {
	msgs chan tea.Msg
	done chan struct{}
	seen []tea.Msg
}

// Start executes cmd in the background. Commands that never finish in time
// (cursor blinks, spinner ticks) are simply never waited for.
func Start(tb testing.TB, cmd tea.Cmd) *Run {
	r := &Run{msgs: make(chan tea.Msg), done: make(chan struct{})}
	tb.Cleanup(func() { close(r.done) })
	go r.exec(cmd)
	return r
}

func (r *Run) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	if cmds, ok := subCommands(msg); ok {
		for _, c := range cmds {
			go r.exec(c)
		}
		return
	}
	if msg != nil {
		select {
		case r.msgs <- msg:
		case <-r.done:
		}
	}
}

// subCommands unpacks tea.Batch and tea.Sequence (whose message type is
// unexported, hence reflection: any slice of commands).
func subCommands(msg tea.Msg) ([]tea.Cmd, bool) {
	if b, ok := msg.(tea.BatchMsg); ok {
		return b, true
	}
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeOf(tea.Cmd(nil)) {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

// Take waits for the first message of type T the run produced.
func Take[T any](tb testing.TB, r *Run) T {
	tb.Helper()
	var zero T
	m := TakeWhere(tb, r, fmt.Sprintf("%T", zero), func(m tea.Msg) bool { _, ok := m.(T); return ok })
	return m.(T)
}

// TakeWhere waits for the first message the run produced that satisfies
// ok; what describes it in the failure.
func TakeWhere(tb testing.TB, r *Run, what string, ok func(tea.Msg) bool) tea.Msg {
	tb.Helper()
	for i, m := range r.seen {
		if ok(m) {
			r.seen = append(r.seen[:i], r.seen[i+1:]...)
			return m
		}
	}
	deadline := time.After(timeout)
	for {
		select {
		case m := <-r.msgs:
			if ok(m) {
				return m
			}
			r.seen = append(r.seen, m)
		case <-deadline:
			tb.Fatalf("no %s within %s; got %v", what, timeout, r.seen)
			return nil
		}
	}
}

// TakeStatus waits for the status line report of the run: its text, and
// whether it is an error (common.ErrMsg) rather than a success.
func TakeStatus(tb testing.TB, r *Run) (text string, isErr bool) {
	tb.Helper()
	m := TakeWhere(tb, r, "status or error", func(m tea.Msg) bool {
		switch m.(type) {
		case common.StatusMsg, common.ErrMsg:
			return true
		}
		return false
	})
	if e, ok := m.(common.ErrMsg); ok {
		return e.Err.Error(), true
	}
	return m.(common.StatusMsg).Text, false
}

// Await runs cmd and returns its first message of type T.
func Await[T any](tb testing.TB, cmd tea.Cmd) T {
	tb.Helper()
	if cmd == nil {
		var zero T
		tb.Fatalf("no command, so no %T", zero)
	}
	return Take[T](tb, Start(tb, cmd))
}

// Key returns the key message for a named key ("enter", "ctrl+s") or for
// typed text ("a", "["): uitest.Key.
func Key(name string) tea.KeyMsg { return uitest.Key(name) }
