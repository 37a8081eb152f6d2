package review

import (
	"context"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/components/dialog"
)

// entry is one component of the comparison as the reviewer shows it.
type entry struct {
	comp metadata.Component
	// cat is the category under the reviewer's current options.
	cat model.Category
	// identical is set when both sides' saved hashes are equal: nothing
	// to load, nothing to diff.
	identical bool
	// stale is set when a side read now no longer has the saved hash: the
	// diff shows today's content, which the viewed mark does not cover.
	stale bool
}

// itemSet is both sides' loaded components. It is never changed after it
// is built, so commands share it.
type itemSet struct {
	src, tgt     []metadata.Item
	bySrc, byTgt map[metadata.Component]*metadata.Item
}

func newItemSet(src, tgt []metadata.Item) *itemSet {
	s := &itemSet{src: src, tgt: tgt,
		bySrc: make(map[metadata.Component]*metadata.Item, len(src)), byTgt: make(map[metadata.Component]*metadata.Item, len(tgt))}
	for i := range src {
		s.bySrc[src[i].Component] = &src[i]
	}
	for i := range tgt {
		s.byTgt[tgt[i].Component] = &tgt[i]
	}
	return s
}

// logLoadedMsg answers a read of the open Compare Log.
type logLoadedMsg struct {
	seq int
	log model.CompareLog
	err error
}

// itemsLoadedMsg answers a load of both sides' differing components, with
// their comparison under the options of the time.
type itemsLoadedMsg struct {
	logID  int64
	gen    int
	items  *itemSet
	result diff.Result
	err    error
}

// comparedMsg answers a comparison of the loaded items under new options.
type comparedMsg struct {
	gen, seq int
	result   diff.Result
	err      error
}

// diffedMsg answers a diff of one component.
type diffedMsg struct {
	key diffKey
	lay layout
	err error
}

func loadLogCmd(svc *actions.Service, id int64, seq int) tea.Cmd {
	return func() tea.Msg {
		l, err := svc.CompareLog(id)
		return logLoadedMsg{seq: seq, log: l, err: err}
	}
}

// loadItemsCmd reads the components whose sides differ from both sides of
// the log and compares them under opts.
func loadItemsCmd(ctx context.Context, svc *actions.Service, l model.CompareLog, opts diff.Options, gen int) tea.Cmd {
	var comps []metadata.Component
	for _, e := range l.Entries {
		if e.SourceHash != e.TargetHash {
			comps = append(comps, e.Component)
		}
	}
	return func() tea.Msg {
		msg := itemsLoadedMsg{logID: l.ID, gen: gen}
		var src, tgt []metadata.Item
		if len(comps) > 0 {
			if src, tgt, msg.err = svc.LoadItems(ctx, l.Source, l.Target, comps); msg.err != nil {
				return msg
			}
		}
		msg.items = newItemSet(src, tgt)
		msg.result, msg.err = diff.Compare(ctx, src, tgt, opts)
		return msg
	}
}

func compareCmd(items *itemSet, opts diff.Options, gen, seq int) tea.Cmd {
	return func() tea.Msg {
		res, err := diff.Compare(context.Background(), items.src, items.tgt, opts)
		return comparedMsg{gen: gen, seq: seq, result: res, err: err}
	}
}

// diffCmd diffs one component and lays it out for the pane as it was when
// asked; the target is the old side, as deploying the source changes it.
func diffCmd(key diffKey, src, tgt *metadata.Item, mode viewMode, width int) tea.Cmd {
	return func() tea.Msg {
		ctx := defaultContext
		if key.fullContext {
			ctx = fullContext
		}
		files, err := diff.ItemDiff(src, tgt, ctx, diff.Options{IgnoreWhitespace: key.ws, IgnoreOrder: key.order})
		if err != nil {
			return diffedMsg{key: key, err: err}
		}
		return diffedMsg{key: key, lay: newLayout(newDiffDoc(key, files), mode, width)}
	}
}

// show opens the log id: the one already open stays as it is (its marks
// are read again); another starts from scratch.
func (m *Model) show(id int64) tea.Cmd {
	if id == m.logID && m.log != nil {
		return m.refreshLog()
	}
	m.reset(id)
	if id == 0 {
		return nil
	}
	if p := m.preload; p != nil && p.Log.ID == id {
		m.preload = nil
		m.log = &p.Log
		m.opts = diff.Options{IgnoreWhitespace: p.Log.Filters.IgnoreWhitespace, IgnoreOrder: p.Log.Filters.IgnoreOrder}
		m.items = newItemSet(p.Source, p.Target)
		m.setViewed()
		m.setEntries(&p.Result)
		m.hidden = p.Result.Hidden
		m.firstComponent()
		return m.requestDiff()
	}
	m.loadSeq++
	return loadLogCmd(m.deps.Svc, id, m.loadSeq)
}

