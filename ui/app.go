package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/store"
	"relman/ui/common"
	"relman/ui/components/dialog"

	"relman/ui/termsafe"
)

// Minimum terminal size: below it the app says so instead of drawing a
// broken layout.
const (
	minWidth  = 60
	minHeight = 16
)

// pollEvery is how often the root checks whether another relman process
// changed the store (the UI must notice within 2 s).
const pollEvery = time.Second

// statusTTL is how long a status message stays before it clears itself.
const statusTTL = 6 * time.Second

// quitTag marks the root's own question: quit while work runs?
const quitTag = "root.quit"

// modal is a screen that can show a dialog. While one is open the root's
// global keys (tabs, help, quit) pause: the dialog answers every key, so
// "q" or "2" never acts behind a question the user is reading.
type modal interface{ Modal() bool }

// worker is a screen that runs jobs in the background. Quitting asks first
// while any runs, naming them.
type worker interface {
	// Running names the jobs running now ("DR-0004 deploy (job 0Af…)").
	Running() []string
}

// badged is a tab's screen that counts what waits for the user there
// (Approvals): the header shows the count beside the tab.
type badged interface{ Badge() int }

// tab is one entry of the header.
type tab struct {
	screen common.ScreenID
	key    key.Binding
}

// Model is the root model.
type Model struct {
	deps    common.Deps
	keys    keyMap
	help    help.Model
	screens [common.Count]common.Screen
	tabs    []tab
	current common.ScreenID
	history []common.ScreenID

	width, height int
	head          uint64

	status    string
	statusErr bool
	statusSeq int
	fatal     error
	quitting  bool

	// quit asks before quitting while jobs run; quitNote says what
	// quitting means for them in this process.
	quit     dialog.Model
	quitNote string

	// messages is the status lines' history; showMessages opens it in
	// place of the screen.
	messages     []message
	showMessages bool
}

// New builds the root with every screen; screens maps each id to its screen.
func New(deps common.Deps, screens map[common.ScreenID]common.Screen) Model {
	m := Model{deps: deps, keys: defaultKeys(), help: help.New(), current: common.ScreenChanges,
		quit: dialog.New(deps.Styles), quitNote: orgKeepsJob}
	for id, s := range screens {
		m.screens[id] = s
	}
	// A tab shows only when its screen is in the table.
	for _, t := range []tab{{common.ScreenChanges, m.keys.Changes}, {common.ScreenApprovals, m.keys.Approve},
		{common.ScreenEnvironments, m.keys.Envs}, {common.ScreenCompare, m.keys.Compare},
		{common.ScreenDeployments, m.keys.Deploys}, {common.ScreenLogs, m.keys.Logs}, {common.ScreenChangeLogs, m.keys.Monitor}} {
		if m.screens[t.screen] != nil {
			m.tabs = append(m.tabs, t)
		}
	}
	m.help.Styles.ShortKey = deps.Styles.Accent
	m.help.Styles.FullKey = deps.Styles.Accent
	m.help.Styles.ShortDesc = deps.Styles.Muted
	m.help.Styles.FullDesc = deps.Styles.Muted
	return m
}

// orgKeepsJob is what quitting means for a job in a real org.
const orgKeepsJob = "The org goes on with the job; relman re-attaches to it the next time it starts."

// WithQuitNote returns m saying note instead when asked to quit while jobs
// run, for a process whose quitting does more than leave (the demo stops
// its orgs); "" keeps the default.
func (m Model) WithQuitNote(note string) Model {
	if note != "" {
		m.quitNote = note
	}
	return m
}

type headMsg struct {
	head uint64
	err  error
}

type clearStatusMsg struct{ seq int }

// Init implements tea.Model: every screen's first load, and the store poll.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.pollCmd(0)}
	for _, s := range m.screens {
		if s != nil {
			cmds = append(cmds, s.Init())
		}
	}
	return tea.Batch(cmds...)
}

