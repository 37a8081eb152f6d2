package compare

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/review"
)

// Dialog tags. Dialog answers are broadcast to every screen, so the tags
// name this screen.
const (
	tagSourceDir  = "compare/source-dir"
	tagTargetDir  = "compare/target-dir"
	tagNamespaces = "compare/namespaces"
)

// section is which part of the screen has the cursor.
type section uint8

const (
	sectionForm section = iota
	sectionLogs
)

// field is a row of the form.
type field uint8

const (
	fieldSource field = iota
	fieldTarget
	fieldCR
	fieldTypes
	fieldComponents
	fieldNamespaces
	fieldWhitespace
	fieldOrder
	fieldCount
)

// Model is the Compare screen.
type Model struct {
	deps   common.Deps
	keys   keyMap
	dialog dialog.Model
	spin   spinner.Model

	width, height int

	envs    []model.Environment
	logs    []model.CompareLog // newest first
	crs     []model.ChangeRequest
	loadErr error
	loadSeq int

	// The comparison to run.
	source, target string
	cr             *model.ChangeRequest
	types          []string
	comps          []metadata.Component
	namespaces     []string
	ignoreWS       bool
	ignoreOrder    bool

	section section
	field   field
	lcursor int
	loffset int

	picker *picker
	// catalogues are the component lists by source, read once each.
	catalogues map[string][]metadata.Component
	// showSeq tags the read of a change request opened from its detail.
	showSeq int

	running bool
	runSeq  int
	cancel  context.CancelFunc
	started int64 // the clock's UnixNano when the run started
	elapsed string
	runErr  error
}

// New builds the Compare screen.
func New(deps common.Deps) common.Screen {
	m := &Model{deps: deps, keys: defaultKeyMap(), dialog: dialog.New(deps.Styles),
		spin:       spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(deps.Styles.Accent)),
		catalogues: map[string][]metadata.Component{}}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Compare" }

// Capturing implements common.Screen: a picker or a prompt takes typing,
// and a running comparison keeps the tab keys from leaving it half seen.
func (m *Model) Capturing() bool { return m.dialog.Open() || m.picker != nil }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width - 4)
	m.clampLogs()
}

// Init implements common.Screen: the first read of environments and logs.
func (m *Model) Init() tea.Cmd { return m.load() }

// loadedMsg answers a read of the environments and the saved comparisons.
type loadedMsg struct {
	seq  int
	envs []model.Environment
	logs []model.CompareLog
	err  error
}

// crLoadedMsg answers the read of the change request the screen was opened
// for.
type crLoadedMsg struct {
	seq int
	cr  model.ChangeRequest
	err error
}

// crsLoadedMsg answers the read of the change requests to filter by.
type crsLoadedMsg struct {
	crs []model.ChangeRequest
	err error
}

// catalogueMsg answers the read of a source's component list.
type catalogueMsg struct {
	source string
	comps  []metadata.Component
	err    error
}

// comparedMsg answers a comparison.
type comparedMsg struct {
	seq int
	out actions.CompareOutcome
	err error
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	svc, seq := m.deps.Svc, m.loadSeq
	return func() tea.Msg {
		envs, err := svc.Environments()
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		logs, err := svc.CompareLogs(0)
		slices.Reverse(logs)
		return loadedMsg{seq: seq, envs: envs, logs: logs, err: err}
	}
}

func crCmd(svc *actions.Service, id int64, seq int) tea.Cmd {
	return func() tea.Msg {
		cr, err := svc.CR(id)
		return crLoadedMsg{seq: seq, cr: cr, err: err}
	}
}

// pickableCRs bounds the change requests the filter picker offers: the
// most recent ones, so a store of a million opens the picker at once.
const pickableCRs = 1000

// crsCmd lists the change requests a comparison can be filtered by: the
// pickableCRs most recently updated that are not cancelled.
func crsCmd(svc *actions.Service) tea.Cmd {
	return func() tea.Msg {
		var crs []model.ChangeRequest
		err := svc.Store.View(func(tx *store.Tx) error {
			return tx.EachCR(store.CRQuery{}, func(cr model.ChangeRequest) error {
				if cr.Status() != model.StatusCancelled {
					crs = append(crs, cr)
				}
				if len(crs) == pickableCRs {
					return errEnough
				}
				return nil
			})
		})
		if errors.Is(err, errEnough) {
			err = nil
		}
		return crsLoadedMsg{crs: crs, err: err}
	}
}

