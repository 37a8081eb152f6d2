package compare

import (
	"os"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
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

// org is the folder of the world's copy of sample org name.
func (w *world) org(name string) string { return w.Org(name) }

func (w *world) deps() common.Deps { return common.Deps{Svc: w.svc, Styles: theme.Default()} }

// screen builds the Compare screen at width×height with its first load run.
func (w *world) screen(width, height int) (*Model, *uitest.Sent) {
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

// drain runs cmd and all it leads to (uitest.Drain) on the screen.
func drain(t testing.TB, m *Model, cmd tea.Cmd) *uitest.Sent {
	return uitest.Drain(t, m.send, own, cmd)
}

// own reports the Compare screen's own messages.
func own(msg tea.Msg) bool {
	switch msg.(type) {
	case loadedMsg, crLoadedMsg, crsLoadedMsg, catalogueMsg, filteredMsg, comparedMsg, common.ShowMsg:
		return true
	}
	return false
}

var (
	runAll = uitest.RunAll
	keyMsg = uitest.Key
)

// press sends keys one by one, running what each leads to. A key that
// leaves the shared prompt dialog open can only have returned its cursor
// blink, a 530 ms timer: it is not run.
func (m *Model) press(t testing.TB, keys ...string) *uitest.Sent {
	t.Helper()
	out := &uitest.Sent{}
	for _, k := range keys {
		cmd := m.send(keyMsg(k))
		if m.dialog.Open() {
			cmd = nil
		}
		out.Msgs = append(out.Msgs, drain(t, m, cmd).Msgs...)
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
