package review

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// focusPane is which pane takes the moving keys.
type focusPane uint8

const (
	focusTree focusPane = iota
	focusDiff
)

// splitPref is the reviewer's choice of view mode; auto follows the width.
type splitPref uint8

const (
	splitAuto splitPref = iota
	splitOff
	splitOn
)

// docCacheSize is how many computed diffs are kept, so going back to a
// component just seen is instant.
const docCacheSize = 8

// Model is the reviewer screen.
type Model struct {
	deps   common.Deps
	keys   keyMap
	paints paints
	dialog dialog.Model
	spin   spinner.Model

	width, height int

	// The open comparison: logID is what was asked for; log is nil until
	// it is read.
	logID   int64
	log     *model.CompareLog
	loadSeq int
	loadErr error
	// preload is a comparison the Compare screen just ran, with both
	// sides' items, so opening it reads nothing again.
	preload *Preload

	// Both sides' components: nil until loaded. gen counts loads, so a
	// diff computed from an earlier load is never shown.
	items        *itemSet
	gen          int
	itemsErr     error
	loadingItems bool
	cancelLoad   context.CancelFunc
	loadStart    int64 // the clock's UnixNano when the load started
	elapsed      string

	// The comparison as the reviewer sees it, under opts.
	opts    diff.Options
	cmpSeq  int
	hidden  diff.Hidden
	entries []entry
	index   map[metadata.Component]int
	// names and fullNames are each entry's "Type:FullName" and full name,
	// what the jump matches.
	names     []string
	fullNames []string
	viewed    map[metadata.Component]bool
	pending   []markOp // viewed marks not yet stored, oldest (in flight) first
	markSeq   int
	selected  map[metadata.Component]bool

	// The tree.
	stats        treeStats
	collapsed    map[string]bool
	unviewedOnly bool
	rows         []treeRow
	tcursor      int
	toffset      int
	current      metadata.Component
	hasCurrent   bool

	// The diff pane.
	focus       focusPane
	showTree    bool
	split       splitPref
	fullContext bool
	want        diffKey
	wanting     bool
	cache       []*diffDoc
	dv          diffView
	diffErr     error
	search      searchState

	// Overlays and running actions.
	jump   *jumpState
	picker *crPicker
	// dialogComps are the components the open name prompt's new change
	// request will hold.
	dialogComps []metadata.Component
	busy        string
	// warnings is the open list of the comparison's warnings, nil when
	// closed.
	warnings *warningsPanel
}

// New builds the reviewer. It shows nothing until it is opened on a
// Compare Log (common.OpenMsg{Screen: ScreenReview, ID: log id}).
func New(deps common.Deps) common.Screen {
	m := &Model{deps: deps, keys: defaultKeyMap(), paints: newPaints(deps.Styles), dialog: dialog.New(deps.Styles),
		spin:     spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(deps.Styles.Accent)),
		showTree: true, search: newSearch(deps.Styles)}
	m.updateKeys()
	return m
}

// Preload hands the reviewer a comparison the Compare screen has just run,
// with both sides' components, before opening it: reading a real org again
// would take as long as the comparison did. The root broadcasts it like
// any message; the reviewer keeps the latest one.
type Preload struct {
	Log            model.CompareLog
	Result         diff.Result
	Source, Target []metadata.Item
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Review" }

// Capturing implements common.Screen: typed text and open choices keep the
// root's single-letter keys away.
func (m *Model) Capturing() bool {
	return m.dialog.Open() || m.picker != nil || m.jump != nil || m.search.editing || m.warnings != nil
}

// Init implements common.Screen: nothing loads until a log is opened.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(m.diffWidth() - 4)
	m.search.input.Width = max(m.diffWidth()-12, 8)
	m.relayout()
	m.clampTree()
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case Preload:
		m.preload = &msg
	case common.ShowMsg:
		cmd = m.show(msg.ID)
	case common.StoreChangedMsg:
		cmd = m.refreshLog()
	case logLoadedMsg:
		cmd = m.logLoaded(msg)
	case itemsLoadedMsg:
		cmd = m.itemsLoaded(msg)
	case comparedMsg:
		cmd = m.compared(msg)
	case diffedMsg:
		cmd = m.diffed(msg)
	case searchedMsg:
		m.searched(msg)
	case jumpedMsg:
		m.jumped(msg)
	case markedMsg:
		cmd = m.marked(msg)
	case crsLoadedMsg:
		m.crsLoaded(msg)
	case crDoneMsg:
		cmd = m.crDone(msg)
	case packageWrittenMsg:
		cmd = m.packageWritten(msg)
	case spinner.TickMsg:
		cmd = m.tick(msg)
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		m.handleMouse(msg)
	default:
		// Cursor blinks of whichever text input is open.
		cmd = m.forwardToInputs(msg)
	}
	m.updateKeys()
	return m, cmd
}

