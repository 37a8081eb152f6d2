package changelog

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/termsafe"
)

// rowsVisible is how many list rows fit: the list takes the top half, the
// change's detail and diff the rest.
func (m *Model) rowsVisible() int { return max(1, m.height/2-2) }

// View implements common.Screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.mode == modePolicy {
		return m.policyView()
	}
	st := m.deps.Styles
	var b strings.Builder
	line := func(s string) { b.WriteString(ansi.Truncate(s, m.width, "…") + "\n") }
	line(st.Header.Render("Changes found by monitoring") + "  " + st.Muted.Render(m.filterText()))
	switch {
	case !m.loaded:
		line(st.Muted.Render("loading…"))
		return b.String()
	case m.loadErr != nil:
		line(st.Error.Render(termsafe.Line(m.loadErr.Error())))
		return b.String()
	case len(m.all) == 0:
		line("No changes recorded yet. Run `relman monitor ENV` to take a snapshot of an environment;")
		line("the first one is the baseline, the next ones log what changed and whether it was covered.")
		return b.String()
	case len(m.shown) == 0:
		line(st.Muted.Render("No change matches the filters (x clears them)."))
		return b.String()
	}
	rows := m.rowsVisible()
	for i := m.offset; i < min(len(m.shown), m.offset+rows); i++ {
		c := m.all[m.shown[i]]
		text := fmt.Sprintf("%-13s %-8s %-8s %s  %s  %s", c.Status, c.Key(), c.Kind, termsafe.Line(c.Component.String()),
			termsafe.Line(orDash(c.Who)), c.When.UTC().Format("2006-01-02 15:04"))
		style := st.Normal
		switch {
		case i == m.cursor:
			style = st.Selected
		case c.Open():
			style = st.Error
		case c.Status == model.StatusResolved:
			style = st.Muted
		}
		line(style.Render(ansi.Truncate(text, m.width, "…")))
	}
	for i := min(len(m.shown), m.offset+rows) - m.offset; i < rows; i++ {
		line("")
	}
	c := m.selected()
	line(st.Bold.Render(fmt.Sprintf("%s %s in %s · %s · level %s", c.Key(), c.Kind, termsafe.Line(c.Env), c.Category, c.Level)))
	line(termsafe.Line(c.Reason))
	if c.Status == model.StatusResolved {
		line(st.Muted.Render(termsafe.Line(fmt.Sprintf("resolved by %s (%s): %s", c.ResolvedBy, orDash(c.CoveredBy), c.Note))))
	}
	used := strings.Count(b.String(), "\n")
	left := max(0, m.height-used)
	if m.dialog.Open() {
		return b.String() + m.dialog.View()
	}
	if m.mode == modePick {
		return b.String() + m.pickView(left)
	}
	return b.String() + m.diffView(left)
}

// diffView draws the visible window of the diff only.
func (m *Model) diffView(h int) string {
	st := m.deps.Styles
	if m.diffLines == nil {
		return st.Muted.Render("loading diff…")
	}
	var out []string
	for i := m.diffScroll; i < len(m.diffLines) && len(out) < h; i++ {
		l := ansi.Truncate(termsafe.Line(m.diffLines[i]), m.width, "…")
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			l = st.Bold.Render(l)
		case strings.HasPrefix(l, "+"):
			l = st.Added.Render(l)
		case strings.HasPrefix(l, "-"):
			l = st.Removed.Render(l)
		case strings.HasPrefix(l, "@@"):
			l = st.HunkHeader.Render(l)
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func (m *Model) pickView(h int) string {
	st := m.deps.Styles
	out := []string{st.Section.Render("Resolve " + m.resolving.Key() + ": which approved change request covers it?")}
	if m.picks == nil {
		return strings.Join(append(out, st.Muted.Render("loading change requests…")), "\n")
	}
	rows := []string{"none: a note says why no change request is needed"}
	for _, cr := range m.picks {
		rows = append(rows, cr.Key()+" "+termsafe.Line(cr.Name))
	}
	if len(m.picks) == 0 {
		out = append(out, st.Muted.Render("No approved change request of "+termsafe.Line(m.resolving.Env)+" contains "+termsafe.Line(m.resolving.Component.String())+"."))
	}
	for i, r := range rows {
		if len(out) >= h {
			break
		}
		if i == m.pickCursor {
			out = append(out, st.Selected.Render("> "+r))
		} else {
			out = append(out, "  "+r)
		}
	}
	return strings.Join(out, "\n")
}

func (m *Model) policyView() string {
	st := m.deps.Styles
	name := m.policy.Name
	if name == "" {
		return st.Muted.Render("loading policy…")
	}
	out := []string{st.Header.Render("Policy "+termsafe.Line(name)) + "  " + st.Muted.Render("+/- change a level (admins) · esc back"),
		""}
	for i, c := range model.PolicyCategories {
		r := m.policy.Rule(c)
		text := fmt.Sprintf("%-24s %-15s %s", c, r.Level, termsafe.Line(strings.Join(r.Approvers, ", ")))
		if i == m.policyCursor {
			text = st.Selected.Render(text)
		}
		out = append(out, ansi.Truncate(text, m.width, "…"))
	}
	out = append(out, "", st.Muted.Render("log-only: any change is compliant · change-request: an approved CR contains it ·"),
		st.Muted.Render("sandbox: …and went through a sandbox copy · full: a relman deployment delivered it"))
	return strings.Join(out, "\n")
}

func (m *Model) filterText() string {
	var parts []string
	for _, f := range [][2]string{{"env", m.filter.env}, {"status", m.filter.status}, {"category", m.filter.category}, {"who", m.filter.who}} {
		if f[1] != "" {
			parts = append(parts, f[0]+"="+termsafe.Line(f[1]))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d changes, %d open", len(m.shown), m.OpenCount())
	}
	return fmt.Sprintf("%d of %d · %s", len(m.shown), len(m.all), strings.Join(parts, " "))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
