package review

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

func TestMain(m *testing.M) {
	// Goldens are plain text in UTC, whatever the machine's terminal and zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	os.Exit(m.Run())
}

// t0 is the fixed clock.
var t0 = time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)

// world is a real store in a temporary directory with the sample uat and
// production orgs as directory environments, and alice acting on a fixed
// clock.
type world struct {
	t   testing.TB
	dir string
	svc *actions.Service
}

func newWorld(t testing.TB) *world {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "relman.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc := identitytest.As(t, st, "alice")
	svc.Now = func() time.Time { return t0 }
	w := &world{t: t, dir: dir, svc: svc}
	for _, e := range []struct {
		name string
		kind model.EnvKind
	}{{"production", model.KindProduction}, {"uat", model.KindSandbox}} {
		orgDir := filepath.Join(dir, "orgs", e.name)
		if err := os.CopyFS(orgDir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", e.name))); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddEnvironment(model.Environment{Name: e.name, Kind: e.kind, Connection: model.ConnLocal, Dir: orgDir}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) deps() common.Deps { return common.Deps{Svc: w.svc, Styles: theme.Default()} }

// compare saves a comparison of uat with production.
func (w *world) compare(f model.CompareFilters) model.CompareLog {
	w.t.Helper()
	out, err := w.svc.Compare(context.Background(), actions.CompareRequest{Source: "uat", Target: "production", Filters: f, Save: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return out.Log
}

// compareOutcome runs and saves a comparison of uat with production.
func (w *world) compareOutcome() actions.CompareOutcome {
	w.t.Helper()
	out, err := w.svc.Compare(context.Background(), actions.CompareRequest{Source: "uat", Target: "production", Save: true})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// open builds a reviewer of size w×h opened on log id, everything loaded.
func (w *world) open(id int64, width, height int) *Model {
	w.t.Helper()
	s := New(w.deps())
	s.SetSize(width, height)
	m := s.(*Model)
	drain(w.t, m, m.send(common.ShowMsg{ID: id}))
	return m
}

// send gives msg to the screen and returns its command.
func (m *Model) send(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// sent is what drain saw the screen send to the root.
type sent struct {
	msgs []tea.Msg
}

func (s *sent) has(pred func(tea.Msg) bool) bool {
	for _, m := range s.msgs {
		if pred(m) {
			return true
		}
	}
	return false
}

// drain runs cmd and every command its messages lead to, feeding the
// screen's own messages back to it, until nothing is left. Spinner frames
// and cursor blinks are timers that never end, so they are dropped; the
// messages meant for the root (status, errors, navigation) are returned.
func drain(t testing.TB, m *Model, cmd tea.Cmd) *sent {
	t.Helper()
	out := &sent{}
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		msgs := runAll(t, queue)
		queue = nil
		for _, msg := range msgs {
			queue = append(queue, route(t, m, msg, out)...)
		}
	}
	return out
}

// route handles one message: batches and sequences are opened, the root's
// messages recorded, the rest given to the screen.
func route(t testing.TB, m *Model, msg tea.Msg, out *sent) []tea.Cmd {
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, cursor.BlinkMsg:
		return nil
	case tea.BatchMsg:
		return msg
	case common.StatusMsg, common.ErrMsg, common.OpenMsg, common.BackMsg:
		out.msgs = append(out.msgs, msg)
		return nil
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		// tea.Sequence: in order, each to the end before the next.
		for i := range v.Len() {
			c := v.Index(i).Interface().(tea.Cmd)
			for _, mm := range runAll(t, []tea.Cmd{c}) {
				route(t, m, mm, out)
			}
		}
		return nil
	}
	if strings.Contains(reflect.TypeOf(msg).String(), "blink") {
		return nil // the cursor's first blink, an unexported type
	}
	return []tea.Cmd{m.send(msg)}
}

// runAll runs commands at once, as the program does, and collects what
// they send.
func runAll(t testing.TB, cmds []tea.Cmd) []tea.Msg {
	t.Helper()
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
	case <-time.After(10 * time.Second):
		t.Fatal("a command did not finish in 10 s")
	}
	return msgs
}

// keyMsg is a key press as the terminal sends it.
func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+d":
		return tea.KeyMsg{Type: tea.KeyCtrlD}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "ctrl+n":
		return tea.KeyMsg{Type: tea.KeyCtrlN}
	case "ctrl+p":
		return tea.KeyMsg{Type: tea.KeyCtrlP}
	case "ctrl+j":
		return tea.KeyMsg{Type: tea.KeyCtrlJ}
	case "ctrl+k":
		return tea.KeyMsg{Type: tea.KeyCtrlK}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys one by one, running what each leads to.
func (m *Model) press(t testing.TB, keys ...string) *sent {
	t.Helper()
	out := &sent{}
	for _, k := range keys {
		s := drain(t, m, m.keyCmd(keyMsg(k)))
		out.msgs = append(out.msgs, s.msgs...)
	}
	return out
}

// keyCmd sends a key and returns its command. A key that leaves the
// shared prompt dialog open can only have returned that prompt's cursor
// blink, a 530 ms timer: it is not run.
func (m *Model) keyCmd(k tea.KeyMsg) tea.Cmd {
	cmd := m.send(k)
	if m.dialog.Open() {
		return nil
	}
	return cmd
}

// typeText types text into whatever has focus.
func (m *Model) typeText(t testing.TB, text string) {
	t.Helper()
	for _, r := range text {
		drain(t, m, m.keyCmd(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
	}
}

// goTo puts the tree's cursor on component spec (Type:FullName).
func (m *Model) goTo(t testing.TB, spec string) {
	t.Helper()
	c, err := metadata.ParseComponent(spec)
	if err != nil {
		t.Fatal(err)
	}
	drain(t, m, m.reveal(c))
	if m.current != c {
		t.Fatalf("current = %s, want %s", m.current, c)
	}
}

func comp(t testing.TB, spec string) metadata.Component {
	t.Helper()
	c, err := metadata.ParseComponent(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
