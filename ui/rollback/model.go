package rollback

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// Dialog tags. Dialog answers are broadcast to every screen, so the tags
// name this screen.
const (
	tagSubmit  = "rollback/submit"
	tagApprove = "rollback/approve"
	tagReject  = "rollback/reject"
	tagRun     = "rollback/run"
)

// Model is the Rollback screen.
type Model struct {
	deps   common.Deps
	keys   keyMap
	dialog dialog.Model
	spin   spinner.Model
	// ctx is the context runs get. It belongs to the screen, not to what
	// it shows, so leaving the screen does not stop a rollback.
	ctx context.Context

	// dr is the deployment shown; seq tags loads, so only the answer to
	// the latest one is kept.
	dr      int64
	seq     int
	loaded  bool
	loadErr error
	data    snapshot

	// draft is the builder's selection; building is set while the user
	// drafts another rollback of a deployment that has one.
	draft    []model.RollbackItem
	building bool
	// cursor and offset place the builder's list; scroll is the first
	// line of a rollback's document shown, doc its lines.
	cursor, offset int
	scroll         int
	doc            []string

	// asking is the rollback the open dialog is about; busy says what is
	// being recorded ("" when nothing is).
	asking int64
	busy   string

	// gates keeps the rule each refused action key meets.
	gates common.Gates
	// runs are this session's runs, by rollback id; gen numbers them.
	runs map[int64]*run
	gen  int

	width, height int
}

// snapshot is what one load read about the deployment shown.
type snapshot struct {
	d      model.DeploymentRecord
	crName string
	// rb is the deployment's latest rollback (nil when it has none) and
	// logs are that rollback's Deployment Logs, oldest first.
	rb   *model.Rollback
	logs []model.DeploymentLog
	// draft is what a new rollback of the deployment would hold, or
	// draftErr the rule that says it cannot be rolled back.
	draft    model.Rollback
	draftErr error
	// may is the refusal each role's actions meet for the acting user
	// (nil: allowed).
	may map[model.Role]error
}

// loadedMsg is the answer to a load of deployment dr.
type loadedMsg struct {
	seq  int
	dr   int64
	data snapshot
	err  error
}

// op is a change the screen asks the store for.
type op int

const (
	opCreate op = iota
	opSubmit
	opApprove
	opReject
)

// doneMsg is the outcome of an op on deployment dr.
type doneMsg struct {
	dr  int64
	op  op
	rb  model.Rollback
	err error
}

// New builds the Rollback screen.
func New(deps common.Deps) common.Screen {
	m := &Model{deps: deps, keys: defaultKeyMap(), dialog: dialog.New(deps.Styles),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent)),
		ctx:  context.Background(), runs: map[int64]*run{}}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Rollback" }

// Capturing implements common.Screen. Any open dialog captures: its answer
// keys (y, n, text) must not switch tabs or quit with a decision half made.
func (m *Model) Capturing() bool { return m.dialog.Open() }

// SetSize implements common.Screen.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width - 2)
	m.layout()
}

// Init implements common.Screen. Nothing loads before the screen is
// opened for a deployment.
func (m *Model) Init() tea.Cmd { return nil }

// load starts reading the deployment shown; answers to earlier loads
// become stale.
func (m *Model) load() tea.Cmd {
	m.seq++
	return loadCmd(m.deps.Svc, m.dr, m.seq)
}

// loadCmd reads deployment dr, its change request's name, its latest
// rollback with that rollback's logs, and what a new rollback would hold.
func loadCmd(svc *actions.Service, dr int64, seq int) tea.Cmd {
	return func() tea.Msg {
		msg := loadedMsg{seq: seq, dr: dr}
		s := &msg.data
		var err error
		if s.d, err = svc.Deployment(dr); err != nil {
			msg.err = err
			return msg
		}
		cr, err := svc.CR(s.d.CR)
		if err != nil {
			msg.err = err
			return msg
		}
		s.crName = cr.Name
		rbs, err := svc.Rollbacks(dr)
		if err != nil {
			msg.err = err
			return msg
		}
		for i := range rbs {
			if s.rb == nil || rbs[i].ID > s.rb.ID {
				s.rb = &rbs[i]
			}
		}
		if s.rb != nil {
			logs, err := svc.Logs(dr)
			if err != nil {
				msg.err = err
				return msg
			}
			for _, l := range logs {
				for _, id := range s.rb.Logs {
					if l.ID == id {
						s.logs = append(s.logs, l)
					}
				}
			}
		}
		// The domain rule drafts it without storing anything: the same
		// items, actions and approvers NewRollback will store.
		s.draft, _, s.draftErr = model.NewRollback(0, s.d, cr, nil, svc.User, svc.Now().UTC())
		s.may = map[model.Role]error{}
		for _, r := range []model.Role{model.RoleRequester, model.RoleApprover, model.RoleReleaseManager} {
			s.may[r] = svc.Allowed(r)
		}
		return msg
	}
}

