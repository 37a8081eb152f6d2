package deploy

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/theme"
)

// barLabelWidth is the width of "Components " in front of a progress bar.
const barLabelWidth = len("Components ")

// minDetails is the fewest lines the details keep below a long error list.
const minDetails = 3

// View implements common.Screen. Its cost does not grow with the number of
// errors or logs: the error list draws its window, the details a viewport
// over lines built once per load.
func (m *Detail) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.deps.Styles
	top := m.topView()
	switch {
	case m.dialog.Open():
		bodyH := max(1, m.height-lipgloss.Height(top))
		return top + "\n" + lipgloss.Place(m.width, bodyH, lipgloss.Center, lipgloss.Center, m.dialog.View())
	case m.data == nil && m.loadErr != nil:
		return top + "\n\n" + st.Error.Render(ansi.Wrap("Could not load "+model.FormatID(model.PrefixDeployment, m.id)+": "+m.loadErr.Error(), m.width, " "))
	case m.data == nil:
		return top + "\n\n" + m.spinner.View() + " Loading…"
	}
	parts := []string{top}
	if panel := m.panelView(); panel != "" {
		parts = append(parts, panel)
	}
	return strings.Join(append(parts, m.viewport.View()), "\n")
}

// layout sizes the details viewport to what the header and the progress
// panel leave, measuring them rather than assuming their height.
func (m *Detail) layout() {
	m.viewport.Width = m.width
	if m.width <= 0 || m.height <= 0 {
		return
	}
	topH := lipgloss.Height(m.topView())
	panelH := 0
	m.errRows = 0
	if r := m.current(); r != nil {
		head := len(m.runHead(r))
		panelH = head
		if n := len(r.errs.items); n > 0 {
			// Errors get at most half of what is left, room for at least
			// two of them, and never crowd out the details entirely.
			per := rowsPer(m.width)
			left := m.height - topH - head - 1
			rows := min(n*per, max(per, min(left-minDetails, max(2*per, left/2))))
			m.errRows = rows - rows%per
			panelH += 1 + m.errRows
		}
	}
	m.viewport.Height = max(1, m.height-topH-panelH)
}

// topView is the fixed part: key, change request and status; the facts
// line; the stages; and a note on what to do next or what runs now.
func (m *Detail) topView() string {
	st := m.deps.Styles
	key := model.FormatID(model.PrefixDeployment, m.id)
	if m.data == nil {
		return st.Title.Render(key)
	}
	d, cr := m.data.d, m.data.cr
	status := recordStyle(st, d.Status).Render(string(d.Status))
	nameW := max(1, m.width-lipgloss.Width(key)-lipgloss.Width(status)-4)
	title := st.Title.Render(key) + "  " + st.Bold.Render(ansi.Truncate(cr.Key()+" "+oneLine(cr.Name), nameW, "…"))
	gap := max(1, m.width-lipgloss.Width(title)-lipgloss.Width(status))
	facts := fmt.Sprintf("%s → %s · %s%s · %s · requested by %s", d.Source, d.Target, d.TestLevel,
		testsSuffix(d.Tests), common.Plural(len(d.Components), "component"), d.Requester)
	lines := []string{title + strings.Repeat(" ", gap) + status, st.Muted.Render(ansi.Truncate(facts, m.width, "…")), m.stripView()}
	if note := m.noteView(); note != "" {
		lines = append(lines, note)
	}
	return strings.Join(lines, "\n")
}

// stages is what the stored logs say, overlaid by this session's run of
// the record while it runs (and until the reload after it arrives).
func (m *Detail) stages() [5]stageState {
	s := stagesOf(m.data.d, m.logs())
	if r := m.current(); r != nil && (!r.done || m.data == nil || m.data.seq < r.reloadSeq) {
		if r.plan[0] == 0 {
			// A new package makes every later stage's result stale.
			s = [5]stageState{}
		}
		for _, i := range r.plan {
			s[i] = r.stages[i]
		}
	}
	return s
}

