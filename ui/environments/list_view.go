package environments

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/common"
)

// Layout: on wide terminals the details sit beside the table; on narrow ones
// below it, when enough height is left for them to be worth showing
// (otherwise enter shows them).
const (
	sideBySideMinW   = 110
	belowDetailsMinH = 8
	kindW            = 10
	maxConnW         = 44
	minLastW         = 18
	colGap           = "  "
)

const credentialsStored = "credentials stored (encrypted)"

// View implements common.Screen.
func (m *List) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	switch {
	case m.dialog.Open():
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, m.dialog.View())
	case !m.loaded:
		return st.Muted.Render("Loading…")
	case m.loadErr != nil:
		return st.Error.Width(m.width).Render("Could not read the environments: " + m.loadErr.Error())
	case len(m.envs) == 0:
		msg := st.Bold.Render("No environments yet") + "\n\n" + st.Muted.Width(min(m.width, 60)).Align(lipgloss.Center).Render(
			"Press n to add one: a directory of metadata (an SFDX project or a Metadata API folder) or a Salesforce org.")
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg)
	case m.zoom:
		return m.detailView(m.envs[m.cursor], m.width, m.height)
	}
	tw, th := m.tableSize()
	table := m.tableView(tw, th)
	switch {
	case tw < m.width:
		return lipgloss.JoinHorizontal(lipgloss.Top, table, " ", m.detailView(m.envs[m.cursor], m.width-tw-1, m.height))
	case th < m.height:
		return lipgloss.JoinVertical(lipgloss.Left, table, m.detailView(m.envs[m.cursor], m.width, m.height-th))
	}
	return table
}

// tableSize is the table's area: the left part of a wide screen, else the
// top of a narrow one, leaving the rest to the details when they fit.
func (m *List) tableSize() (w, h int) {
	if m.width >= sideBySideMinW {
		return max(60, min(m.width*60/100, 110)), m.height
	}
	h = min(lipgloss.Height(m.tableHeader(m.width))+len(m.envs), max(m.height/2, 4))
	if m.height-h < belowDetailsMinH {
		return m.width, m.height
	}
	return m.width, h
}

// rowsVisible is how many rows fit in the table under its header.
func (m *List) rowsVisible() int {
	w, h := m.tableSize()
	return max(1, h-lipgloss.Height(m.tableHeader(w)))
}

// columns splits a table width between the name, connection and last
// test columns; kind is fixed. The connection gets what its longest text
// needs, within bounds, since the last test column reads well short: its
// details are in the pane.
func (m *List) columns(w int) (name, conn, last int) {
	name, conn = 4, 12
	for _, e := range m.envs {
		name = max(name, lipgloss.Width(e.env.Name))
		conn = max(conn, lipgloss.Width(connection(e.env, maxConnW)))
	}
	name = min(name, 20)
	rest := w - 2 - name - kindW - 3*len(colGap)
	conn = max(12, min(conn, maxConnW, rest-minLastW))
	return name, conn, max(0, rest-conn)
}

func (m *List) tableHeader(w int) string {
	name, conn, last := m.columns(w)
	cells := "  " + pad("NAME", name) + colGap + pad("KIND", kindW) + colGap + pad("CONNECTION", conn) + colGap + pad("LAST TEST", last)
	return m.deps.Styles.Header.Render(ansi.Truncate(cells, w, ""))
}

func (m *List) tableView(w, h int) string {
	lines := []string{m.tableHeader(w)}
	// Only the visible window is rendered, however many environments.
	end := min(m.offset+m.rowsVisible(), len(m.envs))
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.rowView(m.envs[i], i == m.cursor, w))
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

func (m *List) rowView(e entry, selected bool, w int) string {
	st := m.deps.Styles
	paint := func(s lipgloss.Style, text string) string {
		if selected {
			s = s.Background(st.Palette.Highlight)
		}
		return s.Render(text)
	}
	nameW, connW, lastW := m.columns(w)
	marker := "  "
	nameStyle := st.Bold
	if selected {
		marker, nameStyle = st.Accent.Render("▌")+paint(st.Normal, " "), st.Selected
	}
	lastStyle, lastText := m.lastTestCell(e, lastW)
	line := marker + paint(nameStyle, pad(ansi.Truncate(e.env.Name, nameW, "…"), nameW)) +
		paint(st.Normal, colGap+pad(string(e.env.Kind), kindW)+colGap) +
		paint(st.Normal, pad(connection(e.env, connW), connW)+colGap) +
		paint(lastStyle, pad(ansi.Truncate(lastText, lastW, "…"), lastW))
	return ansi.Truncate(line, w, "")
}

