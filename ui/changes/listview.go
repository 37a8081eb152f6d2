package changes

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/changes/filter"
)

// markerWidth is the width of the cursor marker in front of each row.
const markerWidth = 2

// columns are the table's column widths for the current width; a width of
// 0 hides the column (requester first, then environment) so the name keeps
// a readable width on narrow terminals.
type columns struct {
	gap                                   int
	key, status, env, req, comps, updated int
	name                                  int
}

func (m *List) columns() columns {
	c := columns{gap: 1, key: len("CR-0000"), status: len(string(statusTabs[2].status)), env: len("ENV"),
		req: len("REQUESTER"), comps: len("COMP"), updated: len("12mo ago")}
	if m.width >= 100 {
		c.gap = 2
	}
	if d := m.data; d != nil {
		c.key = max(c.key, d.keyW)
		c.status = max(c.status, d.statusW)
		c.env = min(max(c.env, d.envW), 16)
		c.req = min(max(c.req, d.reqW), 14)
	}
	fixed := func() int {
		n := markerWidth
		for _, w := range []int{c.key, c.status, c.env, c.req, c.comps, c.updated} {
			if w > 0 {
				n += w + c.gap
			}
		}
		return n
	}
	if c.name = m.width - fixed(); c.name < 24 {
		c.req = 0
	}
	if c.name = m.width - fixed(); c.name < 16 {
		c.env = 0
	}
	c.name = max(4, m.width-fixed())
	return c
}

// View implements common.Screen. Its cost is proportional to the rows on
// screen, never to the number of change requests.
func (m *List) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	lines := []string{m.chromeView()}
	rows := m.pageRows()
	switch n := m.visibleLen(); {
	case n > 0:
		c := m.columns()
		now := m.deps.Svc.Now()
		paints := m.rowPaints()
		for i := m.offset; i < min(n, m.offset+rows); i++ {
			r, pos := m.visibleAt(i)
			if r == nil {
				// Outside the window in hand: its load is on its way.
				lines = append(lines, st.Muted.Render(strings.Repeat(" ", markerWidth)+"…"))
				continue
			}
			lines = append(lines, m.rowView(r, pos, i == m.cursor, c, now, paints))
		}
	case m.data == nil && m.loadErr != nil:
		lines = append(lines, "", st.Error.Render("Could not load change requests: "+m.loadErr.Error()))
	case m.data == nil:
		lines = append(lines, "", m.spinner.View()+" Loading change requests…")
	default:
		lines = append(lines, "", st.Muted.Render(m.emptyText()))
	}
	return strings.Join(lines, "\n")
}

// emptyText explains an empty table and what to do about it.
func (m *List) emptyText() string {
	switch {
	case m.query != "" && m.shownResult() == nil:
		return "Filtering…"
	case m.query != "":
		return fmt.Sprintf("Nothing in %s matches “%s”. esc clears the filter.", statusTabs[m.tab].label, m.query)
	case m.tabCount(0) == 0:
		return "No change requests yet. Press n to create one."
	}
	return fmt.Sprintf("No change requests are %s. ] shows the next status.", statusTabs[m.tab].label)
}

// chromeView is everything above the rows: tabs, filter line, column header.
func (m *List) chromeView() string {
	return m.tabsView() + "\n" + m.filterLineView() + "\n" + m.headerView()
}

// tabsView renders the status tabs with their counts: full labels when they
// fit, then short ones, then short ones without padding, and at worst a
// window around the active tab with "…" for the tabs left out.
func (m *List) tabsView() string {
	st := m.deps.Styles
	render := func(i int, short, tight bool) string {
		label := statusTabs[i].label
		if short {
			label = statusTabs[i].short
		}
		if m.data != nil {
			label += " " + strconv.Itoa(m.tabCount(i))
		}
		switch {
		case i == m.tab:
			return st.ActiveTab.Render(label)
		case tight:
			return st.Muted.Render(label)
		}
		return st.Tab.Render(label)
	}
	join := func(lo, hi int, short, tight bool) string {
		parts := make([]string, 0, hi-lo+1)
		for i := lo; i <= hi; i++ {
			parts = append(parts, render(i, short, tight))
		}
		if tight {
			return strings.Join(parts, " ")
		}
		return strings.Join(parts, "")
	}
	last := len(statusTabs) - 1
	for _, mode := range [][2]bool{{false, false}, {true, false}, {true, true}} {
		if line := join(0, last, mode[0], mode[1]); lipgloss.Width(line) <= m.width {
			return line
		}
	}
	// Grow a window around the active tab while it fits with both markers.
	more := st.Muted.Render("…")
	room := m.width - 2*lipgloss.Width(more)
	lo, hi := m.tab, m.tab
	for grown := true; grown; {
		grown = false
		if hi < last && lipgloss.Width(join(lo, hi+1, true, true)) <= room {
			hi, grown = hi+1, true
		}
		if lo > 0 && lipgloss.Width(join(lo-1, hi, true, true)) <= room {
			lo, grown = lo-1, true
		}
	}
	line := join(lo, hi, true, true)
	if lo > 0 {
		line = more + " " + line
	}
	if hi < last {
		line += " " + more
	}
	return ansi.Truncate(line, m.width, "")
}

