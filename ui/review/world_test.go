package review

import (
	"context"
	"os"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/theme"
	"relman/ui/uitest"
)

func TestMain(m *testing.M) {
	uitest.PlainGoldens()
	os.Exit(m.Run())
}

// t0 is the fixed clock.
var t0 = uitest.T0

// world is uitest's world with the sample uat and production orgs as
// directory environments, and alice acting.
type world struct {
	*uitest.World
	t   testing.TB
	dir string
	svc *actions.Service
}

func newWorld(t testing.TB) *world {
	t.Helper()
	u := uitest.NewWorld(t)
	u.AddLocal("production", model.KindProduction, "production")
	u.AddLocal("uat", model.KindSandbox, "uat")
	return &world{World: u, t: t, dir: u.Dir, svc: u.As("alice")}
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

// drain runs cmd and all it leads to (uitest.Drain) on the screen; every
// message but the root's is the reviewer's own.
func drain(t testing.TB, m *Model, cmd tea.Cmd) *uitest.Sent {
	return uitest.Drain(t, m.send, func(tea.Msg) bool { return true }, cmd)
}

var (
	runAll = uitest.RunAll
	keyMsg = uitest.Key
)

// press sends keys one by one, running what each leads to.
func (m *Model) press(t testing.TB, keys ...string) *uitest.Sent {
	t.Helper()
	out := &uitest.Sent{}
	for _, k := range keys {
		s := drain(t, m, m.keyCmd(keyMsg(k)))
		out.Msgs = append(out.Msgs, s.Msgs...)
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
