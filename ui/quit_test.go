package ui_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/ui"
	"relman/ui/common"
	"relman/ui/theme"
)

// fakeScreen stands for a screen that runs jobs or shows a dialog: the
// root's behaviour is what is under test, not a real screen's.
type fakeScreen struct {
	title  string
	modal  bool
	jobs   []string
	keys   *[]string
	answer key.Binding
}

func (f fakeScreen) Init() tea.Cmd { return nil }
func (f fakeScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && f.keys != nil {
		*f.keys = append(*f.keys, k.String())
	}
	return f, nil
}
func (f fakeScreen) View() string              { return "screen " + f.title }
func (f fakeScreen) SetSize(int, int)          {}
func (f fakeScreen) Title() string             { return f.title }
func (f fakeScreen) Capturing() bool           { return false }
func (f fakeScreen) Modal() bool               { return f.modal }
func (f fakeScreen) Running() []string         { return f.jobs }
func (f fakeScreen) ShortHelp() []key.Binding  { return []key.Binding{f.answer} }
func (f fakeScreen) FullHelp() [][]key.Binding { return [][]key.Binding{{f.answer}} }

func rootWith(t *testing.T, changes, approvals common.Screen) ui.Model {
	t.Helper()
	_, svc := world(t)
	deps := common.Deps{Svc: svc, Styles: theme.Default()}
	m := ui.New(deps, map[common.ScreenID]common.Screen{common.ScreenChanges: changes, common.ScreenApprovals: approvals})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return next.(ui.Model)
}

func press(m ui.Model, k string) (ui.Model, tea.Cmd) {
	msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
	if k == "ctrl+c" {
		msg = tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	next, cmd := m.Update(msg)
	return next.(ui.Model), cmd
}

// quits reports whether cmd is the program's quit.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// answer presses k in an open dialog and hands its answer back to m, as
// the program would.
func answer(m ui.Model, k string) (ui.Model, tea.Cmd) {
	m, cmd := press(m, k)
	if cmd == nil {
		return m, nil
	}
	next, cmd := m.Update(cmd())
	return next.(ui.Model), cmd
}

// text is a view's words with the dialog's borders taken out, so a
// sentence wrapped inside the box reads whole.
func text(view string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", " ").Replace(view)), " ")
}

// footer is the frame's last line: the help.
func footer(view string) string {
	lines := strings.Split(strings.TrimRight(view, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestQuitWithRunningJobAsksAndSaysTheJobGoesOn(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			m := rootWith(t, fakeScreen{title: "Change Requests", jobs: []string{"DR-0004 Deploy"}}, fakeScreen{title: "Approvals"})
			m, cmd := press(m, k)
			if quits(cmd) {
				t.Fatalf("%s quit at once while DR-0004 deploys", k)
			}
			view := m.View()
			for _, want := range []string{"Quit relman while it runs 1 job?", "DR-0004 Deploy", "re-attaches to it the next time it starts", "y yes"} {
				if !strings.Contains(text(view), want) {
					t.Errorf("quit question lacks %q:\n%s", want, view)
				}
			}
			if strings.Contains(footer(view), "q quit") {
				t.Errorf("the question's footer offers q quit: %q", footer(view))
			}
			m, cmd = answer(m, "n")
			if quits(cmd) || strings.Contains(m.View(), "Quit relman") {
				t.Fatalf("n did not close the question:\n%s", m.View())
			}
			m, _ = press(m, k)
			if _, cmd = answer(m, "y"); !quits(cmd) {
				t.Fatal("y did not quit")
			}
		})
	}
}

func TestQuitWithNothingRunningQuitsAtOnce(t *testing.T) {
	m := rootWith(t, fakeScreen{title: "Change Requests"}, fakeScreen{title: "Approvals"})
	if _, cmd := press(m, "q"); !quits(cmd) {
		t.Fatal("q with nothing running did not quit")
	}
}

func TestDemoQuitSaysTheOrgsStop(t *testing.T) {
	m := rootWith(t, fakeScreen{title: "Change Requests", jobs: []string{"DR-0004 Deploy"}}, fakeScreen{title: "Approvals"})
	m = m.WithQuitNote("Its simulated orgs stop when it quits.")
	m, _ = press(m, "q")
	if view := text(m.View()); !strings.Contains(view, "simulated orgs stop") || strings.Contains(view, "re-attaches") {
		t.Fatalf("demo quit question:\n%s", view)
	}
}

func TestGlobalKeysWaitWhileADialogIsOpen(t *testing.T) {
	var got []string
	answer := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes"))
	m := rootWith(t, fakeScreen{title: "Change Requests", modal: true, keys: &got, answer: answer}, fakeScreen{title: "Approvals"})
	for _, k := range []string{"2", "?", "q"} {
		var cmd tea.Cmd
		m, cmd = press(m, k)
		if quits(cmd) {
			t.Fatalf("%s quit behind an open dialog", k)
		}
	}
	if view := m.View(); !strings.Contains(view, "screen Change Requests") {
		t.Fatalf("a tab key switched away from an open dialog:\n%s", view)
	}
	if strings.Join(got, ",") != "2,?,q" {
		t.Fatalf("the dialog's screen got keys %v, want 2,?,q", got)
	}
	if f := footer(m.View()); strings.Contains(f, "quit") || strings.Contains(f, "help") || !strings.Contains(f, "y yes") {
		t.Fatalf("footer while a dialog is open: %q", f)
	}
}

// badgeScreen counts what waits on its tab.
type badgeScreen struct {
	fakeScreen
	n int
}

func (b badgeScreen) Badge() int { return b.n }

func TestApprovalsTabCountsWhatWaits(t *testing.T) {
	_, svc := world(t)
	deps := common.Deps{Svc: svc, Styles: theme.Default()}
	for _, c := range []struct {
		n    int
		want string
	}{{0, "2 Approvals "}, {3, "2 Approvals (3)"}} {
		m := ui.New(deps, map[common.ScreenID]common.Screen{common.ScreenChanges: fakeScreen{title: "Change Requests"},
			common.ScreenApprovals: badgeScreen{fakeScreen{title: "Approvals"}, c.n}})
		next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
		head := strings.SplitN(next.View(), "\n", 2)[0]
		if !strings.Contains(head, c.want) {
			t.Errorf("%d waiting: header %q lacks %q", c.n, head, c.want)
		}
	}
}

// manyKeys is a screen whose keys do not fit one footer line.
type manyKeys struct{ fakeScreen }

func (manyKeys) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, k := range []string{"submit", "approve", "reject", "retrieve", "dependencies", "validate", "deploy",
		"quick deploy", "complete CR", "rollback", "logs", "verify compare", "back"} {
		out = append(out, key.NewBinding(key.WithKeys(k[:1]), key.WithHelp(k[:1], k)))
	}
	return out
}