// reset forgets everything about the open log.
func (m *Model) reset(id int64) {
	if m.cancelLoad != nil {
		m.cancelLoad()
		m.cancelLoad = nil
	}
	*m = Model{deps: m.deps, keys: m.keys, paints: m.paints, dialog: dialog.New(m.deps.Styles), spin: m.spin,
		width: m.width, height: m.height, logID: id, loadSeq: m.loadSeq, preload: m.preload,
		gen: m.gen + 1, cmpSeq: m.cmpSeq, markSeq: m.markSeq + 1,
		showTree: m.showTree, split: m.split, search: newSearch(m.deps.Styles),
		collapsed: map[string]bool{catKey(model.Same): true}, selected: map[metadata.Component]bool{}}
	m.SetSize(m.width, m.height)
}

// reload starts reading the open log and its items again, after a failure.
func (m *Model) reload() tea.Cmd {
	if m.log == nil {
		m.loadErr = nil
		m.loadSeq++
		return loadLogCmd(m.deps.Svc, m.logID, m.loadSeq)
	}
	return m.loadItems()
}

// refreshLog reads the open log again for marks made elsewhere.
func (m *Model) refreshLog() tea.Cmd {
	if m.log == nil {
		return nil
	}
	m.loadSeq++
	return loadLogCmd(m.deps.Svc, m.logID, m.loadSeq)
}

func (m *Model) logLoaded(msg logLoadedMsg) tea.Cmd {
	if msg.seq != m.loadSeq {
		return nil
	}
	if msg.err != nil {
		if m.log == nil {
			m.loadErr = msg.err
		}
		return nil
	}
	first := m.log == nil
	m.log = &msg.log
	if len(m.pending) == 0 {
		m.setViewed()
	}
	if !first {
		m.rebuildTree()
		return nil
	}
	m.opts = diff.Options{IgnoreWhitespace: msg.log.Filters.IgnoreWhitespace, IgnoreOrder: msg.log.Filters.IgnoreOrder}
	m.setEntries(nil)
	m.firstComponent()
	return tea.Batch(m.loadItems(), m.requestDiff())
}

// loadItems starts reading both sides, with the spinner going.
func (m *Model) loadItems() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancelLoad = cancel
	m.gen++
	m.items, m.itemsErr, m.loadingItems = nil, nil, true
	m.loadStart = m.deps.Svc.Now().UnixNano()
	m.elapsed = ""
	return tea.Batch(loadItemsCmd(ctx, m.deps.Svc, *m.log, m.opts, m.gen), m.spin.Tick)
}

func (m *Model) itemsLoaded(msg itemsLoadedMsg) tea.Cmd {
	if msg.logID != m.logID || msg.gen != m.gen {
		return nil
	}
	m.loadingItems, m.cancelLoad = false, nil
	if msg.err != nil {
		m.itemsErr = msg.err
		return nil
	}
	m.items = msg.items
	m.hidden = msg.result.Hidden
	m.setEntries(&msg.result)
	// What was wanted before could not be asked for without the items.
	m.wanting = false
	return m.requestDiff()
}

func (m *Model) compared(msg comparedMsg) tea.Cmd {
	if msg.gen != m.gen || msg.seq != m.cmpSeq {
		return nil
	}
	if msg.err != nil {
		m.diffErr = msg.err
		return nil
	}
	m.hidden = msg.result.Hidden
	m.setEntries(&msg.result)
	m.keepCurrentShown()
	return nil
}

// keepCurrentShown keeps the tree's cursor on the component in the diff
// pane when new options moved it to another category, unfolding that
// category (a component whose only differences are now ignored becomes the
// same, and Same is folded), so the cursor stays with what the reviewer is
// reading.
func (m *Model) keepCurrentShown() {
	i, ok := m.index[m.current]
	if !ok || !m.hasCurrent {
		return
	}
	e := m.entries[i]
	delete(m.collapsed, catKey(e.cat))
	delete(m.collapsed, typeKey(e.cat, e.comp.Type))
	m.rebuildTree()
	for j, r := range m.rows {
		if r.kind == treeComp && r.comp == m.current {
			m.tcursor = j
			m.clampTree()
		}
	}
}

