package rollback

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/theme"
)

// Layout: under its facts, a rollback's document splits into two columns
// (components | approvers and logs) once the screen is this wide; the run
// panel shows at most maxErrLines failures (the log keeps them all) and
// its bars are at most barMaxW cells wide.
const (
	wideMin     = 120
	maxErrLines = 5
	barMaxW     = 40
	colGap      = 3
)

// View implements common.Screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	w := m.width
	top := m.topView(w)
	bodyH := m.height - lipgloss.Height(top)
	var body string
	switch {
	case !m.loaded:
		body = st.Muted.Render("Loading…")
	case m.loadErr != nil:
		body = wrapped(st.Error, w, "Could not read "+model.FormatID(model.PrefixDeployment, m.dr)+": "+m.loadErr.Error())
	case m.dialog.Open():
		body = lipgloss.Place(w, bodyH, lipgloss.Center, lipgloss.Center, m.dialog.View())
	case m.builder():
		body = m.builderView(w)
	default:
		body = m.rollbackView(w)
	}
	return lipgloss.JoinVertical(lipgloss.Left, top, body)
}

// topView is the title line — what is shown, and its status or what is
// being recorded on the right — and, in the builder, the deployment's
// line under it.
func (m *Model) topView(w int) string {
	st := m.deps.Styles
	d, dKey := m.data.d, model.FormatID(model.PrefixDeployment, m.dr)
	var title, right string
	switch {
	case !m.loaded || m.loadErr != nil:
		title = "Rollback of " + dKey
	case m.builder():
		title = "New rollback of " + dKey
		right = statusStyle(st, string(d.Status)).Render(string(d.Status))
	default:
		rb := m.data.rb
		title = rb.Key() + " · Roll back " + dKey + " in " + rb.Target
		status := string(rb.Status)
		if m.runLive(rb.ID) {
			status = string(model.RollbackInProgress)
		}
		right = statusStyle(st, status).Render(status)
	}
	if m.busy != "" {
		right = st.Accent.Render(m.busy)
	}
	line := spread(st.Bold.Render(title), right, w)
	if !m.loaded || m.loadErr != nil || !m.builder() {
		return line
	}
	sub := model.FormatID(model.PrefixChangeRequest, d.CR) + " " + m.data.crName + " · " + d.Source + " → " + d.Target
	if d.Package != nil {
		sub += " · " + common.Plural(len(d.Package.Components), "component")
	}
	return line + "\n" + st.Muted.Render(ansi.Truncate(sub, w, "…"))
}