func (m *Model) forwardToInputs(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	var cmd tea.Cmd
	m.dialog, cmd = m.dialog.Update(msg)
	cmds = append(cmds, cmd)
	if m.search.editing {
		m.search.input, cmd = m.search.input.Update(msg)
		cmds = append(cmds, cmd)
	}
	if m.jump != nil {
		m.jump.input, cmd = m.jump.input.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case m.dialog.Open():
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	case m.picker != nil:
		return m.pickerKey(msg)
	case m.jump != nil:
		return m.jumpKey(msg)
	case m.search.editing:
		return m.searchKey(msg)
	case m.warnings != nil:
		m.warningsKey(msg)
		return nil
	}
	k := m.keys
	treeFocus := m.focus == focusTree && m.showTree
	switch {
	case key.Matches(msg, k.ClearSearch):
		m.search.clear()
	case key.Matches(msg, k.Back):
		return common.Back
	case key.Matches(msg, k.Reload):
		return m.reload()
	case key.Matches(msg, k.Warnings):
		m.warnings = &warningsPanel{}
	case key.Matches(msg, k.Focus):
		if m.focus == focusTree {
			m.setFocus(focusDiff)
		} else {
			m.setFocus(focusTree)
		}
	case key.Matches(msg, k.FocusTree):
		m.setFocus(focusTree)
	case key.Matches(msg, k.FocusDiff):
		m.setFocus(focusDiff)
	case key.Matches(msg, k.Tree):
		m.showTree = !m.showTree
		m.SetSize(m.width, m.height)
	case key.Matches(msg, k.Split):
		if m.mode() == modeSplit {
			m.split = splitOff
		} else {
			m.split = splitOn
		}
		m.relayout()
	case key.Matches(msg, k.Context):
		m.fullContext = !m.fullContext
		return m.requestDiff()
	case key.Matches(msg, k.Whitespace):
		m.opts.IgnoreWhitespace = !m.opts.IgnoreWhitespace
		return m.optionsChanged()
	case key.Matches(msg, k.Order):
		m.opts.IgnoreOrder = !m.opts.IgnoreOrder
		return m.optionsChanged()
	case key.Matches(msg, k.NextHunk):
		m.dv.hunk(1, m.diffBodyHeight())
	case key.Matches(msg, k.PrevHunk):
		m.dv.hunk(-1, m.diffBodyHeight())
	case key.Matches(msg, k.NextComp):
		return m.stepComponent(1)
	case key.Matches(msg, k.PrevComp):
		return m.stepComponent(-1)
	case key.Matches(msg, k.NextMatch):
		m.stepMatch(1)
	case key.Matches(msg, k.PrevMatch):
		m.stepMatch(-1)
	case key.Matches(msg, k.Viewed):
		return m.markCurrent(false)
	case key.Matches(msg, k.ViewedNext):
		return m.markCurrent(true)
	case key.Matches(msg, k.Select):
		m.toggleSelect(treeFocus)
	case key.Matches(msg, k.Unviewed):
		m.unviewedOnly = !m.unviewedOnly
		m.rebuildTree()
		return m.followCursor()
	case key.Matches(msg, k.AddToCR):
		return m.openPicker()
	case key.Matches(msg, k.Package):
		return m.askPackage()
	case treeFocus:
		return m.treeKey(msg)
	default:
		return m.diffKey(msg)
	}
	return nil
}