// errEnough stops a walk over the store that has found what it needs.
var errEnough = errors.New("enough")

// catalogueCmd lists the source's components. The source is resolved the
// way the comparison resolves it, so a typed folder has a catalogue too.
func catalogueCmd(svc *actions.Service, source string) tea.Cmd {
	return func() tea.Msg {
		side, err := svc.ResolveSide(source)
		if err != nil {
			return catalogueMsg{source: source, err: err}
		}
		comps, err := side.Org.Components(context.Background())
		if err == nil {
			comps = slices.Clone(comps)
			metadata.SortComponents(comps)
		}
		return catalogueMsg{source: source, comps: comps, err: err}
	}
}

func runCmd(ctx context.Context, svc *actions.Service, req actions.CompareRequest, seq int) tea.Cmd {
	return func() tea.Msg {
		out, err := svc.Compare(ctx, req)
		return comparedMsg{seq: seq, out: out, err: err}
	}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case loadedMsg:
		m.loaded(msg)
	case common.StoreChangedMsg:
		cmd = m.load()
	case common.ShowMsg:
		cmd = m.show(msg.ID)
	case crLoadedMsg:
		cmd = m.crLoaded(msg)
	case crsLoadedMsg:
		cmd = m.crsLoaded(msg)
	case catalogueMsg:
		cmd = m.catalogueLoaded(msg)
	case filteredMsg:
		if m.picker != nil {
			m.picker.filtered(msg)
		}
	case comparedMsg:
		cmd = m.compared(msg)
	case spinner.TickMsg:
		cmd = m.tick(msg)
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		cmd = m.forwardToInputs(msg)
	}
	m.updateKeys()
	return m, cmd
}

func (m *Model) forwardToInputs(msg tea.Msg) tea.Cmd {
	var cmd, pcmd tea.Cmd
	m.dialog, cmd = m.dialog.Update(msg)
	if m.picker != nil {
		m.picker.input, pcmd = m.picker.input.Update(msg)
	}
	return tea.Batch(cmd, pcmd)
}

func (m *Model) loaded(msg loadedMsg) {
	if msg.seq != m.loadSeq {
		return
	}
	m.loadErr = msg.err
	if msg.err != nil {
		return
	}
	m.envs, m.logs = msg.envs, msg.logs
	if m.source == "" && m.target == "" {
		m.source, m.target = defaultSides(m.envs)
	}
	if len(m.logs) == 0 {
		m.section = sectionForm
	}
	m.clampLogs()
}

// defaultSides proposes the usual comparison: the first sandbox against
// the first production environment.
func defaultSides(envs []model.Environment) (source, target string) {
	for _, e := range envs {
		if e.Kind == model.KindSandbox && source == "" {
			source = e.Name
		}
		if e.Kind == model.KindProduction && target == "" {
			target = e.Name
		}
	}
	return source, target
}

// show preselects change request id (opened from its detail) as the
// filter and its home environment as the target.
func (m *Model) show(id int64) tea.Cmd {
	if id == 0 {
		return nil
	}
	m.showSeq++
	return crCmd(m.deps.Svc, id, m.showSeq)
}

