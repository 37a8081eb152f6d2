package logs

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
)

// focus is the pane the movement keys act on.
type focus int

const (
	focusTable focus = iota
	focusDetails
)

// Model is the Deployment Logs screen.
type Model struct {
	deps    common.Deps
	keys    keyMap
	spinner spinner.Model
	details viewport.Model
	input   textinput.Model

	width, height int
	focus         focus

	entries []entry
	ready   bool
	loadSeq int
	loading bool
	loadErr error

	// visible indexes entries through the filters; cursor and offset index
	// visible.
	visible        []int
	cursor, offset int
	// shown is the log whose failures the details pane holds, and at which
	// width, so it is rebuilt only when either changes, or when a reload
	// made it stale (a job still running reports more).
	shown      int64
	shownWidth int
	stale      bool

	// scope is the deployment record the screen was opened for (0: all).
	scope int64
	// status and cr filter the logs; "" and 0 let everything through.
	status outcome
	cr     int64
	// editing is true while the CR filter takes typing; problem says why
	// the typed id was refused.
	editing bool
	problem string
}

// entry is one log with the record and change request it belongs to.
type entry struct {
	l  model.DeploymentLog
	cr int64
	// attempt numbers the record's logs from 1 (numberAttempts).
	attempt int
}

type loadedMsg struct {
	seq     int
	entries []entry
	err     error
}

var _ common.Screen = (*Model)(nil)

// New returns the Deployment Logs screen.
func New(deps common.Deps) common.Screen {
	in := textinput.New()
	in.Placeholder = "CR-0042"
	in.PlaceholderStyle = deps.Styles.Placeholder
	in.Prompt = "CR: "
	in.CharLimit = 20
	m := &Model{deps: deps, keys: defaultKeys(), input: in,
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent))}
	m.details = viewport.New(0, 0)
	m.details.MouseWheelEnabled = true
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Deployment Logs" }

// Capturing implements common.Screen: true while the CR filter takes typing.
func (m *Model) Capturing() bool { return m.editing }

// Init implements common.Screen: the first load.
func (m *Model) Init() tea.Cmd { return m.load() }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.layout()
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		// Opened from elsewhere: for a record, or for all. Filters set on
		// an earlier visit would hide what the reader came for.
		m.scope, m.cursor, m.offset, m.focus = msg.ID, 0, 0, focusTable
		m.status, m.cr, m.editing, m.problem = outcomeAll, 0, false, ""
		m.input.Blur()
		m.filter()
		cmd = m.load()
	case common.StoreChangedMsg:
		cmd = m.load()
	case loadedMsg:
		m.loaded(msg)
	case spinner.TickMsg:
		if m.loading {
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case tea.MouseMsg:
		m.details, cmd = m.details.Update(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		if m.editing {
			m.input, cmd = m.input.Update(msg)
		}
	}
	m.updateKeys()
	m.layout()
	return m, cmd
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, svc := m.loadSeq, m.deps.Svc
	var tick tea.Cmd
	if !m.loading {
		tick = m.spinner.Tick
	}
	m.loading = true
	return tea.Batch(tick, func() tea.Msg { return load(svc, seq) })
}

// load reads every record's logs, newest first.
func load(svc *actions.Service, seq int) tea.Msg {
	ds, err := svc.Deployments(0)
	if err != nil {
		return loadedMsg{seq: seq, err: err}
	}
	var out []entry
	for _, d := range ds {
		logs, err := svc.Logs(d.ID)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		for _, l := range logs {
			out = append(out, entry{l: l, cr: d.CR})
		}
	}
	numberAttempts(out)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].l, out[j].l
		if !a.Started.Equal(b.Started) {
			return a.Started.After(b.Started)
		}
		return a.ID > b.ID
	})
	return loadedMsg{seq: seq, entries: out}
}

// loaded shows a load, keeping the cursor on the log it was on.
func (m *Model) loaded(msg loadedMsg) {
	if msg.seq != m.loadSeq {
		return
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return
	}
	keep, had := m.selected()
	m.entries, m.loadErr, m.ready = msg.entries, nil, true
	m.filter()
	for i, idx := range m.visible {
		if had && m.entries[idx].l.ID == keep.l.ID {
			m.cursor = i
		}
	}
	m.stale = true
	m.clampOffset()
}

// filter recomputes the visible logs after a filter or scope change.
func (m *Model) filter() {
	m.visible = m.visible[:0]
	for i, e := range m.entries {
		if (m.scope == 0 || e.l.Deployment == m.scope) && (m.status == outcomeAll || outcomeOf(e.l) == m.status) &&
			(m.cr == 0 || e.cr == m.cr) {
			m.visible = append(m.visible, i)
		}
	}
	m.cursor = min(m.cursor, max(0, len(m.visible)-1))
	m.clampOffset()
}

// selected is the entry under the cursor.
func (m *Model) selected() (entry, bool) {
	if m.cursor >= len(m.visible) {
		return entry{}, false
	}
	return m.entries[m.visible[m.cursor]], true
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if m.editing {
		switch {
		case key.Matches(msg, k.Apply):
			m.applyCR()
		case key.Matches(msg, k.Cancel):
			m.editing, m.problem = false, ""
			m.input.Blur()
		default:
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			m.problem = ""
			return cmd
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
		m.move(msg)
	case key.Matches(msg, k.Open):
		m.focus = focusDetails
	case key.Matches(msg, k.Focus):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Status):
		m.status = nextStatus(m.status, m.present())
		m.filter()
	case key.Matches(msg, k.CR):
		m.editing = true
		m.input.SetValue("")
		if m.cr != 0 {
			m.input.SetValue(model.FormatID(model.PrefixChangeRequest, m.cr))
		}
		m.input.CursorEnd()
		return m.input.Focus()
	case key.Matches(msg, k.All):
		m.scope = 0
		m.filter()
	case key.Matches(msg, k.Clear):
		m.status, m.cr = outcomeAll, 0
		m.filter()
	case key.Matches(msg, k.Back):
		if m.focus == focusDetails {
			m.focus = focusTable
			return nil
		}
		return common.Back
	}
	return nil
}

