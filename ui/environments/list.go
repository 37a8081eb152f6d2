package environments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// tagRemove tags the remove confirmation; dialog answers reach every
// screen, so the tag names this one.
const tagRemove = "environments/remove"

// List is the Environments screen.
type List struct {
	deps    common.Deps
	keys    listKeys
	dialog  dialog.Model
	spinner spinner.Model

	envs    []entry
	loaded  bool
	loadErr error
	// seq tags loads: only the answer to the latest one is kept.
	seq int

	cursor, offset int
	width, height  int
	// zoom shows the selected environment's details on the whole screen.
	zoom bool

	// testing holds the environments whose Test Connection is running.
	testing map[string]bool
	// want is an environment to select once a load shows it: the one the
	// editor just saved.
	want string
	// removing is the environment the confirmation asks about.
	removing string
}

// entry is an environment as the list keeps it: without its secrets, which
// the list never needs, only whether some are stored.
type entry struct {
	env     model.Environment
	secrets bool
}

func entryOf(e model.Environment) entry {
	secrets := !e.Credentials.IsZero()
	e.Credentials = model.Credentials{}
	return entry{env: e, secrets: secrets}
}

// listLoadedMsg answers a load of every environment.
type listLoadedMsg struct {
	seq  int
	envs []entry
	err  error
}

// testedMsg is the outcome of a Test Connection: err is set only when the
// result could not be recorded; a connection that failed is a result that
// is not OK.
type testedMsg struct {
	name   string
	result *model.TestResult
	err    error
}

// removedMsg is the outcome of removing an environment.
type removedMsg struct {
	name string
	err  error
}

// NewList builds the Environments screen.
func NewList(deps common.Deps) common.Screen {
	m := &List{deps: deps, keys: defaultListKeys(), dialog: dialog.New(deps.Styles),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent)),
		testing: map[string]bool{}}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *List) Title() string { return "Environments" }

// Capturing implements common.Screen: while the confirmation is open, its
// y/n answer must not be taken for a global key.
func (m *List) Capturing() bool { return m.dialog.Open() }

// SetSize implements common.Screen.
func (m *List) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width - 2)
	m.clampOffset()
}

// Init implements common.Screen: the first load.
func (m *List) Init() tea.Cmd { return m.load() }

func (m *List) load() tea.Cmd {
	m.seq++
	seq, svc := m.seq, m.deps.Svc
	return func() tea.Msg {
		envs, err := svc.Environments()
		out := make([]entry, len(envs))
		for i, e := range envs {
			out[i] = entryOf(e)
		}
		return listLoadedMsg{seq: seq, envs: out, err: err}
	}
}

// testTimeout bounds a Test Connection: an org that has not answered by
// then has failed the test, and the result says so.
const testTimeout = time.Minute

func testCmd(svc *actions.Service, name string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		env, err := svc.TestEnvironment(ctx, name)
		return testedMsg{name: name, result: env.LastTest, err: err}
	}
}

func removeCmd(svc *actions.Service, name string) tea.Cmd {
	return func() tea.Msg { return removedMsg{name: name, err: svc.RemoveEnvironment(name)} }
}

// Update implements common.Screen.
func (m *List) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case listLoadedMsg:
		m.applyLoad(msg)
	case testedMsg:
		cmd = m.applyTest(msg)
	case removedMsg:
		cmd = m.applyRemove(msg)
	case savedMsg:
		cmd = m.applySaved(msg)
	case spinner.TickMsg:
		// The spinner turns only while a test runs; a tick after the last
		// test ends is dropped, which stops it.
		if len(m.testing) > 0 {
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case common.StoreChangedMsg:
		cmd = m.load()
	case dialog.DoneMsg:
		if msg.Tag == tagRemove && msg.OK {
			cmd = removeCmd(m.deps.Svc, m.removing)
		}
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		m.handleMouse(msg)
	}
	m.updateKeys()
	return m, cmd
}

func (m *List) applyLoad(msg listLoadedMsg) {
	if msg.seq != m.seq {
		return
	}
	m.loaded, m.loadErr = true, msg.err
	if msg.err != nil {
		return
	}
	selected := m.want
	if selected == "" {
		selected = m.selectedName()
	}
	m.envs = msg.envs
	for i, e := range m.envs {
		if e.env.Name == selected {
			m.cursor = i
			if selected == m.want {
				m.want = ""
			}
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.envs)-1))
	m.clampOffset()
}

