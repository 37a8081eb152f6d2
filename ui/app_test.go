package ui_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"relman/model"
	"relman/store"
	"relman/ui"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

func init() { lipgloss.SetColorProfile(termenv.Ascii) }

// world is a store with a production environment, used by two "processes":
// the UI's service and another one writing behind its back.
func world(t testing.TB) (*store.Store, *actions.Service) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "relman.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	svc := identitytest.As(t, st, "alice")
	if _, err := svc.AddEnvironment(model.Environment{Name: "production", Kind: model.KindProduction,
		Connection: model.ConnLocal, Dir: filepath.Join("..", "testdata", "orgs", "production")}); err != nil {
		t.Fatal(err)
	}
	return st, svc
}

func app(svc *actions.Service) ui.Model {
	deps := common.Deps{Svc: svc, Styles: theme.Default()}
	return ui.New(deps, ui.Screens(deps))
}

// TestNoticesAnotherProcessWithinTwoSeconds opens the UI on a store, then
// changes the store through a separate handle on the same file, as another
// relman process would; the list must show the new CR within 2 s.
func TestNoticesAnotherProcessWithinTwoSeconds(t *testing.T) {
	st, svc := world(t)
	tm := teatest.NewTestModel(t, app(svc), teatest.WithInitialTermSize(140, 30))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Change Requests")) },
		teatest.WithDuration(5*time.Second))

	other, err := store.Open(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	bob := identitytest.As(t, other, "bob")
	start := time.Now()
	if _, err := bob.CreateCR("production", model.CRFields{Name: "Written by another process"}); err != nil {
		t.Fatal(err)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Written by another process")) },
		teatest.WithDuration(2*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	t.Logf("noticed after %s", time.Since(start).Round(time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(3*time.Second))
}

func TestTooSmallTerminalSaysSo(t *testing.T) {
	_, svc := world(t)
	m, _ := app(svc).Update(tea.WindowSizeMsg{Width: 50, Height: 12})
	view := m.View()
	if !strings.Contains(view, "Terminal too small: 50×12") || !strings.Contains(view, "at least") {
		t.Fatalf("view at 50×12:\n%s", view)
	}
}

func TestHelpTogglesAndQuitPausesWhileTyping(t *testing.T) {
	_, svc := world(t)
	var m tea.Model = app(svc)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m = drain(t, m, m.Init())
	short := m.View()
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
	full := m.View()
	if short == full || !strings.Contains(full, "change requests") {
		t.Fatalf("? did not open the full help:\n%s", full)
	}
	// "/" starts the list's filter: typing q must filter, not quit.
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}); cmd != nil {
		if msg := runWithTimeout(cmd, time.Second); msg == tea.Quit() {
			t.Fatal("q quit while the filter had focus")
		}
	}
	// Once the filter is left, q quits.
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}); cmd == nil || runWithTimeout(cmd, time.Second) != tea.Quit() {
		t.Fatal("q did not quit outside the filter")
	}
}

// BenchmarkColdStartFirstFrame measures from building the UI on a store of
// 10,000 change requests to its first frame with the list loaded (budget
// ≤ 150 ms). Run it as -benchtime 1x -count N: each start should be cold,
// and the store polls of earlier starts run on for a second.
func BenchmarkColdStartFirstFrame(b *testing.B) {
	st, _ := world(b)
	if err := st.Update(func(tx *store.Tx) error {
		now := time.Now().UTC()
		for i := 0; i < 10000; i++ {
			id, err := tx.NextCRID()
			if err != nil {
				return err
			}
			cr := model.ChangeRequest{ID: id, Name: fmt.Sprintf("Change %d", i), Env: "production", Requester: "alice",
				ChangeType: model.ChangeMinor, ApprovalStatus: model.ApprovalNone, CompletionStatus: model.CompletionInProgress,
				Revision: 1, CreatedAt: now, UpdatedAt: now.Add(time.Duration(i) * time.Second)}
			if err := tx.PutCR(cr); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if err := identitytest.Register(st, "alice"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		svc := actions.New(st, identitytest.Actor("alice"))
		var m tea.Model = app(svc)
		m, _ = m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		if !runUntil(m, m.Init(), func(view string) bool { return strings.Contains(view, "Change 9999") }, 5*time.Second) {
			b.Fatal("the list never showed the newest CR")
		}
	}
}

// runUntil runs commands concurrently, as tea.Program does, feeding their
// messages to m until its view satisfies done or the time runs out.
func runUntil(m tea.Model, first tea.Cmd, done func(string) bool, limit time.Duration) bool {
	msgs := make(chan tea.Msg)
	stop := make(chan struct{})
	defer close(stop)
	var run func(tea.Cmd)
	run = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, c := range batch {
					run(c)
				}
				return
			}
			if msg != nil {
				select {
				case msgs <- msg:
				case <-stop: // the run is over; a late tick just ends
				}
			}
		}()
	}
	run(first)
	deadline := time.After(limit)
	for {
		select {
		case msg := <-msgs:
			var next tea.Cmd
			m, next = m.Update(msg)
			if done(m.View()) {
				return true
			}
			run(next)
		case <-deadline:
			return false
		}
	}
}

