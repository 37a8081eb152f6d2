package environments

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// focusMarker leads the focused field's line, so focus shows without colour
// too (NO_COLOR).
const focusMarker = "› "

// labelWidth is the width left of a field's control.
func (m *Editor) labelWidth() int {
	return lipgloss.Width(focusMarker) + m.deps.Styles.Label.GetWidth()
}

// View implements common.Screen.
func (m *Editor) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	if m.dialog.Open() {
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, m.dialog.View())
	}
	if m.loading {
		return st.Muted.Render("Loading " + m.editing + "…")
	}
	title := "Add environment"
	if m.editing != "" {
		title = "Edit " + m.editing
	}
	if m.saving {
		title += st.Accent.Render("  saving…")
	}
	header := []string{st.Bold.Render(title),
		st.Muted.Width(m.width).Render("A metadata directory or a Salesforce org · secrets are encrypted, never shown")}
	if e, ok := m.errs[formLevel]; ok {
		header = append(header, st.FieldError.Width(m.width).Render(e))
	}
	top := lipgloss.JoinVertical(lipgloss.Left, append(header, "")...)
	hint := st.Muted.Width(m.width).Render(m.fields[m.focus].hint)

	var lines []string
	focusStart, focusEnd := 0, 0
	for _, id := range m.visible() {
		if id == m.focus {
			focusStart = len(lines)
		}
		lines = append(lines, strings.Split(m.fieldView(id), "\n")...)
		if id == m.focus {
			focusEnd = len(lines)
		}
	}
	// The form scrolls only as far as it must to show the focused field.
	avail := max(1, m.height-lipgloss.Height(top)-lipgloss.Height(hint)-1)
	offset := max(0, min(focusEnd-avail, focusStart))
	lines = lines[offset:min(len(lines), offset+avail)]
	for len(lines) < avail {
		lines = append(lines, "")
	}
	return lipgloss.JoinVertical(lipgloss.Left, top, strings.Join(lines, "\n"), "", hint)
}

// fieldView renders a field's line and, under it, its error.
func (m *Editor) fieldView(id fieldID) string {
	st := m.deps.Styles
	f := m.fields[id]
	focused := id == m.focus
	marker, label := "  ", st.Label.Render(f.label)
	if focused {
		marker = st.Accent.Render(focusMarker)
		label = st.Label.Foreground(st.Palette.Accent).Bold(true).Render(f.label)
	}
	w := m.width - m.labelWidth()
	var control string
	if f.options != nil {
		control = m.choiceView(id, w)
	} else {
		in := f.input
		switch {
		case m.stored[id]:
			in.Placeholder = "stored (encrypted) · leave blank to keep"
		case m.optional(id):
			in.Placeholder = "optional"
		}
		style := st.Input
		if focused {
			style = st.FocusInput
		}
		control = style.Render(in.View())
	}
	line := marker + label + control
	if e, ok := m.errs[id]; ok {
		line += "\n" + lipgloss.JoinHorizontal(lipgloss.Top, strings.Repeat(" ", m.labelWidth()), st.FieldError.Width(w).Render(e))
	}
	return line
}

// choiceView shows every option when they fit in w cells, else the chosen
// one between arrows with its place among them. The auth method adds what
// it is.
func (m *Editor) choiceView(id fieldID, w int) string {
	st := m.deps.Styles
	f := m.fields[id]
	chosen := st.Accent
	if id == m.focus {
		chosen = st.Selected
	}
	opts := make([]string, len(f.options))
	for i, o := range f.options {
		if i == f.choice {
			opts[i] = chosen.Render("● " + o)
		} else {
			opts[i] = st.Muted.Render("○ " + o)
		}
	}
	view := strings.Join(opts, "  ")
	if lipgloss.Width(view) > w {
		view = chosen.Render("‹ "+f.options[f.choice]+" ›") + st.Muted.Render(fmt.Sprintf(" %d/%d", f.choice+1, len(f.options)))
	}
	if id == fAuth {
		if room := w - lipgloss.Width(view) - 2; room > 10 {
			view += "  " + st.Muted.Render(ansi.Truncate(authHints[m.auth()], room, "…"))
		}
	}
	return view
}
