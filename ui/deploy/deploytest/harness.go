package deploytest

import (
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/common"
)

// timeout bounds every wait: a screen that never answers fails the test
// instead of hanging it.
const timeout = 20 * time.Second

// Driver plays the root for one screen: it runs the commands the screen
// returns in the background and feeds their messages back, as the root
// broadcasts them, keeping what the screen sends out (status, errors,
// navigation) in Out. Animation ticks (spinner, progress bars, cursor
// blinks) are dropped, so a test waits on work, not on frames.
type Driver struct {
	tb      testing.TB
	Screen  common.Screen
	msgs    chan tea.Msg
	done    chan struct{}
	running sync.WaitGroup
	Out     []tea.Msg
}

// NewDriver returns a driver for s, sized width × height. When the test
// ends it waits a little for the commands still running, so none of them
// touches the test's store while its folder is removed.
func NewDriver(tb testing.TB, s common.Screen, width, height int) *Driver {
	d := &Driver{tb: tb, Screen: s, msgs: make(chan tea.Msg, 64), done: make(chan struct{})}
	tb.Cleanup(func() {
		close(d.done)
		idle := make(chan struct{})
		go func() { d.running.Wait(); close(idle) }()
		select {
		case <-idle:
		case <-time.After(5 * time.Second): // a run still following its job
		}
	})
	s.SetSize(width, height)
	return d
}

// Init runs the screen's Init command.
func (d *Driver) Init() { d.run(d.Screen.Init()) }

// Send updates the screen with msg and runs the command it returns.
func (d *Driver) Send(msg tea.Msg) {
	var cmd tea.Cmd
	d.Screen, cmd = d.Screen.Update(msg)
	d.run(cmd)
}

// Key sends a key by name ("enter", "esc", "tab", "up") or typed text.
func (d *Driver) Key(name string) { d.Send(Key(name)) }

// Type sends each rune of text as a key.
func (d *Driver) Type(text string) {
	for _, r := range text {
		d.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// Until feeds the screen the messages its commands produce until ok holds;
// what describes the wait in a failure.
func (d *Driver) Until(what string, ok func() bool) {
	d.tb.Helper()
	deadline := time.After(timeout)
	for !ok() {
		select {
		case msg := <-d.msgs:
			if Outbound(msg) {
				d.Out = append(d.Out, msg)
				continue
			}
			d.Send(msg)
		case <-deadline:
			d.tb.Fatalf("waited %s for %s; sent out %v\n%s", timeout, what, d.Out, d.Screen.View())
		}
	}
}

// UntilOut waits until the screen sends out a message of type T and returns it.
func UntilOut[T any](d *Driver) T {
	d.tb.Helper()
	var found T
	var zero T
	d.Until(reflect.TypeOf(zero).String(), func() bool {
		for i, m := range d.Out {
			if t, ok := m.(T); ok {
				found = t
				d.Out = append(d.Out[:i], d.Out[i+1:]...)
				return true
			}
		}
		return false
	})
	return found
}

// Outbound reports whether msg is for the root rather than the screen.
func Outbound(msg tea.Msg) bool {
	switch msg.(type) {
	case common.StatusMsg, common.ErrMsg, common.OpenMsg, common.BackMsg, common.FatalMsg:
		return true
	}
	return false
}

func (d *Driver) run(cmd tea.Cmd) {
	if cmd != nil {
		d.running.Add(1)
		go d.exec(cmd)
	}
}

func (d *Driver) exec(cmd tea.Cmd) {
	defer d.running.Done()
	msg := cmd()
	if cmds, ok := subCommands(msg); ok {
		for _, c := range cmds {
			d.run(c)
		}
		return
	}
	switch msg.(type) {
	case nil, spinner.TickMsg, progress.FrameMsg, cursor.BlinkMsg:
		return
	}
	select {
	case d.msgs <- msg:
	case <-d.done:
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

var keys = map[string]tea.KeyMsg{
	"enter": {Type: tea.KeyEnter}, "esc": {Type: tea.KeyEsc}, "tab": {Type: tea.KeyTab},
	"up": {Type: tea.KeyUp}, "down": {Type: tea.KeyDown}, "pgup": {Type: tea.KeyPgUp},
	"pgdown": {Type: tea.KeyPgDown}, "home": {Type: tea.KeyHome}, "end": {Type: tea.KeyEnd},
	"backspace": {Type: tea.KeyBackspace}, "space": {Type: tea.KeySpace, Runes: []rune{' '}},
}

// Key returns the key message for a named key ("enter") or for typed text ("R").
func Key(name string) tea.KeyMsg {
	if k, ok := keys[name]; ok {
		return k
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

// The org's job ids and the packages' digests change from run to run.
var (
	jobIDs  = regexp.MustCompile(`0Af[0-9A-Za-z]{1,15}`)
	digests = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
)

// Stable replaces what differs between runs of the simulated orgs with
// placeholders of the same width, so golden frames keep their layout.
func Stable(view string) string {
	view = jobIDs.ReplaceAllStringFunc(view, func(s string) string { return "0Af" + repeat('X', len(s)-3) })
	return digests.ReplaceAllStringFunc(view, func(s string) string { return repeat('f', len(s)) })
}

func repeat(r rune, n int) string {
	out := make([]rune, n)
	for i := range out {
		out[i] = r
	}
	return string(out)
}