// treeKey handles the moving keys while the tree has focus.
func (m *Model) treeKey(msg tea.KeyMsg) tea.Cmd {
	k, h := m.keys, m.treeBodyHeight()
	switch {
	case key.Matches(msg, k.Up):
		m.moveTree(-1)
	case key.Matches(msg, k.Down):
		m.moveTree(1)
	case key.Matches(msg, k.PageUp):
		m.moveTree(-h)
	case key.Matches(msg, k.PageDown):
		m.moveTree(h)
	case key.Matches(msg, k.Top):
		m.moveTree(-len(m.rows))
	case key.Matches(msg, k.Bottom):
		m.moveTree(len(m.rows))
	case key.Matches(msg, k.Toggle):
		return m.toggleRow()
	case key.Matches(msg, k.Jump):
		return m.openJump()
	default:
		return nil
	}
	return m.followCursor()
}

// diffKey handles the moving keys while the diff has focus.
func (m *Model) diffKey(msg tea.KeyMsg) tea.Cmd {
	k, h := m.keys, m.diffBodyHeight()
	switch {
	case key.Matches(msg, k.Up):
		m.dv.move(-1, h)
	case key.Matches(msg, k.Down):
		m.dv.move(1, h)
	case key.Matches(msg, k.PageUp):
		m.dv.page(-h, h)
	case key.Matches(msg, k.PageDown):
		m.dv.page(h, h)
	case key.Matches(msg, k.HalfUp):
		m.dv.page(-h/2, h)
	case key.Matches(msg, k.HalfDown):
		m.dv.page(h/2, h)
	case key.Matches(msg, k.Top):
		m.dv.move(-m.dv.lay.rows(), h)
	case key.Matches(msg, k.Bottom):
		m.dv.move(m.dv.lay.rows(), h)
	case key.Matches(msg, k.Search):
		return m.search.open(m.dv.cursor)
	}
	return nil
}

// wheelLines is how far one notch of the mouse wheel scrolls.
const wheelLines = 3

func (m *Model) handleMouse(msg tea.MouseMsg) {
	if m.log == nil || m.Capturing() || msg.Action != tea.MouseActionPress {
		return
	}
	delta := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		delta = -wheelLines
	case tea.MouseButtonWheelDown:
		delta = wheelLines
	default:
		return
	}
	// The root pads the screen by one column; the wheel scrolls the pane
	// under the pointer.
	if m.showTree && msg.X <= m.treeWidth() {
		m.scrollTree(delta)
		return
	}
	m.dv.scroll(delta, m.diffBodyHeight())
}

func (m *Model) setFocus(f focusPane) {
	if f == focusTree && !m.showTree {
		return
	}
	m.focus = f
}

// mode is the view mode in force: the reviewer's choice, else side by side
// when the pane is wide enough.
func (m *Model) mode() viewMode {
	switch m.split {
	case splitOn:
		return modeSplit
	case splitOff:
		return modeUnified
	}
	if m.diffWidth() >= splitMinWidth {
		return modeSplit
	}
	return modeUnified
}

// relayout lays the shown diff out again for the pane's width and mode.
func (m *Model) relayout() {
	if m.dv.doc == nil {
		return
	}
	if w, md := m.diffWidth(), m.mode(); w != m.dv.lay.width || md != m.dv.lay.mode {
		m.dv.relayout(newLayout(m.dv.doc, md, w), m.diffBodyHeight())
		m.search.remap(&m.dv)
	}
}

// optionsChanged compares again under the new options and diffs the
// current component again.
func (m *Model) optionsChanged() tea.Cmd {
	if m.items == nil {
		return nil
	}
	m.cmpSeq++
	return tea.Batch(compareCmd(m.items, m.opts, m.gen, m.cmpSeq), m.requestDiff())
}

// itemsReady reports whether both sides' components are loaded.
func (m *Model) itemsReady() bool { return m.items != nil }
