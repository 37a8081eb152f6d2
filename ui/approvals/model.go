package approvals

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// Dialog tags. Dialog answers are broadcast to every screen, so the tags
// name this screen.
const (
	tagApprove = "approvals/approve"
	tagReject  = "approvals/reject"
)

// Model is the Approvals screen.
type Model struct {
	deps   common.Deps
	keys   keyMap
	dialog dialog.Model

	items []actions.Waiting
	// total is how many wait in all; items holds the first of them, a page
	// more loaded each time the cursor reaches the end.
	total int
	// crNames names the change request of each waiting deployment, for the
	// preview.
	crNames map[int64]string
	loaded  bool
	loadErr error
	// seq tags loads: only the answer to the latest one is kept.
	seq int

	cursor, offset int
	width, height  int

	// deciding is what the open dialog decides on; busy is the key of the
	// decision being recorded ("" when none).
	deciding target
	busy     string
}

// target is one decision: approve or reject one waiting record.
type target struct {
	key     string
	id      int64
	isCR    bool
	isRB    bool
	approve bool
}

// loadedMsg is the answer to a load of the queue.
type loadedMsg struct {
	seq     int
	items   []actions.Waiting
	total   int
	crNames map[int64]string
	err     error
}

// decidedMsg is the outcome of an approval or a rejection.
type decidedMsg struct {
	target target
	status model.ApprovalStatus
	// undecided lists the approvers still to decide after this decision.
	undecided []string
	err       error
}

// New builds the Approvals screen.
func New(deps common.Deps) common.Screen {
	m := &Model{deps: deps, keys: defaultKeyMap(), dialog: dialog.New(deps.Styles)}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Approvals" }

// Capturing implements common.Screen. Any open dialog captures: its answer
// keys (y, n, text) must not switch tabs or quit with a decision half made.
func (m *Model) Capturing() bool { return m.dialog.Open() }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(m.listWidth() - 2)
	m.clampOffset()
}

// Init implements common.Screen: the first load.
func (m *Model) Init() tea.Cmd { return m.load() }

// pageSize is how many waiting records one load adds: a queue of a hundred
// thousand opens as fast as one of ten.
const pageSize = 200

// load starts reading the queue, as many as are shown now or a page;
// answers to earlier loads become stale.
func (m *Model) load() tea.Cmd {
	m.seq++
	return loadCmd(m.deps.Svc, m.seq, max(pageSize, len(m.items)))
}

// loadMore reads the next page when the cursor is on the last loaded record
// and more wait.
func (m *Model) loadMore() tea.Cmd {
	if m.cursor < len(m.items)-1 || len(m.items) >= m.total {
		return nil
	}
	m.seq++
	return loadCmd(m.deps.Svc, m.seq, len(m.items)+pageSize)
}

// loadCmd reads the first limit of what waits for the service's user, and
// the names of the change requests behind waiting deployments.
func loadCmd(svc *actions.Service, seq, limit int) tea.Cmd {
	return func() tea.Msg {
		items, total, err := svc.WaitingFor(svc.User, limit)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		names := map[int64]string{}
		for _, w := range items {
			id := crOf(w)
			if _, ok := names[id]; ok || w.CR != nil {
				continue
			}
			// A missing name only makes the preview shorter; the queue
			// itself is still right.
			if cr, err := svc.CR(id); err == nil {
				names[cr.ID] = cr.Name
			}
		}
		return loadedMsg{seq: seq, items: items, total: total, crNames: names}
	}
}

// decideCmd records the decision with comment.
func decideCmd(svc *actions.Service, t target, comment string) tea.Cmd {
	return func() tea.Msg {
		var approvers []model.Approver
		var status model.ApprovalStatus
		var err error
		switch {
		case t.isCR && t.approve:
			var cr model.ChangeRequest
			cr, err = svc.ApproveCR(t.id, comment)
			approvers, status = cr.Approvers, cr.ApprovalStatus
		case t.isCR:
			var cr model.ChangeRequest
			cr, err = svc.RejectCR(t.id, comment)
			approvers, status = cr.Approvers, cr.ApprovalStatus
		case t.isRB && t.approve:
			var rb model.Rollback
			rb, err = svc.ApproveRollback(t.id, comment)
			approvers, status = rb.Approvers, rb.ApprovalStatus
		case t.isRB:
			var rb model.Rollback
			rb, err = svc.RejectRollback(t.id, comment)
			approvers, status = rb.Approvers, rb.ApprovalStatus
		case t.approve:
			var d model.DeploymentRecord
			d, err = svc.ApproveDeployment(t.id, comment)
			approvers, status = d.Approvers, d.ApprovalStatus
		default:
			var d model.DeploymentRecord
			d, err = svc.RejectDeployment(t.id, comment)
			approvers, status = d.Approvers, d.ApprovalStatus
		}
		var undecided []string
		for _, a := range approvers {
			if a.Decision == model.DecisionNone {
				undecided = append(undecided, a.User)
			}
		}
		return decidedMsg{target: t, status: status, undecided: undecided, err: err}
	}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case loadedMsg:
		m.applyLoad(msg)
	case decidedMsg:
		cmd = m.applyDecision(msg)
	case common.StoreChangedMsg, common.ShowMsg:
		cmd = m.load()
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		cmd = m.handleMouse(msg)
	default:
		// The prompt's cursor blinks through here.
		m.dialog, cmd = m.dialog.Update(msg)
	}
	m.updateKeys()
	return m, cmd
}

