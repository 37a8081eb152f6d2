package deploy

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/common"
)

// chromeLines is the summary line and the column header above the rows.
const chromeLines = 2

// shortLevels are the test levels' names in a narrow table.
var shortLevels = map[model.TestLevel]string{model.NoTestRun: "none", model.RunSpecifiedTests: "specified",
	model.RunLocalTests: "local", model.RunAllTestsInOrg: "all"}

// columns are the table's widths for the current width; approval 0 hides
// the column and short levels abbreviate the test level, so the last step
// keeps a readable width on narrow terminals.
type columns struct {
	key, cr, route, level, status, approval, last int
	short                                         bool
}

// lastStep says what the latest log was and how it ended, as briefly as
// the status allows ("Validation Completed", "Deploy Failed", "Verified").
func lastStep(l model.DeploymentLog) string {
	switch {
	case l.ID == 0:
		return "-"
	case l.Kind == model.LogVerify && outcomeOf(l.Status) == outcomeOK:
		return "Verified"
	case l.Kind == model.LogDeps && outcomeOf(l.Status) == outcomeOK:
		return "Dependencies checked"
	case l.Kind == model.LogRetrieve, l.Kind == model.LogValidate, l.Kind == model.LogRollback:
		return string(l.Status) // the status names the step
	}
	return strings.ToUpper(string(l.Kind[:1])) + string(l.Kind[1:]) + " " + string(l.Status)
}

const gap = 2

func (m *List) columns() columns {
	c := columns{key: len("DR-0000"), cr: len("CR-0000"), route: len("ROUTE"), level: len("RunSpecifiedTests"),
		status: max(len("Pending Approval"), m.statusW), approval: len("rejected by carol")}
	c.route, c.approval = min(max(c.route, m.routeW), 32), min(max(c.approval, m.approvalW), 24)
	fixed := func() int {
		n := 2 // cursor marker
		for _, w := range []int{c.key, c.cr, c.route, c.level, c.status, c.approval} {
			if w > 0 {
				n += w + gap
			}
		}
		return n
	}
	// Narrow terminals lose the approval column first (the status says
	// most of it), then the full test level names, then the CR.
	if m.width-fixed() < 30 {
		c.approval = 0
	}
	if m.width-fixed() < 30 {
		c.level, c.short = len("specified"), true
	}
	if m.width-fixed() < 24 {
		c.cr = 0
	}
	c.last = max(8, m.width-fixed())
	return c
}

func route(d model.DeploymentRecord) string { return d.Source + " → " + d.Target }

// approval counts the decisions on the current scope: "1/2 approved", or
// who rejected.
func approval(d model.DeploymentRecord) string {
	scope := d.ScopeHash()
	approved := 0
	for _, a := range d.Approvers {
		if a.ScopeHash != scope {
			continue
		}
		switch a.Decision {
		case model.DecisionRejected:
			return "rejected by " + a.User
		case model.DecisionApproved:
			approved++
		}
	}
	return fmt.Sprintf("%d/%d approved", approved, len(d.Approvers))
}

// pageRows is how many records fit under the chrome.
func (m *List) pageRows() int { return m.height - chromeLines }

// View implements common.Screen. Its cost is proportional to the rows on
// screen, never to the number of records.
func (m *List) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	if m.form != nil {
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, m.form.view(m.width, m.height))
	}
	switch {
	case !m.ready && m.loadErr != nil:
		return st.Error.Render(ansi.Wrap("Could not load the deployment records: "+m.loadErr.Error(), m.width, " "))
	case !m.ready:
		return m.spinner.View() + " Loading deployment records…"
	case len(m.rows) == 0:
		return st.Muted.Render(ansi.Wrap("No deployment records yet. Press n to create one from an approved change request, or push a change request back from its sandbox.", m.width, " "))
	}
	c := m.columns()
	lines := []string{m.summaryView(), m.headerView(c)}
	now := m.deps.Svc.Now()
	for i := m.offset; i < min(len(m.rows), m.offset+m.pageRows()); i++ {
		lines = append(lines, m.rowView(m.rows[i], i == m.cursor, c, now))
	}
	return strings.Join(lines, "\n")
}

// summaryView counts the records, the jobs running and those waiting for
// approval.
func (m *List) summaryView() string {
	st := m.deps.Styles
	running, pending := 0, 0
	for _, r := range m.rows {
		if r.last.ID != 0 && r.last.Running() {
			running++
		}
		if r.d.Status == model.DeployPending {
			pending++
		}
	}
	s := common.Plural(len(m.rows), "deployment record")
	if running > 0 {
		s += fmt.Sprintf(" · %d running", running)
	}
	if pending > 0 {
		s += fmt.Sprintf(" · %d waiting for approval", pending)
	}
	if m.loadErr != nil {
		return st.Error.Render(ansi.Truncate(s+" · reload failed: "+m.loadErr.Error(), m.width, "…"))
	}
	return st.Muted.Render(ansi.Truncate(s, m.width, "…"))
}

func (m *List) headerView(c columns) string {
	cells := []string{pad("ID", c.key)}
	if c.cr > 0 {
		cells = append(cells, pad("CR", c.cr))
	}
	level := "TEST LEVEL"
	if c.short {
		level = "TESTS"
	}
	cells = append(cells, pad("ROUTE", c.route), pad(level, c.level), pad("STATUS", c.status))
	if c.approval > 0 {
		cells = append(cells, pad("APPROVAL", c.approval))
	}
	cells = append(cells, "LAST STEP")
	return m.deps.Styles.Header.Render(ansi.Truncate("  "+strings.Join(cells, strings.Repeat(" ", gap)), m.width, ""))
}

// rowView renders one record; the selected row is highlighted whole, so
// its cells are left unstyled.
func (m *List) rowView(r listRow, selected bool, c columns, now time.Time) string {
	st := m.deps.Styles
	d := r.d
	level := string(d.TestLevel)
	if c.short {
		level = shortLevels[d.TestLevel]
	}
	last := lastStep(r.last)
	// The age comes second: it goes when both do not fit.
	if age := " · " + relTime(now, r.last.Completed); r.last.ID != 0 && !r.last.Running() && lipgloss.Width(last+age) <= c.last {
		last += age
	}
	cells := []string{pad(d.Key(), c.key)}
	if c.cr > 0 {
		cells = append(cells, pad(model.FormatID(model.PrefixChangeRequest, d.CR), c.cr))
	}
	cells = append(cells, pad(route(d), c.route), pad(level, c.level))
	statusAt := len(cells)
	cells = append(cells, pad(r.statusText(), c.status))
	if c.approval > 0 {
		cells = append(cells, pad(r.approval, c.approval))
	}
	cells = append(cells, ansi.Truncate(last, c.last, "…"))
	if selected {
		return st.Selected.Width(m.width).MaxWidth(m.width).Render("› " + strings.Join(cells, strings.Repeat(" ", gap)))
	}
	cells[statusAt] = recordStyle(st, d.Status).Render(cells[statusAt])
	if r.last.ID != 0 {
		cells[len(cells)-1] = logStyle(st, r.last.Status).Render(cells[len(cells)-1])
	}
	return ansi.Truncate("  "+strings.Join(cells, strings.Repeat(" ", gap)), m.width, "…")
}

// pad truncates or pads s to exactly w cells.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}
