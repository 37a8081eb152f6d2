package compare

import (
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
		if _, err := svc.AddEnvironment(model.Environment{Name: e.name, Kind: e.kind, Connection: model.ConnLocal, Dir: w.org(e.name)}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// org copies the sample org name into the world and returns its folder
// (the copy is made once).
func (w *world) org(name string) string {
	w.t.Helper()
	dir := filepath.Join(w.dir, "orgs", name)
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "orgs", name))); err != nil {
		w.t.Fatal(err)
	}
	return dir
}

func (w *world) deps() common.Deps { return common.Deps{Svc: w.svc, Styles: theme.Default()} }

// screen builds the Compare screen at width×height with its first load run.
func (w *world) screen(width, height int) (*Model, *sent) {
	w.t.Helper()
	s := New(w.deps())
	s.SetSize(width, height)
	m := s.(*Model)
	out := drain(w.t, m, m.Init())
	return m, out
}

func (m *Model) send(msg tea.Msg) tea.Cmd {
	_, cmd := m.Update(msg)
	return cmd
}

// sent is what drain saw the screen send to the root.
type sent struct{ msgs []tea.Msg }

func (s *sent) find(pred func(tea.Msg) bool) tea.Msg {
	for _, m := range s.msgs {
		if pred(m) {
			return m
		}
	}
	return nil
}

// drain runs cmd and every command its messages lead to, feeding the
// screen's own messages back, until nothing is left. Spinner frames and
// cursor blinks are endless timers and dropped; what is meant for the root
// or another screen is returned in order.
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

func route(t testing.TB, m *Model, msg tea.Msg, out *sent) []tea.Cmd {
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, cursor.BlinkMsg:
		return nil
	case tea.BatchMsg:
		return msg
	case loadedMsg, crLoadedMsg, crsLoadedMsg, catalogueMsg, filteredMsg, comparedMsg, common.ShowMsg:
		return []tea.Cmd{m.send(msg)}
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		// tea.Sequence: in order, each to the end before the next.
		for i := range v.Len() {
			for _, mm := range runAll(t, []tea.Cmd{v.Index(i).Interface().(tea.Cmd)}) {
				route(t, m, mm, out)
			}
		}
		return nil
	}
	if strings.Contains(reflect.TypeOf(msg).String(), "blink") {
		return nil // the cursor's first blink, an unexported type
	}
	out.msgs = append(out.msgs, msg)
	return []tea.Cmd{m.send(msg)}
}

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

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+r":
		return tea.KeyMsg{Type: tea.KeyCtrlR}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys one by one, running what each leads to. A key that
// leaves the shared prompt dialog open can only have returned its cursor
// blink, a 530 ms timer: it is not run.
func (m *Model) press(t testing.TB, keys ...string) *sent {
	t.Helper()
	out := &sent{}
	for _, k := range keys {
		cmd := m.send(keyMsg(k))
		if m.dialog.Open() {
			cmd = nil
		}
		out.msgs = append(out.msgs, drain(t, m, cmd).msgs...)
	}
	return out
}

// typeText types text, a key per rune.
func (m *Model) typeText(t testing.TB, text string) {
	t.Helper()
	for _, r := range text {
		m.press(t, string(r))
	}
}