// stripView is "✓ Retrieve ▸ ✓ Dependencies ▸ ⠋ Validate ▸ ○ Deploy ▸ ○ Verify",
// with each state spelled out when the line has room.
func (m *Detail) stripView() string {
	st := m.deps.Styles
	states := m.stages()
	render := func(words bool) string {
		parts := make([]string, len(states))
		for i, s := range states {
			var glyph string
			name := stageNames[i]
			switch s {
			case stageRunning:
				glyph, name = m.spinner.View(), st.Bold.Render(name)
			case stageDone:
				glyph = st.Success.Render("✓")
			case stageFailed:
				glyph, name = st.Error.Render("✗"), st.Error.Render(name)
			case stageSkipped:
				glyph, name = st.Muted.Render("–"), st.Muted.Render(name)
			case stageWarned:
				glyph, name = st.Warning.Render("!"), st.Warning.Render(name)
			case stageCancelled:
				glyph, name = st.Warning.Render("⊘"), st.Warning.Render(name)
			default:
				glyph, name = st.Muted.Render("○"), st.Muted.Render(name)
			}
			parts[i] = glyph + " " + name
			if words {
				parts[i] += " " + st.Muted.Render(s.String())
			}
		}
		return strings.Join(parts, st.Muted.Render(" ▸ "))
	}
	if line := render(true); lipgloss.Width(line) <= m.width {
		return line
	}
	return ansi.Truncate(render(false), m.width, "…")
}

// noteView says what runs now, or what the record waits for and how to
// move it on; "" when the stages say it all.
func (m *Detail) noteView() string {
	st := m.deps.Styles
	d, cr := m.data.d, m.data.cr
	var note string
	style := st.Warning
	switch {
	case m.busy != "":
		return m.spinner.View() + " " + m.busy
	case d.Status == model.DeployDraft:
		note = "Draft: the requester submits it (s) for approval by " + approverList(d.Approvers) + "."
	case d.Status == model.DeployRejected:
		note = "Rejected" + rejection(d.Approvers) + " The requester can submit it again (s)."
	case d.ApprovalStatus == model.ApprovalPending:
		note = "Waiting for " + waitingFor(d, m.data.scope) + " to approve."
	case d.Status == model.DeployVerified && m.keys.Complete.Enabled():
		note, style = "Verified: C completes "+cr.Key()+".", st.Success
	case d.Status == model.DeployRolledBack:
		note, style = "Rolled back"+rolledBackBy(m.data.rollbacks)+" in "+d.Target+". b shows the rollback.", st.Muted
	case d.Status == model.DeployVerified:
		return ""
	case d.Status == model.DeployOutcomeUnknown:
		note, style = "Submitted — outcome unknown: the answer to the deploy was lost, so "+d.Target+" may have deployed it. "+
			"Resuming looks the job up in the org; a release manager can abandon it with a reason.", st.Error
	default:
		l, running := runningLog(m.data.logs)
		r := m.current()
		switch {
		case running && (r == nil || r.done):
			note = fmt.Sprintf("A %s job (%s) runs in %s, started by %s: c cancels it.", l.Kind, l.JobID, d.Target, l.User)
		case running:
			return ""
		default:
			if err := m.data.blocked; err != nil {
				note = "Deploy Changes is blocked: " + problem(err)
			}
		}
	}
	if note == "" {
		return ""
	}
	// Two lines at most: the note explains, the details below go on.
	lines := strings.Split(ansi.Wrap(note, m.width, " "), "\n")
	if len(lines) > 2 {
		lines = lines[:2]
		lines[1] = ansi.Truncate(lines[1]+" …", m.width, "…")
	}
	return style.Render(strings.Join(lines, "\n"))
}

// rolledBackBy is " by RB-0001" naming the rollback that completed.
func rolledBackBy(rbs []model.Rollback) string {
	if rb, ok := model.CompletedRollback(rbs); ok {
		return " by " + rb.Key()
	}
	return ""
}

// rollbackStyle colours a rollback's status like a record's.
func rollbackStyle(st *theme.Styles, s model.RollbackStatus) lipgloss.Style {
	switch s {
	case model.RollbackDone:
		return st.Success
	case model.RollbackFailed, model.RollbackRejected:
		return st.Error
	case model.RollbackDraft:
		return st.Accent
	}
	return st.Warning
}

// hint wraps a sentence under a section, indented by two.
func (m *Detail) hint(style lipgloss.Style, text string) []string {
	lines := strings.Split(ansi.Wrap(text, max(10, m.width-2), " "), "\n")
	for i, l := range lines {
		lines[i] = "  " + style.Render(l)
	}
	return lines
}

func approverList(as []model.Approver) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.User
	}
	if len(names) == 0 {
		return "nobody yet"
	}
	return strings.Join(names, ", ")
}

// rejection is " by bob: “comment”." naming who rejected and why.
func rejection(as []model.Approver) string {
	for _, a := range as {
		if a.Decision == model.DecisionRejected {
			return " by " + a.User + ": “" + strings.TrimRight(oneLine(a.Comment), ".") + "”."
		}
	}
	return "."
}