// pollCmd reads the store's change counter after pollEvery.
func (m Model) pollCmd(delay time.Duration) tea.Cmd {
	st := m.deps.Svc.Store
	return tea.Tick(delay, func(time.Time) tea.Msg {
		var head uint64
		err := st.View(func(tx *store.Tx) error {
			head, _ = tx.Head()
			return nil
		})
		return headMsg{head, err}
	})
}

// Update implements tea.Model. It routes; screens own behaviour.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case headMsg:
		cmds := []tea.Cmd{m.pollCmd(pollEvery)}
		if msg.err != nil {
			// A busy store is normal (another relman is writing): try again
			// at the next poll. Anything else means the store is unusable.
			if !errors.Is(msg.err, store.ErrBusy) {
				m.fatal = msg.err
			}
			return m, tea.Batch(cmds...)
		}
		if msg.head != m.head {
			first := m.head == 0
			m.head = msg.head
			if !first {
				cmds = append(cmds, m.broadcast(common.StoreChangedMsg{Head: msg.head}))
			}
		}
		return m, tea.Batch(cmds...)
	case common.StoreChangedMsg:
		return m, m.broadcast(msg)
	case common.OpenMsg:
		return m.open(msg)
	case common.BackMsg:
		return m.back()
	case common.FatalMsg:
		m.fatal = msg.Err
		return m, nil
	case common.ErrMsg:
		return m.setStatus(msg.Err.Error(), true)
	case common.StatusMsg:
		return m.setStatus(msg.Text, false)
	case dialog.DoneMsg:
		if msg.Tag == quitTag {
			if msg.OK {
				m.quitting = true
				return m, tea.Quit
			}
			return m, nil
		}
		return m, m.broadcast(msg)
	case clearStatusMsg:
		if msg.seq == m.statusSeq {
			m.status = ""
		}
		return m, nil
	case tea.KeyMsg:
		return m.handleKeys(msg)
	case tea.MouseMsg:
		// The wheel scrolls what is on screen, not the hidden screens.
		var cmd tea.Cmd
		m.screens[m.current], cmd = m.screens[m.current].Update(msg)
		return m, cmd
	}
	// Everything else (loaded data, spinner ticks, mouse) goes to its
	// owner: results carry the screen's own message types, so each screen
	// ignores what is not its own.
	return m, m.broadcast(msg)
}

// handleKeys splits keys that arrived together ("kk" from key repeat or a
// terminal multiplexer) into one message each, unless a text field takes
// them or they are a paste: "kk" matches no binding, two "k" do.
func (m Model) handleKeys(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 || msg.Paste || m.screens[m.current].Capturing() {
		return m.handleKey(msg)
	}
	var cmds []tea.Cmd
	var model tea.Model = m
	for _, r := range msg.Runes {
		var cmd tea.Cmd
		model, cmd = model.(Model).handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
	}
	return model, tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.quit.Open() {
		// A second ctrl+c answers yes: the user insists.
		if key.Matches(msg, m.keys.ForceQ) {
			m.quitting = true
			return m, tea.Quit
		}
		var cmd tea.Cmd
		m.quit, cmd = m.quit.Update(msg)
		return m, cmd
	}
	if key.Matches(msg, m.keys.ForceQ) {
		return m.askQuit()
	}
	if m.fatal != nil {
		switch {
		case key.Matches(msg, m.keys.Quit):
			return m.askQuit()
		case key.Matches(msg, m.keys.Back):
			m.fatal = nil
		}
		return m, nil
	}
	m.status = ""
	scr := m.screens[m.current]
	if m.showMessages {
		if key.Matches(msg, m.keys.Messages, m.keys.Back) {
			m.showMessages = false
			m.resize()
			return m, nil
		}
	}
	if !scr.Capturing() && !m.dialogOpen() {
		switch {
		case key.Matches(msg, m.keys.Messages):
			m.showMessages = true
			m.resize()
			return m, nil
		case key.Matches(msg, m.keys.Quit):
			return m.askQuit()
		case key.Matches(msg, m.keys.Help):
			m.help.ShowAll = !m.help.ShowAll
			m.resize()
			return m, nil
		}
		for _, t := range m.tabs {
			if key.Matches(msg, t.key) {
				return m.switchTo(t.screen)
			}
		}
	}
	if m.showMessages {
		// The screen is hidden: its keys must not act unseen.
		return m, nil
	}
	var cmd tea.Cmd
	m.screens[m.current], cmd = scr.Update(msg)
	return m, cmd
}

