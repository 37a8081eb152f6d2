package review

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/common"
	"relman/ui/termsafe"
)

// warningsPanel is the list of the comparison's warnings, shown in the
// diff pane: every file either side could not read or classify, and the
// deletions left out because of them.
type warningsPanel struct {
	offset int // first warning shown
}

// warningsKey scrolls or closes the list.
func (m *Model) warningsKey(msg tea.KeyMsg) {
	k, p := m.keys, m.warnings
	n, page := len(m.log.Warnings), max(m.diffBodyHeight()-2, 1)
	switch {
	case key.Matches(msg, k.Cancel), key.Matches(msg, k.Warnings):
		m.warnings = nil
		return
	case key.Matches(msg, k.Down):
		p.offset++
	case key.Matches(msg, k.Up):
		p.offset--
	case key.Matches(msg, k.PageDown):
		p.offset += page
	case key.Matches(msg, k.PageUp):
		p.offset -= page
	case key.Matches(msg, k.Top):
		p.offset = 0
	case key.Matches(msg, k.Bottom):
		p.offset = n
	}
	p.offset = max(min(p.offset, n-page), 0)
}

// warningsView renders the list: a title, then one warning per line, the
// path and the problem, cut to the pane's width.
func (m *Model) warningsView(w, h int) string {
	st := m.deps.Styles
	ws := m.log.Warnings
	lines := []string{fit(st.Warning.Render("⚠ "+common.Plural(len(ws), "warning"))+st.Muted.Render(" — files not read or classified, duplicates resolved · ! or esc to close"), w)}
	for i := m.warnings.offset; i < len(ws) && len(lines) < h; i++ {
		lines = append(lines, fit(st.Bold.Render(termsafe.Line(ws[i].Path))+st.Muted.Render(": "+termsafe.Line(ws[i].Problem)), w))
	}
	for len(lines) < h {
		lines = append(lines, spaces(w))
	}
	return strings.Join(lines, "\n")
}
