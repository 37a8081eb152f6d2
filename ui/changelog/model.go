package changelog

import (
	"bytes"
	"context"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"relman/diff"
	"relman/model"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// tagNote is the resolve note prompt's tag (dialog answers are broadcast).
const tagNote = "changelog/note"

type mode int

const (
	modeList   mode = iota
	modePick        // choosing the change request that covers the change
	modePolicy      // the Policies section
)

// filter is one filter's chosen value; "" shows everything.
type filter struct {
	env, status, category, who string
}

func (f filter) keep(c model.ChangeLog) bool {
	return (f.env == "" || c.Env == f.env) && (f.status == "" || string(c.Status) == f.status) &&
		(f.category == "" || string(c.Category) == f.category) && (f.who == "" || c.Who == f.who)
}

// Model is the Changes screen.
type Model struct {
	deps   common.Deps
	keys   keyMap
	dialog dialog.Model
	mode   mode

	all     []model.ChangeLog
	shown   []int // indexes into all that pass the filter
	filter  filter
	loaded  bool
	loadErr error
	seq     int

	cursor, offset int
	width, height  int

	// diffLines is the unified diff of diffOf, rendered once per change.
	diffOf     int64
	diffLines  []string
	diffScroll int
	diffSeq    int

	// picks are the approved change requests offered for resolving; the
	// first row is always "none".
	picks      []model.ChangeRequest
	pickCursor int
	resolving  model.ChangeLog
	linkCR     int64

	policy       model.Policy
	policyCursor int
	busy         string
}

// Messages, each answering one command; seq-tagged ones drop stale answers.
type (
	loadedMsg struct {
		seq int
		cls []model.ChangeLog
		err error
	}
	diffMsg struct {
		seq   int
		id    int64
		lines []string
		err   error
	}
	picksMsg struct {
		id  int64
		crs []model.ChangeRequest
		err error
	}
	resolvedMsg struct {
		cl  model.ChangeLog
		err error
	}
	policyMsg struct {
		p   model.Policy
		err error
	}
	reviewMsg struct {
		log model.CompareLog
		err error
	}
)

// New builds the Changes screen.
func New(deps common.Deps) common.Screen {
	m := &Model{deps: deps, keys: defaultKeyMap(), dialog: dialog.New(deps.Styles)}
	m.updateKeys()
	return m
}

// OpenCount is the number of open non-compliant changes: the tab's badge.
func (m *Model) OpenCount() int {
	n := 0
	for _, c := range m.all {
		if c.Open() {
			n++
		}
	}
	return n
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Changes" }

// Badge is the count the root shows on the tab, at every width: the open
// non-compliant changes.
func (m *Model) Badge() int { return m.OpenCount() }

// Capturing implements common.Screen: the note prompt and the picker
// capture keys.
func (m *Model) Capturing() bool { return m.dialog.Open() || m.mode == modePick }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(min(width-2, 70))
	m.clamp()
}

// Init implements common.Screen.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	svc, seq := m.deps.Svc, m.seq
	return func() tea.Msg {
		cls, err := svc.ChangeLogs(store.ChangeLogQuery{})
		return loadedMsg{seq: seq, cls: cls, err: err}
	}
}

// loadDiff renders the selected change's diff in a command.
func (m *Model) loadDiff() tea.Cmd {
	if len(m.shown) == 0 {
		return nil
	}
	cl := m.selected()
	if cl.ID == m.diffOf {
		return nil
	}
	m.diffOf, m.diffLines, m.diffScroll = cl.ID, nil, 0
	m.diffSeq++
	svc, seq := m.deps.Svc, m.diffSeq
	return func() tea.Msg {
		diffs, err := svc.ChangeDiff(cl)
		if err != nil {
			return diffMsg{seq: seq, id: cl.ID, err: err}
		}
		var b bytes.Buffer
		for _, d := range diffs {
			if err := diff.WriteUnified(&b, d, "before", "after"); err != nil {
				return diffMsg{seq: seq, id: cl.ID, err: err}
			}
		}
		return diffMsg{seq: seq, id: cl.ID, lines: strings.Split(strings.TrimRight(b.String(), "\n"), "\n")}
	}
}