// dialogOpen reports whether the current screen shows a dialog.
func (m Model) dialogOpen() bool {
	d, ok := m.screens[m.current].(modal)
	return ok && d.Modal()
}

// running names the jobs every screen runs now.
func (m Model) running() []string {
	var jobs []string
	for _, s := range m.screens {
		if w, ok := s.(worker); ok {
			jobs = append(jobs, w.Running()...)
		}
	}
	return jobs
}

// askQuit quits at once when nothing runs; otherwise it asks, saying what
// becomes of the running jobs.
func (m Model) askQuit() (tea.Model, tea.Cmd) {
	jobs := m.running()
	if len(jobs) == 0 {
		m.quitting = true
		return m, tea.Quit
	}
	body := "Running: " + strings.Join(jobs, ", ") + ".\n\n" + m.quitNote
	m.quit = m.quit.Confirm(quitTag, "Quit relman while it runs "+common.Plural(len(jobs), "job")+"?", body)
	m.quit.SetWidth(m.width - 2)
	return m, nil
}

// broadcast sends msg to every screen; each acts only on what is its own.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, s := range m.screens {
		if s == nil {
			continue
		}
		var cmd tea.Cmd
		m.screens[i], cmd = s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m Model) open(msg common.OpenMsg) (tea.Model, tea.Cmd) {
	if m.screens[msg.Screen] == nil {
		return m, nil
	}
	if msg.Screen != m.current {
		m.history = append(m.history, m.current)
	}
	m.current = msg.Screen
	m.resize()
	var cmd tea.Cmd
	m.screens[m.current], cmd = m.screens[m.current].Update(common.ShowMsg{ID: msg.ID, Name: msg.Name})
	return m, cmd
}

func (m Model) back() (tea.Model, tea.Cmd) {
	if n := len(m.history); n > 0 {
		m.current = m.history[n-1]
		m.history = m.history[:n-1]
		m.resize()
	}
	return m, nil
}

// switchTo jumps to a top-level tab, forgetting the drill-down history.
func (m Model) switchTo(s common.ScreenID) (tea.Model, tea.Cmd) {
	m.current, m.history, m.showMessages = s, nil, false
	m.resize()
	return m, nil
}

func (m Model) setStatus(text string, isErr bool) (tea.Model, tea.Cmd) {
	m.status, m.statusErr = text, isErr
	m.remember(text, isErr)
	m.statusSeq++
	seq := m.statusSeq
	return m, tea.Tick(statusTTL, func(time.Time) tea.Msg { return clearStatusMsg{seq} })
}

// resize gives the current screen the space between header and footer. The
// footer is measured, not assumed, because full help changes its height.
func (m *Model) resize() {
	if m.width == 0 {
		return
	}
	m.help.Width = m.width - 2
	bodyH := m.height - lipgloss.Height(m.headerView()) - lipgloss.Height(m.footerView())
	for _, s := range m.screens {
		if s != nil {
			s.SetSize(m.width-2, max(bodyH, 1))
		}
	}
}

// View implements tea.Model. Every frame passes through termsafe.Frame:
// whatever a name, a comment or an org put in it, only colours reach the
// terminal, never a control sequence.
func (m Model) View() string { return termsafe.Frame(m.frame()) }

func (m Model) frame() string {
	if m.quitting {
		return ""
	}
	if m.width == 0 {
		return "loading…"
	}
	if m.width < minWidth || m.height < minHeight {
		return fmt.Sprintf("Terminal too small: %d×%d.\nrelman needs at least %d×%d — enlarge the window.",
			m.width, m.height, minWidth, minHeight)
	}
	header, footer := m.headerView(), m.footerView()
	bodyH := m.height - lipgloss.Height(header) - lipgloss.Height(footer)
	var body string
	switch {
	case m.quit.Open():
		body = lipgloss.Place(m.width-2, bodyH, lipgloss.Center, lipgloss.Center, m.quit.View())
	case m.fatal != nil:
		body = m.fatalView(bodyH)
	case m.showMessages:
		body = m.messagesView(m.width-2, bodyH)
	default:
		body = m.screens[m.current].View()
	}
	body = lipgloss.NewStyle().Height(bodyH).MaxHeight(bodyH).MaxWidth(m.width).Render(body)
	return m.deps.Styles.App.Render(lipgloss.JoinVertical(lipgloss.Left, header, body, footer))
}