func (m *Model) crLoaded(msg crLoadedMsg) tea.Cmd {
	if msg.seq != m.showSeq {
		return nil
	}
	if msg.err != nil {
		return common.Err(msg.err)
	}
	cr := msg.cr
	m.cr = &cr
	m.target = cr.Env
	if m.source == "" || m.source == m.target {
		m.source = ""
		for _, e := range m.envs {
			if e.Name != m.target && (m.source == "" || e.Kind == model.KindSandbox) {
				m.source = e.Name
				break
			}
		}
	}
	m.section, m.field, m.runErr = sectionForm, fieldSource, nil
	return nil
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case m.dialog.Open():
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	case m.picker != nil:
		return m.pickerKey(msg)
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.cancel()
		m.running, m.cancel = false, nil
		m.runSeq++
		return common.Status("Comparison cancelled")
	case key.Matches(msg, k.Back):
		return common.Back
	case key.Matches(msg, k.RunAnywhere), key.Matches(msg, k.Run):
		return m.run()
	case key.Matches(msg, k.Open):
		return common.Open(common.ScreenReview, m.logs[m.lcursor].ID)
	case key.Matches(msg, k.Section):
		m.section = 1 - m.section
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.move(-int(fieldCount) - len(m.logs))
	case key.Matches(msg, k.Bottom):
		m.move(int(fieldCount) + len(m.logs))
	case key.Matches(msg, k.Change):
		return m.change(m.field)
	case key.Matches(msg, k.Clear):
		m.clear(m.field)
	case key.Matches(msg, k.Source):
		return m.change(fieldSource)
	case key.Matches(msg, k.Target):
		return m.change(fieldTarget)
	case key.Matches(msg, k.CR):
		return m.change(fieldCR)
	case key.Matches(msg, k.Types):
		return m.change(fieldTypes)
	case key.Matches(msg, k.Components):
		return m.change(fieldComponents)
	case key.Matches(msg, k.Namespace):
		return m.change(fieldNamespaces)
	case key.Matches(msg, k.Whitespace):
		return m.change(fieldWhitespace)
	case key.Matches(msg, k.Order):
		return m.change(fieldOrder)
	}
	return nil
}

// move moves the cursor within its section.
func (m *Model) move(delta int) {
	if m.section == sectionForm {
		m.field = field(max(0, min(int(m.field)+delta, int(fieldCount)-1)))
		return
	}
	m.lcursor = max(0, min(m.lcursor+delta, len(m.logs)-1))
	m.clampLogs()
}

// clampLogs keeps the log cursor on screen.
func (m *Model) clampLogs() {
	h := m.logRows()
	m.lcursor = max(0, min(m.lcursor, len(m.logs)-1))
	if m.lcursor < m.loffset {
		m.loffset = m.lcursor
	}
	if m.lcursor >= m.loffset+h {
		m.loffset = m.lcursor - h + 1
	}
	m.loffset = max(0, min(m.loffset, len(m.logs)-h))
}

// change edits field f: a picker, a prompt or a toggle.
func (m *Model) change(f field) tea.Cmd {
	m.section, m.field, m.runErr = sectionForm, f, nil
	switch f {
	case fieldSource, fieldTarget:
		kind, title := pickSource, "Source: what would be deployed"
		if f == fieldTarget {
			kind, title = pickTarget, "Target: what would change"
		}
		items := make([]pickItem, 0, len(m.envs)+1)
		for _, e := range m.envs {
			items = append(items, pickItem{label: e.Name, detail: envDetail(e), value: e.Name})
		}
		items = append(items, pickItem{label: "Folder…", detail: "a metadata folder on this machine"})
		return m.openPicker(newPicker(kind, title, false, items))
	case fieldCR:
		p := newPicker(pickCR, "Only the components of a change request", false, []pickItem{{label: "Any", detail: "no change request filter"}})
		p.loading = true
		return tea.Batch(m.openPicker(p), crsCmd(m.deps.Svc))
	case fieldTypes:
		var items []pickItem
		chosen := map[string]bool{}
		for _, t := range m.types {
			chosen[t] = true
		}
		p := newPicker(pickTypes, "Only these metadata types (tab marks)", true, nil)
		for _, t := range metadata.Types() {
			if t.PartOfParent {
				continue // never a component of its own
			}
			if chosen[t.Name] {
				p.marked[len(items)] = true
			}
			items = append(items, pickItem{label: t.Name, value: t.Name})
		}
		p.setItems(items)
		return m.openPicker(p)
	case fieldComponents:
		if m.source == "" {
			m.runErr = errors.New("choose a source first: its components are the ones to pick from")
			return nil
		}
		p := newPicker(pickComponents, "Only these components of "+m.source+" (tab marks)", true, nil)
		p.async = true
		if comps, ok := m.catalogues[m.source]; ok {
			p.setItems(m.componentItems(comps, p))
			return m.openPicker(p)
		}
		p.loading = true
		return tea.Batch(m.openPicker(p), catalogueCmd(m.deps.Svc, m.source))
	case fieldNamespaces:
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Prompt(tagNamespaces, "Leave out the components of these managed-package namespaces",
			"namespace prefixes, comma separated, e.g. sbqq, et4ae5", false)
		return tea.Batch(cmd, m.dialogValue(strings.Join(m.namespaces, ", ")))
	case fieldWhitespace:
		m.ignoreWS = !m.ignoreWS
	case fieldOrder:
		m.ignoreOrder = !m.ignoreOrder
	}
	return nil
}

