package approvals

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/common"
)

// Layout: a row is two lines (what, then who/where); the preview pane
// appears once the terminal is wide enough for both it and readable rows.
const (
	rowLines     = 2
	previewMinW  = 110
	staleMarker  = "⚠ scope changed since you approved"
	listMinWidth = 50
	listMaxWidth = 90
)

// View implements common.Screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lw := m.listWidth()
	left := m.listView(lw)
	if lw == m.width {
		return left
	}
	right := m.previewView(m.width-lw-1, m.height)
	return lipgloss.JoinHorizontal(lipgloss.Top, left, " ", right)
}

// listWidth is the width of the queue column; the rest goes to the preview.
func (m *Model) listWidth() int {
	if m.width < previewMinW {
		return m.width
	}
	return max(listMinWidth, min(m.width/2, listMaxWidth))
}

// headerView is the line over the queue and a blank line under it: whose
// queue, then what is being recorded or which rows are shown (visible of
// them fit).
func (m *Model) headerView(w, visible int) string {
	st := m.deps.Styles
	title := st.Header.Render("Waiting for " + m.deps.Svc.User)
	var right string
	switch {
	case m.busy != "":
		verb := "Rejecting "
		if m.deciding.approve {
			verb = "Approving "
		}
		right = st.Accent.Render(verb + m.busy + "…")
	case m.total > visible:
		last := min(m.offset+visible, len(m.items))
		right = st.Muted.Render(fmt.Sprintf("%d–%d of %d", m.offset+1, last, m.total))
	case len(m.items) > 0:
		right = st.Muted.Render(fmt.Sprintf("%d waiting", m.total))
	}
	gap := max(1, w-lipgloss.Width(title)-lipgloss.Width(right))
	return ansi.Truncate(title+strings.Repeat(" ", gap)+right, w, "…") + "\n"
}

// rowsVisible is how many rows fit under the header. The header's height
// does not depend on how many rows fit, so it is measured with none.
func (m *Model) rowsVisible() int {
	return max(1, (m.height-lipgloss.Height(m.headerView(m.width, 0)))/rowLines)
}

func (m *Model) listView(w int) string {
	st := m.deps.Styles
	header := m.headerView(w, m.rowsVisible())
	bodyH := m.height - lipgloss.Height(header)
	var body string
	switch {
	case m.dialog.Open():
		body = lipgloss.Place(w, bodyH, lipgloss.Center, lipgloss.Center, m.dialog.View())
	case !m.loaded:
		body = st.Muted.Render("Loading…")
	case m.loadErr != nil:
		body = st.Error.Width(w).Render("Could not read the approvals queue: " + m.loadErr.Error())
	case len(m.items) == 0:
		msg := st.Bold.Render("Nothing waiting for you") + "\n\n" +
			st.Muted.Width(min(w, 60)).Align(lipgloss.Center).Render(
				"Change requests, deployments and rollbacks that need "+m.deps.Svc.User+"'s decision appear here.")
		body = lipgloss.Place(w, bodyH, lipgloss.Center, lipgloss.Center, msg)
	default:
		// Only the visible window is rendered, however long the queue.
		end := min(m.offset+m.rowsVisible(), len(m.items))
		rows := make([]string, 0, end-m.offset)
		for i := m.offset; i < end; i++ {
			rows = append(rows, m.rowView(m.items[i], i == m.cursor, w))
		}
		body = strings.Join(rows, "\n")
	}
	return lipgloss.JoinVertical(lipgloss.Left, header, body)
}

