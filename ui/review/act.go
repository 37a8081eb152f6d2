package review

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// Dialog tags. Dialog answers are broadcast to every screen, so the tags
// name this screen.
const (
	tagCRName  = "review/cr-name"
	tagPackage = "review/package"
)

// defaultPackageDir is where P writes the manifests unless told otherwise.
const defaultPackageDir = "./relman-package"

// markOp is one viewed mark to store.
type markOp struct {
	comp   metadata.Component
	viewed bool
}

// markedMsg answers storing a viewed mark.
type markedMsg struct {
	seq int
	log model.CompareLog
	err error
}

// markCmd stores one mark; marks are stored one at a time, in order, so
// each answer's log holds every mark stored before it.
func markCmd(svc *actions.Service, logID int64, op markOp, seq int) tea.Cmd {
	return func() tea.Msg {
		l, err := svc.MarkViewed(logID, op.comp, op.viewed)
		return markedMsg{seq: seq, log: l, err: err}
	}
}

// isViewed is whether c is viewed, counting marks not stored yet.
func (m *Model) isViewed(c metadata.Component) bool {
	for i := len(m.pending) - 1; i >= 0; i-- {
		if m.pending[i].comp == c {
			return m.pending[i].viewed
		}
	}
	return m.viewed[c]
}

// markCurrent toggles the current component's viewed mark, or with next
// marks it viewed and moves to the next component still to view.
func (m *Model) markCurrent(next bool) tea.Cmd {
	e, ok := m.currentEntry()
	if !ok {
		return nil
	}
	want := next || !m.isViewed(e.comp)
	var cmds []tea.Cmd
	if m.isViewed(e.comp) != want {
		m.pending = append(m.pending, markOp{e.comp, want})
		if len(m.pending) == 1 {
			cmds = append(cmds, markCmd(m.deps.Svc, m.logID, m.pending[0], m.markSeq))
		}
	}
	m.rebuildTree()
	if next {
		cmds = append(cmds, m.nextUnviewed(e.comp))
	} else {
		cmds = append(cmds, m.followCursor())
	}
	return tea.Batch(cmds...)
}

// nextUnviewed moves to the first component to review after c, in tree
// order and around, that is not viewed (nor changed since the comparison,
// which cannot be marked).
func (m *Model) nextUnviewed(c metadata.Component) tea.Cmd {
	from := m.index[c]
	n := len(m.entries)
	for d := 1; d <= n; d++ {
		e := m.entries[(from+d)%n]
		if e.toReview() && !e.stale && !m.isViewed(e.comp) {
			return m.reveal(e.comp)
		}
	}
	toReview, stale := 0, 0
	for _, e := range m.entries {
		if e.toReview() {
			toReview++
			if e.stale && !m.isViewed(e.comp) {
				stale++
			}
		}
	}
	if stale > 0 {
		return common.Err(fmt.Errorf("%s changed since this comparison and cannot be marked: compare again to review them", common.Plural(stale, "component")))
	}
	return common.Status(fmt.Sprintf("All %d components to review are viewed", toReview))
}

func (m *Model) marked(msg markedMsg) tea.Cmd {
	if msg.seq != m.markSeq || len(m.pending) == 0 {
		return nil
	}
	m.pending = m.pending[1:]
	var cmds []tea.Cmd
	if msg.err != nil {
		// The mark was not stored: dropping it from pending shows the
		// stored state again.
		cmds = append(cmds, common.Err(msg.err))
	} else {
		m.log = &msg.log
		m.setViewed()
	}
	if len(m.pending) > 0 {
		cmds = append(cmds, markCmd(m.deps.Svc, m.logID, m.pending[0], m.markSeq))
	}
	m.rebuildTree()
	return tea.Batch(cmds...)
}

// crPicker chooses where the components go: a new change request (row 0)
// or one of the acting user's change requests they may still edit.
type crPicker struct {
	comps   []metadata.Component
	crs     []model.ChangeRequest
	loading bool
	err     error
	cursor  int
	offset  int
}

