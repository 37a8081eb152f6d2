package changes

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/ui/common"
)

// mouseWheelRows is how far one wheel notch moves the cursor.
const mouseWheelRows = 3

// List is the change request list: status tabs, a fuzzy filter and a table
// that renders only the rows on screen.
type List struct {
	deps    common.Deps
	keys    listKeyMap
	spinner spinner.Model
	input   textinput.Model

	width, height int

	data    *listData // nil until the first load lands
	loadSeq int
	loading bool
	loadErr error
	// want is the window the running load reads: its tab and first row.
	wantTab, wantStart int

	tab    int
	query  string // the filter in force, also while it is being typed
	typing bool   // the filter input has focus
	// result is the latest filter answer; it may be for an earlier query
	// or snapshot while the next one runs, and is shown until then.
	result       *filterResult
	filterSeq    int
	filtering    bool
	cancelFilter context.CancelFunc

	// stale says the store changed since the search on screen (or
	// running) began: the next search reads the store rather than
	// narrowing it, and a running one is followed by another when it ends
	// (restarting it at every change could keep a long search from ever
	// finishing).
	stale bool

	cursor, offset int
	// follow is the change request to keep the cursor on when the next
	// load or filter answer lands (0: go to the top).
	follow int64
}

// listLoadedMsg carries a freshly loaded snapshot.
type listLoadedMsg struct {
	seq  int
	data *listData
	err  error
}

// listFilteredMsg carries a filter answer, or why the search failed.
type listFilteredMsg struct {
	seq    int
	result *filterResult
	err    error
}

var _ common.Screen = (*List)(nil)

// NewList returns the change request list screen.
func NewList(deps common.Deps) common.Screen {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "id, name, overview or component"
	in.PromptStyle = deps.Styles.Accent
	in.PlaceholderStyle = deps.Styles.Placeholder
	in.TextStyle = deps.Styles.Normal
	in.Cursor.Style = deps.Styles.Accent
	m := &List{deps: deps, keys: defaultListKeys(), input: in,
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent))}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *List) Title() string { return "Change Requests" }

// Capturing implements common.Screen: true while the filter is typed.
func (m *List) Capturing() bool { return m.typing }

// SetSize implements common.Screen.
func (m *List) SetSize(width, height int) {
	m.width, m.height = width, height
	m.input.Width = max(10, width/2)
	m.scrollToCursor()
}

// Init implements common.Screen: the first load.
func (m *List) Init() tea.Cmd { return m.load() }

// windowRows is how many rows a load reads: the screen and as much again
// above and below, so scrolling a page needs no store access.
func (m *List) windowRows() int { return max(200, 3*m.pageRows()) }

// load reads the tab counts and the window of rows around the screen in a
// command; the list never reads every change request.
func (m *List) load() tea.Cmd {
	m.loadSeq++
	rows := m.windowRows()
	seq, st, tab, start := m.loadSeq, m.deps.Svc.Store, m.tab, max(0, m.offset-rows/3)
	m.wantTab, m.wantStart = tab, start
	tick := tea.Cmd(nil)
	if !m.loading {
		tick = m.spinner.Tick
	}
	m.loading = true
	return tea.Batch(tick, func() tea.Msg {
		d, err := loadWindow(st, tab, start, rows)
		return listLoadedMsg{seq: seq, data: d, err: err}
	})
}

// ensureWindow loads the rows the screen shows when the window in hand (or
// on its way) does not hold them: after a move, a scroll or a tab switch.
func (m *List) ensureWindow() tea.Cmd {
	if m.query != "" || m.data == nil {
		return nil
	}
	from, to := m.offset, m.offset+m.pageRows()
	if m.data.covers(m.tab, from, to) {
		return nil
	}
	if m.loading && m.wantTab == m.tab && from >= m.wantStart && to <= m.wantStart+m.windowRows() {
		return nil
	}
	m.follow = 0
	return m.load()
}

// Update implements common.Screen.
func (m *List) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case listLoadedMsg:
		cmd = m.loaded(msg)
	case listFilteredMsg:
		cmd = m.filteredArrived(msg)
	case common.StoreChangedMsg:
		m.follow = m.selectedID()
		cmd = m.load()
		if m.query != "" {
			m.stale = true
			if !m.filtering {
				cmd = tea.Batch(cmd, m.startFilter())
			}
		}
	case spinner.TickMsg:
		// Only ticks while something runs, so an idle screen costs nothing.
		if m.loading || m.filtering {
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case tea.MouseMsg:
		m.wheel(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		if m.typing {
			m.input, cmd = m.input.Update(msg)
		}
	}
	if msg, ok := msg.(listLoadedMsg); !ok || msg.seq == m.loadSeq {
		cmd = tea.Batch(cmd, m.ensureWindow())
	}
	m.updateKeys()
	return m, cmd
}