// waitingFor lists the approvers whose decision on the current scope (its
// hash) is still missing.
func waitingFor(d model.DeploymentRecord, scope string) string {
	var names []string
	for _, a := range d.Approvers {
		if a.Decision == model.DecisionNone || a.ScopeHash != scope {
			names = append(names, a.User)
		}
	}
	return strings.Join(names, ", ")
}

// panelView is the run of the record on screen: what runs and for how
// long, the progress bars, and the errors' window.
func (m *Detail) panelView() string {
	r := m.current()
	if r == nil {
		return ""
	}
	st := m.deps.Styles
	lines := m.runHead(r)
	if n := len(r.errs.items); n > 0 && m.errRows > 0 {
		head := st.Error.Render(fmt.Sprintf("Errors (%d)", n))
		switch {
		case m.focus == focusErrors:
			head += st.Muted.Render(" · ↑/↓ scroll · tab details")
		case n > shown(m.errRows, m.width):
			head += st.Muted.Render(" · tab to scroll them")
		}
		lines = append(lines, head, r.errs.view(st, m.width, m.errRows))
	}
	return strings.Join(lines, "\n")
}

// runHead is the panel above the errors: one line saying what runs (or
// how it ended), the org's own words, and the progress bars.
func (m *Detail) runHead(r *run) []string {
	st := m.deps.Styles
	fit := func(s string) string { return ansi.Truncate(s, m.width, "…") }
	took := common.Duration(r.elapsed(m.clock))
	var lines []string
	switch {
	case !r.done:
		parts := []string{r.step.String()}
		if name := stageNames[r.current]; name != parts[0] {
			parts[0] += " · " + name
		}
		if r.status != "" {
			parts = append(parts, string(r.status))
		}
		parts = append(parts, took+" elapsed")
		if left, ok := r.eta.left(m.clock); ok && left >= time.Second {
			parts = append(parts, "about "+common.Duration(left)+" left")
		} else if ok {
			parts = append(parts, "almost done")
		} else if r.job.ComponentsTotal+r.job.TestsTotal > 0 {
			parts = append(parts, "estimating time left…")
		}
		lines = append(lines, fit(m.spinner.View()+" "+st.Bold.Render(strings.Join(parts, " · "))))
		if r.detail != "" {
			lines = append(lines, st.Muted.Render(fit("  "+oneLine(r.detail))))
		}
	case r.quickRefused():
		lines = append(lines, st.Warning.Render(fit("! Quick deploy was not possible: "+quickWhy(r.err))))
		return lines
	case r.cancelled():
		lines = append(lines, st.Warning.Render(fit(fmt.Sprintf("⊘ %s cancelled after %s", r.step, took))))
	case r.err != nil:
		lines = append(lines, st.Error.Render(fit(fmt.Sprintf("✗ %s failed after %s", r.step, took))),
			st.Error.Render(fit("  "+failure(r.err))))
	case r.step == stepDependencies && r.stages[1] == stageWarned:
		lines = append(lines, st.Warning.Render(fit(fmt.Sprintf("! %s finished in %s with missing components", r.step, took))))
		if r.detail != "" {
			lines = append(lines, fit("  "+oneLine(r.detail)))
		}
	default:
		lines = append(lines, st.Success.Render(fit(fmt.Sprintf("✓ %s finished in %s", r.step, took))))
		if r.detail != "" {
			lines = append(lines, fit("  "+oneLine(r.detail)))
		}
	}
	if r.step == stepRetrieve || r.step == stepDependencies {
		return lines
	}
	j := r.job
	none := " none reported yet"
	if r.done {
		none = " none"
	}
	lines = append(lines, m.barLine("Components", r.compBar, r.done, j.ComponentsDeployed, j.ComponentsTotal, none, common.Plural(j.ComponentErrors, "error")),
		m.barLine("Tests", r.testBar, r.done, j.TestsRun(), j.TestsTotal, none, fmt.Sprintf("%d failed", j.TestErrors)))
	return lines
}

// barLine is "Components ██████░░░░ 12/14 · 1 error"; none stands in for
// the counters when the org reported no total, bad is shown unless it
// counts zero. A finished run's bar shows where it ended, animation or not.
func (m *Detail) barLine(label string, bar progress.Model, done bool, n, total int, none, bad string) string {
	st := m.deps.Styles
	view := bar.View()
	if done {
		view = bar.ViewAs(bar.Percent())
	}
	line := st.Muted.Render(fmt.Sprintf("%-*s", barLabelWidth, label)) + view
	switch {
	case total > 0:
		line += fmt.Sprintf(" %d/%d", n, total)
	default:
		line += st.Muted.Render(none)
	}
	if !strings.HasPrefix(bad, "0 ") {
		line += st.Error.Render(" · " + bad)
	}
	return ansi.Truncate(line, m.width, "…")
}

