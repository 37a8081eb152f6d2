package deploy

import (
	"fmt"
	"sort"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
)

// List shows every deployment record, newest first, with where each
// stands, and creates new ones from approved change requests.
type List struct {
	deps    common.Deps
	keys    listKeyMap
	spinner spinner.Model

	width, height int

	rows  []listRow
	ready bool // a load arrived
	// routeW, approvalW and statusW are the widest route, approval and
	// status of the rows.
	routeW, approvalW, statusW int

	loadSeq int
	loading bool
	loadErr error

	cursor, offset int

	// form is the new deployment form while it is open.
	form *form
}

// listRow is one record with what the list shows beside it.
type listRow struct {
	d      model.DeploymentRecord
	crName string
	// approval is the decisions on the current scope, worked out at load:
	// hashing a scope is too slow to do for every frame.
	approval string
	// last is the record's latest log; zero when it has none.
	last model.DeploymentLog
	// rolledBack is the key of the rollback that undid the record, read at
	// load for rolled-back records only; "" otherwise.
	rolledBack string
}

// statusText is the record's status, naming the rollback that undid it as
// its detail does.
func (r listRow) statusText() string {
	if r.rolledBack != "" {
		return string(r.d.Status) + " (" + r.rolledBack + ")"
	}
	return string(r.d.Status)
}

type listLoadedMsg struct {
	seq  int
	rows []listRow
	err  error
}

var _ common.Screen = (*List)(nil)

// NewList returns the deployment records screen.
func NewList(deps common.Deps) common.Screen {
	m := &List{deps: deps, keys: defaultListKeys(),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent))}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *List) Title() string { return "Deployments" }

// Capturing implements common.Screen: true while the form takes typing.
func (m *List) Capturing() bool { return m.form != nil && m.form.capturing() }

// Init implements common.Screen: the first load.
func (m *List) Init() tea.Cmd { return tea.Batch(m.load(), m.spinner.Tick) }

// SetSize implements common.Screen.
func (m *List) SetSize(width, height int) {
	m.width, m.height = width, height
	m.clampOffset()
}

// Update implements common.Screen.
func (m *List) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		cmd = m.load()
	case common.StoreChangedMsg:
		cmd = m.load()
	case listLoadedMsg:
		m.loaded(msg)
	case formDataMsg, createdMsg:
		if m.form != nil {
			var done *model.DeploymentRecord
			done, cmd = m.form.update(msg)
			if done != nil {
				m.form = nil
				cmd = tea.Batch(common.Status(fmt.Sprintf("Created %s (%s → %s, %s, Draft): s submits it for approval.",
					done.Key(), done.Source, done.Target, done.TestLevel)), common.Open(common.ScreenDeployment, done.ID), m.load())
			}
		}
	case spinner.TickMsg:
		if m.loading {
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		if m.form != nil {
			// Cursor blinks of the tests field.
			_, cmd = m.form.update(msg)
		}
	}
	m.updateKeys()
	return m, cmd
}

func (m *List) load() tea.Cmd {
	m.loadSeq++
	seq, svc := m.loadSeq, m.deps.Svc
	var tick tea.Cmd
	if !m.loading {
		tick = m.spinner.Tick
	}
	m.loading = true
	return tea.Batch(tick, func() tea.Msg { return loadList(svc, seq) })
}

// loadList reads every record, its change request's name and its latest log.
func loadList(svc *actions.Service, seq int) tea.Msg {
	ds, err := svc.Deployments(0)
	if err != nil {
		return listLoadedMsg{seq: seq, err: err}
	}
	names := map[int64]string{}
	rows := make([]listRow, len(ds))
	for i, d := range ds {
		rows[i].d, rows[i].approval = d, approval(d)
		if _, ok := names[d.CR]; !ok {
			cr, err := svc.CR(d.CR)
			if err != nil {
				return listLoadedMsg{seq: seq, err: err}
			}
			names[d.CR] = cr.Name
		}
		rows[i].crName = names[d.CR]
		logs, err := svc.Logs(d.ID)
		if err != nil {
			return listLoadedMsg{seq: seq, err: err}
		}
		if n := len(logs); n > 0 {
			rows[i].last = logs[n-1]
		}
		if d.Status == model.DeployRolledBack {
			rbs, err := svc.Rollbacks(d.ID)
			if err != nil {
				return listLoadedMsg{seq: seq, err: err}
			}
			if rb, ok := model.CompletedRollback(rbs); ok {
				rows[i].rolledBack = rb.Key()
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i].d, rows[j].d
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID > b.ID
	})
	return listLoadedMsg{seq: seq, rows: rows}
}

// loaded shows a load, keeping the cursor on the record it was on.
func (m *List) loaded(msg listLoadedMsg) {
	if msg.seq != m.loadSeq {
		return
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return
	}
	var keep int64
	if m.cursor < len(m.rows) {
		keep = m.rows[m.cursor].d.ID
	}
	m.rows, m.loadErr, m.ready = msg.rows, nil, true
	m.routeW, m.approvalW, m.statusW = 0, 0, 0
	for _, r := range m.rows {
		m.statusW = max(m.statusW, lipgloss.Width(r.statusText()))
		m.routeW = max(m.routeW, lipgloss.Width(route(r.d)))
		m.approvalW = max(m.approvalW, lipgloss.Width(r.approval))
	}
	m.cursor = min(m.cursor, max(0, len(m.rows)-1))
	for i, r := range m.rows {
		if r.d.ID == keep {
			m.cursor = i
		}
	}
	m.clampOffset()
}

func (m *List) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.form != nil {
		var cmd tea.Cmd
		_, cmd = m.form.update(msg)
		if m.form.closed {
			m.form = nil
		}
		return cmd
	}
	k := m.keys
	page := max(1, m.pageRows())
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-page)
	case key.Matches(msg, k.PageDown):
		m.move(page)
	case key.Matches(msg, k.Top):
		m.move(-len(m.rows))
	case key.Matches(msg, k.Bottom):
		m.move(len(m.rows))
	case key.Matches(msg, k.Open):
		return common.Open(common.ScreenDeployment, m.rows[m.cursor].d.ID)
	case key.Matches(msg, k.New):
		var cmd tea.Cmd
		m.form, cmd = newForm(m.deps)
		return cmd
	}
	return nil
}

func (m *List) move(delta int) {
	m.cursor = min(max(0, m.cursor+delta), max(0, len(m.rows)-1))
	m.clampOffset()
}

// clampOffset scrolls just enough to keep the cursor on screen.
func (m *List) clampOffset() {
	page := max(1, m.pageRows())
	m.offset = min(m.offset, m.cursor)
	if m.cursor >= m.offset+page {
		m.offset = m.cursor - page + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-page))
}

func (m *List) updateKeys() {
	k := &m.keys
	browsing := m.form == nil && len(m.rows) > 0
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Top, &k.Bottom, &k.PageUp, &k.PageDown, &k.Open} {
		b.SetEnabled(browsing)
	}
	k.New.SetEnabled(m.form == nil)
}

// ShortHelp implements help.KeyMap.
func (m *List) ShortHelp() []key.Binding {
	if m.form != nil {
		return m.form.help()
	}
	k := m.keys
	return []key.Binding{k.Open, k.New, k.Up, k.Down}
}

// FullHelp implements help.KeyMap.
func (m *List) FullHelp() [][]key.Binding {
	if m.form != nil {
		return [][]key.Binding{m.form.help()}
	}
	k := m.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Open, k.New}}
}
