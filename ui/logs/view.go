package logs

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/common"
	"relman/ui/theme"
)

// timeLayout is how absolute times are shown (local time).
const timeLayout = "2006-01-02 15:04"

const gap = 2

// columns are the table's widths for the current width; 0 hides a column.
// Log, kind, status and progress always show; the others come in as room
// allows.
type columns struct {
	log, kind, status, progress, started, job, user, took int
}

func (m *Model) columns() columns {
	c := columns{log: len("DR-0000 #00"), kind: len("quick deploy"), status: len("Validation In Progress")}
	for _, i := range m.visible {
		c.log = max(c.log, len(attemptShort(m.entries[i])))
	}
	used := 2 + c.log + c.kind + c.status + 3*gap
	for _, opt := range []struct {
		w   *int
		min int
	}{{&c.started, len(timeLayout)}, {&c.job, 18}, {&c.user, 8}, {&c.took, 7}} {
		if m.width-used-(opt.min+gap) >= 28 {
			*opt.w = opt.min
			used += opt.min + gap
		}
	}
	c.progress = max(8, m.width-used-gap)
	return c
}

// chromeHeight is the lines above the table: summary, the CR filter while
// it is typed (with its problem), column header.
func (m *Model) chromeHeight() int {
	if m.editing {
		return 3
	}
	return 2
}

// tableRows is how many logs the table shows: about two fifths of the
// screen, the failures pane taking the rest.
func (m *Model) tableRows() int {
	avail := m.height - m.chromeHeight() - 1
	return max(1, min(max(len(m.visible), 1), max(3, avail*2/5)))
}

// layout sizes the failures pane and refills it when the selected log or
// the width changed.
func (m *Model) layout() {
	if m.width <= 0 || m.height <= 0 {
		return
	}
	m.details.Width = m.width
	m.details.Height = max(1, m.height-m.chromeHeight()-m.tableRows()-1)
	e, ok := m.selected()
	if !ok || (e.l.ID == m.shown && m.width == m.shownWidth && !m.stale) {
		return
	}
	// A reload of the same log keeps where the reader scrolled to.
	if e.l.ID != m.shown {
		m.details.GotoTop()
	}
	m.shown, m.shownWidth, m.stale = e.l.ID, m.width, false
	m.details.SetContent(strings.Join(detailLines(m.deps.Styles, e, m.width), "\n"))
}

// View implements common.Screen. The table draws only its visible rows;
// the failures pane is a viewport over one log's lines.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	switch {
	case !m.ready && m.loadErr != nil:
		return st.Error.Render(ansi.Wrap("Could not load the deployment logs: "+m.loadErr.Error(), m.width, " "))
	case !m.ready:
		return m.spinner.View() + " Loading deployment logs…"
	}
	lines := []string{m.summaryView()}
	if m.editing {
		line := m.input.View()
		if m.problem != "" {
			line += "  " + st.FieldError.Render(m.problem)
		}
		lines = append(lines, ansi.Truncate(line, m.width, "…"))
	}
	if len(m.visible) == 0 {
		lines = append(lines, "", st.Muted.Render(ansi.Wrap(m.emptyText(), m.width, " ")))
		return strings.Join(lines, "\n")
	}
	c := m.columns()
	lines = append(lines, m.headerView(c))
	now := m.deps.Svc.Now()
	for i := m.offset; i < min(len(m.visible), m.offset+m.tableRows()); i++ {
		lines = append(lines, m.rowView(m.entries[m.visible[i]], i == m.cursor, c, now))
	}
	for i := len(m.visible); i < m.tableRows(); i++ {
		lines = append(lines, "")
	}
	lines = append(lines, m.ruleView(), m.details.View())
	return strings.Join(lines, "\n")
}

func (m *Model) summaryView() string {
	st := m.deps.Styles
	s := st.Bold.Render(m.countNote())
	if note := m.filterNote(); note != "" {
		s += st.Accent.Render(" · " + note)
	}
	if m.loadErr != nil {
		s += st.Error.Render(" · reload failed: " + m.loadErr.Error())
	}
	return ansi.Truncate(s, m.width, "…")
}

func (m *Model) emptyText() string {
	switch {
	case len(m.entries) == 0:
		return "No deployment logs yet: each retrieve, validate and deploy of a deployment record adds one."
	case m.filterNote() != "":
		return "No attempt matches " + m.filterNote() + "."
	}
	return "No attempts."
}

func (m *Model) headerView(c columns) string {
	cells := []string{pad("ATTEMPT", c.log), pad("KIND", c.kind), pad("STATUS", c.status), pad("PROGRESS", c.progress)}
	for _, opt := range []struct {
		name string
		w    int
	}{{"STARTED", c.started}, {"JOB", c.job}, {"USER", c.user}, {"TOOK", c.took}} {
		if opt.w > 0 {
			cells = append(cells, pad(opt.name, opt.w))
		}
	}
	return m.deps.Styles.Header.Render(ansi.Truncate("  "+strings.Join(cells, strings.Repeat(" ", gap)), m.width, ""))
}