func picksCmd(svc *actions.Service, cl model.ChangeLog) tea.Cmd {
	return func() tea.Msg {
		crs, err := svc.ListCRs(store.CRQuery{Env: cl.Env, Status: model.StatusApproved})
		var out []model.ChangeRequest
		for _, cr := range crs {
			if slices.Contains(cr.Customizations, cl.Component) || slices.Contains(cr.Proposed, cl.Component) {
				out = append(out, cr)
			}
		}
		return picksMsg{id: cl.ID, crs: out, err: err}
	}
}

func resolveCmd(svc *actions.Service, id, cr int64, note string) tea.Cmd {
	return func() tea.Msg {
		cl, err := svc.ResolveChangeLog(id, cr, note)
		return resolvedMsg{cl: cl, err: err}
	}
}

func policyCmd(svc *actions.Service, env string) tea.Cmd {
	return func() tea.Msg {
		p, err := svc.Policy(env)
		return policyMsg{p: p, err: err}
	}
}

func setLevelCmd(svc *actions.Service, p model.Policy, c model.PolicyCategory, l model.Level) tea.Cmd {
	return func() tea.Msg {
		out, err := svc.SetPolicyLevel(p.Name, c, l, p.Rule(c).Approvers)
		return policyMsg{p: out, err: err}
	}
}

func reviewCmd(svc *actions.Service, cl model.ChangeLog) tea.Cmd {
	return func() tea.Msg {
		log, err := svc.ReviewChange(context.Background(), cl)
		return reviewMsg{log: log, err: err}
	}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case loadedMsg:
		cmd = m.applyLoad(msg)
	case diffMsg:
		if msg.seq == m.diffSeq {
			m.diffLines = msg.lines
			if msg.err != nil {
				m.diffLines = []string{"diff unavailable: " + msg.err.Error()}
			}
		}
	case picksMsg:
		cmd = m.applyPicks(msg)
	case resolvedMsg:
		m.busy = ""
		if msg.err != nil {
			cmd = common.Err(msg.err)
		} else {
			cmd = tea.Batch(common.Status(msg.cl.Key()+" resolved"), m.load())
		}
	case policyMsg:
		m.busy = ""
		if msg.err != nil {
			cmd = common.Err(msg.err)
		} else {
			m.policy = msg.p
		}
	case reviewMsg:
		m.busy = ""
		if msg.err != nil {
			cmd = common.Err(msg.err)
		} else {
			cmd = common.Open(common.ScreenReview, msg.log.ID)
		}
	case common.StoreChangedMsg, common.ShowMsg:
		cmd = m.load()
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		m.dialog, cmd = m.dialog.Update(msg)
	}
	m.updateKeys()
	return m, cmd
}

func (m *Model) applyLoad(msg loadedMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil
	}
	m.loaded, m.loadErr = true, msg.err
	if msg.err != nil {
		return nil
	}
	var keep int64
	if len(m.shown) > 0 {
		keep = m.selected().ID
	}
	m.all = msg.cls
	m.diffOf = 0
	m.refilter(keep)
	return m.loadDiff()
}

// refilter recomputes the shown rows, keeping the cursor on change keep.
func (m *Model) refilter(keep int64) {
	m.shown = m.shown[:0]
	for i, c := range m.all {
		if m.filter.keep(c) {
			if c.ID == keep {
				m.cursor = len(m.shown)
			}
			m.shown = append(m.shown, i)
		}
	}
	m.clamp()
}

func (m *Model) selected() model.ChangeLog { return m.all[m.shown[m.cursor]] }

func (m *Model) applyPicks(msg picksMsg) tea.Cmd {
	if m.mode != modePick || msg.id != m.resolving.ID {
		return nil
	}
	if msg.err != nil {
		m.mode = modeList
		return common.Err(msg.err)
	}
	m.picks, m.pickCursor = append([]model.ChangeRequest{}, msg.crs...), 0
	return nil
}

