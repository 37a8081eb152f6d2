package changes

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/changes/filter"
	"relman/ui/termsafe"
)

// timeLayout is how absolute times are shown (local time).
const timeLayout = "2006-01-02 15:04"

// View implements common.Screen. The body is a viewport over lines built
// once per load or resize, so scrolling a long history costs only the
// lines on screen.
func (m *Detail) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	header := m.headerView()
	bodyH := max(1, m.height-lipgloss.Height(header))
	var body string
	switch {
	case m.dialog.Open():
		body = lipgloss.Place(m.width, bodyH, lipgloss.Center, lipgloss.Center, m.dialog.View())
	case m.picking:
		body = lipgloss.Place(m.width, bodyH, lipgloss.Center, lipgloss.Center, m.pickerView())
	case m.data != nil:
		body = m.viewport.View()
	case m.loadErr != nil:
		body = "\n" + st.Error.Render(ansi.Wrap("Could not load "+model.FormatID(model.PrefixChangeRequest, m.id)+": "+m.loadErr.Error(), m.width, " "))
	default:
		body = "\n" + m.spinner.View() + " Loading " + model.FormatID(model.PrefixChangeRequest, m.id) + "…"
	}
	return header + "\n" + body
}

// headerView is the fixed part: key, name and status; the facts line; and
// what runs now or why the request cannot be edited.
func (m *Detail) headerView() string {
	st := m.deps.Styles
	key := model.FormatID(model.PrefixChangeRequest, m.id)
	if m.data == nil {
		return st.Title.Render(key)
	}
	cr := m.data.cr
	status := statusStyle(st, cr.Status()).Render(string(cr.Status()))
	if rb, ok := model.CompletedRollback(m.data.rollbacks); ok {
		status += st.Warning.Render(" · rolled back (" + rb.Key() + ")")
	}
	nameW := m.width - lipgloss.Width(key) - lipgloss.Width(status) - 4
	title := st.Title.Render(key) + "  " + st.Bold.Render(ansi.Truncate(termsafe.Line(cr.Name), max(nameW, 1), "…"))
	gap := max(1, m.width-lipgloss.Width(title)-lipgloss.Width(status))
	lines := []string{title + strings.Repeat(" ", gap) + status}

	now := m.deps.Svc.Now()
	facts := []string{string(cr.ChangeType), cr.Env, "requested by " + cr.Requester,
		fmt.Sprintf("revision %d", cr.Revision), "updated " + relTime(now, cr.UpdatedAt)}
	lines = append(lines, st.Muted.Render(ansi.Truncate(termsafe.Line(strings.Join(facts, " · ")), m.width, "…")))

	switch {
	case m.busy != "":
		line := m.spinner.View() + " " + st.Accent.Render(m.busy)
		if m.stop != "" {
			line += st.Muted.Render("  (esc stops " + m.stop + ")")
		}
		lines = append(lines, line)
	case cr.CompletionStatus == model.CompletionInProgress:
		if _, _, err := model.EditChangeRequest(cr, m.deps.Svc.User, model.CREdit{}, now); err != nil {
			lines = append(lines, st.Muted.Render(ansi.Truncate("Read-only — "+readOnlyReason(err), m.width, "…")))
		}
	}
	return strings.Join(lines, "\n")
}

// refreshContent rebuilds the body for the loaded data and width, and
// sizes the viewport under the header.
func (m *Detail) refreshContent() {
	m.viewport.Width = m.width
	m.viewport.Height = m.bodyHeight()
	if m.data == nil || m.width <= 0 {
		return
	}
	m.viewport.SetContent(strings.Join(m.contentLines(), "\n"))
}