func (m *List) applyTest(msg testedMsg) tea.Cmd {
	if !m.testing[msg.name] {
		return nil
	}
	delete(m.testing, msg.name)
	if msg.err != nil {
		return common.Err(fmt.Errorf("Test Connection to %s: %w", msg.name, msg.err))
	}
	// The result is stored: a reload shows it, wherever the environment
	// now sits in the list.
	t := msg.result
	if !t.OK {
		// The org's message can be long: it is in the details, the status
		// line only says that it failed.
		return tea.Batch(m.load(), common.Err(fmt.Errorf("Test Connection to %s failed", msg.name)))
	}
	text := "Test Connection to " + msg.name + " OK"
	if t.User != "" {
		text += " · " + t.User
	}
	return tea.Batch(m.load(), common.Status(text))
}

func (m *List) applyRemove(msg removedMsg) tea.Cmd {
	if msg.name != m.removing {
		return nil
	}
	m.removing = ""
	if msg.err != nil {
		return common.Err(msg.err)
	}
	return tea.Batch(common.Status("Removed "+msg.name+" and its stored credentials"), m.load())
}

// applySaved follows the editor's save: select the environment and, when
// asked, test it here where the result shows.
func (m *List) applySaved(msg savedMsg) tea.Cmd {
	m.want, m.zoom = msg.name, false
	cmds := []tea.Cmd{m.load()}
	if msg.test {
		cmds = append(cmds, m.startTest(msg.name))
	}
	return tea.Batch(cmds...)
}

// startTest runs Test Connection for name, starting the spinner if it is
// not turning yet.
func (m *List) startTest(name string) tea.Cmd {
	if m.testing[name] {
		return nil
	}
	cmds := []tea.Cmd{testCmd(m.deps.Svc, name)}
	if len(m.testing) == 0 {
		cmds = append(cmds, m.spinner.Tick)
	}
	m.testing[name] = true
	return tea.Batch(cmds...)
}

func (m *List) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	if d, ok := m.keys.Delta(msg, len(m.envs), m.rowsVisible()); ok {
		m.move(d)
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Details):
		m.zoom = true
	case key.Matches(msg, m.keys.Back):
		m.zoom = false
	case key.Matches(msg, m.keys.Test):
		return m.startTest(m.selectedName())
	case key.Matches(msg, m.keys.Add):
		return func() tea.Msg { return common.OpenMsg{Screen: common.ScreenEnvironmentEditor} }
	case key.Matches(msg, m.keys.Edit):
		name := m.selectedName()
		return func() tea.Msg { return common.OpenMsg{Screen: common.ScreenEnvironmentEditor, Name: name} }
	case key.Matches(msg, m.keys.Remove):
		m.removing = m.selectedName()
		m.dialog = m.dialog.Confirm(tagRemove, "Remove environment",
			"Remove "+m.removing+" and its stored credentials? Change requests that name it keep their history.")
	}
	return nil
}

func (m *List) handleMouse(msg tea.MouseMsg) {
	if m.dialog.Open() || msg.Action != tea.MouseActionPress {
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.move(-1)
	case tea.MouseButtonWheelDown:
		m.move(1)
	}
}

// updateKeys enables the keys that apply now.
func (m *List) updateKeys() {
	has := len(m.envs) > 0
	m.keys.KeyMap.SetEnabled(has)
	m.keys.Edit.SetEnabled(has)
	m.keys.Remove.SetEnabled(has)
	m.keys.Test.SetEnabled(has && !m.testing[m.selectedName()])
	// enter opens the details; once they fill the screen, enter and esc
	// both go back.
	m.keys.Details.SetEnabled(has && !m.zoom)
	m.keys.Back.SetEnabled(m.zoom)
}

// ShortHelp implements help.KeyMap.
func (m *List) ShortHelp() []key.Binding {
	if m.dialog.Open() {
		return m.dialog.ShortHelp()
	}
	return []key.Binding{m.keys.Test, m.keys.Add, m.keys.Edit, m.keys.Remove, m.keys.Details, m.keys.Back}
}

// FullHelp implements help.KeyMap.
func (m *List) FullHelp() [][]key.Binding {
	if m.dialog.Open() {
		return [][]key.Binding{m.dialog.ShortHelp()}
	}
	return [][]key.Binding{
		{m.keys.Down, m.keys.Up, m.keys.Top, m.keys.Bottom, m.keys.PageDown, m.keys.PageUp},
		{m.keys.Test, m.keys.Add, m.keys.Edit, m.keys.Remove},
		{m.keys.Details, m.keys.Back},
	}
}

func (m *List) selectedName() string {
	if m.cursor < len(m.envs) {
		return m.envs[m.cursor].env.Name
	}
	return ""
}

func (m *List) move(delta int) {
	m.cursor = max(0, min(m.cursor+delta, len(m.envs)-1))
	m.clampOffset()
}

// clampOffset scrolls just enough to keep the cursor visible.
func (m *List) clampOffset() {
	n := m.rowsVisible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.envs)-n))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