// drain runs commands the way the program would, feeding their messages
// back, until the screens have loaded. Spinner frames are not fed back, and
// a command still waiting after a while is a tick (the store poll) and is
// dropped, so the loop ends.
func drain(tb testing.TB, m tea.Model, cmd tea.Cmd) tea.Model {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 500; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := runWithTimeout(c, 500*time.Millisecond)
		switch msg := msg.(type) {
		case nil, spinner.TickMsg:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
}

// runWithTimeout runs a command, giving up on ones that wait (ticks).
func runWithTimeout(c tea.Cmd, d time.Duration) tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(d):
		return nil
	}
}

func TestKeysThatArriveTogetherActAsSeparateKeys(t *testing.T) {
	_, svc := world(t)
	for i := 0; i < 5; i++ {
		if _, err := svc.CreateCR("production", model.CRFields{Name: fmt.Sprintf("CR %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Each app has its own screens: the root holds them by pointer.
	fresh := func() tea.Model {
		var m tea.Model = app(svc)
		m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		return drain(t, m, m.Init())
	}
	press := func(m tea.Model, keys ...string) string {
		for _, k := range keys {
			m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
		return m.View()
	}
	twice, together, once := press(fresh(), "j", "j"), press(fresh(), "jj"), press(fresh(), "j")
	if together != twice {
		t.Fatalf("\"jj\" in one message differs from two j:\n%s\n---\n%s", together, twice)
	}
	if once == twice {
		t.Fatal("one j and two j look the same: the test cannot tell")
	}
}

func TestLongStatusStaysOnOneLine(t *testing.T) {
	_, svc := world(t)
	var m tea.Model = app(svc)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	before := strings.Count(m.View(), "\n")
	m, _ = m.Update(common.ErrMsg{Err: fmt.Errorf("%s", strings.Repeat("a long refusal naming the rule and what to do ", 6))})
	after := m.View()
	if strings.Count(after, "\n") != before || !strings.Contains(after, "…") {
		t.Fatalf("a long status changed the frame's height or was not cut short:\n%s", after)
	}
}

// TestFramesShowControlCharactersEscaped: a change request named to rewrite
// the screen ("…\e[2K\r…") shows its escape sequence as text, in every frame.
func TestFramesShowControlCharactersEscaped(t *testing.T) {
	_, svc := world(t)
	if _, err := svc.CreateCR("production", model.CRFields{Name: "Fix\x1b[2K\rApproved by bob \x1b]0;title\x07"}); err != nil {
		t.Fatal(err)
	}
	var m tea.Model = app(svc)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drain(t, m, m.Init())
	last := m.View()
	if !strings.Contains(last, `Fix\x1b[2K\rApproved`) {
		t.Fatalf("the list does not show the name escaped:\n%s", last)
	}
	if strings.ContainsAny(last, "\r\x07") || strings.Contains(last, "\x1b[2K") || strings.Contains(last, "\x1b]") {
		t.Errorf("a control sequence reached the frame: %q", last)
	}
}

// TestWithoutAKeyTheUISaysReadOnly: opened by someone holding no registered
// key, the UI shows everything and says it cannot write.
func TestWithoutAKeyTheUISaysReadOnly(t *testing.T) {
	st, _ := world(t)
	var m tea.Model = app(actions.New(st, model.Actor{}))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m = drain(t, m, m.Init())
	if view := m.View(); !strings.Contains(view, "read only: no registered key") || !strings.Contains(view, "change requests") {
		t.Fatalf("the header does not say the UI is read only:\n%s", view)
	}
}