// spread puts left and right on one line of w cells, cutting left when
// both do not fit.
func spread(left, right string, w int) string {
	left = ansi.Truncate(left, max(0, w-lipgloss.Width(right)-1), "…")
	gap := max(1, w-lipgloss.Width(left)-lipgloss.Width(right))
	if right == "" {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// statusStyle colours a rollback or deployment status by what it means.
func statusStyle(st *theme.Styles, status string) lipgloss.Style {
	switch status {
	case string(model.RollbackDone), string(model.DeployVerified), string(model.DeployDeployed), string(model.LogRollbackCompleted):
		return st.Success
	case string(model.RollbackFailed), string(model.RollbackRejected), string(model.LogRollbackFailed):
		return st.Error
	case string(model.RollbackPending), string(model.LogRollbackPartial):
		return st.Warning
	case string(model.RollbackApproved), string(model.RollbackInProgress), string(model.LogRollbackInProgress):
		return st.Accent
	}
	return st.Muted
}

// builderHead is the builder's text above its list: what the types mean,
// then the column titles.
func (m *Model) builderHead(w int) string {
	st := m.deps.Styles
	d := m.data.d
	if err := m.data.draftErr; err != nil {
		return "\n" + wrapped(st.Warning, w, err.Error())
	}
	intro := fmt.Sprintf("Choose what to roll back in %s. Delete removes a component %s created; "+
		"Override restores the copy of %s taken before it deployed; a kept component stays as deployed.",
		d.Target, d.Key(), d.Target)
	head := "\n" + wrapped(st.Muted, w, intro) + "\n"
	typeW := m.typeWidth()
	cols := "      " + pad("ROLLBACK", 10) + pad("TYPE", typeW+2) + "COMPONENT"
	return head + "\n" + st.Header.Render(ansi.Truncate(cols, w, "…"))
}

// builderFoot is the line under the builder's list: how many components
// roll back and who approves, or why nothing can be created.
func (m *Model) builderFoot(w int) string {
	st := m.deps.Styles
	n := m.selected()
	var line string
	switch {
	case n == 0:
		line = st.Warning.Render("Select at least one component to roll back (space, or a for all).")
	default:
		kept := ""
		if k := len(m.draft) - n; k > 0 {
			kept = fmt.Sprintf(", %d kept", k)
		}
		who := st.Warning.Render("no approvers: ask for one on " + model.FormatID(model.PrefixChangeRequest, m.data.d.CR))
		if as := m.data.draft.Approvers; len(as) > 0 {
			who = "approvers " + names(as)
		}
		line = fmt.Sprintf("%d of %d to roll back%s · ", n, len(m.draft), kept) + who
	}
	return "\n" + wrapped(st.Normal, w, line)
}

// rowsVisible is how many builder rows fit between its head and foot.
func (m *Model) rowsVisible() int {
	w := m.width
	fixed := lipgloss.Height(m.topView(w)) + lipgloss.Height(m.builderHead(w)) + lipgloss.Height(m.builderFoot(w))
	return max(1, m.height-fixed)
}

func (m *Model) builderView(w int) string {
	head := m.builderHead(w)
	if m.data.draftErr != nil {
		return head
	}
	// Only the visible window is rendered, however many components.
	end := min(m.offset+m.rowsVisible(), len(m.draft))
	rows := make([]string, 0, end-m.offset)
	for i := m.offset; i < end; i++ {
		rows = append(rows, m.draftRow(m.draft[i], i == m.cursor, w))
	}
	return head + "\n" + strings.Join(rows, "\n") + m.builderFoot(w)
}

// draftRow renders one component of the builder, its reason in a column
// after the longest name when the width allows:
//
//	▌ [x] Delete    CustomField  Invoice__c.Due_Date__c  created by DR-0001
func (m *Model) draftRow(it model.RollbackItem, selected bool, w int) string {
	st := m.deps.Styles
	paint := func(s lipgloss.Style, text string) string {
		if selected {
			s = s.Background(st.Palette.Highlight)
		}
		return s.Render(text)
	}
	marker := "  "
	if selected {
		marker = st.Accent.Render("▌") + paint(st.Normal, " ")
	}
	box, action, actionStyle, nameStyle := "[x] ", string(it.Action), st.Normal, st.Normal
	if it.Action == model.RollbackDelete {
		actionStyle = st.Removed
	}
	reason := reasonOf(it, m.data.d)
	if it.Keep {
		box, action, actionStyle, nameStyle = "[ ] ", "Keep", st.Muted, st.Muted
	}
	if selected {
		nameStyle = st.Selected
	}
	inner := w - 2
	fixed := 4 + 10 + m.typeWidth() + 2
	nameW := m.nameWidth() + 2
	if fixed+nameW+reasonWidth > inner {
		nameW, reason = max(0, inner-fixed), ""
	}
	name := ansi.Truncate(it.Component.FullName, nameW, "…")
	fill := max(0, inner-fixed-lipgloss.Width(name)-lipgloss.Width(reason))
	if reason != "" {
		name = pad(name, nameW)
		fill = max(0, inner-fixed-nameW-lipgloss.Width(reason))
	}
	return marker + paint(st.Normal, box) + paint(actionStyle, pad(action, 10)) +
		paint(st.Muted, pad(it.Component.Type, m.typeWidth()+2)) + paint(nameStyle, name) +
		paint(st.Muted, reason) + paint(st.Normal, strings.Repeat(" ", fill))
}

// reasonWidth is the widest reason reasonOf gives (for a DR-nnnn key).
var reasonWidth = len("back to its pre-deploy copy")

// reasonOf says what rolling back it does, or that it stays.
func reasonOf(it model.RollbackItem, d model.DeploymentRecord) string {
	switch {
	case it.Keep:
		return "stays as " + d.Key() + " left it"
	case it.Action == model.RollbackDelete:
		return "created by " + d.Key()
	}
	return "back to its pre-deploy copy"
}

// nameWidth is the widest component name among the builder's items.
func (m *Model) nameWidth() int {
	w := 0
	for _, it := range m.draft {
		w = max(w, lipgloss.Width(it.Component.FullName))
	}
	return w
}

// typeWidth is the widest component type among the items shown.
func (m *Model) typeWidth() int {
	items := m.draft
	if !m.builder() {
		items = m.data.rb.Items
	}
	w := 0
	for _, it := range items {
		w = max(w, lipgloss.Width(it.Component.Type))
	}
	return w
}

// wrapped renders text in style s wrapped to w cells, breaking lines only
// at spaces: lipgloss also breaks at hyphens, which would split an id such
// as DR-0002 over two lines.
func wrapped(s lipgloss.Style, w int, text string) string {
	const nbHyphen = "\u2011"
	return strings.ReplaceAll(s.Width(max(1, w)).Render(strings.ReplaceAll(text, "-", nbHyphen)), nbHyphen, "-")
}

// indent shifts every line of s two cells right.
func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func pad(s string, w int) string { return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s))) }

