package changes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// dialogTagPrefix marks this screen's dialogs: dialog answers are broadcast
// to every screen, so the tag must say whose question it was.
const dialogTagPrefix = "changes.detail."

// The questions the detail screen asks.
const (
	askSubmit   = dialogTagPrefix + "submit"
	askApprove  = dialogTagPrefix + "approve"
	askReject   = dialogTagPrefix + "reject"
	askCancel   = dialogTagPrefix + "cancel"
	askComplete = dialogTagPrefix + "complete"
	askPushBack = dialogTagPrefix + "pushback"
)

// Detail shows one change request and runs its actions.
type Detail struct {
	deps     common.Deps
	keys     detailKeyMap
	spinner  spinner.Model
	viewport viewport.Model
	dialog   dialog.Model
	asked    string // tag of the open dialog's question

	width, height int

	id int64
	// trail holds the change requests this screen came from when it opened
	// another itself (sync opens the new copy): esc walks back through them
	// before leaving the screen.
	trail   []int64
	data    *detailData
	loadSeq int
	loading bool
	loadErr error

	// busy says what runs now ("Testing connection to uat…"); "" when idle.
	busy string
	// stop names what esc stops ("the sync"); "" when what runs cannot be
	// stopped, and then cancelAction is nil.
	stop         string
	actionSeq    int
	cancelAction context.CancelFunc

	picking    bool // the sandbox picker of sync is open
	pickCursor int

	// link is the selected linked record (-1: none); linkRows is the
	// body row each link's line is on, to scroll it into view.
	linkKeys linkKeys
	link     int
	linkRows map[string]int
	// gates keeps the rule each refused action key meets.
	gates common.Gates
}

// detailData is one loaded change request with everything shown around it.
type detailData struct {
	cr          model.ChangeRequest
	history     []model.AuditEvent
	deployments []model.DeploymentRecord
	parent      *model.ChangeRequest
	children    []model.ChangeRequest
	// sandboxes are the environments sync can copy into.
	sandboxes []model.Environment
	// rollbacks are the rollbacks of the deployments; latest is the
	// latest deployment, which decides whether the request can complete;
	// links are the records Enter can open; may is the refusal each
	// role's actions meet for the acting user (nil: allowed).
	rollbacks []model.Rollback
	// policy is the home environment's, to say which approvers it requires.
	policy model.Policy
	latest *model.DeploymentRecord
	links  []link
	may    map[model.Role]error
}

type detailLoadedMsg struct {
	seq  int
	data *detailData
	err  error
}

// actionDoneMsg answers an action: the status line text, and the change
// request to open next (sync's new copy), if any.
type actionDoneMsg struct {
	seq    int
	status string
	openID int64
	err    error
}

var _ common.Screen = (*Detail)(nil)

// NewDetail returns the change request detail screen.
func NewDetail(deps common.Deps) common.Screen {
	m := &Detail{deps: deps, keys: defaultDetailKeys(), dialog: dialog.New(deps.Styles), linkKeys: defaultLinkKeys(), link: -1,
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent))}
	m.viewport = viewport.New(0, 0)
	m.viewport.MouseWheelEnabled = true
	m.viewport.KeyMap = viewport.KeyMap{Up: m.keys.Up, Down: m.keys.Down, PageUp: m.keys.PageUp, PageDown: m.keys.PageDown}
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Detail) Title() string { return "Change Request" }

// Capturing implements common.Screen: true while a prompt takes typing.
func (m *Detail) Capturing() bool { return m.dialog.Capturing() }

// Init implements common.Screen; the screen loads when it is shown.
func (m *Detail) Init() tea.Cmd { return nil }

// SetSize implements common.Screen.
func (m *Detail) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width)
	m.refreshContent()
}

// Update implements common.Screen.
func (m *Detail) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		// Showing the same change request again (after editing it) keeps
		// the way back; another one starts afresh.
		if msg.ID != m.id {
			m.trail = nil
		}
		cmd = m.show(msg.ID)
	case common.StoreChangedMsg:
		if m.id != 0 {
			cmd = m.load()
		}
	case detailLoadedMsg:
		cmd = m.loaded(msg)
	case actionDoneMsg:
		cmd = m.actionDone(msg)
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case spinner.TickMsg:
		if m.loading || m.busy != "" {
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case tea.MouseMsg:
		m.viewport, cmd = m.viewport.Update(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		// Cursor blinks of an open prompt.
		m.dialog, cmd = m.dialog.Update(msg)
	}
	m.updateKeys()
	// The header grows a line while an action runs; the body gives it back.
	m.viewport.Height = m.bodyHeight()
	return m, cmd
}

