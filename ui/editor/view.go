package editor

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/changes/filter"
	"relman/ui/termsafe"
)

// focusMarker marks the focused field's label, so focus shows without
// colour too (NO_COLOR, monochrome terminals).
const focusMarker = "▸ "

// labelWidth is the theme's label width, widened so the longest label
// keeps the focus marker and a gap before its box.
func (m *Editor) labelWidth() int {
	return max(m.deps.Styles.Label.GetWidth(), lipgloss.Width(focusMarker)+len("Customizations")+2)
}

// inputWidth is the width of a field's content, right of its label and
// inside its box.
func (m *Editor) inputWidth() int {
	return max(20, m.width-m.labelWidth()-m.deps.Styles.FocusInput.GetHorizontalFrameSize())
}

// roomy reports whether there is height for blank lines between fields
// and a taller overview.
func (m *Editor) roomy() bool { return m.height >= 36 }

func (m *Editor) overviewHeight() int {
	if m.roomy() {
		return 6
	}
	return 3
}

// resultRows is how many picker results show at once.
func (m *Editor) resultRows() int { return max(3, min(12, m.height/4)) }

// View implements common.Screen. The form scrolls so that the focused
// field (or the picker's cursor) is always on screen.
func (m *Editor) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	title := m.titleView()
	bodyH := max(1, m.height-lipgloss.Height(title))
	switch {
	case m.session == 0:
		return title
	case m.loading:
		return title + "\n" + m.spinner.View() + " Loading…"
	case m.loadErr != nil:
		return title + "\n" + st.Error.Render(ansi.Wrap("Could not load the form: "+m.loadErr.Error(), m.width, " "))
	case m.dialog.Open():
		return title + "\n" + lipgloss.Place(m.width, bodyH, lipgloss.Center, lipgloss.Center, m.dialog.View())
	}
	lines, top, bottom := m.formLines()
	offset := 0
	if bottom > bodyH {
		offset = bottom - bodyH
	}
	offset = min(offset, top)
	return title + "\n" + strings.Join(lines[offset:min(len(lines), offset+bodyH)], "\n")
}

// titleView says what is being edited, whether it is saved, and why it is
// read-only when it is.
func (m *Editor) titleView() string {
	st := m.deps.Styles
	var left string
	switch {
	case m.id == 0:
		left = st.Title.Render("New change request")
	case m.original.ID != 0:
		left = st.Title.Render("Edit "+m.original.Key()) + "  " + st.Bold.Render(termsafe.Line(m.original.Name))
	default:
		left = st.Title.Render("Edit " + model.FormatID(model.PrefixChangeRequest, m.id))
	}
	var right string
	switch {
	case m.saving:
		right = m.spinner.View() + " " + st.Accent.Render("Saving…")
	case m.editable() && m.dirty():
		right = st.Warning.Render("● unsaved")
	}
	left = ansi.Truncate(left, m.width-lipgloss.Width(right)-1, "…")
	line := left + strings.Repeat(" ", max(1, m.width-lipgloss.Width(left)-lipgloss.Width(right))) + right
	lines := []string{line}
	if m.readOnly != nil {
		lines = append(lines, st.Warning.Render(ansi.Truncate("Read-only — "+readOnlyReason(m.readOnly), m.width, "…")))
	}
	return strings.Join(lines, "\n") + "\n"
}

// readOnlyReason puts the specifics first, so they survive truncation.
func readOnlyReason(err error) string {
	var re *model.RuleError
	if errors.As(err, &re) && re.Detail != "" {
		return re.Detail + " (" + re.Rule + ")"
	}
	return ruleError{err}.Error()
}