// applyCR takes the typed change request id as the CR filter; an empty
// field clears it.
func (m *Model) applyCR() {
	text := strings.TrimSpace(m.input.Value())
	var id int64
	if text != "" {
		var err error
		if id, err = model.ParseID(model.PrefixChangeRequest, text); err != nil {
			m.problem = err.Error()
			return
		}
	}
	m.cr, m.editing, m.problem = id, false, ""
	m.input.Blur()
	m.filter()
}

// move moves the cursor, or scrolls the failures when they have focus.
func (m *Model) move(msg tea.KeyMsg) {
	k := m.keys
	if m.focus == focusDetails {
		switch {
		case key.Matches(msg, k.Up):
			m.details.ScrollUp(1)
		case key.Matches(msg, k.Down):
			m.details.ScrollDown(1)
		case key.Matches(msg, k.PageUp):
			m.details.PageUp()
		case key.Matches(msg, k.PageDown):
			m.details.PageDown()
		case key.Matches(msg, k.Top):
			m.details.GotoTop()
		case key.Matches(msg, k.Bottom):
			m.details.GotoBottom()
		}
		return
	}
	page := max(1, m.tableRows())
	delta := 0
	switch {
	case key.Matches(msg, k.Up):
		delta = -1
	case key.Matches(msg, k.Down):
		delta = 1
	case key.Matches(msg, k.PageUp):
		delta = -page
	case key.Matches(msg, k.PageDown):
		delta = page
	case key.Matches(msg, k.Top):
		delta = -len(m.visible)
	case key.Matches(msg, k.Bottom):
		delta = len(m.visible)
	}
	m.cursor = min(max(0, m.cursor+delta), max(0, len(m.visible)-1))
	m.clampOffset()
}

// clampOffset scrolls just enough to keep the cursor in the table.
func (m *Model) clampOffset() {
	page := max(1, m.tableRows())
	m.offset = min(m.offset, m.cursor)
	if m.cursor >= m.offset+page {
		m.offset = m.cursor - page + 1
	}
	m.offset = max(0, min(m.offset, len(m.visible)-page))
}

// present lists the outcomes of the logs in scope, in outcomeOrder.
func (m *Model) present() []outcome {
	seen := map[outcome]bool{}
	for _, e := range m.entries {
		if m.scope == 0 || e.l.Deployment == m.scope {
			seen[outcomeOf(e.l)] = true
		}
	}
	var out []outcome
	for _, s := range outcomeOrder {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out
}

// nextStatus is the status filter after cur: all, then each present
// outcome in turn, then all again.
func nextStatus(cur outcome, present []outcome) outcome {
	if len(present) == 0 {
		return outcomeAll
	}
	i := slices.Index(present, cur)
	if i+1 >= len(present) {
		if cur == outcomeAll {
			return present[0]
		}
		return outcomeAll
	}
	return present[i+1]
}

func (m *Model) updateKeys() {
	k := &m.keys
	browse := !m.editing
	table := browse && m.focus == focusTable
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Top, &k.Bottom, &k.PageUp, &k.PageDown} {
		b.SetEnabled(browse && len(m.visible) > 0)
	}
	k.Open.SetEnabled(table && len(m.visible) > 0)
	k.Focus.SetEnabled(browse && len(m.visible) > 0)
	k.Status.SetEnabled(browse && len(m.present()) > 0)
	k.CR.SetEnabled(browse)
	k.All.SetEnabled(browse && m.scope != 0)
	k.Clear.SetEnabled(table && (m.status != outcomeAll || m.cr != 0))
	k.Back.SetEnabled(browse && !k.Clear.Enabled())
	if m.focus == focusDetails {
		k.Back.SetHelp("esc", "back to logs")
	} else {
		k.Back.SetHelp("esc", "back")
	}
	k.Apply.SetEnabled(m.editing)
	k.Cancel.SetEnabled(m.editing)
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.editing {
		return []key.Binding{k.Apply, k.Cancel}
	}
	return []key.Binding{k.Open, k.Focus, k.Status, k.CR, k.All, k.Clear, k.Back, k.Up, k.Down}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	if m.editing {
		return [][]key.Binding{{k.Apply, k.Cancel}}
	}
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Open, k.Focus, k.Back},
		{k.Status, k.CR, k.All, k.Clear}}
}

// scopeName is "DR-0007" when the screen shows one record's logs.
func (m *Model) scopeName() string {
	if m.scope == 0 {
		return ""
	}
	return model.FormatID(model.PrefixDeployment, m.scope)
}

// filterNote describes the filters in force, e.g. "DR-0007 · Failed · CR-0003".
func (m *Model) filterNote() string {
	var parts []string
	if s := m.scopeName(); s != "" {
		parts = append(parts, s+" only")
	}
	if m.status != outcomeAll {
		parts = append(parts, string(m.status))
	}
	if m.cr != 0 {
		parts = append(parts, model.FormatID(model.PrefixChangeRequest, m.cr))
	}
	return strings.Join(parts, " · ")
}

// countNote is "5 of 23 attempts".
func (m *Model) countNote() string {
	if len(m.visible) == len(m.entries) {
		return common.Plural(len(m.entries), "attempt")
	}
	return fmt.Sprintf("%d of %s", len(m.visible), common.Plural(len(m.entries), "attempt"))
}
