package review

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/common"
)

// Tree widths: a share of the screen, within readable bounds.
const (
	treeMinWidth = 26
	treeMaxWidth = 44
)

// View implements common.Screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	switch {
	case m.logID == 0:
		return m.message(st.Muted.Render("No comparison is open. Run one from the Compare screen, or open one from its list."))
	case m.log == nil && m.loadErr != nil:
		return m.message(st.Error.Render("Could not read "+model.FormatID(model.PrefixCompareLog, m.logID)+": "+m.loadErr.Error()) +
			"\n\n" + st.Muted.Render("r to retry · esc back"))
	case m.log == nil:
		return m.message(m.spin.View() + " Reading " + model.FormatID(model.PrefixCompareLog, m.logID) + "…")
	}
	header := m.headerView()
	h := m.height - lipgloss.Height(header)
	diffLines := m.diffPane(m.diffWidth(), h)
	var b strings.Builder
	b.Grow((m.width + 32) * m.height)
	b.WriteString(header)
	var treeLines []string
	if m.showTree {
		treeLines = m.treePane(m.treeWidth(), h)
	}
	sep := st.Muted.Render("│")
	for i := range h {
		b.WriteByte('\n')
		if m.showTree {
			b.WriteString(treeLines[i])
			b.WriteString(sep)
		}
		b.WriteString(diffLines[i])
	}
	return b.String()
}

// message fills the screen with one centred paragraph.
func (m *Model) message(s string) string {
	return m.place(ansi.Wordwrap(s, min(m.width-4, 80), ""), m.width, m.height)
}

// treeWidth is the tree pane's width, without the separator.
func (m *Model) treeWidth() int {
	return max(treeMinWidth, min(m.width*3/10, treeMaxWidth))
}

// diffWidth is the diff pane's width.
func (m *Model) diffWidth() int {
	if !m.showTree {
		return m.width
	}
	return max(m.width-m.treeWidth()-1, 1)
}

// panesHeight is the height under the screen's header.
func (m *Model) panesHeight() int {
	return max(m.height-lipgloss.Height(m.headerView()), 1)
}

// treeBodyHeight is how many tree rows fit.
func (m *Model) treeBodyHeight() int {
	return max(m.panesHeight()-lipgloss.Height(m.treeHeader(m.treeWidth())), 1)
}

// diffBodyHeight is how many diff lines fit.
func (m *Model) diffBodyHeight() int {
	return max(m.panesHeight()-lipgloss.Height(m.diffHeader(m.diffWidth())), 1)
}

// jumpRows is how many jump results fit (the tree's rows).
func (m *Model) jumpRows() int { return m.treeBodyHeight() }

// pickerRows is how many change requests the picker lists at once.
func (m *Model) pickerRows() int { return max(m.diffBodyHeight()-8, 3) }

// fit cuts s to w columns and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	return s + spaces(w-ansi.StringWidth(s))
}

// truncate cuts plain text to w columns with an ellipsis.
func truncate(s string, w int) string { return ansi.Truncate(s, w, "…") }

// cellsOf is the display width of s.
func cellsOf(s string) int { return ansi.StringWidth(s) }

// spread puts left and right on one line of w columns, right-aligned,
// dropping right when both do not fit.
func spread(left, right string, w int) string {
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if right == "" || lw+rw+2 > w {
		return fit(left, w)
	}
	return left + spaces(w-lw-rw) + right
}

// headerView is the line over both panes: which comparison this is.
func (m *Model) headerView() string {
	st := m.deps.Styles
	l := m.log
	if l == nil {
		return ""
	}
	left := st.Title.Render(l.Key()) + " " + st.Bold.Render(l.Source+" → "+l.Target) +
		st.Muted.Render(" · "+l.User+" · "+l.At.Local().Format("2 Jan 2006 15:04"))
	if l.CR != 0 {
		left += st.Muted.Render(" · ") + st.Accent.Render(model.FormatID(model.PrefixChangeRequest, l.CR))
	}
	if n := len(l.Warnings); n > 0 {
		left += st.Muted.Render(" · ") + st.Warning.Render("⚠ "+common.Plural(n, "warning")) + st.Muted.Render(" (!)")
	}
	var right string
	switch {
	case m.busy != "":
		right = st.Accent.Render(m.busy)
	case m.loadingItems:
		right = m.spin.View() + st.Muted.Render(" reading both sides "+m.elapsed)
	default:
		c := m.stats.counts
		right = st.Added.Render(fmt.Sprintf("+%d", c[model.OnlyInSource])) + " " +
			st.Removed.Render(fmt.Sprintf("−%d", c[model.OnlyInTarget])) + " " +
			st.Changed.Render(fmt.Sprintf("~%d", c[model.Different])) + " " +
			st.Muted.Render(fmt.Sprintf("=%d", c[model.Same]))
	}
	return spread(left, right, m.width)
}