// formLines renders every field and returns the lines spanned by the focused
// one (or by the cursor inside it), which the view keeps on screen.
func (m *Editor) formLines() (lines []string, top, bottom int) {
	st := m.deps.Styles
	editable := m.editable()
	add := func(s string) { lines = append(lines, strings.Split(s, "\n")...) }
	focused := func(f field) bool { return editable && m.focus == f }
	span := func(f field, from int) {
		if focused(f) {
			top, bottom = from, len(lines)
		}
	}
	indent := strings.Repeat(" ", m.labelWidth()+st.FocusInput.GetHorizontalFrameSize())
	problem := func(text string, style lipgloss.Style) {
		if text != "" {
			for _, l := range strings.Split(ansi.Wrap(text, m.inputWidth(), " "), "\n") {
				add(indent + style.Render(l))
			}
		}
	}
	gap := func() {
		if m.roomy() {
			add("")
		}
	}

	from := len(lines)
	add(m.row("Name", fieldName, m.inputView(m.name)))
	problem(m.nameProblem(), st.FieldError)
	span(fieldName, from)
	gap()

	from = len(lines)
	add(m.row("Change type", fieldType, m.choice(string(model.ChangeTypes[m.changeType]), fieldType, true)))
	span(fieldType, from)

	from = len(lines)
	if m.id == 0 {
		add(m.row("Home env", fieldEnv, m.choice(m.env, fieldEnv, len(m.envs) > 1)))
		problem(m.envProblem(), st.FieldError)
	} else {
		add(m.row("Home env", -1, m.env+st.Muted.Render("  (fixed once created)")))
	}
	span(fieldEnv, from)
	gap()

	from = len(lines)
	add(m.row("Overview", fieldOverview, m.overview.View()))
	span(fieldOverview, from)
	gap()

	from = len(lines)
	if editable {
		add(m.row("Customizations", fieldSearch, m.searchLine()))
	} else {
		add(m.row("Customizations", -1, st.Muted.Render(fmt.Sprintf("%d", len(m.picked)))))
	}
	if focused(fieldSearch) {
		for _, l := range m.resultLines() {
			add(indent + l)
		}
	}
	span(fieldSearch, from)
	m.listLines(&lines, "Chosen", fieldPicked, m.picked, m.pickedCursor, &top, &bottom)
	gap()

	from = len(lines)
	if editable {
		add(m.row("Proposed", fieldProposed, m.proposedIn.View()))
	} else {
		add(m.row("Proposed", -1, st.Muted.Render(fmt.Sprintf("%d", len(m.proposed)))))
	}
	_, bad := m.checkProposed()
	problem(bad, st.FieldError)
	problem(m.proposedHint(), st.Warning)
	span(fieldProposed, from)
	m.listLines(&lines, "To build", fieldProposedList, m.proposed, m.proposedCursor, &top, &bottom)
	gap()

	from = len(lines)
	add(m.row("Approvers", fieldApprovers, m.inputView(m.approvers)))
	problem(m.approversProblem(), st.FieldError)
	problem(m.policyNote(), st.Muted)
	if editable && focused(fieldApprovers) && m.users != nil {
		problem("→ completes · approvers: "+m.approverChoices(), st.Muted)
	}
	span(fieldApprovers, from)
	return lines, top, bottom
}

// row lays out a label and its boxed content; the focused field's label and
// box are accented.
func (m *Editor) row(label string, f field, content string) string {
	st := m.deps.Styles
	lab, box, marker := st.Label.Width(m.labelWidth()), st.Input, strings.Repeat(" ", lipgloss.Width(focusMarker))
	if m.editable() && m.focus == f {
		lab, box, marker = st.Accent.Width(m.labelWidth()), st.FocusInput, focusMarker
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, lab.Render(marker+label), box.Render(content))
}

// inputView is a text field, or its plain value on a read-only form, where a
// placeholder would read like an invitation to type.
func (m *Editor) inputView(in textinput.Model) string {
	st := m.deps.Styles
	switch {
	case m.editable():
		return in.View()
	case in.Value() == "":
		return st.Muted.Render("none")
	}
	return st.Normal.Render(termsafe.Line(in.Value()))
}