// lastTestCell is the LAST TEST column in w cells: running, never, or the
// outcome and when, then who answered (or the org's message) if it fits.
func (m *List) lastTestCell(e entry, w int) (lipgloss.Style, string) {
	st := m.deps.Styles
	t := e.env.LastTest
	switch {
	case m.testing[e.env.Name]:
		return st.Accent, m.spinner.View() + " testing…"
	case t == nil:
		return st.Muted, "never tested"
	}
	style, text, what := st.Success, "✓ ok "+common.Ago(m.deps.Svc.Now(), t.At), t.User
	if !t.OK {
		style, text, what = st.Error, "✗ failed "+common.Ago(m.deps.Svc.Now(), t.At), ""
	}
	if what == "" {
		what = firstLine(t.Message)
	}
	// A few letters of the message say nothing: show it only with room.
	const minUseful = 10
	if what != "" && w-lipgloss.Width(text)-3 >= minUseful {
		text += " · " + what
	}
	return style, text
}

// connection says briefly how relman reaches an environment, in w cells: a
// directory keeps the end of its path, the part that names it.
func connection(e model.Environment, w int) string {
	if e.Connection == model.ConnLocal {
		text := "dir " + e.Dir
		if over := lipgloss.Width(text) - w; over > 0 {
			return "dir " + ansi.TruncateLeft(e.Dir, over+1, "…")
		}
		return text
	}
	host := strings.TrimPrefix(strings.TrimPrefix(e.URL, "https://"), "http://")
	return ansi.Truncate(host+" · "+string(e.Auth), w, "…")
}

// detailView renders one environment's settings and its last Test
// Connection in a bordered pane of w×h cells.
func (m *List) detailView(e entry, w, h int) string {
	st := m.deps.Styles
	pane := st.Pane.Padding(0, 1)
	cw := w - pane.GetHorizontalFrameSize()
	field := func(label, value string) string {
		return st.Label.Render(label) + st.Normal.Width(max(1, cw-st.Label.GetWidth())).Render(value)
	}
	env := e.env
	parts := []string{st.Bold.Render(env.Name) + st.Muted.Render(" · "+string(env.Kind))}
	if env.Connection == model.ConnLocal {
		parts = append(parts, field("Connection", "directory"), field("Directory", env.Dir))
	} else {
		parts = append(parts, field("Connection", "Salesforce"), field("URL", env.URL), field("Auth method", string(env.Auth)))
		for _, f := range [][2]string{{"Client id", env.ClientID}, {"Username", env.Username}, {"Key file", env.KeyFile}, {"Alias", env.Alias}} {
			if f[1] != "" {
				parts = append(parts, field(f[0], f[1]))
			}
		}
	}
	secrets := "none stored"
	if e.secrets {
		secrets = credentialsStored
	}
	parts = append(parts, field("Credentials", secrets), field("Updated", common.When(m.deps.Svc.Now(), env.UpdatedAt)))
	parts = append(parts, st.Section.Render("Last Test Connection"))
	parts = append(parts, m.testResult(e, cw)...)
	content := common.CutLines(lipgloss.JoinVertical(lipgloss.Left, parts...), h-pane.GetVerticalFrameSize(), st.Muted.Render("…"))
	return pane.Width(w - pane.GetHorizontalBorderSize()).Height(h - pane.GetVerticalBorderSize()).Render(content)
}

// testResult is the org's answer to the last Test Connection, or what to do
// when there is none yet.
func (m *List) testResult(e entry, cw int) []string {
	st := m.deps.Styles
	t := e.env.LastTest
	now := m.deps.Svc.Now()
	wrap := st.Normal.Width(cw)
	switch {
	case m.testing[e.env.Name]:
		return []string{m.spinner.View() + " " + st.Accent.Render("Testing "+e.env.Name+"…")}
	case t == nil:
		return []string{st.Muted.Width(cw).Render("Never tested. Press t to Test Connection.")}
	case !t.OK:
		return []string{st.Error.Render("✗ Failed · " + common.When(now, t.At)), wrap.Render(t.Message),
			"", st.Muted.Width(cw).Render("Fix what it names, then press t to test again.")}
	}
	out := []string{st.Success.Render("✓ Connected · " + common.When(now, t.At))}
	for _, f := range [][2]string{{"Org id", t.OrgID}, {"User", t.User}, {"API version", t.APIVersion}, {"Instance", t.Instance}} {
		// A directory's instance is the directory, already shown above.
		if f[1] != "" && f[1] != e.env.Dir {
			out = append(out, st.Label.Render(f[0])+st.Normal.Width(max(1, cw-st.Label.GetWidth())).Render(f[1]))
		}
	}
	if msg := strings.TrimSpace(t.Message); msg != "" {
		out = append(out, st.Muted.Width(cw).Render(msg))
	}
	return out
}

// pad left-aligns s in w cells.
func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}