// layout rebuilds a rollback's document for the current data and width
// and keeps the builder's cursor and the document's scroll in range.
func (m *Model) layout() {
	m.doc = nil
	if m.loaded && m.loadErr == nil && !m.builder() && m.width > 0 {
		m.doc = strings.Split(m.docView(m.width), "\n")
	}
	m.scrollBy(0)
	m.move(0)
}

// docHeight is how many lines of a rollback's document fit under the
// title and the run panel.
func (m *Model) docHeight() int {
	h := m.height - lipgloss.Height(m.topView(m.width))
	if p := m.panelView(m.width); p != "" {
		h -= lipgloss.Height(p)
	}
	return max(1, h)
}

// rollbackView is the run panel, when a run of the rollback happened in
// this session, over the visible window of the rollback's document.
func (m *Model) rollbackView(w int) string {
	h := m.docHeight()
	from := max(0, min(m.scroll, len(m.doc)-h))
	to := min(len(m.doc), from+h)
	doc := strings.Join(m.doc[from:to], "\n")
	if more := len(m.doc) - to; more > 0 {
		lines := strings.Split(doc, "\n")
		lines[len(lines)-1] = m.deps.Styles.Muted.Render("↓ " + common.Plural(more+1, "more line") + " (j, pgdn)")
		doc = strings.Join(lines, "\n")
	}
	if p := m.panelView(w); p != "" {
		return p + "\n" + doc
	}
	return doc
}

// docView renders the whole rollback: facts, components, approvers and
// logs, in one column or, on a wide screen, the facts over two columns.
func (m *Model) docView(w int) string {
	if w < wideMin {
		return m.factsView(w) + "\n" + m.itemsView(w) + "\n" + m.approversView(w) + "\n" + m.logsView(w)
	}
	lw := (w - colGap) / 2
	rw := w - colGap - lw
	left := strings.Split(m.itemsView(lw), "\n")
	for i, l := range left {
		left[i] = pad(l, lw+colGap)
	}
	right := m.approversView(rw) + "\n" + m.logsView(rw)
	return m.factsView(w) + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, strings.Join(left, "\n"), right)
}

// factsView is the rollback's facts, label then value.
func (m *Model) factsView(w int) string {
	st := m.deps.Styles
	rb, d := m.data.rb, m.data.d
	now := m.deps.Svc.Now()
	field := func(label, value string) string {
		return st.Label.Render(label) + ansi.Truncate(value, max(1, w-st.Label.GetWidth()), "…")
	}
	approved := 0
	scope := rb.ScopeHash()
	for _, a := range rb.Approvers {
		if a.Decision == model.DecisionApproved && a.ScopeHash == scope {
			approved++
		}
	}
	approval := string(rb.ApprovalStatus)
	if rb.ApprovalStatus == model.ApprovalNone {
		approval = "Not submitted"
	}
	if len(rb.Approvers) > 0 {
		approval += fmt.Sprintf(" · %d of %d approved", approved, len(rb.Approvers))
	}
	lines := []string{
		field("Deployment", d.Key()+" · "+d.Source+" → "+d.Target+" · "+string(d.Status)),
		field("Change", model.FormatID(model.PrefixChangeRequest, d.CR)+" "+m.data.crName),
		field("Requester", rb.Requester+" · "+common.When(now, rb.CreatedAt)),
		field("Approval", approval),
	}
	return strings.Join(lines, "\n")
}