// crsLoadedMsg answers the read of the editable change requests.
type crsLoadedMsg struct {
	crs []model.ChangeRequest
	err error
}

// crDoneMsg answers creating a change request or adding to one.
type crDoneMsg struct {
	cr      model.ChangeRequest
	created bool
	n       int
	err     error
}

// packageWrittenMsg answers writing the manifests.
type packageWrittenMsg struct {
	dir  string
	plan actions.PackagePlan
	err  error
}

// editableCRsCmd lists the In Progress change requests the acting user
// requested and may still edit (not pending, not approved).
func editableCRsCmd(svc *actions.Service) tea.Cmd {
	return func() tea.Msg {
		all, err := svc.ListCRs(store.CRQuery{})
		if err != nil {
			return crsLoadedMsg{err: err}
		}
		var crs []model.ChangeRequest
		for _, cr := range all {
			if cr.CompletionStatus == model.CompletionInProgress && cr.Requester == svc.User &&
				(cr.ApprovalStatus == model.ApprovalNone || cr.ApprovalStatus == model.ApprovalRejected) {
				crs = append(crs, cr)
			}
		}
		return crsLoadedMsg{crs: crs}
	}
}

// addToCRCmd adds comps to change request id.
func addToCRCmd(svc *actions.Service, id int64, comps []metadata.Component) tea.Cmd {
	return func() tea.Msg {
		cr, err := svc.EditCR(id, model.CREdit{AddCustomizations: comps})
		return crDoneMsg{cr: cr, n: len(comps), err: err}
	}
}

// createCRCmd creates a change request named name holding comps. Its home
// is the comparison's target when that is a production environment (the
// usual sandbox → production review), else its source, else the only
// production environment there is.
func createCRCmd(svc *actions.Service, source, target, name string, comps []metadata.Component) tea.Cmd {
	return func() tea.Msg {
		home, err := homeEnv(svc, source, target)
		if err != nil {
			return crDoneMsg{err: err}
		}
		cr, err := svc.CreateCR(home, model.CRFields{Name: name,
			Overview:       fmt.Sprintf("Created from the comparison of %s with %s.", source, target),
			Customizations: comps})
		return crDoneMsg{cr: cr, created: true, n: len(comps), err: err}
	}
}

func homeEnv(svc *actions.Service, source, target string) (string, error) {
	envs, err := svc.Environments()
	if err != nil {
		return "", err
	}
	prod := map[string]bool{}
	var prods []string
	for _, e := range envs {
		if e.Kind == model.KindProduction {
			prod[e.Name] = true
			prods = append(prods, e.Name)
		}
	}
	switch {
	case prod[target]:
		return target, nil
	case prod[source]:
		return source, nil
	case len(prods) == 1:
		return prods[0], nil
	case len(prods) == 0:
		return "", errors.New("a change request lives in a production environment and there is none: add one with `relman env add NAME --kind production`")
	}
	return "", fmt.Errorf("neither %s nor %s is a production environment, and there are several (%s): compare against the production the change request belongs to",
		source, target, strings.Join(prods, ", "))
}

func writePackageCmd(svc *actions.Service, dir string, plan actions.PackagePlan) tea.Cmd {
	return func() tea.Msg {
		return packageWrittenMsg{dir: dir, plan: plan, err: svc.WritePackage(dir, plan)}
	}
}

// actOn is what c acts on: the selected components, else the current one.
func (m *Model) actOn() []metadata.Component {
	var out []metadata.Component
	for c := range m.selected {
		out = append(out, c)
	}
	if len(out) == 0 && m.hasCurrent {
		out = append(out, m.current)
	}
	metadata.SortComponents(out)
	return out
}

func (m *Model) openPicker() tea.Cmd {
	comps := m.actOn()
	if len(comps) == 0 {
		return nil
	}
	m.picker = &crPicker{comps: comps, loading: true}
	return editableCRsCmd(m.deps.Svc)
}