// answered records the resolution once the note is given.
func (m *Model) answered(msg dialog.DoneMsg) tea.Cmd {
	if msg.Tag != tagNote || !msg.OK {
		return nil
	}
	m.busy = m.resolving.Key()
	return resolveCmd(m.deps.Svc, m.resolving.ID, m.linkCR, strings.TrimSpace(msg.Text))
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	switch m.mode {
	case modePick:
		return m.pickKey(msg)
	case modePolicy:
		return m.policyKey(msg)
	}
	if d, ok := m.keys.Delta(msg, len(m.shown), m.rowsVisible()); ok {
		m.cursor += d
		m.clamp()
		return m.loadDiff()
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Env):
		m.filter.env = m.next(m.filter.env, func(c model.ChangeLog) string { return c.Env })
	case key.Matches(msg, k.Status):
		m.filter.status = cycle(m.filter.status, []string{string(model.StatusNonCompliant), string(model.StatusCompliant), string(model.StatusResolved)})
	case key.Matches(msg, k.Category):
		m.filter.category = m.next(m.filter.category, func(c model.ChangeLog) string { return string(c.Category) })
	case key.Matches(msg, k.Who):
		m.filter.who = m.next(m.filter.who, func(c model.ChangeLog) string { return c.Who })
	case key.Matches(msg, k.Clear):
		m.filter = filter{}
	case key.Matches(msg, k.DiffDown):
		m.diffScroll = min(m.diffScroll+max(1, m.height/2), max(0, len(m.diffLines)-1))
		return nil
	case key.Matches(msg, k.DiffUp):
		m.diffScroll = max(0, m.diffScroll-max(1, m.height/2))
		return nil
	case key.Matches(msg, k.Resolve):
		m.resolving, m.mode, m.picks = m.selected(), modePick, nil
		return picksCmd(m.deps.Svc, m.resolving)
	case key.Matches(msg, k.Review):
		m.busy = "review"
		return reviewCmd(m.deps.Svc, m.selected())
	case key.Matches(msg, k.Policies):
		m.mode, m.policyCursor = modePolicy, 0
		env := m.filter.env
		if env == "" && len(m.shown) > 0 {
			env = m.selected().Env
		}
		return policyCmd(m.deps.Svc, env)
	default:
		return nil
	}
	var keep int64
	if len(m.shown) > 0 {
		keep = m.selected().ID
	}
	m.refilter(keep)
	return m.loadDiff()
}

// next cycles a filter through the values the change logs hold.
func (m *Model) next(cur string, of func(model.ChangeLog) string) string {
	var vals []string
	for _, c := range m.all {
		if v := of(c); v != "" && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	return cycle(cur, vals)
}

// cycle returns the value after cur in vals, "" (everything) after the last.
func cycle(cur string, vals []string) string {
	i := slices.Index(vals, cur)
	if i+1 < len(vals) {
		return vals[i+1]
	}
	return ""
}

func (m *Model) pickKey(msg tea.KeyMsg) tea.Cmd {
	n := len(m.picks) + 1 // row 0 is "none"
	if m.moveIn(msg, &m.pickCursor, n) {
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Pick):
		m.linkCR = 0
		title := "Resolve " + m.resolving.Key() + " without a change request"
		if m.pickCursor > 0 {
			cr := m.picks[m.pickCursor-1]
			m.linkCR = cr.ID
			title = "Resolve " + m.resolving.Key() + " with " + cr.Key()
		}
		m.mode = modeList
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Prompt(tagNote, title, "why is the change acceptable? (required)", true)
		return cmd
	}
	return nil
}

func (m *Model) policyKey(msg tea.KeyMsg) tea.Cmd {
	if m.moveIn(msg, &m.policyCursor, len(model.PolicyCategories)) {
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Raise), key.Matches(msg, m.keys.Lower):
		if m.policy.Name == "" {
			return nil
		}
		c := model.PolicyCategories[m.policyCursor]
		i := slices.Index(model.Levels, m.policy.Rule(c).Level)
		if key.Matches(msg, m.keys.Raise) {
			i = min(i+1, len(model.Levels)-1)
		} else {
			i = max(i-1, 0)
		}
		m.busy = "policy"
		return setLevelCmd(m.deps.Svc, m.policy, c, model.Levels[i])
	}
	return nil
}

// moveIn handles the movement keys and esc of a small list (the picker,
// the policy table) of n rows with its cursor; false for other keys.
func (m *Model) moveIn(msg tea.KeyMsg, cursor *int, n int) bool {
	if key.Matches(msg, m.keys.Cancel) {
		m.mode = modeList
		return true
	}
	if d, ok := m.keys.Delta(msg, n, n); ok {
		*cursor = max(0, min(*cursor+d, n-1))
		return true
	}
	return false
}

// clamp keeps the cursor in the list and on screen.
func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	n := m.rowsVisible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.shown)-n))
}