// dialogValue types the current value into the just-opened prompt, so it
// can be edited rather than retyped.
func (m *Model) dialogValue(v string) tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range v {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func envDetail(e model.Environment) string {
	d := string(e.Kind)
	if e.Connection == model.ConnLocal {
		return d + " · folder " + shortPath(e.Dir)
	}
	return d + " · " + e.URL
}

// shortPath keeps a path's last two elements: enough to tell folders apart
// without a long absolute path pushing everything else off the line.
func shortPath(p string) string {
	parts := strings.Split(filepath.ToSlash(filepath.Clean(p)), "/")
	if len(parts) <= 3 {
		return p
	}
	return "…/" + strings.Join(parts[len(parts)-2:], "/")
}

// componentItems lists a catalogue, marking the components already chosen.
func (m *Model) componentItems(comps []metadata.Component, p *picker) []pickItem {
	chosen := map[metadata.Component]bool{}
	for _, c := range m.comps {
		chosen[c] = true
	}
	items := make([]pickItem, len(comps))
	for i, c := range comps {
		items[i] = pickItem{label: c.String(), comp: c}
		if chosen[c] {
			p.marked[i] = true
		}
	}
	return items
}

func (m *Model) openPicker(p *picker) tea.Cmd {
	p.input.Width = max(m.pickerWidth()-12, 10)
	p.input.PlaceholderStyle = m.deps.Styles.Placeholder
	m.picker = p
	return p.input.Focus()
}

func (m *Model) crsLoaded(msg crsLoadedMsg) tea.Cmd {
	p := m.picker
	if p == nil || p.kind != pickCR {
		return nil
	}
	p.loading = false
	if msg.err != nil {
		m.runErr = msg.err
		return nil
	}
	items := p.items[:1]
	for _, cr := range msg.crs {
		items = append(items, pickItem{label: cr.Key() + " " + cr.Name, detail: string(cr.Status()) + " · " + cr.Env,
			value: strconv.FormatInt(cr.ID, 10)})
	}
	m.crs = msg.crs
	return p.replaceItems(items)
}

func (m *Model) catalogueLoaded(msg catalogueMsg) tea.Cmd {
	if msg.err == nil {
		m.catalogues[msg.source] = msg.comps
	}
	p := m.picker
	if p == nil || p.kind != pickComponents || msg.source != m.source {
		return nil
	}
	p.loading = false
	if msg.err != nil {
		m.picker = nil
		m.runErr = fmt.Errorf("listing the components of %s: %w", msg.source, msg.err)
		return nil
	}
	return p.replaceItems(m.componentItems(msg.comps, p))
}

func (m *Model) pickerKey(msg tea.KeyMsg) tea.Cmd {
	p := m.picker
	cmd, done, ok := p.update(msg, m.keys, m.pickerRows())
	if !done {
		return cmd
	}
	m.picker = nil
	if !ok {
		return nil
	}
	chosen := p.chosen()
	switch p.kind {
	case pickSource, pickTarget:
		it := chosen[0]
		if it.value == "" {
			tag, title := tagSourceDir, "Source folder"
			if p.kind == pickTarget {
				tag, title = tagTargetDir, "Target folder"
			}
			var cmd tea.Cmd
			m.dialog, cmd = m.dialog.Prompt(tag, title, "path of a metadata folder (SFDX project or Metadata API format)", true)
			return cmd
		}
		m.setSide(p.kind == pickSource, it.value)
	case pickCR:
		m.cr = nil
		for _, cr := range m.crs {
			if strconv.FormatInt(cr.ID, 10) == chosen[0].value {
				m.cr = &cr
			}
		}
	case pickTypes:
		m.types = m.types[:0]
		for _, it := range chosen {
			m.types = append(m.types, it.value)
		}
	case pickComponents:
		m.comps = m.comps[:0]
		for _, it := range chosen {
			m.comps = append(m.comps, it.comp)
		}
	}
	return nil
}

// setSide sets the source or the target; picked components belong to a
// source, so a new source forgets them.
func (m *Model) setSide(source bool, name string) {
	if !source {
		m.target = name
		return
	}
	if name != m.source {
		m.comps = nil
	}
	m.source = name
}

func (m *Model) answered(msg dialog.DoneMsg) tea.Cmd {
	if !msg.OK {
		return nil
	}
	text := strings.TrimSpace(msg.Text)
	switch msg.Tag {
	case tagSourceDir:
		m.setSide(true, text)
	case tagTargetDir:
		m.setSide(false, text)
	case tagNamespaces:
		m.namespaces = nil
		for _, ns := range strings.Split(text, ",") {
			if ns = strings.TrimSpace(ns); ns != "" {
				m.namespaces = append(m.namespaces, ns)
			}
		}
	}
	return nil
}

// clearable reports whether f has a value to clear.
func (m *Model) clearable(f field) bool {
	switch f {
	case fieldCR:
		return m.cr != nil
	case fieldTypes:
		return len(m.types) > 0
	case fieldComponents:
		return len(m.comps) > 0
	case fieldNamespaces:
		return len(m.namespaces) > 0
	}
	return false
}

func (m *Model) clear(f field) {
	switch f {
	case fieldCR:
		m.cr = nil
	case fieldTypes:
		m.types = nil
	case fieldComponents:
		m.comps = nil
	case fieldNamespaces:
		m.namespaces = nil
	}
}

// request is the comparison the form describes.
func (m *Model) request() actions.CompareRequest {
	f := model.CompareFilters{Types: slices.Clone(m.types), Components: slices.Clone(m.comps),
		ExcludeNamespaces: slices.Clone(m.namespaces), IgnoreWhitespace: m.ignoreWS, IgnoreOrder: m.ignoreOrder}
	if m.cr != nil {
		f.CR = m.cr.ID
	}
	return actions.CompareRequest{Source: m.source, Target: m.target, Filters: f, Save: true}
}

// run starts the comparison.
func (m *Model) run() tea.Cmd {
	switch {
	case m.source == "":
		m.runErr = errors.New("choose a source (s): the environment or folder whose metadata would be deployed")
		return nil
	case m.target == "":
		m.runErr = errors.New("choose a target (t): the environment or folder it would be deployed onto")
		return nil
	case m.source == m.target:
		m.runErr = errors.New("the source and the target are the same: choose two different sides")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.running, m.cancel, m.runErr = true, cancel, nil
	m.runSeq++
	m.started, m.elapsed = m.deps.Svc.Now().UnixNano(), "0s"
	return tea.Batch(runCmd(ctx, m.deps.Svc, m.request(), m.runSeq), m.spin.Tick)
}

func (m *Model) tick(msg spinner.TickMsg) tea.Cmd {
	if !m.running || msg.ID != m.spin.ID() {
		return nil
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	m.elapsed = time.Duration(m.deps.Svc.Now().UnixNano() - m.started).Truncate(100 * time.Millisecond).String()
	return cmd
}

func (m *Model) compared(msg comparedMsg) tea.Cmd {
	if msg.seq != m.runSeq || !m.running {
		return nil
	}
	m.running, m.cancel = false, nil
	if msg.err != nil {
		m.runErr = msg.err
		return nil
	}
	out := msg.out
	pre := review.Preload{Log: out.Log, Result: out.Result, Source: out.SourceItems, Target: out.TargetItems}
	return tea.Batch(m.load(), tea.Sequence(func() tea.Msg { return pre }, common.Open(common.ScreenReview, out.Log.ID)))
}