func (m *List) loaded(msg listLoadedMsg) tea.Cmd {
	if msg.seq != m.loadSeq {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return common.Err(msg.err)
	}
	m.data, m.loadErr = msg.data, nil
	if m.query == "" {
		m.placeCursor()
	}
	return nil
}

func (m *List) filteredArrived(msg listFilteredMsg) tea.Cmd {
	if msg.seq != m.filterSeq {
		return nil
	}
	m.filtering, m.cancelFilter = false, nil
	if msg.err != nil {
		return common.Err(msg.err)
	}
	m.result = msg.result
	m.placeCursor()
	if m.stale {
		return m.startFilter()
	}
	return nil
}

// placeCursor puts the cursor back on the followed change request after a
// load or filter when it is in the rows at hand, else leaves it where it
// was (a new query: at the top).
func (m *List) placeCursor() {
	want := m.follow
	m.follow = 0
	if want != 0 {
		for i, n := 0, m.visibleLen(); i < n; i++ {
			r, _ := m.visibleAt(i)
			if r != nil && r.id == want {
				m.cursor = i
				break
			}
		}
	}
	m.scrollToCursor()
}

func (m *List) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.typing {
		return m.handleFilterKey(msg)
	}
	if d, ok := m.keys.Delta(msg, m.visibleLen(), m.pageRows()); ok {
		m.move(d)
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.PrevTab):
		return m.switchTab(-1)
	case key.Matches(msg, m.keys.NextTab):
		return m.switchTab(1)
	case key.Matches(msg, m.keys.Filter):
		m.typing = true
		m.input.SetValue(m.query)
		m.input.CursorEnd()
		return m.input.Focus()
	case key.Matches(msg, m.keys.ClearFilter):
		return m.setQuery("")
	case key.Matches(msg, m.keys.Open):
		if r, _ := m.visibleAt(m.cursor); r != nil {
			return common.Open(common.ScreenChangeDetail, r.id)
		}
	case key.Matches(msg, m.keys.New):
		return common.Open(common.ScreenEditor, 0)
	}
	return nil
}

func (m *List) handleFilterKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.ApplyFilter):
		m.typing = false
		m.input.Blur()
		return nil
	case key.Matches(msg, m.keys.ClearFilter):
		m.typing = false
		m.input.Blur()
		m.input.SetValue("")
		return m.setQuery("")
	case key.Matches(msg, m.keys.Up):
		m.move(-1)
		return nil
	case key.Matches(msg, m.keys.Down):
		m.move(1)
		return nil
	case key.Matches(msg, m.keys.PageUp):
		m.move(-m.pageRows())
		return nil
	case key.Matches(msg, m.keys.PageDown):
		m.move(m.pageRows())
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if q := strings.TrimSpace(m.input.Value()); q != m.query {
		return tea.Batch(cmd, m.setQuery(q))
	}
	return cmd
}

// setQuery changes the filter; the cursor goes to the best match when the
// answer lands.
func (m *List) setQuery(q string) tea.Cmd {
	m.query, m.follow, m.cursor, m.offset = q, 0, 0, 0
	return m.startFilter()
}

func (m *List) switchTab(delta int) tea.Cmd {
	m.tab = (m.tab + delta + len(statusTabs)) % len(statusTabs)
	m.cursor, m.offset, m.follow = 0, 0, 0
	if m.query == "" {
		return m.ensureWindow()
	}
	return m.startFilter()
}