// treeHeader is the tree pane's title and progress (or the jump input).
func (m *Model) treeHeader(w int) string {
	st := m.deps.Styles
	title := st.Header.Render("Components")
	if m.focus == focusTree && m.showTree {
		title = st.Title.Render("Components")
	}
	var filter string
	if m.unviewedOnly {
		filter = st.Warning.Render("unviewed only")
	}
	second := m.progressText()
	if m.jump != nil {
		second = m.jump.input.View()
	}
	return spread(title, filter, w) + "\n" + fit(second, w)
}

// progressText says how much of the review is done.
func (m *Model) progressText() string {
	st := m.deps.Styles
	toReview, viewed := m.stats.toReview, m.stats.viewed
	var s string
	switch {
	case toReview == 0:
		s = st.Success.Render("nothing differs")
	case viewed == toReview:
		s = st.Success.Render(fmt.Sprintf("✓ all %d viewed", toReview))
	default:
		s = st.Muted.Render(fmt.Sprintf("%d/%d viewed", viewed, toReview))
	}
	if n := len(m.selected); n > 0 {
		s += st.Muted.Render(" · ") + st.Accent.Render(fmt.Sprintf("%d selected", n))
	}
	return s
}

// treePane renders the tree (or the jump's results) as h lines of w
// columns.
func (m *Model) treePane(w, h int) []string {
	head := strings.Split(m.treeHeader(w), "\n")
	lines := make([]string, 0, h)
	lines = append(lines, head...)
	body := h - len(head)
	if m.jump != nil {
		lines = append(lines, m.jumpLines(w, body)...)
	} else {
		for i := m.toffset; i < len(m.rows) && i < m.toffset+body; i++ {
			lines = append(lines, m.treeLine(i, w))
		}
		if len(m.rows) == 0 && body > 0 {
			text := " Nothing left to view."
			if len(m.entries) == 0 {
				text = " No component matched the comparison's filters."
			}
			lines = append(lines, fit(m.deps.Styles.Muted.Render(text), w))
		}
	}
	for len(lines) < h {
		lines = append(lines, spaces(w))
	}
	return lines[:h]
}

// categoryStyle colours a category: added, removed, changed, same.
func (m *Model) categoryStyle(c model.Category) lipgloss.Style {
	st := m.deps.Styles
	switch c {
	case model.OnlyInSource:
		return st.Added
	case model.OnlyInTarget:
		return st.Removed
	case model.Different:
		return st.Changed
	}
	return st.Muted
}

// treeLine renders tree row i.
func (m *Model) treeLine(i, w int) string {
	st := m.deps.Styles
	r := m.rows[i]
	cursor := i == m.tcursor
	mark := " "
	if cursor {
		mark = "›"
	}
	fold := "▾ "
	var plain, styled string
	switch r.kind {
	case treeCat, treeType:
		key, name, indent := catKey(r.cat), categoryNames[r.cat], ""
		if r.kind == treeType {
			key, name, indent = typeKey(r.cat, r.typ), r.typ, " "
		}
		if m.collapsed[key] {
			fold = "▸ "
		}
		count := fmt.Sprintf(" %d", r.count)
		if r.viewed > 0 && r.cat != model.Same {
			count = fmt.Sprintf(" %d/%d✓", r.viewed, r.count)
		}
		name = truncate(name, max(w-cellsOf(mark+indent+fold+count), 4))
		plain = mark + indent + fold + name + count
		styled = st.Accent.Render(mark) + indent + st.Muted.Render(fold)
		if r.kind == treeCat {
			styled += m.categoryStyle(r.cat).Bold(true).Render(name)
		} else {
			styled += st.Bold.Render(name)
		}
		styled += st.Muted.Render(count)
	default:
		e := m.entries[r.entry]
		sel := " "
		if m.selected[e.comp] {
			sel = "●"
		}
		viewed := " "
		switch {
		case e.stale:
			viewed = "!"
		case m.isViewed(e.comp):
			viewed = "✓"
		}
		name := truncate(e.comp.FullName, max(w-5, 4))
		plain = mark + " " + sel + viewed + " " + name
		vs := st.Success
		if e.stale {
			vs = st.Warning
		}
		styled = st.Accent.Render(mark) + " " + st.Accent.Render(sel) + vs.Render(viewed) + " " + m.categoryStyle(e.cat).Render(name)
	}
	if cursor && m.focus == focusTree {
		return st.Selected.Render(fit(plain, w))
	}
	if cursor {
		return st.Bold.Render(fit(plain, w))
	}
	return fit(styled, w)
}