// contentLines renders every section of the loaded change request.
func (m *Detail) contentLines() []string {
	st := m.deps.Styles
	d, w := m.data, m.width
	cr := d.cr
	now := m.deps.Svc.Now()
	var out []string
	m.linkRows = map[string]int{}
	// linked marks the line of a linked record: ▸ and highlighted when
	// selected; its row is kept to scroll it into view.
	linked := func(key, line string) string {
		m.linkRows[key] = len(out)
		if key == m.selected() {
			return st.Selected.Render("▸" + ansi.Strip(line)[1:])
		}
		return line
	}
	section := func(title string) { out = append(out, strings.Split(st.Section.Render(title), "\n")...) }
	none := func(text string) { out = append(out, st.Muted.Render("  "+text)) }

	section("Overview")
	if strings.TrimSpace(cr.Overview) == "" {
		none("no overview")
	} else {
		for _, l := range strings.Split(ansi.Wrap(cr.Overview, max(10, w-2), " "), "\n") {
			out = append(out, "  "+termsafe.Line(l))
		}
	}
	if cr.CancelReason != "" {
		out = append(out, "", st.Warning.Render("  Cancelled because: "+termsafe.Line(cr.CancelReason)))
	}

	flagged := map[metadata.Component]bool{}
	for _, c := range cr.AddedAfterApproval {
		flagged[c] = true
	}
	typeW := 0
	for _, c := range cr.Components() {
		typeW = max(typeW, len(c.Type))
	}
	typeW = min(typeW, 26)
	components := func(title string, cs []metadata.Component) {
		section(fmt.Sprintf("%s (%d)", title, len(cs)))
		if len(cs) == 0 {
			none("none")
		}
		for _, c := range cs {
			line := "  " + filter.Fit(c.Type, typeW) + "  " + termsafe.Line(c.FullName)
			flag := ""
			if flagged[c] {
				flag = "  " + st.Warning.Render("⚑ added after approval")
			}
			out = append(out, ansi.Truncate(line, w-lipgloss.Width(flag), "…")+flag)
		}
	}
	components("Customizations", cr.Customizations)
	components("Proposed customizations", cr.Proposed)

	section("Approvers")
	out = append(out, m.approverLines(now)...)

	if d.parent != nil || len(d.children) > 0 {
		section("Parent and copies")
		if p := d.parent; p != nil {
			out = append(out, linked(p.Key(), m.relatedLine("copy of", *p, now)))
		}
		for _, c := range d.children {
			out = append(out, linked(c.Key(), m.relatedLine("copy", c, now)))
		}
	}

	section(fmt.Sprintf("Deployment records (%d)", len(d.deployments)))
	if len(d.deployments) == 0 {
		none("none yet — push back a synced copy to create one")
	}
	for _, dr := range d.deployments {
		line := fmt.Sprintf("  %s  %s → %s  %-16s  %s  %d components  updated %s", dr.Key(), dr.Source, dr.Target,
			dr.Status, dr.TestLevel, len(dr.Components), relTime(now, dr.UpdatedAt))
		out = append(out, linked(dr.Key(), ansi.Truncate(termsafe.Line(line), w, "…")))
	}
	if len(d.rollbacks) > 0 {
		section(fmt.Sprintf("Rollbacks (%d)", len(d.rollbacks)))
		for _, rb := range d.rollbacks {
			line := fmt.Sprintf("  %s  of %s in %s  %-16s  %d components  requested by %s", rb.Key(),
				model.FormatID(model.PrefixDeployment, rb.Deployment), rb.Target, rb.Status, len(rb.Selected()), rb.Requester)
			out = append(out, linked(rb.Key(), ansi.Truncate(termsafe.Line(line), w, "…")))
		}
	}

	section(fmt.Sprintf("History (%d)", len(d.history)))
	userW := 0
	for _, e := range d.history {
		userW = max(userW, len(e.User))
	}
	for _, e := range d.history {
		line := "  " + st.Muted.Render(e.Time.Local().Format(timeLayout)) + "  " + filter.Fit(e.User, min(userW, 16)) + "  " +
			st.Accent.Render(filter.Fit(e.Action, 12)) + "  " + termsafe.Line(summarize(e.Details))
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	return out
}

// approverLines shows each approver's decision. A decision on an earlier
// scope no longer counts; a second line says what changed since.
func (m *Detail) approverLines(now time.Time) []string {
	st := m.deps.Styles
	cr := m.data.cr
	if len(cr.Approvers) == 0 {
		return []string{st.Muted.Render("  none listed — add one before submitting")}
	}
	scope := cr.ScopeHash()
	userW := 0
	for _, a := range cr.Approvers {
		userW = max(userW, len(a.User))
	}
	userW = min(userW, 20)
	var out []string
	for _, a := range cr.Approvers {
		user := filter.Fit(a.User, userW)
		var line, why string
		switch {
		case a.Decision == model.DecisionNone:
			line = st.Muted.Render("  · " + user + "  no decision yet")
		case a.ScopeHash != scope:
			line = st.Warning.Render("  ↺ " + user + "  " + string(a.Decision) + " " + relTime(now, a.At) + " on an earlier scope: no longer counts")
			why = m.scopeChangeSince(a.At, now)
		case a.Decision == model.DecisionApproved:
			line = st.Success.Render("  ✓ " + user + "  Approved " + relTime(now, a.At))
		default:
			line = st.Error.Render("  ✗ " + user + "  Rejected " + relTime(now, a.At))
		}
		if by := m.data.policy.RequiredBy(a.User, slices.Concat(cr.Customizations, cr.Proposed)); by != "" {
			line += st.Muted.Render("  (required by policy: " + by + ")")
		}
		// The comment follows the decision when it fits, else it gets its
		// own lines below, like the reason a decision is stale.
		indent := strings.Repeat(" ", 6+userW)
		var below []string
		if a.Comment != "" {
			comment := "“" + termsafe.Line(a.Comment) + "”"
			if lipgloss.Width(line)+2+lipgloss.Width(comment) <= m.width {
				line += st.Muted.Render("  " + comment)
			} else {
				below = append(below, comment)
			}
		}
		if why != "" {
			below = append(below, why)
		}
		out = append(out, ansi.Truncate(line, m.width, "…"))
		for _, text := range below {
			for _, l := range strings.Split(ansi.Wrap(text, max(10, m.width-len(indent)), " "), "\n") {
				out = append(out, st.Muted.Render(indent+l))
			}
		}
	}
	return out
}

// scopeChangeSince names the first change of the scope after at, from the
// audit timeline, so a stale decision says why it is stale.
func (m *Detail) scopeChangeSince(at, now time.Time) string {
	for _, e := range m.data.history {
		if !e.Time.After(at) {
			continue
		}
		switch e.Action {
		case "edit":
			var changed []string
			for _, k := range []string{"name", "overview", "components"} {
				if _, ok := e.Details[k]; ok {
					changed = append(changed, k)
				}
			}
			if len(changed) > 0 {
				return fmt.Sprintf("since then %s changed the %s (%s)", e.User, strings.Join(changed, " and "), relTime(now, e.Time))
			}
		case "push-back":
			if e.Details["addedAfterApproval"] != "" {
				return fmt.Sprintf("since then the push back of %s added %s (%s)", e.Details["child"], e.Details["addedAfterApproval"], relTime(now, e.Time))
			}
		}
	}
	return "the scope changed after this decision"
}

// relatedLine shows a parent or a copy.
func (m *Detail) relatedLine(label string, cr model.ChangeRequest, now time.Time) string {
	st := m.deps.Styles
	line := fmt.Sprintf("  %-8s %s  %s  ", label, cr.Key(), termsafe.Line(cr.Env)) +
		statusStyle(st, cr.Status()).Render(string(cr.Status())) + st.Muted.Render("  updated "+relTime(now, cr.UpdatedAt))
	return ansi.Truncate(line, m.width, "…")
}

// pickerView is the sandbox picker of sync.
func (m *Detail) pickerView() string {
	st := m.deps.Styles
	now := m.deps.Svc.Now()
	lines := []string{st.Title.Render("Sync " + m.data.cr.Key() + " to which sandbox?"), ""}
	if len(m.data.sandboxes) == 0 {
		lines = append(lines, "There is no sandbox environment yet.", st.Muted.Render("Add one on the Environments tab (3), then come back."))
	}
	nameW := 0
	for _, e := range m.data.sandboxes {
		nameW = max(nameW, len(e.Name))
	}
	for i, e := range m.data.sandboxes {
		marker, style := "  ", st.Normal
		if i == m.pickCursor {
			marker, style = "▸ ", st.Selected
		}
		var note string
		switch t := e.LastTest; {
		case t == nil:
			note = st.Muted.Render("never tested")
		case t.OK:
			note = st.Success.Render("✓ connected " + relTime(now, t.At))
		default:
			note = st.Error.Render("✗ failed " + relTime(now, t.At))
		}
		lines = append(lines, style.Render(marker+filter.Fit(e.Name, nameW))+"  "+note)
	}
	lines = append(lines, "", st.Muted.Render("The connection is tested first."), st.Muted.Render("enter sync · esc cancel"))
	w := min(m.width, 64)
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

// summarize renders audit details as "k=v; k=v", sorted, with hashes and
// long values shortened.
func summarize(d map[string]string) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := d[k]
		if strings.HasSuffix(k, "Hash") && len(v) > 12 {
			v = v[:12]
		} else if len(v) > 60 {
			v = ansi.Truncate(v, 59, "…")
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, "; ")
}