// show switches to change request id and loads it.
func (m *Detail) show(id int64) tea.Cmd {
	if id != m.id {
		m.data, m.loadErr, m.link = nil, nil, -1
		m.viewport.GotoTop()
	}
	m.id, m.picking = id, false
	return m.load()
}

func (m *Detail) load() tea.Cmd {
	m.loadSeq++
	seq, id, svc := m.loadSeq, m.id, m.deps.Svc
	tick := m.spinnerTick()
	m.loading = true
	return tea.Batch(tick, func() tea.Msg { return loadDetail(svc, id, seq) })
}

// spinnerTick returns the spinner's first tick unless it already runs (a
// second chain of ticks would make it spin twice as fast).
func (m *Detail) spinnerTick() tea.Cmd {
	if m.loading || m.busy != "" {
		return nil
	}
	return m.spinner.Tick
}

func loadDetail(svc *actions.Service, id int64, seq int) tea.Msg {
	cr, err := svc.CR(id)
	if err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	d := &detailData{cr: cr}
	if d.history, err = svc.CRHistory(id); err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	if d.policy, err = svc.Policy(cr.Env); err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	if d.deployments, err = svc.Deployments(id); err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	for i, dr := range d.deployments {
		rbs, err := svc.Rollbacks(dr.ID)
		if err != nil {
			return detailLoadedMsg{seq: seq, err: err}
		}
		d.rollbacks = append(d.rollbacks, rbs...)
		if n := len(cr.Deployments); n > 0 && cr.Deployments[n-1] == dr.ID {
			d.latest = &d.deployments[i]
		}
	}
	d.may = map[model.Role]error{}
	for _, r := range []model.Role{model.RoleRequester, model.RoleApprover} {
		d.may[r] = svc.Allowed(r)
	}
	if cr.Parent != 0 {
		p, err := svc.CR(cr.Parent)
		if err != nil {
			return detailLoadedMsg{seq: seq, err: fmt.Errorf("parent of %s: %w", cr.Key(), err)}
		}
		d.parent = &p
	}
	for _, c := range cr.Children {
		child, err := svc.CR(c)
		if err != nil {
			return detailLoadedMsg{seq: seq, err: fmt.Errorf("copy of %s: %w", cr.Key(), err)}
		}
		d.children = append(d.children, child)
	}
	envs, err := svc.Environments()
	if err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	for _, e := range envs {
		if e.Kind == model.KindSandbox && e.Name != cr.Env {
			d.sandboxes = append(d.sandboxes, e)
		}
	}
	d.links = linksOf(d)
	return detailLoadedMsg{seq: seq, data: d}
}

func (m *Detail) loaded(msg detailLoadedMsg) tea.Cmd {
	if msg.seq != m.loadSeq {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return common.Err(msg.err)
	}
	if m.data == nil || m.data.cr.ID != msg.data.cr.ID {
		m.link = -1
	}
	m.data, m.loadErr = msg.data, nil
	m.link = min(m.link, len(m.data.links)-1)
	m.pickCursor = min(m.pickCursor, max(0, len(m.data.sandboxes)-1))
	m.refreshContent()
	return nil
}