// rowView renders one waiting item in two lines:
//
//	▌ CR-0003  Add Region field to Account                 2h ago
//	▌ Change Request · alice · production · ⚠ scope changed…
func (m *Model) rowView(w actions.Waiting, selected bool, width int) string {
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
	inner := width - 2
	key, age := w.Key(), common.Ago(m.deps.Svc.Now(), w.UpdatedAt)
	nameW := max(0, inner-len(key)-2-lipgloss.Width(age)-1)
	name := ansi.Truncate(nameOf(w), nameW, "…")
	gap := inner - len(key) - 2 - lipgloss.Width(name) - lipgloss.Width(age)
	keyStyle, nameStyle := st.Bold, st.Normal
	if selected {
		keyStyle, nameStyle = st.Selected, st.Selected
	}
	line1 := marker + paint(keyStyle, key+"  ") + paint(nameStyle, name) +
		paint(st.Normal, strings.Repeat(" ", max(1, gap))) + paint(st.Muted, age)

	who := kindOf(w) + " · " + requesterOf(w) + " · " + envsOf(w)
	stale := ""
	if w.Stale {
		stale = " · " + staleMarker
	}
	who = ansi.Truncate(who, inner, "…")
	stale = ansi.Truncate(stale, max(0, inner-lipgloss.Width(who)), "…")
	fill := inner - lipgloss.Width(who) - lipgloss.Width(stale)
	line2 := marker + paint(st.Muted, who) + paint(st.Warning, stale) + paint(st.Normal, strings.Repeat(" ", fill))
	return line1 + "\n" + line2
}

// previewView renders the selected item in a bordered pane of w×h cells.
func (m *Model) previewView(w, h int) string {
	st := m.deps.Styles
	pane := st.Pane.Padding(0, 1)
	cw := w - pane.GetHorizontalFrameSize()
	ch := h - pane.GetVerticalFrameSize()
	var content string
	if len(m.items) == 0 {
		content = st.Muted.Render("Select an item to see what you are approving.")
	} else {
		content = m.previewContent(m.items[m.cursor], cw)
	}
	return pane.Width(w - pane.GetHorizontalBorderSize()).Height(h - pane.GetVerticalBorderSize()).
		Render(common.CutLines(content, ch, st.Muted.Render("…")))
}