// doCmd runs op on the store.
func doCmd(svc *actions.Service, dr int64, o op, rb int64, only []metadata.Component, comment string) tea.Cmd {
	return func() tea.Msg {
		msg := doneMsg{dr: dr, op: o}
		switch o {
		case opCreate:
			msg.rb, msg.err = svc.NewRollback(dr, only)
		case opSubmit:
			msg.rb, msg.err = svc.SubmitRollback(rb)
		case opApprove:
			msg.rb, msg.err = svc.ApproveRollback(rb, comment)
		case opReject:
			msg.rb, msg.err = svc.RejectRollback(rb, comment)
		}
		return msg
	}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		cmd = m.show(msg.ID)
	case common.StoreChangedMsg:
		if m.dr != 0 {
			cmd = m.load()
		}
	case loadedMsg:
		m.applyLoad(msg)
	case doneMsg:
		cmd = m.applyDone(msg)
	case runMsg:
		cmd = m.applyRun(msg)
	case spinner.TickMsg:
		// Ticks stop once nothing runs; a new run starts them again. A
		// frame changes nothing but the spinner: no layout.
		if m.anyLive() {
			m.spin, cmd = m.spin.Update(msg)
		}
		return m, cmd
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	case tea.MouseMsg:
		m.handleMouse(msg)
	default:
		// The prompt's cursor blinks through here.
		m.dialog, cmd = m.dialog.Update(msg)
	}
	m.layout()
	m.updateKeys()
	return m, cmd
}

// show opens the screen for deployment dr. Opening another deployment
// starts afresh; opening the same one again keeps the selection.
func (m *Model) show(dr int64) tea.Cmd {
	if dr != m.dr {
		m.dr, m.loaded, m.loadErr, m.data = dr, false, nil, snapshot{}
		m.draft, m.building, m.busy = nil, false, ""
		m.cursor, m.offset, m.scroll = 0, 0, 0
	}
	return m.load()
}

func (m *Model) applyLoad(msg loadedMsg) {
	if msg.seq != m.seq || msg.dr != m.dr {
		return
	}
	m.loaded, m.loadErr = true, msg.err
	if msg.err != nil {
		return
	}
	if prev := m.data.rb; prev == nil || msg.data.rb == nil || prev.ID != msg.data.rb.ID {
		m.building = false
	}
	m.data = msg.data
	m.draft = mergeDraft(m.draft, m.data.draft.Items)
	m.move(0)
}

// mergeDraft is the items of a fresh draft with the keep choices already
// made for the components they share.
func mergeDraft(old, fresh []model.RollbackItem) []model.RollbackItem {
	keep := map[metadata.Component]bool{}
	for _, it := range old {
		keep[it.Component] = it.Keep
	}
	out := make([]model.RollbackItem, len(fresh))
	for i, it := range fresh {
		it.Keep = keep[it.Component]
		out[i] = it
	}
	return out
}

func (m *Model) applyDone(msg doneMsg) tea.Cmd {
	if msg.dr == m.dr {
		m.busy = ""
	}
	var report tea.Cmd
	switch {
	case msg.err != nil:
		report = common.Err(msg.err)
	case msg.op == opCreate:
		if msg.dr == m.dr {
			m.building = false
		}
		report = common.Status(fmt.Sprintf("Created %s (Draft) — s submits it for approval", msg.rb.Key()))
	default:
		report = common.Status(doneText(msg, m.deps.Svc.User))
	}
	if msg.dr != m.dr {
		return report
	}
	// Reload after a refusal too: the record changed under the screen.
	return tea.Batch(report, m.load())
}