// tick turns the spinner while the items load, and times the load.
func (m *Model) tick(msg spinner.TickMsg) tea.Cmd {
	if !m.loadingItems || msg.ID != m.spin.ID() {
		return nil
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	d := time.Duration(m.deps.Svc.Now().UnixNano() - m.loadStart)
	m.elapsed = d.Truncate(100 * time.Millisecond).String()
	return cmd
}

// setViewed takes the viewed marks from the log.
func (m *Model) setViewed() {
	m.viewed = make(map[metadata.Component]bool, len(m.log.Marks))
	for _, mk := range m.log.Marks {
		if m.log.Viewed(mk.Component) {
			m.viewed[mk.Component] = true
		}
	}
}

// setEntries builds the entries from the log and, once the items are
// compared, that comparison's categories, then rebuilds the tree.
func (m *Model) setEntries(res *diff.Result) {
	var now map[metadata.Component]*diff.Entry
	if res != nil {
		now = make(map[metadata.Component]*diff.Entry, len(res.Entries))
		for i := range res.Entries {
			now[res.Entries[i].Component] = &res.Entries[i]
		}
	}
	m.entries = make([]entry, len(m.log.Entries))
	for i, le := range m.log.Entries {
		e := entry{comp: le.Component, cat: le.Category, identical: le.SourceHash == le.TargetHash}
		if now != nil && !e.identical {
			if r, ok := now[le.Component]; ok {
				e.cat = r.Category
				e.stale = r.SourceHash != le.SourceHash || r.TargetHash != le.TargetHash
			} else {
				e.stale = true
			}
		}
		m.entries[i] = e
	}
	order := map[model.Category]int{}
	for i, c := range model.Categories {
		order[c] = i
	}
	slices.SortStableFunc(m.entries, func(a, b entry) int {
		if d := order[a.cat] - order[b.cat]; d != 0 {
			return d
		}
		if a.comp.Less(b.comp) {
			return -1
		}
		if b.comp.Less(a.comp) {
			return 1
		}
		return 0
	})
	m.index = make(map[metadata.Component]int, len(m.entries))
	m.names = make([]string, len(m.entries))
	m.fullNames = make([]string, len(m.entries))
	for i, e := range m.entries {
		m.index[e.comp] = i
		m.names[i], m.fullNames[i] = e.comp.String(), e.comp.FullName
	}
	m.rebuildTree()
}

// currentEntry is the entry the diff pane shows.
func (m *Model) currentEntry() (entry, bool) {
	if !m.hasCurrent {
		return entry{}, false
	}
	i, ok := m.index[m.current]
	if !ok {
		return entry{}, false
	}
	return m.entries[i], true
}

// setCurrent shows c in the diff pane.
func (m *Model) setCurrent(c metadata.Component) tea.Cmd {
	if m.hasCurrent && m.current == c {
		return nil
	}
	m.current, m.hasCurrent = c, true
	return m.requestDiff()
}

// requestDiff asks for the current component's diff under the current
// options, from the cache when it was computed before.
func (m *Model) requestDiff() tea.Cmd {
	e, ok := m.currentEntry()
	if !ok {
		return nil
	}
	key := diffKey{comp: e.comp, gen: m.gen, ws: m.opts.IgnoreWhitespace, order: m.opts.IgnoreOrder, fullContext: m.fullContext}
	m.diffErr = nil
	if m.dv.doc != nil && m.dv.doc.key == key {
		m.wanting = false
		return nil
	}
	if e.identical {
		return m.install(newLayout(newDiffDoc(key, nil), m.mode(), m.diffWidth()))
	}
	for _, d := range m.cache {
		if d.key == key {
			return m.install(newLayout(d, m.mode(), m.diffWidth()))
		}
	}
	if m.wanting && m.want == key {
		return nil
	}
	m.want, m.wanting = key, true
	if m.items == nil {
		return nil // asked again when the items arrive
	}
	return diffCmd(key, m.items.bySrc[e.comp], m.items.byTgt[e.comp], m.mode(), m.diffWidth())
}

func (m *Model) diffed(msg diffedMsg) tea.Cmd {
	if msg.key.gen != m.gen {
		return nil
	}
	if msg.err == nil {
		m.remember(msg.lay.doc)
	}
	if !m.wanting || msg.key != m.want {
		return nil
	}
	m.wanting = false
	if msg.err != nil {
		m.diffErr = msg.err
		return nil
	}
	lay := msg.lay
	if lay.width != m.diffWidth() || lay.mode != m.mode() {
		lay = newLayout(lay.doc, m.mode(), m.diffWidth())
	}
	return m.install(lay)
}

// install shows a diff and searches it for the current query.
func (m *Model) install(lay layout) tea.Cmd {
	m.wanting = false
	m.dv.show(lay, m.diffBodyHeight())
	return m.search.rerun(m.dv.doc)
}

// remember caches a computed diff, forgetting the oldest.
func (m *Model) remember(d *diffDoc) {
	for _, c := range m.cache {
		if c.key == d.key {
			return
		}
	}
	if len(m.cache) == docCacheSize {
		m.cache = m.cache[1:]
	}
	m.cache = append(m.cache, d)
}
