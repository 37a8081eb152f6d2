package changes

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/store"
	"relman/ui/actions"
	"relman/ui/changes/filter"
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

	tab    int
	query  string // the filter in force, also while it is being typed
	typing bool   // the filter input has focus
	// result is the latest filter answer; it may be for an earlier query
	// or snapshot while the next one runs, and is shown until then.
	result       *filterResult
	filterSeq    int
	filtering    bool
	cancelFilter context.CancelFunc

	cursor, offset int
	// follow is the change request to keep the cursor on when the next
	// load or filter answer lands (0: go to the top).
	follow int64
}

// filterResult is one filter answer: which snapshot, tab and query it is for.
type filterResult struct {
	data  *listData
	tab   int
	query string
	hits  []filter.Hit
}

// listLoadedMsg carries a freshly loaded snapshot.
type listLoadedMsg struct {
	seq  int
	data *listData
	err  error
}

// listFilteredMsg carries a filter answer.
type listFilteredMsg struct {
	seq    int
	result *filterResult
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

// load reads every change request in a command. The whole list is loaded
// once so tab counts and the filter need no further store access.
func (m *List) load() tea.Cmd {
	m.loadSeq++
	seq, svc := m.loadSeq, m.deps.Svc
	tick := tea.Cmd(nil)
	if !m.loading {
		tick = m.spinner.Tick
	}
	m.loading = true
	return tea.Batch(tick, func() tea.Msg { return loadList(svc, seq) })
}

func loadList(svc *actions.Service, seq int) tea.Msg {
	crs, err := svc.ListCRs(store.CRQuery{})
	if err != nil {
		return listLoadedMsg{seq: seq, err: err}
	}
	return listLoadedMsg{seq: seq, data: newListData(crs)}
}

// Update implements common.Screen.
func (m *List) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case listLoadedMsg:
		cmd = m.loaded(msg)
	case listFilteredMsg:
		m.filteredArrived(msg)
	case common.StoreChangedMsg:
		m.follow = m.selectedID()
		cmd = m.load()
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
	if m.query != "" {
		return m.startFilter()
	}
	m.placeCursor()
	return nil
}

func (m *List) filteredArrived(msg listFilteredMsg) {
	if msg.seq != m.filterSeq {
		return
	}
	m.filtering, m.cancelFilter = false, nil
	m.result = msg.result
	m.placeCursor()
}

// placeCursor puts the cursor back on the followed change request after a
// load or filter, or at the top for a new query.
func (m *List) placeCursor() {
	want := m.follow
	m.follow = 0
	m.cursor = 0
	if want != 0 {
		for i, n := 0, m.visibleLen(); i < n; i++ {
			if r, _ := m.visibleAt(i); r.id == want {
				m.cursor = i
				break
			}
		}
	}
	m.offset = 0
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
	m.query, m.follow = q, 0
	return m.startFilter()
}

func (m *List) switchTab(delta int) tea.Cmd {
	m.tab = (m.tab + delta + len(statusTabs)) % len(statusTabs)
	m.cursor, m.offset, m.follow = 0, 0, 0
	return m.startFilter()
}

// startFilter runs the filter for the current query, tab and snapshot in a
// command, cancelling the one it supersedes. With no query there is nothing
// to run: the tab's rows show as they are.
func (m *List) startFilter() tea.Cmd {
	if m.cancelFilter != nil {
		m.cancelFilter()
		m.cancelFilter = nil
	}
	m.filterSeq++
	if m.query == "" || m.data == nil {
		m.result, m.filtering = nil, false
		m.placeCursor()
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelFilter = cancel
	seq, data, tab, query := m.filterSeq, m.data, m.tab, m.query
	cands, narrowFrom := data.byTab[tab], []filter.Hit(nil)
	if r := m.result; r != nil && r.data == data && r.tab == tab && r.query != "" && strings.HasPrefix(query, r.query) {
		narrowFrom = r.hits
	}
	tick := tea.Cmd(nil)
	if !m.filtering && !m.loading {
		tick = m.spinner.Tick
	}
	m.filtering = true
	return tea.Batch(tick, func() tea.Msg {
		if narrowFrom != nil {
			cands = filter.Indexes(narrowFrom)
		}
		hits, ok := data.find(ctx, cands, query)
		if !ok {
			return nil // superseded: the newer filter answers
		}
		return listFilteredMsg{seq: seq, result: &filterResult{data: data, tab: tab, query: query, hits: hits}}
	})
}

// visibleLen is the number of rows the table shows now.
func (m *List) visibleLen() int {
	if m.query == "" {
		if m.data == nil {
			return 0
		}
		return len(m.data.byTab[m.tab])
	}
	if r := m.shownResult(); r != nil {
		return len(r.hits)
	}
	return 0
}

// visibleAt returns the i-th shown row and its matched positions.
func (m *List) visibleAt(i int) (*row, []int) {
	if i < 0 || i >= m.visibleLen() {
		return nil, nil
	}
	if m.query == "" {
		return &m.data.rows[m.data.byTab[m.tab][i]], nil
	}
	r := m.shownResult()
	h := r.hits[i]
	return &r.data.rows[h.Index], h.Pos
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
	return len(m.data.byTab[i])
}