func (m *Model) crsLoaded(msg crsLoadedMsg) {
	if m.picker == nil {
		return
	}
	m.picker.loading, m.picker.crs, m.picker.err = false, msg.crs, msg.err
}

func (m *Model) pickerKey(msg tea.KeyMsg) tea.Cmd {
	p, k := m.picker, m.keys
	n := len(p.crs) + 1
	switch {
	case key.Matches(msg, k.Cancel):
		m.picker = nil
	case key.Matches(msg, k.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(msg, k.Down):
		p.cursor = min(n-1, p.cursor+1)
	case key.Matches(msg, k.Accept):
		m.picker = nil
		if p.cursor == 0 {
			var cmd tea.Cmd
			title := fmt.Sprintf("New change request with %s", common.Plural(len(p.comps), "component"))
			m.dialog, cmd = m.dialog.Prompt(tagCRName, title, "name, e.g. Due dates and regions", true)
			m.dialogComps = p.comps
			return cmd
		}
		cr := p.crs[p.cursor-1]
		m.busy = "Adding to " + cr.Key() + "…"
		return addToCRCmd(m.deps.Svc, cr.ID, p.comps)
	}
	rows := m.pickerRows()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
	return nil
}

func (m *Model) askPackage() tea.Cmd {
	var cmd tea.Cmd
	plan := actions.PlanPackage(realEntries(m.log))
	title := fmt.Sprintf("Write package.xml (%s) and destructiveChanges.xml (%s) into",
		common.Plural(len(plan.Deploy), "member"), common.Plural(len(plan.Destroy), "member"))
	m.dialog, cmd = m.dialog.Prompt(tagPackage, title, defaultPackageDir, false)
	return cmd
}

// realEntries are the log's entries categorised by their bytes, whatever
// the options hid: a package must deploy every real difference.
func realEntries(l *model.CompareLog) []model.CompareEntry {
	out := make([]model.CompareEntry, len(l.Entries))
	for i, e := range l.Entries {
		switch {
		case e.TargetHash == "":
			e.Category = model.OnlyInSource
		case e.SourceHash == "":
			e.Category = model.OnlyInTarget
		case e.SourceHash != e.TargetHash:
			e.Category = model.Different
		default:
			e.Category = model.Same
		}
		out[i] = e
	}
	return out
}

func (m *Model) answered(msg dialog.DoneMsg) tea.Cmd {
	if !msg.OK || m.log == nil {
		return nil
	}
	switch msg.Tag {
	case tagCRName:
		comps := m.dialogComps
		m.busy = "Creating the change request…"
		return createCRCmd(m.deps.Svc, m.log.Source, m.log.Target, strings.TrimSpace(msg.Text), comps)
	case tagPackage:
		dir := strings.TrimSpace(msg.Text)
		if dir == "" {
			dir = defaultPackageDir
		}
		m.busy = "Writing " + dir + "…"
		return writePackageCmd(m.deps.Svc, dir, actions.PlanPackage(realEntries(m.log)))
	}
	return nil
}

func (m *Model) crDone(msg crDoneMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		return common.Err(msg.err)
	}
	m.selected = map[metadata.Component]bool{}
	if msg.created {
		return common.Status(fmt.Sprintf("Created %s “%s” with %s in %s", msg.cr.Key(), msg.cr.Name, common.Plural(msg.n, "component"), msg.cr.Env))
	}
	return common.Status(fmt.Sprintf("Added %s to %s “%s”", common.Plural(msg.n, "component"), msg.cr.Key(), msg.cr.Name))
}

func (m *Model) packageWritten(msg packageWrittenMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		return common.Err(msg.err)
	}
	text := fmt.Sprintf("Wrote %s: package.xml (%s)", msg.dir, common.Plural(len(msg.plan.Deploy), "member"))
	if len(msg.plan.Destroy) > 0 {
		text += fmt.Sprintf(" and destructiveChanges.xml (%s)", common.Plural(len(msg.plan.Destroy), "member"))
	}
	return common.Status(text)
}