// rowView renders one log; the selected row is highlighted whole.
func (m *Model) rowView(e entry, selected bool, c columns, now time.Time) string {
	st := m.deps.Styles
	l := e.l
	progress := common.Counters(l)
	if l.Running() {
		progress = "running · " + progress
	}
	cells := []string{pad(attemptShort(e), c.log), pad(string(l.Kind), c.kind), pad(string(l.Status), c.status), pad(progress, c.progress)}
	if c.started > 0 {
		cells = append(cells, pad(l.Started.Local().Format(timeLayout), c.started))
	}
	if c.job > 0 {
		cells = append(cells, pad(orDash(l.JobID), c.job))
	}
	if c.user > 0 {
		cells = append(cells, pad(l.User, c.user))
	}
	if c.took > 0 {
		took := "-"
		switch {
		case l.Running():
			took = common.Duration(now.Sub(l.Started)) + "…"
		case !l.Started.IsZero():
			took = common.Duration(l.Completed.Sub(l.Started))
		}
		cells = append(cells, pad(took, c.took))
	}
	if selected {
		return st.Selected.Width(m.width).MaxWidth(m.width).Render("› " + strings.Join(cells, strings.Repeat(" ", gap)))
	}
	cells[2] = statusStyle(st, l).Render(cells[2])
	return ansi.Truncate("  "+strings.Join(cells, strings.Repeat(" ", gap)), m.width, "…")
}

// ruleView separates the table from the failures pane and says whose
// failures it shows and where the focus is.
func (m *Model) ruleView() string {
	st := m.deps.Styles
	e, _ := m.selected()
	label := " " + attemptName(e) + " · " + string(e.l.Kind) + " "
	style := st.Muted
	if m.focus == focusDetails {
		style = st.Accent
		label += "· ↑/↓ scroll · esc back to logs "
	} else {
		label += "· enter to read "
	}
	return style.Render(ansi.Truncate("──"+label+strings.Repeat("─", max(0, m.width-lipgloss.Width(label)-2)), m.width, ""))
}

// detailLines are one log's facts, message, component failures, test
// failures with their stack traces, and coverage warnings, wrapped to width.
func detailLines(st *theme.Styles, e entry, width int) []string {
	l := e.l
	wrap := func(s string, indent int) []string {
		var out []string
		for _, line := range strings.Split(ansi.Wrap(strings.TrimRight(s, "\n"), max(10, width-indent), ""), "\n") {
			out = append(out, strings.Repeat(" ", indent)+line)
		}
		return out
	}
	var out []string
	out = append(out, st.Bold.Render(attemptName(e)+" · "+string(l.Kind))+" · "+statusStyle(st, l).Render(string(l.Status)))
	who := "by " + l.User
	if l.JobID != "" {
		who = "job " + l.JobID + " · " + who
	}
	when := "started " + l.Started.Local().Format(timeLayout)
	if l.Running() {
		when += " · still running"
	} else {
		when += fmt.Sprintf(" · finished %s (took %s)", l.Completed.Local().Format(timeLayout), common.Duration(l.Completed.Sub(l.Started)))
	}
	out = append(out, wrap(st.Muted.Render(who), 0)...)
	out = append(out, wrap(st.Muted.Render(when), 0)...)
	// The message of a finished job already sums its counters up.
	if l.Message != "" {
		out = append(out, wrap(l.Message, 0)...)
	} else if c := common.Counters(l); c != "" {
		out = append(out, c)
	}
	if l.StateDetail != "" && l.Running() {
		out = append(out, wrap(st.Muted.Render("org: "+l.StateDetail), 0)...)
	}
	if len(l.ComponentFailures)+len(l.TestFailures)+len(l.CoverageWarnings) == 0 {
		return append(out, "", st.Muted.Render("No component failures, test failures or coverage warnings."))
	}
	if n := len(l.ComponentFailures); n > 0 {
		out = append(out, "", st.Header.Render(fmt.Sprintf("Component failures (%d)", n)))
		for _, f := range l.ComponentFailures {
			out = append(out, st.Error.Render("✗ ")+st.Bold.Render(strings.TrimSpace(f.Type+" "+f.Name)))
			if where := location(f); where != "" {
				out = append(out, wrap(st.Muted.Render(where), 4)...)
			}
			out = append(out, wrap(f.Problem, 4)...)
		}
	}
	if n := len(l.TestFailures); n > 0 {
		out = append(out, "", st.Header.Render(fmt.Sprintf("Test failures (%d)", n)))
		for _, f := range l.TestFailures {
			out = append(out, st.Error.Render("✗ ")+st.Bold.Render(f.Class+"."+f.Method))
			out = append(out, wrap(f.Message, 4)...)
			if f.StackTrace != "" {
				out = append(out, wrap(st.Muted.Render(f.StackTrace), 6)...)
			}
		}
	}
	if n := len(l.CoverageWarnings); n > 0 {
		out = append(out, "", st.Header.Render(fmt.Sprintf("Coverage warnings (%d)", n)))
		for _, w := range l.CoverageWarnings {
			out = append(out, wrap(st.Warning.Render("! ")+w, 0)...)
		}
		for _, c := range model.CoverageDetails(l.Coverage) {
			out = append(out, wrap(c.String(), 4)...)
		}
	}
	return out
}

// location is "unpackaged/classes/InvoiceAging.cls, line 3, column 12".
func location(f model.ComponentFailure) string {
	where := f.File
	if f.Line > 0 {
		where += fmt.Sprintf(", line %d", f.Line)
		if f.Column > 0 {
			where += fmt.Sprintf(", column %d", f.Column)
		}
	}
	return strings.TrimPrefix(where, ", ")
}

// statusStyle colours a log by its outcome: running a warning, succeeded a
// success, failed an error, cancelled muted (a cancel is not a failure).
func statusStyle(st *theme.Styles, l model.DeploymentLog) lipgloss.Style {
	switch outcomeOf(l) {
	case outcomeSucceeded:
		return st.Success
	case outcomeRunning:
		return st.Warning
	case outcomeCancelled:
		return st.Muted
	}
	return st.Error
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// pad truncates or pads s to exactly w cells.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}