// barWidth leaves room beside the bar for its label and counters.
func (m *Detail) barWidth() int { return max(10, min(40, m.width-barLabelWidth-24)) }

// refreshContent rebuilds the details below the panel; they change only
// when the record is loaded again or the width changes.
func (m *Detail) refreshContent() {
	if m.data == nil || m.width <= 0 {
		return
	}
	m.viewport.SetContent(strings.Join(m.detailLines(), "\n"))
}

// detailLines are the approvals, components, package, dependencies,
// validation and logs of the record.
func (m *Detail) detailLines() []string {
	st := m.deps.Styles
	d := m.data.d
	fit := func(s string) string { return ansi.Truncate(s, m.width, "…") }
	var out []string
	section := func(title, note string) {
		out = append(out, "", fit(st.Header.Render(title)+"  "+st.Muted.Render(note)))
	}

	section("Approvals", string(d.ApprovalStatus))
	scope := m.data.scope
	nameW := 0
	for _, a := range d.Approvers {
		nameW = max(nameW, len(a.User))
	}
	for _, a := range d.Approvers {
		name := fmt.Sprintf("%-*s", nameW, a.User)
		switch {
		case a.Decision == model.DecisionNone:
			out = append(out, fit("  "+st.Muted.Render("○")+" "+name+"  "+st.Muted.Render("has not decided")))
		case a.ScopeHash != scope:
			out = append(out, fit("  "+st.Warning.Render("!")+" "+name+"  "+st.Warning.Render(string(a.Decision)+" an earlier scope: no longer counts")))
		default:
			mark, style := st.Success.Render("✓"), st.Success
			if a.Decision == model.DecisionRejected {
				mark, style = st.Error.Render("✗"), st.Error
			}
			line := "  " + mark + " " + name + "  " + style.Render(string(a.Decision)) + "  " + st.Muted.Render(a.At.Local().Format(timeLayout))
			if a.Comment != "" {
				line += "  " + oneLine(a.Comment)
			}
			out = append(out, fit(line))
		}
	}

	section("Components", fmt.Sprint(len(d.Components)))
	for _, c := range d.Components {
		out = append(out, fit("  "+c.String()))
	}
	if len(d.Destructive) > 0 {
		section("Destructive", fmt.Sprint(len(d.Destructive)))
		for _, c := range d.Destructive {
			out = append(out, fit("  "+st.Removed.Render(c.String())))
		}
	}

	out = append(out, m.packageLines()...)
	out = append(out, m.dependencyLines()...)
	out = append(out, m.validationLines()...)

	if rbs := m.data.rollbacks; len(rbs) > 0 {
		section("Rollbacks", fmt.Sprint(len(rbs))+" · b opens them")
		for _, rb := range rbs {
			out = append(out, fit(fmt.Sprintf("  %s  %s  %s  requested by %s", rb.Key(),
				rollbackStyle(st, rb.Status).Render(fmt.Sprintf("%-12s", rb.Status)), common.Plural(len(rb.Selected()), "component"), rb.Requester)))
		}
	}

	if len(m.data.logs) == 0 {
		section("Logs", "none yet")
		return out
	}
	section("Logs", common.Plural(len(m.data.logs), "attempt")+" · l shows them with their failures")
	for i := len(m.data.logs) - 1; i >= 0; i-- {
		l := m.data.logs[i]
		status := logStyle(st, l.Status).Render(fmt.Sprintf("%-22s", l.Status))
		what := l.Message
		if what == "" {
			what = common.Counters(l)
		}
		out = append(out, fit(fmt.Sprintf("  #%-3d %-12s %s %s  %s", l.ID, l.Kind, status,
			st.Muted.Render(l.Started.Local().Format(timeLayout)), oneLine(what))))
	}
	return out
}