// filterLineView shows the filter (being typed, applied, or a hint) and how
// many change requests are shown.
func (m *List) filterLineView() string {
	st := m.deps.Styles
	var left string
	switch {
	case m.typing:
		left = m.input.View()
	case m.query != "":
		left = st.Accent.Render("/ "+m.query) + st.Muted.Render("  (esc clears)")
	default:
		left = st.Muted.Render("/ to filter")
	}
	var right string
	total := m.tabCount(m.tab)
	switch {
	case m.query != "":
		right = fmt.Sprintf("%d of %d", m.visibleLen(), total)
		if r := m.shownResult(); r != nil && !r.complete() {
			right = fmt.Sprintf("best %d of %d matches of %d", len(r.hits), r.total, total)
		}
	case m.data != nil:
		right = fmt.Sprintf("%d change requests", total)
		if total == 1 {
			right = "1 change request"
		}
	}
	if m.loading || m.filtering {
		right = m.spinner.View() + " " + right
	}
	right = st.Muted.Render(right)
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, m.width, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *List) headerView() string {
	c := m.columns()
	gap := strings.Repeat(" ", c.gap)
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", markerWidth))
	b.WriteString(filter.Fit("ID", c.key) + gap)
	b.WriteString(filter.Fit("STATUS", c.status) + gap)
	if c.env > 0 {
		b.WriteString(filter.Fit("ENV", c.env) + gap)
	}
	if c.req > 0 {
		b.WriteString(filter.Fit("REQUESTER", c.req) + gap)
	}
	b.WriteString(fmt.Sprintf("%*s", c.comps, "COMP") + gap)
	b.WriteString(filter.Fit("UPDATED", c.updated) + gap)
	b.WriteString(filter.Fit("NAME", c.name))
	return m.deps.Styles.Header.Render(b.String())
}

// rowPaints are the styles of one frame's rows, worked out once per frame.
type rowPaints struct {
	normal, muted, match    filter.Paint
	selected, selectedMatch filter.Paint
	status                  map[model.Status]filter.Paint
}

func (m *List) rowPaints() rowPaints {
	st := m.deps.Styles
	p := rowPaints{normal: filter.NewPaint(st.Normal), muted: filter.NewPaint(st.Muted),
		match: filter.NewPaint(st.Match.Inherit(st.Normal)), selected: filter.NewPaint(st.Selected),
		selectedMatch: filter.NewPaint(st.Match.Inherit(st.Selected)), status: map[model.Status]filter.Paint{}}
	for _, t := range statusTabs[1:] {
		p.status[t.status] = filter.NewPaint(statusStyle(st, t.status))
	}
	return p
}

// rowView renders one table row in four painted runs: marker and key,
// status, the secondary columns, name. The selected row is one highlighted
// band; the others colour their status and mute the secondary columns.
func (m *List) rowView(r *row, pos []int, selected bool, c columns, now time.Time, p rowPaints) string {
	gap := strings.Repeat(" ", c.gap)
	base, match, muted, status, marker := p.normal, p.match, p.muted, p.status[r.status], "  "
	if selected {
		base, match, muted, status, marker = p.selected, p.selectedMatch, p.selected, p.selected, "▸ "
	}
	var meta strings.Builder
	if c.env > 0 {
		meta.WriteString(filter.Fit(r.env, c.env) + gap)
	}
	if c.req > 0 {
		meta.WriteString(filter.Fit(r.requester, c.req) + gap)
	}
	meta.WriteString(fmt.Sprintf("%*d", c.comps, r.components) + gap)
	meta.WriteString(filter.Fit(relTime(now, r.updated), c.updated) + gap)

	var b strings.Builder
	// The marker joins the key's cell, shifting the match positions by its length.
	b.WriteString(filter.Cell(marker+r.key, markerWidth+c.key, -len(marker), pos, base, match))
	b.WriteString(status.Render(gap + filter.Fit(r.statusText(), c.status) + gap))
	b.WriteString(muted.Render(meta.String()))
	b.WriteString(filter.Cell(r.name, c.name, r.nameStart(), pos, base, match))
	return b.String()
}