func (m *Model) applyLoad(msg loadedMsg) {
	if msg.seq != m.seq {
		return
	}
	m.loaded, m.loadErr = true, msg.err
	if msg.err != nil {
		return
	}
	// Keep the cursor on the same record when it is still waiting.
	selected := m.selectedKey()
	m.items, m.total, m.crNames = msg.items, msg.total, msg.crNames
	for i, w := range m.items {
		if w.Key() == selected {
			m.cursor = i
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.items)-1))
	m.clampOffset()
}

func (m *Model) applyDecision(msg decidedMsg) tea.Cmd {
	if msg.target.key != m.busy {
		return nil
	}
	m.busy = ""
	if msg.err != nil {
		return common.Err(msg.err)
	}
	return tea.Batch(common.Status(decisionText(msg)), m.load())
}

// decisionText says what the decision did to the record.
func decisionText(msg decidedMsg) string {
	if !msg.target.approve {
		return "You rejected " + msg.target.key
	}
	if msg.status == model.ApprovalApproved {
		return "You approved " + msg.target.key + " — it is now Approved"
	}
	if len(msg.undecided) > 0 {
		return "You approved " + msg.target.key + " — still waiting for " + strings.Join(msg.undecided, ", ")
	}
	return "You approved " + msg.target.key
}

// answered acts on the comment dialog's answer.
func (m *Model) answered(msg dialog.DoneMsg) tea.Cmd {
	if (msg.Tag != tagApprove && msg.Tag != tagReject) || !msg.OK {
		return nil
	}
	t := m.deciding
	m.busy = t.key
	return decideCmd(m.deps.Svc, t, strings.TrimSpace(msg.Text))
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	if d, ok := m.keys.Delta(msg, len(m.items), m.rowsVisible()); ok {
		m.move(d)
		return m.loadMore()
	}
	switch {
	case key.Matches(msg, m.keys.Approve):
		return m.ask(true)
	case key.Matches(msg, m.keys.Reject):
		return m.ask(false)
	case key.Matches(msg, m.keys.Open):
		// Each record opens where it is decided on in full: a change
		// request on its detail, a deployment on its own screen, a
		// rollback on the rollback screen of its deployment.
		switch w := m.items[m.cursor]; {
		case w.Rollback != nil:
			return common.Open(common.ScreenRollback, w.Rollback.Deployment)
		case w.Deployment != nil:
			return common.Open(common.ScreenDeployment, w.Deployment.ID)
		default:
			return common.Open(common.ScreenChangeDetail, w.CR.ID)
		}
	}
	return nil
}

// crOf is the change request a waiting item belongs to.
func crOf(w actions.Waiting) int64 {
	switch {
	case w.CR != nil:
		return w.CR.ID
	case w.Rollback != nil:
		return w.Rollback.CR
	}
	return w.Deployment.CR
}

func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	if m.dialog.Open() || msg.Action != tea.MouseActionPress {
		return nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.move(-1)
	case tea.MouseButtonWheelDown:
		m.move(1)
		return m.loadMore()
	}
	return nil
}

// ask opens the comment prompt for the selected item.
func (m *Model) ask(approve bool) tea.Cmd {
	w := m.items[m.cursor]
	t := target{key: w.Key(), approve: approve}
	switch {
	case w.CR != nil:
		t.isCR, t.id = true, w.CR.ID
	case w.Rollback != nil:
		t.isRB, t.id = true, w.Rollback.ID
	default:
		t.id = w.Deployment.ID
	}
	m.deciding = t
	var cmd tea.Cmd
	if approve {
		m.dialog, cmd = m.dialog.Prompt(tagApprove, "Approve "+t.key+" "+nameOf(w), "comment (optional)", false)
	} else {
		m.dialog, cmd = m.dialog.Prompt(tagReject, "Reject "+t.key+" "+nameOf(w), "why? (a comment is required)", true)
	}
	return cmd
}

func (m *Model) selectedKey() string {
	if m.cursor < len(m.items) {
		return m.items[m.cursor].Key()
	}
	return ""
}

// move moves the cursor by delta rows, keeping it on screen.
func (m *Model) move(delta int) {
	m.cursor = max(0, min(m.cursor+delta, len(m.items)-1))
	m.clampOffset()
}

// clampOffset scrolls just enough to keep the cursor visible.
func (m *Model) clampOffset() {
	n := m.rowsVisible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.items)-n))
}