// shortTitles label the tabs when the full titles do not fit the width.
var shortTitles = map[common.ScreenID]string{
	common.ScreenChanges: "CRs", common.ScreenApprovals: "Approve", common.ScreenEnvironments: "Envs",
	common.ScreenCompare: "Compare", common.ScreenDeployments: "Deploy", common.ScreenLogs: "Logs",
	common.ScreenChangeLogs: "Chg",
}

func (m Model) headerView() string {
	st := m.deps.Styles
	active := m.current
	if len(m.history) > 0 {
		active = m.history[0]
	}
	user := st.Muted.Render("as " + m.deps.Svc.User)
	if m.deps.Svc.Signer == nil {
		// No registered key: everything can be read, nothing written.
		user = st.Warning.Render("read only: no registered key")
	}
	render := func(short bool) string {
		parts := []string{st.Title.Render("relman")}
		for _, t := range m.tabs {
			title := m.screens[t.screen].Title()
			if short && shortTitles[t.screen] != "" {
				title = shortTitles[t.screen]
			}
			label := t.key.Help().Key + " " + title
			if b, ok := m.screens[t.screen].(badged); ok && b.Badge() > 0 {
				label += fmt.Sprintf(" (%d)", b.Badge())
			}
			if t.screen == active {
				parts = append(parts, st.ActiveTab.Render(label))
			} else {
				parts = append(parts, st.Tab.Render(label))
			}
		}
		return strings.Join(parts, " ")
	}
	line := render(false)
	if lipgloss.Width(line)+lipgloss.Width(user)+1 > m.width-2 {
		line = render(true)
	}
	if gap := m.width - 2 - lipgloss.Width(line) - lipgloss.Width(user); gap > 0 {
		line += strings.Repeat(" ", gap) + user
	}
	return lipgloss.NewStyle().MaxWidth(m.width - 2).Render(line)
}

func (m Model) footerView() string {
	st := m.deps.Styles
	// The status line is one line whatever it says: a long refusal is cut
	// short rather than pushing the screen up; M opens it whole.
	status := ""
	if m.status != "" {
		text := strings.Join(strings.Fields(m.status), " ")
		if lipgloss.Width(text) > m.width-4 {
			// Cut, it says where to read it whole.
			text = ansi.Truncate(text, m.width-4, "… (M shows it whole)")
		}
		if m.statusErr {
			status = st.StatusError.Render("✗ " + text)
		} else {
			status = st.StatusOK.Render("✓ " + text)
		}
	}
	status = lipgloss.NewStyle().Width(m.width - 2).MaxWidth(m.width - 2).Render(status)
	return lipgloss.JoinVertical(lipgloss.Left, status, m.helpView())
}

// helpView is the footer's key help. It degrades by priority: the global
// keys (? help, q quit) are always shown, and the screen's keys, most
// pressing first, take what room is left; full help packs its columns
// into rows, the global column first, so none is cut off.
func (m Model) helpView() string {
	width := m.width - 2
	if m.help.ShowAll {
		return m.fullHelpView(width)
	}
	tail := m.shortItems(m.globalShort(), 0)
	if tail == "" {
		return m.shortItems(m.ShortHelp(), width)
	}
	sep := m.help.Styles.ShortSeparator.Inline(true).Render(m.help.ShortSeparator)
	budget := width - lipgloss.Width(tail) - lipgloss.Width(sep)
	if budget <= 0 {
		return tail
	}
	head := m.shortItems(m.screenShort(), budget)
	if head == "" {
		return tail
	}
	return head + sep + tail
}