// itemsView lists the rollback's components and what happens to each.
func (m *Model) itemsView(w int) string {
	st := m.deps.Styles
	rb := m.data.rb
	n := len(rb.Selected())
	head := "Components · " + common.Plural(n, "component") + " to roll back"
	if k := len(rb.Items) - n; k > 0 {
		head += fmt.Sprintf(", %d kept", k)
	}
	typeW := m.typeWidth()
	lines := []string{st.Section.Render(ansi.Truncate(head, w, "…"))}
	for _, it := range rb.Items {
		action, style := string(it.Action), st.Normal
		if it.Action == model.RollbackDelete {
			style = st.Removed
		}
		if it.Keep {
			action, style = "Keep", st.Muted
		}
		line := style.Render(pad(action, 10)) + st.Muted.Render(pad(it.Component.Type, typeW+2)) + it.Component.FullName
		lines = append(lines, ansi.Truncate(line, w, "…"))
	}
	return strings.Join(lines, "\n")
}

// approversView lists who approves the rollback and their decisions.
func (m *Model) approversView(w int) string {
	st := m.deps.Styles
	rb := m.data.rb
	lines := []string{st.Section.Render("Approvers")}
	if len(rb.Approvers) == 0 {
		lines = append(lines, wrapped(st.Warning, w, "None: its change request lists no approver but "+rb.Requester+", so it cannot be submitted."))
	}
	scope := rb.ScopeHash()
	for _, a := range rb.Approvers {
		you := ""
		if a.User == m.deps.Svc.User {
			you = " (you)"
		}
		var mark, state string
		style := st.Muted
		switch {
		case a.Decision == model.DecisionNone:
			mark, state = "○", "waiting"
		case a.ScopeHash != scope:
			mark, state, style = "!", strings.ToLower(string(a.Decision))+" an earlier scope", st.Warning
		case a.Decision == model.DecisionApproved:
			mark, state, style = "✓", "approved", st.Success
		default:
			mark, state, style = "✗", "rejected", st.Error
		}
		line := style.Render(mark) + " " + a.User + you + " " + st.Muted.Render(state)
		if a.Comment != "" {
			line += st.Muted.Render(" · “" + a.Comment + "”")
		}
		lines = append(lines, ansi.Truncate(line, w, "…"))
	}
	return strings.Join(lines, "\n")
}

// logsView lists the rollback's Deployment Logs with their failures.
func (m *Model) logsView(w int) string {
	st := m.deps.Styles
	rb := m.data.rb
	lines := []string{st.Section.Render("Log")}
	if len(m.data.logs) == 0 {
		lines = append(lines, st.Muted.Render("Not run yet."))
	}
	cut := func(s string) string { return ansi.Truncate(s, w, "…") }
	for _, l := range m.data.logs {
		status := string(l.Status)
		lines = append(lines, cut(st.Bold.Render(l.Key())+"  "+statusStyle(st, status).Render(status)+"  "+l.Message))
		who := "  " + l.User + " · " + l.Started.Local().Format("2006-01-02 15:04")
		if !l.Completed.IsZero() {
			who += " → " + l.Completed.Local().Format("15:04")
		}
		if l.JobID != "" {
			who += " · job " + l.JobID
		}
		lines = append(lines, st.Muted.Render(cut(who)))
		for _, f := range l.ComponentFailures {
			lines = append(lines, indent(m.failure(componentLine(f), w-2)))
		}
		for _, f := range l.TestFailures {
			lines = append(lines, indent(m.failure(testLine(f), w-2)))
		}
		for _, c := range l.CoverageWarnings {
			lines = append(lines, cut("  "+st.Warning.Render("! ")+oneLine(c)))
		}
	}
	if n := len(m.data.logs); rb.Status == model.RollbackFailed && n > 0 && m.data.logs[n-1].Status == model.LogRollbackCompleted {
		lines = append(lines, wrapped(st.Warning, w, "The deploy succeeded but "+rb.Target+
			" did not match the pre-deploy copies afterwards: compare it before running again."))
	}
	return strings.Join(lines, "\n")
}