// choice renders a value cycled with ←/→.
func (m *Editor) choice(value string, f field, cycles bool) string {
	st := m.deps.Styles
	if !m.editable() || m.focus != f || !cycles {
		return st.Normal.Render(value)
	}
	return st.Accent.Render("‹ "+value+" ›") + st.Muted.Render("  ←/→ to change")
}

// searchLine is the picker's input with the number of chosen components.
func (m *Editor) searchLine() string {
	st := m.deps.Styles
	count := st.Muted.Render(fmt.Sprintf("%d chosen", len(m.picked)))
	in := m.picker.input.View()
	gap := m.inputWidth() - lipgloss.Width(in) - lipgloss.Width(count)
	if gap < 1 {
		return in
	}
	return in + strings.Repeat(" ", gap) + count
}

// resultLines renders the window of picker results around the cursor and a
// line saying how many matched.
func (m *Editor) resultLines() []string {
	st := m.deps.Styles
	p := &m.picker
	w := m.inputWidth()
	env := m.env
	switch {
	case p.loading[env]:
		return []string{m.spinner.View() + " " + st.Muted.Render("Loading the components of "+env+"…")}
	case p.failed[env] != nil:
		return []string{st.FieldError.Render(ansi.Truncate("Could not list the components of "+env+": "+p.failed[env].Error(), w, "…")),
			st.Muted.Render("Leave this field and come back to try again.")}
	case p.shown == nil:
		return nil
	}
	a := p.shown
	n, rows := a.len(), m.resultRows()
	start := min(p.offset, p.cursor)
	if p.cursor >= start+rows {
		start = p.cursor - rows + 1
	}
	base, match := filter.NewPaint(st.Normal), filter.NewPaint(st.Match.Inherit(st.Normal))
	sel, selMatch := filter.NewPaint(st.Selected), filter.NewPaint(st.Match.Inherit(st.Selected))
	var out []string
	for i := start; i < min(n, start+rows); i++ {
		idx, pos := a.at(i)
		c := a.cat.comps[idx]
		b, mt, marker := base, match, "  "
		if i == p.cursor {
			b, mt, marker = sel, selMatch, "▸ "
		}
		check := "  "
		if slices.Contains(m.picked, c) {
			check = "✓ "
		}
		// The marker and check join the name's cell, shifting the match positions.
		prefix := marker + check
		out = append(out, filter.Cell(prefix+a.cat.names[idx], w, -len(prefix), pos, b, mt))
	}
	status := fmt.Sprintf("%d of %d components", n, len(a.cat.names))
	if n == 0 {
		status = "no component of " + env + " matches; a component still to be built goes under Proposed"
	}
	if p.running {
		status = m.spinner.View() + " filtering… " + status
	}
	return append(out, st.Muted.Render(ansi.Truncate(status, w, "…")))
}

// listLines adds a list of chosen (picked or proposed) components as a
// labelled focus stop of its own: its label takes the focus marker like any
// field, and the cursor's line a "›", so the stop shows without colour.
// When it has focus, top and bottom are set to the cursor's line.
func (m *Editor) listLines(lines *[]string, label string, f field, comps []metadata.Component, cursor int, top, bottom *int) {
	if len(comps) == 0 {
		return
	}
	focused := m.editable() && m.focus == f
	items := make([]string, len(comps))
	for i, c := range comps {
		items[i] = m.chosenLine(c, focused && i == cursor)
	}
	from := len(*lines)
	*lines = append(*lines, strings.Split(m.row(label, f, strings.Join(items, "\n")), "\n")...)
	if focused {
		*top, *bottom = from+cursor, from+cursor+1
	}
}

// chosenLine is one chosen (picked or proposed) component.
func (m *Editor) chosenLine(c metadata.Component, cursor bool) string {
	st := m.deps.Styles
	if cursor {
		text := ansi.Truncate("› "+termsafe.Line(c.String()), m.inputWidth()-len("  del removes"), "…")
		return st.Selected.Render(text) + st.Muted.Render("  del removes")
	}
	return st.Normal.Render(ansi.Truncate("• "+termsafe.Line(c.String()), m.inputWidth(), "…"))
}
