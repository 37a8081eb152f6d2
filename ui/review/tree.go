package review

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/sahilm/fuzzy"

	"relman/model"
	"relman/model/metadata"
)

// treeKind is what a tree row is.
type treeKind uint8

const (
	treeCat  treeKind = iota // a category header
	treeType                 // a metadata type header inside a category
	treeComp                 // a component
)

// treeRow is one row of the tree. Headers count the components shown
// under them and how many of those are viewed.
type treeRow struct {
	kind          treeKind
	cat           model.Category
	typ           string
	comp          metadata.Component
	entry         int
	count, viewed int
}

func catKey(c model.Category) string            { return "c/" + string(c) }
func typeKey(c model.Category, t string) string { return "t/" + string(c) + "/" + t }

// key names the row across rebuilds, so the cursor stays on it.
func (r treeRow) key() string {
	switch r.kind {
	case treeCat:
		return catKey(r.cat)
	case treeType:
		return typeKey(r.cat, r.typ)
	}
	return "x/" + r.comp.String()
}

// categoryNames are the tree's headings.
var categoryNames = map[model.Category]string{
	model.OnlyInSource: "Only in Source", model.OnlyInTarget: "Only in Target",
	model.Different: "Different", model.Same: "Same",
}

// toReview reports whether e is something to review: it differs.
func (e entry) toReview() bool { return e.cat != model.Same }

// rebuildTree lays the entries out as rows (they are sorted by category,
// type and name), skipping folded groups and, with the unviewed filter,
// viewed and identical components. The cursor stays on its row when the row
// is still there.
func (m *Model) rebuildTree() {
	keep, at := "", m.tcursor
	if at < len(m.rows) {
		keep = m.rows[at].key()
	}
	var rows []treeRow
	for i := 0; i < len(m.entries); {
		cat := m.entries[i].cat
		j := i
		for j < len(m.entries) && m.entries[j].cat == cat {
			j++
		}
		rows = m.appendCategory(rows, cat, i, j)
		i = j
	}
	m.rows = rows
	m.stats = m.countEntries()
	m.tcursor = max(0, min(at, len(rows)-1))
	for i, r := range rows {
		if r.key() == keep {
			m.tcursor = i
			break
		}
	}
	m.clampTree()
}

// treeStats are the counts the headers show, taken when the tree is
// rebuilt (after any change of category or mark) rather than every frame.
type treeStats struct {
	counts           map[model.Category]int
	toReview, viewed int
}

func (m *Model) countEntries() treeStats {
	s := treeStats{counts: make(map[model.Category]int, len(model.Categories))}
	for _, e := range m.entries {
		s.counts[e.cat]++
		if e.toReview() {
			s.toReview++
			if m.isViewed(e.comp) {
				s.viewed++
			}
		}
	}
	return s
}

// appendCategory appends the rows of the entries [from, to), all of
// category cat.
func (m *Model) appendCategory(rows []treeRow, cat model.Category, from, to int) []treeRow {
	if m.unviewedOnly && cat == model.Same {
		return rows
	}
	var shown []int
	viewed := 0
	for i := from; i < to; i++ {
		v := m.isViewed(m.entries[i].comp)
		if m.unviewedOnly && v {
			continue
		}
		shown = append(shown, i)
		if v {
			viewed++
		}
	}
	if len(shown) == 0 {
		return rows
	}
	rows = append(rows, treeRow{kind: treeCat, cat: cat, entry: shown[0], count: len(shown), viewed: viewed})
	if m.collapsed[catKey(cat)] {
		return rows
	}
	for a := 0; a < len(shown); {
		typ := m.entries[shown[a]].comp.Type
		b, tv := a, 0
		for b < len(shown) && m.entries[shown[b]].comp.Type == typ {
			if m.isViewed(m.entries[shown[b]].comp) {
				tv++
			}
			b++
		}
		rows = append(rows, treeRow{kind: treeType, cat: cat, typ: typ, entry: shown[a], count: b - a, viewed: tv})
		if !m.collapsed[typeKey(cat, typ)] {
			for _, i := range shown[a:b] {
				rows = append(rows, treeRow{kind: treeComp, cat: cat, typ: typ, comp: m.entries[i].comp, entry: i})
			}
		}
		a = b
	}
	return rows
}