func (s manyKeys) FullHelp() [][]key.Binding {
	keys := s.ShortHelp()
	return [][]key.Binding{keys[:4], keys[4:8], keys[8:]}
}

// However many keys a screen has, the footer keeps ? help and q quit, and
// full help keeps the global column, at 80 and 120 columns.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	_, svc := world(t)
	deps := common.Deps{Svc: svc, Styles: theme.Default()}
	for _, w := range []int{80, 120} {
		m := ui.New(deps, map[common.ScreenID]common.Screen{common.ScreenChanges: manyKeys{fakeScreen{title: "Change Requests"}},
			common.ScreenApprovals: fakeScreen{title: "Approvals"}})
		next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		m = next.(ui.Model)
		f := footer(m.View())
		if !strings.HasSuffix(strings.TrimRight(f, " "), "? help • q quit") || !strings.Contains(f, "s submit") || !strings.Contains(f, "…") {
			t.Errorf("%d columns: footer %q", w, f)
		}
		m, _ = press(m, "?")
		v := m.View()
		for _, want := range []string{"1      change requests", "2      approvals", "?      help", "q      quit", "ctrl+c quit", "verify compare", "dependencies"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d columns: full help lacks %q:\n%s", w, want, v)
			}
		}
	}
}

// A long message cut on the status line says M shows it whole; M opens
// the messages pane with every message whole, newest first, and the
// hidden screen's keys do not act meanwhile.
func TestLongMessageOpensWhole(t *testing.T) {
	var got []string
	m := rootWith(t, fakeScreen{title: "Change Requests", keys: &got}, fakeScreen{title: "Approvals"})
	long := "the requester cannot approve or reject their own request: alice is the requester. Ask a listed approver. " +
		strings.Repeat("More words that do not fit. ", 4) + "THE END"
	next, _ := m.Update(common.ErrMsg{Err: errors.New("first refusal")})
	next, _ = next.(ui.Model).Update(common.ErrMsg{Err: errors.New(long)})
	m = next.(ui.Model)
	if v := m.View(); !strings.Contains(v, "… (M shows it whole)") || strings.Contains(v, "THE END") {
		t.Fatalf("the cut status line:\n%s", v)
	}
	m, _ = press(m, "M")
	v := text(m.View())
	if !strings.Contains(v, "Messages") || !strings.Contains(v, "THE END") || !strings.Contains(v, "first refusal") ||
		strings.Index(v, "THE END") > strings.Index(v, "first refusal") {
		t.Fatalf("messages pane:\n%s", m.View())
	}
	m, _ = press(m, "a")
	if len(got) != 0 {
		t.Fatalf("the hidden screen got %v", got)
	}
	m, _ = press(m, "M")
	if strings.Contains(m.View(), "newest first") {
		t.Fatal("M did not close the messages pane")
	}
}

// edgeKeys' help is a few cells too long for 80 columns with the global
// keys: exactly where help's own ShortHelpView ran past its width.
type edgeKeys struct{ fakeScreen }

func (edgeKeys) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, h := range [][2]string{{"x", "cancel CR"}, {"enter", "open DR-0001"}, {"tab", "next link"}, {"esc", "back"}, {"↓/j", "scroll down"}} {
		out = append(out, key.NewBinding(key.WithKeys(h[0]), key.WithHelp(h[0], h[1])))
	}
	return out
}

func TestFooterNeverRunsPastTheWidth(t *testing.T) {
	m := rootWith(t, edgeKeys{fakeScreen{title: "Change Requests"}}, fakeScreen{title: "Approvals"})
	f := strings.TrimRight(footer(m.View()), " ")
	if lipgloss.Width(f) > 80 || !strings.HasSuffix(f, "… • ? help • q quit") {
		t.Fatalf("footer at 80 columns (%d cells): %q", lipgloss.Width(f), f)
	}
}