// previewContent is what the user decides on: the facts, a warning when
// their earlier decision no longer counts, the scope, and every approver.
func (m *Model) previewContent(w actions.Waiting, cw int) string {
	st := m.deps.Styles
	now := m.deps.Svc.Now()
	wrap := st.Normal.Width(cw)
	field := func(label, value string) string {
		return st.Label.Render(label) + wrap.Width(max(1, cw-st.Label.GetWidth())).Render(value)
	}
	var facts, sections []string
	var approvers []model.Approver
	var scope string
	if cr := w.CR; cr != nil {
		approvers, scope = cr.Approvers, cr.ScopeHash()
		facts = []string{
			field("Kind", "Change Request · "+string(cr.ChangeType)),
			field("Status", string(cr.Status())),
			field("Requester", cr.Requester),
			field("Home", cr.Env),
		}
		if strings.TrimSpace(cr.Overview) != "" {
			sections = append(sections, st.Section.Render("Overview"), wrap.Render(cr.Overview))
		}
		added := map[metadata.Component]bool{}
		for _, c := range cr.AddedAfterApproval {
			added[c] = true
		}
		sections = append(sections, st.Section.Render("Scope · "+common.Plural(len(cr.Components()), "component")))
		sections = append(sections, m.componentLines(cr.Customizations, cr.Proposed, added, cw)...)
	} else if rb := w.Rollback; rb != nil {
		approvers, scope = rb.Approvers, rb.ScopeHash()
		crText := model.FormatID(model.PrefixChangeRequest, rb.CR)
		if name := m.crNames[rb.CR]; name != "" {
			crText += " " + name
		}
		facts = []string{
			field("Kind", "Rollback"),
			field("Undoes", model.FormatID(model.PrefixDeployment, rb.Deployment)+" of "+crText),
			field("In", rb.Target),
			field("Requester", rb.Requester),
		}
		sections = append(sections, st.Section.Render("Rolls back · "+common.Plural(len(rb.Selected()), "component")))
		for _, it := range rb.Selected() {
			sections = append(sections, ansi.Truncate(st.Muted.Render(fmt.Sprintf("%-8s ", it.Action))+it.Component.String(), cw, "…"))
		}
	} else {
		d := w.Deployment
		approvers, scope = d.Approvers, d.ScopeHash()
		crText := model.FormatID(model.PrefixChangeRequest, d.CR)
		if name := m.crNames[d.CR]; name != "" {
			crText += " " + name
		}
		level := string(d.TestLevel)
		if len(d.Tests) > 0 {
			level += ": " + strings.Join(d.Tests, ", ")
		}
		facts = []string{
			field("Kind", "Deployment"),
			field("For", crText),
			field("From → to", d.Source+" → "+d.Target),
			field("Test level", level),
			field("Requester", d.Requester),
		}
		sections = append(sections, st.Section.Render("Scope · "+common.Plural(len(d.Components), "component")))
		sections = append(sections, m.componentLines(d.Components, nil, nil, cw)...)
		if len(d.Destructive) > 0 {
			sections = append(sections, st.Section.Render("Destructive · "+common.Plural(len(d.Destructive), "component")))
			sections = append(sections, m.componentLines(d.Destructive, nil, nil, cw)...)
		}
	}
	parts := append([]string{wrap.Inherit(st.Bold).Render(w.Key() + " · " + nameOf(w))}, facts...)
	parts = append(parts, field("Waiting", "since "+common.When(now, w.UpdatedAt)))
	if w.Stale {
		parts = append(parts, "", st.Warning.Width(cw).Render(staleNote(approvers, scope, m.deps.Svc.User)))
	}
	parts = append(append(parts, sections...), st.Section.Render("Approvers"))
	for _, a := range approvers {
		parts = append(parts, m.approverLine(a, scope, cw))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// staleNote says why the user must decide again.
func staleNote(approvers []model.Approver, scope, user string) string {
	for _, a := range approvers {
		if a.User == user && a.Decision != model.DecisionNone && a.ScopeHash != scope {
			return fmt.Sprintf("⚠ The scope changed since you %s it on %s: your decision no longer counts, decide again.",
				strings.ToLower(string(a.Decision)), a.At.Local().Format("2006-01-02 15:04"))
		}
	}
	return staleMarker
}

func (m *Model) approverLine(a model.Approver, scope string, cw int) string {
	st := m.deps.Styles
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
	return ansi.Truncate(line, cw, "…")
}

// componentLines lists components as "Type  FullName", types aligned,
// then the proposed ones; components added after approval are flagged.
func (m *Model) componentLines(cs, proposed []metadata.Component, added map[metadata.Component]bool, cw int) []string {
	st := m.deps.Styles
	typeW := 0
	for _, c := range append(append([]metadata.Component{}, cs...), proposed...) {
		typeW = max(typeW, lipgloss.Width(c.Type))
	}
	line := func(c metadata.Component, note string) string {
		text := st.Muted.Render(c.Type+strings.Repeat(" ", typeW-lipgloss.Width(c.Type)+2)) + c.FullName
		if note != "" {
			text += " " + st.Muted.Render(note)
		}
		if added[c] {
			text += " " + st.Warning.Render("added after approval")
		}
		return ansi.Truncate(text, cw, "…")
	}
	out := make([]string, 0, len(cs)+len(proposed))
	for _, c := range cs {
		out = append(out, line(c, ""))
	}
	for _, c := range proposed {
		out = append(out, line(c, "(proposed)"))
	}
	return out
}

func nameOf(w actions.Waiting) string {
	switch {
	case w.CR != nil:
		return w.CR.Name
	case w.Rollback != nil:
		return "rollback of " + model.FormatID(model.PrefixDeployment, w.Rollback.Deployment) + " in " + w.Rollback.Target
	}
	return model.FormatID(model.PrefixChangeRequest, w.Deployment.CR) + " → " + w.Deployment.Target
}

func kindOf(w actions.Waiting) string {
	switch {
	case w.CR != nil:
		return "Change Request"
	case w.Rollback != nil:
		return "Rollback"
	}
	return "Deployment"
}

func requesterOf(w actions.Waiting) string {
	switch {
	case w.CR != nil:
		return w.CR.Requester
	case w.Rollback != nil:
		return w.Rollback.Requester
	}
	return w.Deployment.Requester
}

func envsOf(w actions.Waiting) string {
	switch {
	case w.CR != nil:
		return w.CR.Env
	case w.Rollback != nil:
		return w.Rollback.Target
	}
	return w.Deployment.Source + " → " + w.Deployment.Target
}