func (m *Detail) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	if m.picking {
		return m.handlePickerKey(msg)
	}
	if err := m.gates.Refusal(msg, m.ShortHelp()); err != nil {
		return common.Err(err)
	}
	k, lk := m.keys, m.linkKeys
	switch {
	case key.Matches(msg, lk.Next):
		m.moveLink(1)
	case key.Matches(msg, lk.Prev):
		m.moveLink(-1)
	case key.Matches(msg, lk.Open):
		return m.openLink()
	case key.Matches(msg, k.Back):
		return m.back()
	case key.Matches(msg, k.Top):
		m.viewport.GotoTop()
	case key.Matches(msg, k.Bottom):
		m.viewport.GotoBottom()
	case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown):
		var cmd tea.Cmd
		m.viewport, cmd = m.viewport.Update(msg)
		return cmd
	case key.Matches(msg, k.Edit):
		return common.Open(common.ScreenEditor, m.id)
	case key.Matches(msg, k.Submit):
		m.ask(askSubmit, "Submit "+m.data.cr.Key()+" for approval?",
			"Each approver ("+approverNames(m.data.cr)+") will decide on the current scope.")
	case key.Matches(msg, k.Approve):
		return m.prompt(askApprove, "Approve "+m.data.cr.Key(), "comment (optional)", false)
	case key.Matches(msg, k.Reject):
		return m.prompt(askReject, "Reject "+m.data.cr.Key(), "why? (required)", true)
	case key.Matches(msg, k.Cancel):
		return m.prompt(askCancel, "Cancel "+m.data.cr.Key(), "reason (required)", true)
	case key.Matches(msg, k.Complete):
		m.ask(askComplete, "Complete "+m.data.cr.Key()+"?", "A completed change request can no longer change.")
	case key.Matches(msg, k.PushBack):
		cr := m.data.cr
		parent := model.FormatID(model.PrefixChangeRequest, cr.Parent)
		m.ask(askPushBack, "Push "+cr.Key()+" back to "+parent+"?",
			"Tests the connection to production, brings this copy's components into "+parent+
				" and creates a Draft deployment record "+cr.Env+" → production.")
	case key.Matches(msg, k.Sync):
		m.picking = true
	}
	return nil
}

// back leaves the screen, or returns to the change request this screen
// came from, or cancels what runs.
func (m *Detail) back() tea.Cmd {
	if m.busy != "" {
		m.cancelAction()
		return nil
	}
	if n := len(m.trail); n > 0 {
		prev := m.trail[n-1]
		m.trail = m.trail[:n-1]
		return m.show(prev)
	}
	return common.Back
}

func (m *Detail) ask(tag, title, body string) {
	m.asked = tag
	m.dialog = m.dialog.Confirm(tag, title, body)
}

func (m *Detail) prompt(tag, title, placeholder string, required bool) tea.Cmd {
	m.asked = tag
	var cmd tea.Cmd
	m.dialog, cmd = m.dialog.Prompt(tag, title, placeholder, required)
	return cmd
}

func (m *Detail) handlePickerKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.PickCancel):
		m.picking = false
	case key.Matches(msg, k.PickUp):
		m.pickCursor = max(0, m.pickCursor-1)
	case key.Matches(msg, k.PickDown):
		m.pickCursor = min(len(m.data.sandboxes)-1, m.pickCursor+1)
	case key.Matches(msg, k.PickChoose):
		m.picking = false
		return m.sync(m.data.sandboxes[m.pickCursor].Name)
	}
	return nil
}

// answered runs the action a dialog confirmed. Answers to other screens'
// dialogs, or to a question no longer asked, are ignored.
func (m *Detail) answered(msg dialog.DoneMsg) tea.Cmd {
	if msg.Tag != m.asked || !strings.HasPrefix(msg.Tag, dialogTagPrefix) {
		return nil
	}
	m.asked = ""
	if !msg.OK || m.data == nil {
		return nil
	}
	id, key, text := m.id, m.data.cr.Key(), msg.Text
	switch msg.Tag {
	case askSubmit:
		return m.run("Submitting "+key+"…", "", func(_ context.Context, svc *actions.Service) (string, int64, error) {
			_, err := svc.SubmitCR(id)
			return "Submitted " + key + " for approval", 0, err
		})
	case askApprove:
		return m.run("Approving "+key+"…", "", func(_ context.Context, svc *actions.Service) (string, int64, error) {
			cr, err := svc.ApproveCR(id, text)
			if cr.ApprovalStatus == model.ApprovalApproved {
				return "Approved " + key + ": every approver agreed, it is Approved", 0, err
			}
			return "Approved " + key + ": waiting for the other approvers", 0, err
		})
	case askReject:
		return m.run("Rejecting "+key+"…", "", func(_ context.Context, svc *actions.Service) (string, int64, error) {
			_, err := svc.RejectCR(id, text)
			return "Rejected " + key, 0, err
		})
	case askCancel:
		return m.run("Cancelling "+key+"…", "", func(_ context.Context, svc *actions.Service) (string, int64, error) {
			_, err := svc.CancelCR(id, text)
			return "Cancelled " + key, 0, err
		})
	case askComplete:
		return m.run("Completing "+key+"…", "", func(_ context.Context, svc *actions.Service) (string, int64, error) {
			_, err := svc.CompleteCR(id)
			return "Completed " + key, 0, err
		})
	case askPushBack:
		parentEnv := ""
		if p := m.data.parent; p != nil {
			parentEnv = p.Env
		}
		return m.run("Testing connection to "+orProduction(parentEnv)+"…", "the push back", func(ctx context.Context, svc *actions.Service) (string, int64, error) {
			res, err := svc.PushBackCR(ctx, id)
			if err != nil {
				return "", 0, err
			}
			if len(res.Added) > 0 {
				// Kept short: it must fit the status line at 80 columns.
				return fmt.Sprintf("Pushed back to %s as %s; re-approval needed (%d added)",
					res.Parent.Key(), res.Deployment.Key(), len(res.Added)), 0, nil
			}
			return "Pushed " + key + " back to " + res.Parent.Key() + " as " + res.Deployment.Key(), 0, nil
		})
	}
	return nil
}