// jumpLines lists the jump's results.
func (m *Model) jumpLines(w, h int) []string {
	st := m.deps.Styles
	j := m.jump
	var lines []string
	if len(j.hits) == 0 {
		return append(lines, fit(st.Muted.Render(" no component matches"), w))
	}
	for i := j.offset; i < len(j.hits) && i < j.offset+h; i++ {
		e := m.entries[j.hits[i]]
		// The cursor's mark is a character, like the tree's, so the
		// selection shows without colour (NO_COLOR) too.
		if i == j.cursor {
			lines = append(lines, st.Selected.Render(fit("›"+e.comp.String(), w)))
			continue
		}
		lines = append(lines, fit(m.categoryStyle(e.cat).Render(" "+e.comp.String()), w))
	}
	return lines
}

// diffHeader is the diff pane's title, position and noise lines.
func (m *Model) diffHeader(w int) string {
	st := m.deps.Styles
	e, ok := m.currentEntry()
	if !ok {
		return fit(st.Header.Render("Diff"), w) + "\n" + spaces(w)
	}
	titleStyle := st.Header
	if m.focus == focusDiff || !m.showTree {
		titleStyle = st.Title
	}
	signs := map[model.Category]string{model.OnlyInSource: "+", model.OnlyInTarget: "−", model.Different: "~", model.Same: "="}
	title := m.categoryStyle(e.cat).Render(signs[e.cat]) + " " + titleStyle.Render(e.comp.String())
	state := st.Muted.Render("  " + strings.ToLower(categoryNames[e.cat]))
	if m.isViewed(e.comp) && !e.stale {
		state += "  " + st.Success.Render("✓ viewed")
	}
	var counts string
	if d := m.shownDoc(); d != nil && len(d.files) > 0 {
		counts = st.Added.Render(fmt.Sprintf("+%d", d.added)) + " " + st.Removed.Render(fmt.Sprintf("−%d", d.removed))
	}
	lines := []string{spread(title+state, counts, w), m.positionLine(w)}
	if e.stale {
		lines = append(lines, fit(st.Warning.Render("! changed since compared: this is today's content, which a viewed mark would not cover; compare again"), w))
	}
	if noise := m.noiseText(w); noise != "" {
		lines = append(lines, fit(st.Warning.Render(noise), w))
	}
	if m.shownDoc() != nil && m.dv.lay.mode == modeSplit {
		lines = append(lines, m.sideLabels(w))
	}
	return strings.Join(lines, "\n")
}

// sideLabels heads the two columns of a side-by-side diff with the
// environments they show: the target (old, what deploying changes) on the
// left, the source (new) on the right, aligned with the halves below.
func (m *Model) sideLabels(w int) string {
	st := m.deps.Styles
	half := splitHalf(w)
	left := fit(st.Removed.Render("− "+m.log.Target+" (target)"), half)
	right := fit(st.Added.Render("+ "+m.log.Source+" (source)"), half)
	return fit(" "+left+st.Muted.Render("│")+right, w)
}

// positionLine says where the cursor is, or holds the search input.
func (m *Model) positionLine(w int) string {
	st := m.deps.Styles
	if m.search.editing {
		return fit(m.search.input.View(), w)
	}
	var parts []string
	if d := m.shownDoc(); d != nil {
		if n := len(d.hunks); n > 0 {
			parts = append(parts, fmt.Sprintf("hunk %d/%d", max(m.dv.hunkIndex()+1, 1), n))
		}
		if n := len(d.files); n > 1 {
			parts = append(parts, fmt.Sprintf("%d files", n))
		}
		mode := "unified"
		if m.dv.lay.mode == modeSplit {
			mode = "side by side"
		}
		parts = append(parts, mode)
		if m.fullContext {
			parts = append(parts, "whole file")
		}
	}
	if m.wanting && m.items != nil {
		parts = append(parts, "computing…")
	}
	line := st.Muted.Render(strings.Join(parts, " · "))
	if m.search.active() {
		s := &m.search
		found := "no match"
		if len(s.rows) > 0 {
			found = fmt.Sprintf("%d/%d", s.position(m.dv.cursor), len(s.rows))
		}
		line += st.Muted.Render(" · ") + st.Accent.Render("/"+s.query) + st.Muted.Render(" "+found)
	}
	return fit(line, w)
}