// doneText says what a submit or a decision did to the rollback.
func doneText(msg doneMsg, user string) string {
	rb := msg.rb
	var waiting []string
	for _, a := range rb.Approvers {
		if a.Decision == model.DecisionNone {
			waiting = append(waiting, a.User)
		}
	}
	switch {
	case msg.op == opSubmit:
		return "Submitted " + rb.Key() + " — waiting for " + strings.Join(waiting, ", ")
	case msg.op == opReject:
		return "You rejected " + rb.Key()
	case rb.Status == model.RollbackApproved:
		return "You approved " + rb.Key() + " — it is now Approved"
	case len(waiting) > 0:
		return "You approved " + rb.Key() + " — still waiting for " + strings.Join(waiting, ", ")
	}
	return "You approved " + rb.Key()
}

func (m *Model) applyRun(msg runMsg) tea.Cmd {
	r := m.runs[msg.rb]
	if r == nil || r.gen != msg.gen {
		return nil
	}
	r.apply(msg.events)
	if msg.result == nil {
		return waitCmd(r.feed, r.rb, r.gen)
	}
	r.end(*msg.result, m.deps.Svc.Now())
	report := common.Status(fmt.Sprintf("Rolled back %s in %s", common.Plural(r.n, "component"), r.target))
	if r.err != nil {
		report = common.Err(r.err)
	}
	if m.dr == 0 {
		return report
	}
	return tea.Batch(report, m.load())
}

// answered acts on a dialog's answer.
func (m *Model) answered(msg dialog.DoneMsg) tea.Cmd {
	if !msg.OK || m.data.rb == nil || m.data.rb.ID != m.asking {
		return nil
	}
	svc, rb := m.deps.Svc, m.asking
	switch msg.Tag {
	case tagSubmit:
		m.busy = "Submitting…"
		return doCmd(svc, m.dr, opSubmit, rb, nil, "")
	case tagApprove:
		m.busy = "Approving…"
		return doCmd(svc, m.dr, opApprove, rb, nil, strings.TrimSpace(msg.Text))
	case tagReject:
		m.busy = "Rejecting…"
		return doCmd(svc, m.dr, opReject, rb, nil, strings.TrimSpace(msg.Text))
	case tagRun:
		return m.startRun(*m.data.rb)
	}
	return nil
}

// startRun runs rb on its own goroutine and starts following it.
func (m *Model) startRun(rb model.Rollback) tea.Cmd {
	m.gen++
	r := newRun(rb, m.gen, m.deps.Svc.Now())
	start := tea.Cmd(nil)
	if !m.anyLive() {
		start = m.spin.Tick
	}
	m.runs[rb.ID] = r
	return tea.Batch(runCmd(m.ctx, m.deps.Svc, rb.ID, r.feed), waitCmd(r.feed, rb.ID, r.gen), start)
}

// runLive reports whether a run of rollback id is going on.
func (m *Model) runLive(id int64) bool {
	r := m.runs[id]
	return r != nil && !r.done
}

// anyLive reports whether any run is going on (the spinner turns then).
func (m *Model) anyLive() bool {
	for _, r := range m.runs {
		if !r.done {
			return true
		}
	}
	return false
}

// builder reports whether the screen shows the draft builder rather than
// a rollback.
func (m *Model) builder() bool { return m.data.rb == nil || m.building }

// selected counts the builder's items to roll back.
func (m *Model) selected() int {
	n := 0
	for _, it := range m.draft {
		if !it.Keep {
			n++
		}
	}
	return n
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	if err := m.gates.Refusal(msg, m.ShortHelp()); err != nil {
		return common.Err(err)
	}
	if key.Matches(msg, m.keys.Back) {
		if m.building && m.data.rb != nil {
			m.building = false
			return nil
		}
		return common.Back
	}
	if m.builder() {
		return m.builderKey(msg)
	}
	return m.rollbackKey(msg)
}