func orProduction(env string) string {
	if env == "" {
		return "production"
	}
	return env
}

// sync copies the change request into a sandbox, then opens the copy.
func (m *Detail) sync(target string) tea.Cmd {
	id := m.id
	return m.run("Testing connection to "+target+"…", "the sync", func(ctx context.Context, svc *actions.Service) (string, int64, error) {
		child, err := svc.SyncCR(ctx, id, target)
		if err != nil {
			return "", 0, err
		}
		return "Synced as " + child.Key(), child.ID, nil
	})
}

// run starts an action in a command with a spinner. The command gets the
// service and a context, never the model. stop names what esc stops for an
// action that calls an org and can take long; "" for one that cannot be
// stopped.
func (m *Detail) run(busy, stop string, action func(context.Context, *actions.Service) (string, int64, error)) tea.Cmd {
	m.actionSeq++
	seq, svc := m.actionSeq, m.deps.Svc
	tick := m.spinnerTick()
	m.busy, m.stop, m.cancelAction = busy, stop, nil
	ctx := context.Background()
	if stop != "" {
		ctx, m.cancelAction = context.WithCancel(ctx)
	}
	cancel := m.cancelAction
	return tea.Batch(tick, func() tea.Msg {
		if cancel != nil {
			defer cancel()
		}
		status, openID, err := action(ctx, svc)
		if err != nil && ctx.Err() != nil {
			// Stopped by esc: the org call's own error says so less plainly.
			err = ctx.Err()
		}
		return actionDoneMsg{seq: seq, status: status, openID: openID, err: err}
	})
}

func (m *Detail) actionDone(msg actionDoneMsg) tea.Cmd {
	if msg.seq != m.actionSeq {
		return nil
	}
	stopped := m.stop
	m.busy, m.stop, m.cancelAction = "", "", nil
	switch {
	case errors.Is(msg.err, context.Canceled):
		return tea.Batch(common.Status("Stopped: "+stopped+" did not happen"), m.load())
	case msg.err != nil:
		// Reload too: a refused sync still recorded its connection test.
		return tea.Batch(common.Err(ruleError{msg.err}), m.load())
	case msg.openID != 0:
		m.trail = append(m.trail, m.id)
		return tea.Batch(common.Status(msg.status), m.show(msg.openID))
	}
	return tea.Batch(common.Status(msg.status), m.load())
}

