package compare

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/common"
)

// labelWidth is the width of the form's labels column.
const labelWidth = 20

// View implements common.Screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	switch {
	case m.picker != nil:
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, m.pickerView())
	case m.dialog.Open():
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, m.dialog.View())
	}
	form := m.formView()
	lines := strings.Split(form, "\n")
	lines = append(lines, m.logsView(m.logRows())...)
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	for i, l := range lines[:m.height] {
		lines[i] = fit(l, m.width)
	}
	return strings.Join(lines[:m.height], "\n")
}

// fit cuts s to w columns and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
}

// fieldInfo is a form row: its key letter, label and the value shown.
func (m *Model) fieldInfo(f field) (letter, label, value, detail string) {
	switch f {
	case fieldSource:
		return "s", "Source", orNone(shortPath(m.source), "choose…"), m.envDetail(m.source)
	case fieldTarget:
		return "t", "Target", orNone(shortPath(m.target), "choose…"), m.envDetail(m.target)
	case fieldCR:
		if m.cr == nil {
			return "c", "Change request", "any", ""
		}
		return "c", "Change request", m.cr.Key() + " " + m.cr.Name, common.Plural(len(m.cr.Components()), "component")
	case fieldTypes:
		return "m", "Metadata types", orNone(strings.Join(m.types, ", "), "all"), ""
	case fieldComponents:
		names := make([]string, len(m.comps))
		for i, c := range m.comps {
			names[i] = c.String()
		}
		detail := ""
		if len(m.comps) > 1 {
			detail = common.Plural(len(m.comps), "component")
		}
		return "p", "Components", orNone(strings.Join(names, ", "), "all"), detail
	case fieldNamespaces:
		return "x", "Exclude namespaces", orNone(strings.Join(m.namespaces, ", "), "none"), ""
	case fieldWhitespace:
		return "w", "Ignore whitespace", either(m.ignoreWS, "yes", "no"), "indentation, line endings, blank lines"
	}
	return "o", "Ignore XML order", either(m.ignoreOrder, "yes", "no"), "unordered lists only; never picklist values"
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// envDetail describes a side: an environment's kind and where it is, or
// that it is a folder.
func (m *Model) envDetail(name string) string {
	if name == "" {
		return ""
	}
	for _, e := range m.envs {
		if e.Name == name {
			return envDetail(e)
		}
	}
	return "folder"
}

// formView is the title, the form and the run line.
func (m *Model) formView() string {
	st := m.deps.Styles
	lines := []string{st.Title.Render("Compare") + st.Muted.Render("  what deploying the source onto the target would change"), ""}
	for f := range fieldCount {
		letter, label, value, detail := m.fieldInfo(f)
		cursor := m.section == sectionForm && m.field == f
		mark := " "
		if cursor {
			mark = "›"
		}
		line := st.Accent.Render(mark) + " " + st.Accent.Render(letter) + "  " + st.Muted.Render(fmt.Sprintf("%-*s", labelWidth, label))
		valueW := max(m.width-cellsOf(line)-1, 8)
		if detail != "" {
			detail = "  " + detail
		}
		value = ansi.Truncate(value, valueW, "…")
		detail = ansi.Truncate(detail, max(valueW-cellsOf(value), 0), "…")
		if cursor {
			line += st.Selected.Render(value) + st.Muted.Render(detail)
		} else {
			line += st.Normal.Render(value) + st.Muted.Render(detail)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", m.runLine())
	for _, err := range []error{m.runErr, m.loadErr} {
		if err != nil {
			// Wrapped, not cut: the end of an error says what to do.
			for _, l := range strings.Split(ansi.Wrap("✗ "+err.Error(), max(m.width-4, 20), " /"), "\n") {
				lines = append(lines, "  "+st.Error.Render(l))
			}
		}
	}
	return strings.Join(lines, "\n")
}

// runLine says what enter runs, or how the running comparison is going.
func (m *Model) runLine() string {
	st := m.deps.Styles
	if m.running {
		return "  " + m.spin.View() + " Comparing " + st.Bold.Render(m.source+" → "+m.target) + "… " +
			st.Muted.Render(m.elapsed+" · esc to cancel")
	}
	if m.source == "" || m.target == "" {
		return st.Muted.Render("  choose a source and a target, then enter to compare")
	}
	run := "enter"
	if m.section == sectionLogs {
		run = "ctrl+r"
	}
	return "  " + st.Accent.Render(run) + st.Muted.Render(" compare ") + st.Bold.Render(m.source+" → "+m.target) +
		st.Muted.Render(" · saved as a Compare Log and opened for review")
}

// logRows is how many saved comparisons fit under the form.
func (m *Model) logRows() int {
	return max(m.height-lipgloss.Height(m.formView())-3, 1)
}

// logsView lists the saved comparisons, newest first.
func (m *Model) logsView(rows int) []string {
	st := m.deps.Styles
	title := st.Header.Render("Saved comparisons")
	if m.section == sectionLogs {
		title = st.Title.Render("Saved comparisons")
	}
	lines := []string{"", title + st.Muted.Render(fmt.Sprintf(" %d", len(m.logs)))}
	if len(m.logs) == 0 {
		return append(lines, st.Muted.Render("  None yet: the comparisons you run are saved here, to reopen their review."))
	}
	for i := m.loffset; i < len(m.logs) && i < m.loffset+rows; i++ {
		lines = append(lines, m.logLine(i))
	}
	return lines
}

func (m *Model) logLine(i int) string {
	st := m.deps.Styles
	l := m.logs[i]
	c := l.Counts
	counts := fmt.Sprintf("%-18s", fmt.Sprintf("+%d −%d ~%d =%d", c[model.OnlyInSource], c[model.OnlyInTarget], c[model.Different], c[model.Same]))
	who := fmt.Sprintf("%-10s%-13s", truncateTo(l.User, 9), l.At.Local().Format("2 Jan 15:04"))
	var extra []string
	if n := len(l.Warnings); n > 0 {
		// The list is in the review: enter opens it, ! shows them.
		extra = append(extra, "⚠ "+common.Plural(n, "warning"))
	}
	if l.CR != 0 {
		extra = append(extra, model.FormatID(model.PrefixChangeRequest, l.CR))
	}
	extra = append(extra, filtersText(l.Filters)...)
	sidesW := max(min(m.width/3, 50), 16)
	sides := fit(truncateTo(shortPath(l.Source)+" → "+shortPath(l.Target), sidesW-1), sidesW)
	if m.section == sectionLogs && i == m.lcursor {
		return st.Selected.Render(fit("› "+fmt.Sprintf("%-9s", l.Key())+sides+counts+who+strings.Join(extra, " · "), m.width))
	}
	return "  " + st.Accent.Render(fmt.Sprintf("%-9s", l.Key())) + sides + m.countsText(c, counts) + st.Muted.Render(who) +
		st.Muted.Render(strings.Join(extra, " · "))
}

// countsText colours the counts of a log, padded as plain is.
func (m *Model) countsText(c map[model.Category]int, plain string) string {
	st := m.deps.Styles
	s := st.Added.Render(fmt.Sprintf("+%d", c[model.OnlyInSource])) + " " + st.Removed.Render(fmt.Sprintf("−%d", c[model.OnlyInTarget])) + " " +
		st.Changed.Render(fmt.Sprintf("~%d", c[model.Different])) + " " + st.Muted.Render(fmt.Sprintf("=%d", c[model.Same]))
	return s + strings.Repeat(" ", max(0, cellsOf(plain)-cellsOf(s)))
}

// filtersText names the filters a comparison ran with, briefly.
func filtersText(f model.CompareFilters) []string {
	var out []string
	if n := len(f.Types); n > 0 {
		out = append(out, common.Plural(n, "type"))
	}
	if n := len(f.Components); n > 0 {
		out = append(out, common.Plural(n, "component"))
	}
	if n := len(f.ExcludeNamespaces); n > 0 {
		out = append(out, "−"+strings.Join(f.ExcludeNamespaces, ",−"))
	}
	if f.IgnoreWhitespace {
		out = append(out, "no whitespace")
	}
	if f.IgnoreOrder {
		out = append(out, "no XML order")
	}
	return out
}

func truncateTo(s string, w int) string { return ansi.Truncate(s, w, "…") }

func cellsOf(s string) int { return ansi.StringWidth(s) }

// pickerWidth is the picker box's width.
func (m *Model) pickerWidth() int { return max(min(m.width-4, 90), 30) }

// pickerRows is how many choices the picker lists at once: the screen less
// the box's title, input, hint and frame.
func (m *Model) pickerRows() int { return max(m.height-12, 3) }

func (m *Model) pickerView() string {
	st := m.deps.Styles
	p := m.picker
	w := m.pickerWidth() - 6 // the dialog frame's border and padding
	lines := []string{st.Title.Render(p.title), "", p.input.View(), ""}
	rows := m.pickerRows()
	switch {
	case p.loading:
		lines = append(lines, st.Muted.Render("reading…"))
	case len(p.hits) == 0:
		lines = append(lines, st.Muted.Render("nothing matches"))
	}
	for i := p.offset; i < len(p.hits) && i < p.offset+rows; i++ {
		idx := p.hits[i]
		it := p.items[idx]
		var mark string
		if p.multi {
			mark = "[ ] "
			if p.marked[idx] {
				mark = "[x] "
			}
		}
		if i == p.cursor {
			text := "› " + mark + it.label
			if it.detail != "" {
				text += "  " + it.detail
			}
			lines = append(lines, st.Selected.Render(fit(text, w)))
			continue
		}
		text := "  " + mark + it.label
		if it.detail != "" {
			text += "  " + st.Muted.Render(it.detail)
		}
		lines = append(lines, fit(text, w))
	}
	hint := "↑/↓ move · enter choose · esc cancel"
	if p.multi {
		hint = fmt.Sprintf("%d marked · tab mark · ", len(p.marked)) + hint
	}
	if n := len(p.hits); n > rows {
		hint = fmt.Sprintf("%d–%d of %d · ", p.offset+1, min(p.offset+rows, n), n) + hint
	}
	lines = append(lines, "", st.Muted.Render(hint))
	return st.Dialog.Width(m.pickerWidth()).Render(strings.Join(lines, "\n"))
}