func (m *Detail) packageLines() []string {
	st := m.deps.Styles
	d := m.data.d
	fit := func(s string) string { return ansi.Truncate(s, m.width, "…") }
	p := d.Package
	if p == nil {
		return []string{"", fit(st.Header.Render("Package") + "  " + st.Muted.Render("not retrieved yet from "+d.Source))}
	}
	out := []string{"", fit(st.Header.Render("Package") + "  " + st.Muted.Render(fmt.Sprintf("%s · %s · retrieved %s (%s)",
		common.Plural(len(p.Components), "component"), size(p.Size), p.RetrievedAt.Local().Format(timeLayout), relTime(m.clock, p.RetrievedAt)))),
		fit("  sha256 " + p.SHA256)}
	if len(p.Missing) > 0 {
		names := make([]string, len(p.Missing))
		for i, c := range p.Missing {
			names[i] = c.String()
		}
		out = append(out, m.hint(st.Warning, fmt.Sprintf("Not in %s yet, so not in the package: %s", d.Source, strings.Join(names, ", ")))...)
	}
	return out
}

func (m *Detail) dependencyLines() []string {
	st := m.deps.Styles
	d := m.data.d
	fit := func(s string) string { return ansi.Truncate(s, m.width, "…") }
	head := st.Header.Render("Dependencies") + "  "
	if d.Package == nil {
		return nil
	}
	if d.Dependencies == nil {
		if finished(d) {
			return nil
		}
		return []string{"", fit(head + st.Muted.Render("not checked yet for this package"))}
	}
	counts := map[string]int{}
	for _, dep := range d.Dependencies {
		counts[dep.Where]++
	}
	out := []string{"", fit(head + st.Muted.Render(fmt.Sprintf("%d references: %d in the package · %d in %s · %d missing",
		len(d.Dependencies), counts[actions.InPackage], counts[actions.InTarget], d.Target, counts[actions.Missing])))}
	switch missing := m.data.missing; {
	case len(missing) > 0:
		out = append(out, m.hint(st.Warning, fmt.Sprintf("a adds the %s to %s and to %s; both then need approving again.",
			common.Plural(len(missing), "missing component"), m.data.cr.Key(), d.Key()))...)
	case counts[actions.Missing] > 0:
		out = append(out, m.hint(st.Warning, fmt.Sprintf("The missing ones are on %s now; it is %s.", m.data.cr.Key(), m.data.cr.Status()))...)
	}
	// One row per referenced component, naming everything that refers to it.
	for i := 0; i < len(d.Dependencies); {
		dep := d.Dependencies[i]
		var from []string
		for ; i < len(d.Dependencies) && d.Dependencies[i].To == dep.To && d.Dependencies[i].Where == dep.Where; i++ {
			from = append(from, d.Dependencies[i].From.String())
		}
		var mark string
		switch dep.Where {
		case actions.Missing:
			mark = st.Error.Render("✗ missing   ")
		case actions.InTarget:
			mark = st.Success.Render("✓ in target ")
		default:
			mark = st.Success.Render("✓ in package")
		}
		out = append(out, fit("  "+mark+" "+dep.To.String()+st.Muted.Render("  ← "+strings.Join(from, ", "))))
	}
	return out
}

func (m *Detail) validationLines() []string {
	st := m.deps.Styles
	d := m.data.d
	fit := func(s string) string { return ansi.Truncate(s, m.width, "…") }
	head := st.Header.Render("Validation") + "  "
	if d.ValidationID == "" {
		if d.Package == nil || finished(d) {
			return nil
		}
		return []string{"", fit(head + st.Muted.Render("none successful for this package yet"))}
	}
	out := []string{"", fit(head + st.Muted.Render(fmt.Sprintf("%s · %s (%s)", d.ValidationID,
		d.ValidatedAt.Local().Format(timeLayout), relTime(m.clock, d.ValidatedAt))))}
	if finished(d) {
		return out
	}
	// The target's copies can only be hashed by asking the org: passing the
	// validated hash checks everything else now, and deploy checks the rest.
	if why := model.QuickDeployProblem(d, d.ValidatedTarget, m.clock); why != "" {
		out = append(out, m.hint(st.Warning, "Quick deploy is not possible: "+why+".")...)
	} else {
		until := d.ValidatedAt.Add(model.QuickDeployWindow).Local().Format(timeLayout)
		out = append(out, m.hint(st.Normal, fmt.Sprintf("Quick deploy (Q) until %s if %s's copies are unchanged; checked when you deploy.", until, d.Target))...)
	}
	return out
}

// finished reports whether d is done with: what it skipped no longer matters.
func finished(d model.DeploymentRecord) bool {
	return d.Status == model.DeployVerified || d.Status == model.DeployRolledBack
}

// size is a byte count for people: "812 B", "4.2 kB", "3.1 MB".
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}