// clampTree keeps the tree's cursor on screen.
func (m *Model) clampTree() {
	h := m.treeBodyHeight()
	if m.tcursor < m.toffset {
		m.toffset = m.tcursor
	}
	if m.tcursor >= m.toffset+h {
		m.toffset = m.tcursor - h + 1
	}
	m.toffset = max(0, min(m.toffset, len(m.rows)-h))
}

func (m *Model) moveTree(delta int) {
	m.tcursor = max(0, min(m.tcursor+delta, len(m.rows)-1))
	m.clampTree()
}

// scrollTree moves the tree's view (the mouse wheel), taking the cursor
// along only as far as it must stay on screen.
func (m *Model) scrollTree(delta int) {
	h := m.treeBodyHeight()
	m.toffset = max(0, min(m.toffset+delta, len(m.rows)-h))
	m.tcursor = max(m.toffset, min(m.tcursor, m.toffset+h-1, len(m.rows)-1))
}

// followCursor shows the component under the tree's cursor in the diff
// pane; a header leaves the diff as it is.
func (m *Model) followCursor() tea.Cmd {
	if m.tcursor >= len(m.rows) || m.rows[m.tcursor].kind != treeComp {
		return nil
	}
	return m.setCurrent(m.rows[m.tcursor].comp)
}

// firstComponent puts the cursor on the first component to review (or the
// first of all when nothing differs).
func (m *Model) firstComponent() {
	for i, r := range m.rows {
		if r.kind == treeComp {
			m.tcursor = i
			m.clampTree()
			m.current, m.hasCurrent = r.comp, true
			return
		}
	}
}

// toggleRow folds or unfolds a header, or moves focus to a component's
// diff.
func (m *Model) toggleRow() tea.Cmd {
	if m.tcursor >= len(m.rows) {
		return nil
	}
	r := m.rows[m.tcursor]
	switch r.kind {
	case treeCat:
		m.collapsed[catKey(r.cat)] = !m.collapsed[catKey(r.cat)]
	case treeType:
		m.collapsed[typeKey(r.cat, r.typ)] = !m.collapsed[typeKey(r.cat, r.typ)]
	default:
		m.focus = focusDiff
		return nil
	}
	m.rebuildTree()
	return nil
}

// stepComponent moves to the next (dir 1) or previous component row.
func (m *Model) stepComponent(dir int) tea.Cmd {
	for i := m.tcursor + dir; i >= 0 && i < len(m.rows); i += dir {
		if m.rows[i].kind == treeComp {
			m.tcursor = i
			m.clampTree()
			return m.followCursor()
		}
	}
	return nil
}

// reveal unfolds c's groups (and drops the unviewed filter when c is
// viewed) and puts the cursor on it.
func (m *Model) reveal(c metadata.Component) tea.Cmd {
	i, ok := m.index[c]
	if !ok {
		return nil
	}
	e := m.entries[i]
	delete(m.collapsed, catKey(e.cat))
	delete(m.collapsed, typeKey(e.cat, c.Type))
	if m.unviewedOnly && (m.isViewed(c) || !e.toReview()) {
		m.unviewedOnly = false
	}
	m.rebuildTree()
	for j, r := range m.rows {
		if r.kind == treeComp && r.comp == c {
			m.tcursor = j
			break
		}
	}
	m.clampTree()
	return m.followCursor()
}

// toggleSelect selects or unselects the component under the cursor; on a
// header, every component under it (all of them when some are not).
func (m *Model) toggleSelect(treeFocus bool) {
	if !treeFocus || m.tcursor >= len(m.rows) {
		if m.hasCurrent {
			m.flipSelected(m.current)
		}
		return
	}
	r := m.rows[m.tcursor]
	if r.kind == treeComp {
		m.flipSelected(r.comp)
		return
	}
	var group []metadata.Component
	all := true
	for _, e := range m.entries {
		if e.cat == r.cat && (r.kind == treeCat || e.comp.Type == r.typ) {
			group = append(group, e.comp)
			all = all && m.selected[e.comp]
		}
	}
	for _, c := range group {
		if all {
			delete(m.selected, c)
		} else {
			m.selected[c] = true
		}
	}
}