// shortItems renders the enabled bindings as "k desc • k desc" within
// width cells (0: no limit), ending in "…" when some are left out. (help's
// own ShortHelpView goes past its width when the "…" would not fit.)
func (m Model) shortItems(bindings []key.Binding, width int) string {
	st := m.help.Styles
	sep := st.ShortSeparator.Inline(true).Render(m.help.ShortSeparator)
	more := " " + st.Ellipsis.Inline(true).Render(m.help.Ellipsis)
	var items []string
	for _, kb := range bindings {
		if kb.Enabled() {
			items = append(items, st.ShortKey.Inline(true).Render(kb.Help().Key)+" "+st.ShortDesc.Inline(true).Render(kb.Help().Desc))
		}
	}
	var b strings.Builder
	used := 0
	for i, item := range items {
		if i > 0 {
			item = sep + item
		}
		// An item goes in if it fits, with room for the "…" unless it
		// is the last one.
		need := lipgloss.Width(item)
		if i < len(items)-1 {
			need += lipgloss.Width(more)
		}
		if width > 0 && used+need > width {
			b.WriteString(more)
			break
		}
		b.WriteString(item)
		used += lipgloss.Width(item)
	}
	return b.String()
}

// fullHelpView lays the full help's columns out in rows of width.
func (m Model) fullHelpView(width int) string {
	h := m.help
	h.Width = 0
	const gap = "    "
	var rows []string
	var row string
	for _, group := range m.FullHelp() {
		col := h.FullHelpView([][]key.Binding{group})
		if col == "" {
			continue
		}
		if row != "" && lipgloss.Width(row)+len(gap)+lipgloss.Width(col) > width {
			rows = append(rows, row)
			row = ""
		}
		if row == "" {
			row = col
		} else {
			row = lipgloss.JoinHorizontal(lipgloss.Top, row, gap, col)
		}
	}
	if row != "" {
		rows = append(rows, row)
	}
	return strings.Join(rows, "\n")
}

func (m Model) fatalView(h int) string {
	st := m.deps.Styles
	body := st.ErrorTitle.Render("Something went wrong") + "\n\n" + m.fatal.Error() + "\n\n" +
		st.Muted.Render("esc to go back · q to quit")
	return st.ErrorPane.Width(min(m.width-6, 80)).MaxHeight(h).Render(body)
}

// ShortHelp implements help.KeyMap: the current screen's keys, then the
// global ones that are active now.
func (m Model) ShortHelp() []key.Binding {
	return append(m.screenShort(), m.globalShort()...)
}

// screenShort is the short help's part that belongs to what is on screen:
// the quit question's answers, the fatal pane's keys or the screen's.
func (m Model) screenShort() []key.Binding {
	switch {
	case m.quit.Open():
		return m.quit.ShortHelp()
	case m.fatal != nil:
		return []key.Binding{m.keys.Back}
	case m.showMessages:
		return []key.Binding{m.keys.Messages, m.keys.Back}
	}
	return m.screens[m.current].ShortHelp()
}

// globalShort is ? help and q quit while they act: not while a dialog
// is open (its footer lists its own answers only) or a field takes typing.
func (m Model) globalShort() []key.Binding {
	switch {
	case m.quit.Open():
		return nil
	case m.fatal != nil:
		return []key.Binding{m.keys.Quit}
	case m.screens[m.current].Capturing() || m.dialogOpen():
		return nil
	}
	return []key.Binding{m.keys.Help, m.keys.Quit}
}

// FullHelp implements help.KeyMap.
// The global column comes first: at 80 columns it is what must not be lost.
func (m Model) FullHelp() [][]key.Binding {
	if m.quit.Open() || m.dialogOpen() {
		return [][]key.Binding{m.ShortHelp()}
	}
	global := make([]key.Binding, 0, len(m.tabs)+3)
	for _, t := range m.tabs {
		global = append(global, t.key)
	}
	global = append(global, m.keys.Messages, m.keys.Help, m.keys.Quit, m.keys.ForceQ)
	return append([][]key.Binding{global}, m.screens[m.current].FullHelp()...)
}
