package rollback

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/common"
	"relman/ui/theme"
)

// screen builds user's Rollback screen at width×height and opens it for
// the world's deployment.
func (w *world) screen(user string, width, height int) *Model {
	w.t.Helper()
	m := New(common.Deps{Svc: w.as(user), Styles: theme.Default()}).(*Model)
	m.SetSize(width, height)
	if cmd := m.Init(); cmd != nil {
		w.t.Fatal("Init should load nothing before the screen is opened")
	}
	_, cmd := m.Update(common.ShowMsg{ID: w.dr.ID})
	if out := settle(w.t, m, cmd); len(out) > 0 {
		w.t.Fatalf("opening sent %v to the root", out)
	}
	return m
}

// isRootMsg reports whether msg is for the root rather than the screen.
func isRootMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case common.StatusMsg, common.ErrMsg, common.OpenMsg, common.BackMsg, common.FatalMsg:
		return true
	}
	return false
}

// settle runs cmd, feeds every message it yields back into s until nothing
// is left, and returns the messages meant for the root. Only commands that
// finish on their own may be settled (not a cursor blink); a run settles
// because its command returns when the rollback ended.
func settle(t *testing.T, s common.Screen, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			if isRootMsg(msg) {
				out = append(out, msg)
				continue
			}
			_, next := s.Update(msg)
			queue = append(queue, next)
		}
	}
	return out
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys and returns the last key's command.
func press(s common.Screen, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = s.Update(keyMsg(k))
	}
	return cmd
}

// typeText types text into whatever has focus; the cursor blinks it
// starts are not run.
func typeText(s common.Screen, text string) {
	for _, r := range text {
		s.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// pump runs cmd as the Bubble Tea runtime would — every command on its own
// goroutine, each message back into s in the order they arrive — until no
// command is left, and returns the messages meant for the root. A run
// streams through it as it would in the app, spinner frames included.
func pump(t *testing.T, s common.Screen, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	msgs := make(chan tea.Msg)
	pending := 0
	start := func(c tea.Cmd) {
		if c != nil {
			pending++
			go func() { msgs <- c() }()
		}
	}
	start(cmd)
	var out []tea.Msg
	deadline := time.After(20 * time.Second)
	for pending > 0 {
		select {
		case msg := <-msgs:
			pending--
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			default:
				if isRootMsg(msg) {
					out = append(out, msg)
					continue
				}
				_, next := s.Update(msg)
				start(next)
			}
		case <-deadline:
			t.Fatalf("commands still running after 20s; root got %v", out)
		}
	}
	return out
}

// enabled lists the keys the screen's help offers now, e.g. "s n esc".
func enabled(m *Model) string {
	var keys []string
	for _, b := range m.ShortHelp() {
		if b.Enabled() {
			keys = append(keys, b.Help().Key)
		}
	}
	return strings.Join(keys, " ")
}

// rollback creates RB as alice for the world's deployment, rolling back
// the components in specs (all when none), and takes it as far as state:
// Draft, Pending Approval, Approved (bob and carol) or Rejected (carol).
func (w *world) rollback(state model.RollbackStatus, specs ...string) model.Rollback {
	w.t.Helper()
	alice := w.as("alice")
	var only []metadata.Component
	if len(specs) > 0 {
		only = components(w.t, specs...)
	}
	rb, err := alice.NewRollback(w.dr.ID, only)
	if err != nil {
		w.t.Fatal(err)
	}
	steps := map[model.RollbackStatus][]func() (model.Rollback, error){
		model.RollbackDraft:   nil,
		model.RollbackPending: {func() (model.Rollback, error) { return alice.SubmitRollback(rb.ID) }},
		model.RollbackApproved: {func() (model.Rollback, error) { return alice.SubmitRollback(rb.ID) },
			func() (model.Rollback, error) { return w.as("bob").ApproveRollback(rb.ID, "ok") },
			func() (model.Rollback, error) { return w.as("carol").ApproveRollback(rb.ID, "") }},
		model.RollbackRejected: {func() (model.Rollback, error) { return alice.SubmitRollback(rb.ID) },
			func() (model.Rollback, error) { return w.as("carol").RejectRollback(rb.ID, "keep the field") }},
	}
	for _, step := range steps[state] {
		if rb, err = step(); err != nil {
			w.t.Fatal(err)
		}
	}
	if rb.Status != state {
		w.t.Fatalf("%s is %s, want %s", rb.Key(), rb.Status, state)
	}
	return rb
}

// stored reads rollback id from the store.
func (w *world) stored(id int64) model.Rollback {
	w.t.Helper()
	rb, err := w.as("alice").Rollback(id)
	if err != nil {
		w.t.Fatal(err)
	}
	return rb
}

// orgFile is the path of a file of the simulated org name.
func (w *world) orgFile(name string, parts ...string) string {
	return filepath.Join(append([]string{w.dirs[name], "force-app", "main", "default"}, parts...)...)
}