// panelView is the live panel of this session's run of the rollback shown,
// or "" when there is none: what runs, the spinner and elapsed time, the
// org's status, the components and tests counters, the failures as they
// arrive, and how it ended.
func (m *Model) panelView(w int) string {
	if !m.loaded || m.loadErr != nil || m.builder() {
		return ""
	}
	r := m.runs[m.data.rb.ID]
	if r == nil {
		return ""
	}
	st := m.deps.Styles
	elapsed := st.Muted.Render(clock(r.elapsed(m.deps.Svc.Now())))
	what := common.Plural(r.n, "component") + " in " + r.target
	var lines []string
	switch {
	case !r.done:
		lines = append(lines, spread(m.spin.View()+" "+st.Bold.Render("Rolling back "+what), elapsed, w))
		state := string(r.status)
		switch {
		case r.deployed:
			state = "Validating " + r.target + " against the pre-deploy snapshot…"
		case r.detail != "":
			state += " · " + r.detail
		}
		lines = append(lines, st.Muted.Render(ansi.Truncate(state, w, "…")))
	case r.err == nil:
		lines = append(lines, spread(st.Success.Render("✓ Rolled Back · "+what), elapsed, w),
			wrapped(st.Muted, w, "Validated: "+r.target+" is back to its pre-deploy copies."))
	default:
		lines = append(lines, spread(st.Error.Render("✗ Rollback failed · "+what), elapsed, w),
			wrapped(st.Error, w, r.err.Error()))
	}
	// Once it ended the log below holds the counters: the bars go.
	if !r.done {
		lines = append(lines, m.counters(r.job, w)...)
	}
	failures := r.errs
	if len(failures) > maxErrLines {
		lines = append(lines, st.Muted.Render(fmt.Sprintf("… %d earlier failures (in the log below)", len(failures)-maxErrLines+1)))
		failures = failures[len(failures)-maxErrLines+1:]
	}
	for _, f := range failures {
		lines = append(lines, m.failure(f, w))
	}
	return strings.Join(lines, "\n") + "\n"
}

// counters are the org job's progress bars: components, and tests when
// the job runs any, with their error counts.
func (m *Model) counters(j actions.Event, w int) []string {
	st := m.deps.Styles
	var lines []string
	barW := min(barMaxW, max(10, w-32))
	counter := func(label string, done, total int, errs string) string {
		s := pad(label, 12) + m.bar(done, total, barW) + fmt.Sprintf("  %d/%d", done, total)
		if errs != "" {
			s += st.Error.Render(" · " + errs)
		}
		return ansi.Truncate(s, w, "…")
	}
	var errs string
	if j.ComponentErrors > 0 {
		errs = common.Plural(j.ComponentErrors, "error")
	}
	lines = append(lines, counter("Components", j.ComponentsDeployed, j.ComponentsTotal, errs))
	if j.TestsTotal > 0 {
		errs = ""
		if j.TestErrors > 0 {
			errs = fmt.Sprintf("%d failed", j.TestErrors)
		}
		lines = append(lines, counter("Tests", j.TestsCompleted, j.TestsTotal, errs))
	}
	return lines
}

// failure renders one failure wrapped to w cells under its mark, at most
// two lines: the problem comes first and must not be cut.
func (m *Model) failure(text string, w int) string {
	st := m.deps.Styles
	lines := strings.Split(wrapped(st.Normal, max(1, w-2), text), "\n")
	if len(lines) > 2 {
		lines = []string{lines[0], ansi.Truncate(lines[1], w-3, "…") + "…"}
	}
	for i := range lines {
		lines[i] = "  " + lines[i]
	}
	lines[0] = st.Error.Render("✗") + lines[0][1:]
	return strings.Join(lines, "\n")
}

// bar draws done of total as a w-cell bar.
func (m *Model) bar(done, total, w int) string {
	st := m.deps.Styles
	n := 0
	if total > 0 {
		n = min(w, w*done/total)
	}
	return st.Accent.Render(strings.Repeat("█", n)) + st.Muted.Render(strings.Repeat("░", w-n))
}

// clock renders d as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	h, mi, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, mi, s)
	}
	return fmt.Sprintf("%d:%02d", mi, s)
}