// startFilter runs the search for the current query and tab in a command,
// cancelling the one it supersedes. A longer query than a complete answer
// searches that answer's rows; any other reads the tab from the store. With
// no query there is nothing to run: the tab's window shows.
func (m *List) startFilter() tea.Cmd {
	if m.cancelFilter != nil {
		m.cancelFilter()
		m.cancelFilter = nil
	}
	m.filterSeq++
	if m.query == "" {
		m.result, m.filtering = nil, false
		m.placeCursor()
		return m.ensureWindow()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelFilter = cancel
	seq, st, tab, query := m.filterSeq, m.deps.Svc.Store, m.tab, m.query
	var from *filterResult
	if r := m.result; r != nil && r.tab == tab && r.query != "" && strings.HasPrefix(query, r.query) && r.complete() && !m.stale {
		from = r
	}
	m.stale = false
	tick := tea.Cmd(nil)
	if !m.filtering && !m.loading {
		tick = m.spinner.Tick
	}
	m.filtering = true
	return tea.Batch(tick, func() tea.Msg {
		res, ok, err := search(ctx, st, tab, query, from)
		if !ok {
			return nil // superseded: the newer filter answers
		}
		if err != nil {
			return listFilteredMsg{seq: seq, err: err}
		}
		return listFilteredMsg{seq: seq, result: res}
	})
}

// visibleLen is the number of rows the table shows now: the whole tab
// (of which the window holds some), or the kept matches.
func (m *List) visibleLen() int {
	if m.query == "" {
		if m.data == nil || m.data.tab != m.tab {
			return m.tabCount(m.tab)
		}
		return m.data.counts[m.tab]
	}
	if r := m.shownResult(); r != nil {
		return len(r.hits)
	}
	return 0
}

// visibleAt returns the i-th shown row and its matched positions; nil
// while the row is outside the window in hand (its load is on its way).
func (m *List) visibleAt(i int) (*row, []int) {
	if i < 0 || i >= m.visibleLen() {
		return nil, nil
	}
	if m.query == "" {
		if m.data == nil || m.data.tab != m.tab {
			return nil, nil
		}
		return m.data.at(i), nil
	}
	r := m.shownResult()
	h := r.hits[i]
	return &r.rows[h.Index], h.Pos
}

// shownResult is the filter answer on screen: the latest one for the
// current tab, even if its query or snapshot is one step behind.
func (m *List) shownResult() *filterResult {
	if m.result == nil || m.result.tab != m.tab {
		return nil
	}
	return m.result
}

func (m *List) selectedID() int64 {
	if r, _ := m.visibleAt(m.cursor); r != nil {
		return r.id
	}
	return 0
}

func (m *List) move(delta int) {
	m.cursor = max(0, min(m.cursor+delta, m.visibleLen()-1))
	m.scrollToCursor()
}

func (m *List) wheel(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.move(-mouseWheelRows)
	case tea.MouseButtonWheelDown:
		m.move(mouseWheelRows)
	}
}

// scrollToCursor moves the window the least needed to show the cursor.
func (m *List) scrollToCursor() {
	rows := m.pageRows()
	m.cursor = max(0, min(m.cursor, m.visibleLen()-1))
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, min(m.offset, m.visibleLen()-rows))
}

// pageRows is how many table rows fit under the tabs, filter line and
// column header, measured from their rendering.
func (m *List) pageRows() int {
	return max(1, m.height-lipgloss.Height(m.chromeView()))
}

// updateKeys enables exactly the keys that do something now.
func (m *List) updateKeys() {
	k := &m.keys
	hasRows := m.visibleLen() > 0
	if m.typing {
		// Letters type into the filter, so only the arrows move.
		k.Up.SetKeys("up")
		k.Up.SetHelp("↑", "up")
		k.Down.SetKeys("down")
		k.Down.SetHelp("↓", "down")
	} else {
		k.Up.SetKeys("up", "k")
		k.Up.SetHelp("↑/k", "up")
		k.Down.SetKeys("down", "j")
		k.Down.SetHelp("↓/j", "down")
	}
	k.Up.SetEnabled(hasRows)
	k.Down.SetEnabled(hasRows)
	k.PageUp.SetEnabled(hasRows)
	k.PageDown.SetEnabled(hasRows)
	k.Top.SetEnabled(hasRows && !m.typing)
	k.Bottom.SetEnabled(hasRows && !m.typing)
	k.PrevTab.SetEnabled(!m.typing)
	k.NextTab.SetEnabled(!m.typing)
	k.Filter.SetEnabled(!m.typing && m.data != nil)
	k.ApplyFilter.SetEnabled(m.typing)
	k.ClearFilter.SetEnabled(m.typing || m.query != "")
	if m.typing {
		k.ClearFilter.SetHelp("esc", "clear filter")
	} else {
		k.ClearFilter.SetHelp("esc", "clear filter “"+m.query+"”")
	}
	k.Open.SetEnabled(!m.typing && hasRows)
	k.New.SetEnabled(!m.typing)
}

// ShortHelp implements help.KeyMap.
func (m *List) ShortHelp() []key.Binding {
	k := m.keys
	if m.typing {
		return []key.Binding{k.ApplyFilter, k.ClearFilter, k.Up, k.Down}
	}
	return []key.Binding{k.Open, k.New, k.Filter, k.ClearFilter, k.PrevTab, k.NextTab, k.Up, k.Down}
}

// FullHelp implements help.KeyMap.
func (m *List) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.PrevTab, k.NextTab, k.Filter, k.ApplyFilter, k.ClearFilter},
		{k.Open, k.New},
	}
}

// tabCount is the number of change requests in tab i.
func (m *List) tabCount(i int) int {
	if m.data == nil {
		return 0
	}
	return m.data.counts[i]
}