func (m *Model) builderKey(msg tea.KeyMsg) tea.Cmd {
	if d, ok := m.keys.Delta(msg, len(m.draft), m.rowsVisible()); ok {
		m.move(d)
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Toggle):
		m.draft[m.cursor].Keep = !m.draft[m.cursor].Keep
	case key.Matches(msg, m.keys.All):
		keep := m.selected() == len(m.draft)
		for i := range m.draft {
			m.draft[i].Keep = keep
		}
	case key.Matches(msg, m.keys.Create):
		var only []metadata.Component
		for _, it := range m.draft {
			if !it.Keep {
				only = append(only, it.Component)
			}
		}
		m.busy = "Creating…"
		return doCmd(m.deps.Svc, m.dr, opCreate, 0, only, "")
	}
	return nil
}

func (m *Model) rollbackKey(msg tea.KeyMsg) tea.Cmd {
	if d, ok := m.keys.Delta(msg, len(m.doc), m.docHeight()); ok {
		m.scrollBy(d)
		return nil
	}
	rb := *m.data.rb
	m.asking = rb.ID
	n, target := common.Plural(len(rb.Selected()), "component"), rb.Target
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, m.keys.Submit):
		body := fmt.Sprintf("%s will be asked to approve rolling back %s in %s.", names(rb.Approvers), n, target)
		if len(rb.Approvers) == 0 {
			body = rb.Key() + " lists no approvers."
		}
		m.dialog = m.dialog.Confirm(tagSubmit, "Submit "+rb.Key()+" for approval?", body)
	case key.Matches(msg, m.keys.Approve):
		m.dialog, cmd = m.dialog.Prompt(tagApprove, "Approve "+rb.Key()+": roll back "+n+" in "+target, "comment (optional)", false)
	case key.Matches(msg, m.keys.Reject):
		m.dialog, cmd = m.dialog.Prompt(tagReject, "Reject "+rb.Key()+": roll back "+n+" in "+target, "why? (a comment is required)", true)
	case key.Matches(msg, m.keys.Run):
		m.dialog = m.dialog.Confirm(tagRun, "Roll back "+n+" in "+target+"?", runBody(rb, m.data.d))
	case key.Matches(msg, m.keys.New):
		m.building, m.cursor, m.offset = true, 0, 0
		m.draft = mergeDraft(nil, m.data.draft.Items)
	}
	return cmd
}

// runBody says what running rb will do to its target.
func runBody(rb model.Rollback, d model.DeploymentRecord) string {
	var del, over int
	for _, it := range rb.Selected() {
		if it.Action == model.RollbackDelete {
			del++
		} else {
			over++
		}
	}
	var parts []string
	if del > 0 {
		parts = append(parts, "deletes "+common.Plural(del, "component")+" "+d.Key()+" created")
	}
	if over > 0 {
		parts = append(parts, "restores "+common.Plural(over, "component")+" to the copy taken before "+d.Key())
	}
	return fmt.Sprintf("In %s, this %s, running %s, then checks that %s holds the pre-deploy copies.",
		rb.Target, strings.Join(parts, " and "), d.TestLevel, rb.Target)
}

func (m *Model) handleMouse(msg tea.MouseMsg) {
	if m.dialog.Open() || msg.Action != tea.MouseActionPress {
		return
	}
	d := 0
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		d = -1
	case tea.MouseButtonWheelDown:
		d = 1
	}
	switch {
	case d == 0 || !m.loaded:
	case m.builder():
		m.move(d)
	default:
		m.scrollBy(d)
	}
}

// move moves the builder's cursor by delta rows, keeping it on screen.
func (m *Model) move(delta int) {
	m.cursor = max(0, min(m.cursor+delta, len(m.draft)-1))
	n := m.rowsVisible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.draft)-n))
}

// scrollBy scrolls a rollback's document by delta lines.
func (m *Model) scrollBy(delta int) {
	m.scroll = max(0, min(m.scroll+delta, len(m.doc)-m.docHeight()))
}

// names lists approvers' users: "bob and carol", "bob, carol and dave".
func names(as []model.Approver) string {
	users := make([]string, len(as))
	for i, a := range as {
		users[i] = a.User
	}
	if len(users) < 2 {
		return strings.Join(users, "")
	}
	return strings.Join(users[:len(users)-1], ", ") + " and " + users[len(users)-1]
}