// updateKeys enables the actions the rules allow the acting user now, so
// the help footer lists exactly what can be done.
func (m *Detail) updateKeys() {
	k := &m.keys
	idle := m.data != nil && m.busy == "" && !m.picking && !m.dialog.Open()
	var cr model.ChangeRequest
	if m.data != nil {
		cr = m.data.cr
	}
	m.gates.Reset()
	for _, b := range []*key.Binding{&k.Edit, &k.Submit, &k.Approve, &k.Reject, &k.Sync, &k.PushBack, &k.Cancel, &k.Complete} {
		b.SetEnabled(false)
	}
	if idle {
		m.gateActions(cr)
	}
	lk := &m.linkKeys
	hasLinks := idle && len(m.data.links) > 0
	lk.Next.SetEnabled(hasLinks)
	lk.Prev.SetEnabled(hasLinks)
	lk.Open.SetEnabled(hasLinks && m.selected() != "")
	lk.Open.SetHelp("enter", "open "+m.selected())
	scroll := !m.picking && !m.dialog.Open()
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom} {
		b.SetEnabled(scroll && m.data != nil)
	}
	k.Back.SetEnabled(!m.picking && !m.dialog.Open() && (m.busy == "" || m.cancelAction != nil))
	switch {
	case m.busy != "":
		k.Back.SetHelp("esc", "stop "+m.stop)
	case len(m.trail) > 0:
		k.Back.SetHelp("esc", "back to "+model.FormatID(model.PrefixChangeRequest, m.trail[len(m.trail)-1]))
	default:
		k.Back.SetHelp("esc", "back")
	}
	hasSandbox := m.data != nil && len(m.data.sandboxes) > 0
	k.PickUp.SetEnabled(m.picking && hasSandbox)
	k.PickDown.SetEnabled(m.picking && hasSandbox)
	k.PickChoose.SetEnabled(m.picking && hasSandbox)
	k.PickCancel.SetEnabled(m.picking)
}

// gateActions enables each action exactly when the model's rule for it,
// tried on the loaded request, and the acting user's roles allow it: the
// checks the actions layer makes, so the footer never offers what fails.
func (m *Detail) gateActions(cr model.ChangeRequest) {
	k, gate, may := &m.keys, m.gates.Gate, m.data.may
	user, now := m.deps.Svc.User, m.deps.Svc.Now()
	_, _, edit := model.EditChangeRequest(cr, user, model.CREdit{}, now)
	gate(&k.Edit, may[model.RoleRequester], edit)
	_, _, submit := model.SubmitChangeRequest(cr, user, now)
	gate(&k.Submit, may[model.RoleRequester], submit)
	_, _, decide := model.ApproveChangeRequest(cr, user, "", now)
	gate(&k.Approve, may[model.RoleApprover], decide)
	gate(&k.Reject, may[model.RoleApprover], decide)
	var finished, approved error
	if cr.CompletionStatus != model.CompletionInProgress {
		finished = model.ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if !cr.IsApproved() {
		approved = model.ErrNotApproved.With(cr.Key() + " is " + string(cr.Status()))
	}
	gate(&k.Sync, finished, approved)
	var child error
	if cr.Parent == 0 {
		child = model.ErrNotAChild.With(cr.Key() + " has no parent")
	}
	gate(&k.PushBack, finished, child)
	_, _, cancel := model.CancelChangeRequest(cr, user, "a reason", now)
	gate(&k.Cancel, may[model.RoleRequester], cancel)
	_, _, complete := model.CompleteChangeRequest(cr, m.data.latest, user, now)
	gate(&k.Complete, complete)
}

func approverNames(cr model.ChangeRequest) string {
	names := make([]string, len(cr.Approvers))
	for i, a := range cr.Approvers {
		names[i] = a.User
	}
	if len(names) == 0 {
		return "none listed"
	}
	return strings.Join(names, ", ")
}

// ShortHelp implements help.KeyMap.
func (m *Detail) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open():
		return m.dialog.ShortHelp()
	case m.picking:
		return []key.Binding{k.PickChoose, k.PickCancel, k.PickUp, k.PickDown}
	}
	lk := m.linkKeys
	return []key.Binding{k.Edit, k.Submit, k.Approve, k.Reject, k.Sync, k.PushBack, k.Complete, k.Cancel,
		lk.Open, lk.Next, k.Back, k.Down}
}

// FullHelp implements help.KeyMap.
func (m *Detail) FullHelp() [][]key.Binding {
	k := m.keys
	if m.dialog.Open() || m.picking {
		return [][]key.Binding{m.ShortHelp()}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Edit, k.Submit, k.Approve, k.Reject},
		{k.Sync, k.PushBack, k.Complete, k.Cancel, k.Back},
		{m.linkKeys.Next, m.linkKeys.Prev, m.linkKeys.Open},
	}
}

// bodyHeight is what is left for the scrolling body under the fixed header.
func (m *Detail) bodyHeight() int {
	return max(1, m.height-lipgloss.Height(m.headerView()))
}