func (m *Model) flipSelected(c metadata.Component) {
	if m.selected[c] {
		delete(m.selected, c)
	} else {
		m.selected[c] = true
	}
}

// jumpState is the fuzzy jump to a component: its input and the entries
// matching it, best first.
type jumpState struct {
	input textinput.Model
	// seq counts queries; shown is the query the hits answer.
	seq, shown int
	hits       []int
	cursor     int
	offset     int
}

// jumpedMsg answers a fuzzy match of the jump's query.
type jumpedMsg struct {
	seq  int
	hits []int
}

func (m *Model) openJump() tea.Cmd {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "jump to component"
	in.PlaceholderStyle = m.deps.Styles.Placeholder
	in.Width = max(m.treeWidth()-4, 4)
	// A steady cursor: a blinking one redraws the whole screen twice a second.
	in.Cursor.SetMode(cursor.CursorStatic)
	m.jump = &jumpState{input: in, hits: allIndexes(len(m.entries))}
	return m.jump.input.Focus()
}

func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// matchNames returns the indexes of names matching q, best first; an
// empty query keeps the tree's order. Each name also matches by the full
// name without its type (alts), with the better of the two scores: "acc"
// should find Account.Region__c before ApexClass:InvoiceService.
func matchNames(names, alts []string, q string) []int {
	// Spaces separate words the user remembers ("account layout"); the
	// letters still have to come in order.
	q = strings.ReplaceAll(q, " ", "")
	if q == "" {
		return allIndexes(len(names))
	}
	best := map[int]int{}
	for _, set := range [][]string{names, alts} {
		for _, mt := range fuzzy.Find(q, set) {
			if s, ok := best[mt.Index]; !ok || mt.Score > s {
				best[mt.Index] = mt.Score
			}
		}
	}
	hits := make([]int, 0, len(best))
	for i := range best {
		hits = append(hits, i)
	}
	slices.SortFunc(hits, func(a, b int) int {
		if d := best[b] - best[a]; d != 0 {
			return d
		}
		return a - b
	})
	return hits
}

// jumpCmd matches q against names in a command: a comparison can hold a
// hundred thousand components.
func jumpCmd(names, alts []string, q string, seq int) tea.Cmd {
	return func() tea.Msg {
		return jumpedMsg{seq: seq, hits: matchNames(names, alts, q)}
	}
}

// filter asks for the answer to the jump's query.
func (j *jumpState) filter(names, alts []string) tea.Cmd {
	j.seq++
	return jumpCmd(names, alts, j.input.Value(), j.seq)
}

func (j *jumpState) show(seq int, hits []int) {
	j.hits, j.shown, j.cursor, j.offset = hits, seq, 0, 0
}

func (m *Model) jumped(msg jumpedMsg) {
	if m.jump != nil && msg.seq == m.jump.seq {
		m.jump.show(msg.seq, msg.hits)
	}
}

func (m *Model) jumpKey(msg tea.KeyMsg) tea.Cmd {
	j, k := m.jump, m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.jump = nil
	case key.Matches(msg, k.Accept):
		m.jump = nil
		if j.shown != j.seq {
			// enter came before the command's answer.
			j.show(j.seq, matchNames(m.names, m.fullNames, j.input.Value()))
		}
		if j.cursor < len(j.hits) {
			return m.reveal(m.entries[j.hits[j.cursor]].comp)
		}
	case key.Matches(msg, k.ItemUp):
		j.move(-1, m.jumpRows())
	case key.Matches(msg, k.ItemDown):
		j.move(1, m.jumpRows())
	default:
		before := j.input.Value()
		var cmd tea.Cmd
		j.input, cmd = j.input.Update(msg)
		if j.input.Value() == before {
			return cmd
		}
		return tea.Batch(cmd, j.filter(m.names, m.fullNames))
	}
	return nil
}

func (j *jumpState) move(delta, h int) {
	j.cursor = max(0, min(j.cursor+delta, len(j.hits)-1))
	if j.cursor < j.offset {
		j.offset = j.cursor
	}
	if j.cursor >= j.offset+h {
		j.offset = j.cursor - h + 1
	}
}
