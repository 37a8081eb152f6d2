package uitest

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/common"
)

// timeout bounds every command a drive runs.
const timeout = 10 * time.Second

// Sent is what a drive saw a screen send beyond its own messages: to the
// root (status lines, errors, navigation) and to other screens.
type Sent struct{ Msgs []tea.Msg }

// Find is the first message sent that pred accepts, or nil.
func (s *Sent) Find(pred func(tea.Msg) bool) tea.Msg {
	for _, m := range s.Msgs {
		if pred(m) {
			return m
		}
	}
	return nil
}

// Has reports whether a message pred accepts was sent.
func (s *Sent) Has(pred func(tea.Msg) bool) bool { return s.Find(pred) != nil }

// forRoot reports whether msg is meant for the root, not the screen.
func forRoot(msg tea.Msg) bool {
	switch msg.(type) {
	case common.StatusMsg, common.ErrMsg, common.OpenMsg, common.BackMsg, common.FatalMsg:
		return true
	}
	return false
}

// Drain runs cmd and every command its messages lead to, as the program
// would, until nothing is left. The root's messages are recorded; the
// screen's own (own reports which) go back to it through send; any other
// is both recorded and given to the screen, as the root broadcasts it.
// Spinner frames and cursor blinks are timers that never end, so they are
// dropped.
func Drain(tb testing.TB, send func(tea.Msg) tea.Cmd, own func(tea.Msg) bool, cmd tea.Cmd) *Sent {
	tb.Helper()
	out := &Sent{}
	d := drive{tb: tb, send: send, own: own, out: out}
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		msgs := RunAll(tb, queue)
		queue = nil
		for _, msg := range msgs {
			queue = append(queue, d.route(msg)...)
		}
	}
	return out
}

// drive is one Drain: where messages go and what was sent.
type drive struct {
	tb   testing.TB
	send func(tea.Msg) tea.Cmd
	own  func(tea.Msg) bool
	out  *Sent
}

func (d drive) route(msg tea.Msg) []tea.Cmd {
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, cursor.BlinkMsg:
		return nil
	case tea.BatchMsg:
		return msg
	}
	if forRoot(msg) {
		d.out.Msgs = append(d.out.Msgs, msg)
		return nil
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		// tea.Sequence: in order, each to the end before the next.
		for i := range v.Len() {
			for _, m := range RunAll(d.tb, []tea.Cmd{v.Index(i).Interface().(tea.Cmd)}) {
				for _, c := range d.route(m) {
					d.out.Msgs = append(d.out.Msgs, Drain(d.tb, d.send, d.own, c).Msgs...)
				}
			}
		}
		return nil
	}
	if strings.Contains(reflect.TypeOf(msg).String(), "blink") {
		return nil // the cursor's first blink, an unexported type
	}
	if d.own == nil || !d.own(msg) {
		d.out.Msgs = append(d.out.Msgs, msg)
	}
	return []tea.Cmd{d.send(msg)}
}

// RunAll runs commands at once, as the program does, and collects what
// they send; a command still running after the timeout fails the test.
func RunAll(tb testing.TB, cmds []tea.Cmd) []tea.Msg {
	tb.Helper()
	var mu sync.Mutex
	var msgs []tea.Msg
	var wg sync.WaitGroup
	for _, c := range cmds {
		if c == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := c()
			mu.Lock()
			msgs = append(msgs, msg)
			mu.Unlock()
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		tb.Fatalf("a command did not finish in %s", timeout)
	}
	return msgs
}

// keys maps key names, as key.Binding spells them, to key messages.
var keys = map[string]tea.KeyMsg{
	"enter": {Type: tea.KeyEnter}, "esc": {Type: tea.KeyEsc}, "tab": {Type: tea.KeyTab},
	"shift+tab": {Type: tea.KeyShiftTab}, "up": {Type: tea.KeyUp}, "down": {Type: tea.KeyDown},
	"left": {Type: tea.KeyLeft}, "right": {Type: tea.KeyRight}, "pgup": {Type: tea.KeyPgUp},
	"pgdown": {Type: tea.KeyPgDown}, "home": {Type: tea.KeyHome}, "end": {Type: tea.KeyEnd},
	"backspace": {Type: tea.KeyBackspace}, "delete": {Type: tea.KeyDelete}, "space": {Type: tea.KeySpace, Runes: []rune{' '}},
	"ctrl+b": {Type: tea.KeyCtrlB}, "ctrl+c": {Type: tea.KeyCtrlC}, "ctrl+d": {Type: tea.KeyCtrlD},
	"ctrl+e": {Type: tea.KeyCtrlE}, "ctrl+f": {Type: tea.KeyCtrlF}, "ctrl+j": {Type: tea.KeyCtrlJ},
	"ctrl+k": {Type: tea.KeyCtrlK}, "ctrl+n": {Type: tea.KeyCtrlN}, "ctrl+p": {Type: tea.KeyCtrlP},
	"ctrl+r": {Type: tea.KeyCtrlR}, "ctrl+s": {Type: tea.KeyCtrlS}, "ctrl+t": {Type: tea.KeyCtrlT},
	"ctrl+u": {Type: tea.KeyCtrlU}, "ctrl+z": {Type: tea.KeyCtrlZ},
}

// Key is the key message for a named key ("enter", "ctrl+s") or for typed
// text ("a", "[").
func Key(name string) tea.KeyMsg {
	if k, ok := keys[name]; ok {
		return k
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}