// noiseText says what the noise options hide, so nothing is hidden
// silently: per option, the components it made the same; and the changed
// lines they took out of this diff. It says it in fewer words when the
// pane is narrow.
func (m *Model) noiseText(w int) string {
	var long, short []string
	if m.opts.IgnoreWhitespace {
		long = append(long, "whitespace ignored: "+common.Plural(m.hidden.Whitespace, "component")+" hidden")
		short = append(short, fmt.Sprintf("whitespace: %d hidden", m.hidden.Whitespace))
	}
	if m.opts.IgnoreOrder {
		long = append(long, "XML order ignored: "+common.Plural(m.hidden.Order, "component")+" hidden")
		short = append(short, fmt.Sprintf("order: %d hidden", m.hidden.Order))
	}
	if d := m.shownDoc(); d != nil && d.hidden > 0 {
		long = append(long, common.Plural(d.hidden, "changed line")+" hidden in this diff")
		short = append(short, fmt.Sprintf("%d lines here", d.hidden))
	}
	if len(long) == 0 {
		return ""
	}
	if s := "⚑ " + strings.Join(long, " · "); cellsOf(s) <= w {
		return s
	}
	return "⚑ " + strings.Join(short, " · ")
}

// shownDoc is the doc drawn in the pane for the current component.
func (m *Model) shownDoc() *diffDoc {
	if m.dv.doc == nil || !m.hasCurrent || m.dv.doc.key.comp != m.current {
		return nil
	}
	return m.dv.doc
}

// diffPane renders the diff pane as h lines of w columns.
func (m *Model) diffPane(w, h int) []string {
	st := m.deps.Styles
	head := m.diffHeader(w)
	bodyH := h - lipgloss.Height(head)
	var body string
	e, hasCur := m.currentEntry()
	switch {
	case m.warnings != nil:
		body = m.warningsView(w, bodyH)
	case m.picker != nil:
		body = m.place(m.pickerView(w), w, bodyH)
	case m.dialog.Open():
		body = m.place(m.dialog.View(), w, bodyH)
	case !hasCur && m.stats.toReview == 0:
		body = m.place(st.Success.Render("No differences: every component is the same on both sides."), w, bodyH)
	case !hasCur:
		body = m.place(st.Muted.Render("Nothing to show: choose a component in the tree."), w, bodyH)
	case m.itemsErr != nil && !e.identical:
		body = m.place(st.Error.Render("Could not read the components: "+m.itemsErr.Error())+"\n\n"+st.Muted.Render("r to retry"), w, bodyH)
	case m.diffErr != nil:
		body = m.place(st.Error.Render(m.diffErr.Error()), w, bodyH)
	case m.shownDoc() == nil && !e.identical && m.items == nil:
		body = m.place(m.spin.View()+" Reading "+m.log.Source+" and "+m.log.Target+"… "+m.elapsed, w, bodyH)
	case m.shownDoc() == nil:
		body = m.place(st.Muted.Render("Computing the diff…"), w, bodyH)
	default:
		var b strings.Builder
		b.Grow((w + 48) * bodyH)
		m.dv.draw(&b, drawCtx{p: &m.paints, focused: m.focus == focusDiff || !m.showTree,
			query: m.search.query, fold: m.search.fold, opts: m.opts}, bodyH)
		body = b.String()
	}
	lines := strings.Split(head, "\n")
	lines = append(lines, strings.Split(body, "\n")...)
	for len(lines) < h {
		lines = append(lines, spaces(w))
	}
	return lines[:h]
}

// place centres block in a w×h area, cutting what does not fit.
func (m *Model) place(block string, w, h int) string {
	lines := strings.Split(block, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lipgloss.Place(w, max(h, 1), lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
}

// pickerView is the change request picker's box.
func (m *Model) pickerView(w int) string {
	st := m.deps.Styles
	p := m.picker
	bw := max(min(w-4, 70), 20)
	lines := []string{st.Title.Render("Add " + common.Plural(len(p.comps), "component") + " to a change request"), ""}
	item := func(i int, text string) {
		if i == p.cursor {
			lines = append(lines, st.Selected.Render(fit("› "+text, bw-6)))
			return
		}
		lines = append(lines, fit("  "+text, bw-6))
	}
	item(0, "＋ New change request…")
	switch {
	case p.loading:
		lines = append(lines, st.Muted.Render("  reading your change requests…"))
	case p.err != nil:
		lines = append(lines, st.Error.Render("  "+p.err.Error()))
	case len(p.crs) == 0:
		lines = append(lines, st.Muted.Render("  (none of yours is In Progress and editable)"))
	}
	for i := p.offset; i < len(p.crs) && i < p.offset+m.pickerRows(); i++ {
		cr := p.crs[i]
		item(i+1, cr.Key()+"  "+cr.Name+"  ("+string(cr.Status())+")")
	}
	lines = append(lines, "", st.Muted.Render("↑/↓ choose · enter ok · esc cancel"))
	return st.Dialog.Width(bw).Render(strings.Join(lines, "\n"))
}
