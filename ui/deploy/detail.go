package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
)

// detailTag marks this screen's dialogs: dialog answers are broadcast to
// every screen, so the tag says whose question it was.
const detailTag = "deploy.detail."

// The questions the detail screen asks.
const (
	askApprove    = detailTag + "approve"
	askReject     = detailTag + "reject"
	askAddMissing = detailTag + "add-missing"
	askDeploy     = detailTag + "deploy"
	askQuick      = detailTag + "quick"
	askInstead    = detailTag + "instead"
	askCancel     = detailTag + "cancel"
	askComplete   = detailTag + "complete"
)

// focus is the pane the scroll keys move.
type focus int

const (
	focusDetails focus = iota
	focusErrors
)

// Detail shows one deployment record, runs its approval actions and the
// steps of Deploy Changes, and draws their live progress. It is built once:
// the steps it started keep running, and keep reporting, while the user is
// on other screens.
type Detail struct {
	deps     common.Deps
	keys     detailKeyMap
	spinner  spinner.Model
	viewport viewport.Model
	dialog   dialog.Model
	// asked is the tag of the open dialog's question: its kind (askDeploy…)
	// and a number, so a late answer to an earlier question of the same
	// kind is not taken for this one's.
	asked  string
	askSeq int

	width, height int
	focus         focus
	// errRows is how many rows the error list gets (set by layout).
	errRows int

	id      int64
	data    *detailData
	loadSeq int
	loading bool
	loadErr error

	// busy says what quick action runs now ("Submitting…"); "" when idle.
	busy      string
	actionSeq int

	// runs holds the steps started in this session, by deployment record;
	// gen numbers them so a late message of a replaced run is dropped.
	runs map[int64]*run
	gen  int
	// ctx is the steps' context. Leaving the screen does not stop a step;
	// quitting ends the process, and the next start re-attaches to the
	// org's job.
	ctx context.Context
	// clock is the time the view shows elapsed times against; it moves
	// with the spinner while something runs.
	clock time.Time
	// gates holds the rule each action key meets now, for the keys the
	// footer leaves out: pressing one says why instead of nothing.
	gates common.Gates
	// abandon closes a deploy whose job is lost; nil when the service
	// cannot.
	abandon abandoner
}

// detailData is one loaded deployment record with what is shown around it.
type detailData struct {
	seq    int
	d      model.DeploymentRecord
	cr     model.ChangeRequest
	logs   []model.DeploymentLog
	target model.Environment
	// scope is d's scope hash, blocked why Deploy Changes may not run (a
	// job running aside) and missing the missing dependencies the CR
	// lacks, worked out once per load: hashing scopes is too slow to
	// repeat for every frame.
	scope   string
	blocked error
	missing []string
	// may is the refusal each role's actions meet for the acting user
	// (nil: allowed); latest is the change request's latest deployment,
	// which decides whether it can complete; rollbacks are d's.
	may       map[model.Role]error
	latest    *model.DeploymentRecord
	rollbacks []model.Rollback
}

type detailLoadedMsg struct {
	seq  int
	data *detailData
	err  error
}

// actionDoneMsg answers a quick action (submit, approve, cancel…).
type actionDoneMsg struct {
	seq    int
	status string
	err    error
}

// unfinishedMsg lists the jobs started and never seen to finish, found at start.
type unfinishedMsg struct {
	logs []model.DeploymentLog
	err  error
}

var _ common.Screen = (*Detail)(nil)

// NewDetail returns the deployment record screen.
func NewDetail(deps common.Deps) common.Screen {
	m := &Detail{deps: deps, keys: defaultDetailKeys(), dialog: dialog.New(deps.Styles), runs: map[int64]*run{},
		ctx: context.Background(), clock: deps.Svc.Now(), abandon: abandonerOf(deps.Svc),
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(deps.Styles.Accent))}
	m.viewport = viewport.New(0, 0)
	m.viewport.MouseWheelEnabled = true
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Detail) Title() string { return "Deployment" }

// Capturing implements common.Screen: true while a prompt takes typing.
func (m *Detail) Capturing() bool { return m.dialog.Capturing() }

// Init implements common.Screen: it looks for jobs an earlier run of relman
// started and never saw finish, to re-attach to them.
func (m *Detail) Init() tea.Cmd {
	svc := m.deps.Svc
	return func() tea.Msg {
		logs, err := svc.Unfinished()
		return unfinishedMsg{logs: logs, err: err}
	}
}

// SetSize implements common.Screen.
func (m *Detail) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width)
	for _, r := range m.runs {
		r.setWidth(m.barWidth())
	}
	m.refreshContent()
	m.layout()
}

// Update implements common.Screen.
func (m *Detail) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	wasTicking := m.ticking()
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		cmd = m.show(msg.ID)
	case common.StoreChangedMsg:
		if m.id != 0 {
			cmd = m.load()
		}
	case detailLoadedMsg:
		m.loaded(msg)
	case actionDoneMsg:
		cmd = m.actionDone(msg)
	case unfinishedMsg:
		cmd = m.reattach(msg)
	case runMsg:
		cmd = m.progressed(msg)
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case spinner.TickMsg:
		if wasTicking {
			m.clock = m.deps.Svc.Now()
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case progress.FrameMsg:
		// Frames go to their bar whichever record is on screen, or the
		// bars of a run in the background would freeze mid-animation.
		cmds := make([]tea.Cmd, 0, len(m.runs))
		for _, r := range m.runs {
			cmds = append(cmds, r.frame(msg))
		}
		cmd = tea.Batch(cmds...)
	case tea.MouseMsg:
		m.viewport, cmd = m.viewport.Update(msg)
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		// Cursor blinks of an open prompt.
		m.dialog, cmd = m.dialog.Update(msg)
	}
	if !wasTicking && m.ticking() {
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	m.updateKeys()
	m.layout()
	return m, cmd
}

// ticking reports whether the spinner should turn: while loading, while a
// quick action runs, or while any step runs (its elapsed time moves too).
func (m *Detail) ticking() bool {
	if m.loading || m.busy != "" {
		return true
	}
	for _, r := range m.runs {
		if !r.done {
			return true
		}
	}
	return false
}

// show switches to deployment record id and loads it.
func (m *Detail) show(id int64) tea.Cmd {
	if id != m.id {
		m.data, m.loadErr, m.focus = nil, nil, focusDetails
		m.viewport.GotoTop()
	}
	m.id = id
	return m.load()
}

func (m *Detail) load() tea.Cmd {
	m.loadSeq++
	m.loading = true
	seq, id, svc := m.loadSeq, m.id, m.deps.Svc
	return func() tea.Msg { return loadDetail(svc, id, seq) }
}

func loadDetail(svc *actions.Service, id int64, seq int) tea.Msg {
	d, err := svc.Deployment(id)
	if err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	data := &detailData{seq: seq, d: d}
	if data.cr, err = svc.CR(d.CR); err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	if data.logs, err = svc.Logs(id); err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	// A removed environment still lets the record show; the confirmation
	// then names the target without its kind.
	data.target, _ = svc.Environment(d.Target)
	data.scope, data.blocked = d.ScopeHash(), model.CanDeploy(d, data.cr, data.target.Kind, false)
	data.missing = missingNotInCR(d, data.cr)
	data.may = map[model.Role]error{}
	for _, r := range []model.Role{model.RoleRequester, model.RoleApprover, model.RoleReleaseManager} {
		data.may[r] = svc.Allowed(r)
	}
	if n := len(data.cr.Deployments); n > 0 {
		latest := d
		if last := data.cr.Deployments[n-1]; last != d.ID {
			if latest, err = svc.Deployment(last); err != nil {
				return detailLoadedMsg{seq: seq, err: err}
			}
		}
		data.latest = &latest
	}
	if data.rollbacks, err = svc.Rollbacks(id); err != nil {
		return detailLoadedMsg{seq: seq, err: err}
	}
	return detailLoadedMsg{seq: seq, data: data}
}

func (m *Detail) loaded(msg detailLoadedMsg) {
	if msg.seq != m.loadSeq {
		return // a newer load is on its way
	}
	m.loading = false
	m.clock = m.deps.Svc.Now()
	if msg.err != nil {
		m.loadErr = msg.err
		return
	}
	m.data, m.loadErr = msg.data, nil
	m.refreshContent()
}

// handleKey routes a key to the open dialog, or runs the action it names.
func (m *Detail) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	if err := m.gates.Refusal(msg, m.ShortHelp()); err != nil {
		return common.Err(err)
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Rollback):
		return common.Open(common.ScreenRollback, m.id)
	case key.Matches(msg, k.Back):
		return common.Back
	case key.Matches(msg, k.Focus):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
		m.scroll(msg)
	case key.Matches(msg, k.Submit):
		return m.act("Submitting "+m.data.d.Key()+"…", submitFn(m.deps.Svc, m.id))
	case key.Matches(msg, k.Approve):
		return m.prompt(askApprove, "Approve "+m.data.d.Key()+"?", "comment (optional)", false)
	case key.Matches(msg, k.Reject):
		return m.prompt(askReject, "Reject "+m.data.d.Key()+"?", "why (required)", true)
	case key.Matches(msg, k.AddMissing):
		m.confirmAddMissing()
	case key.Matches(msg, k.Retrieve):
		return m.start(stepRetrieve)
	case key.Matches(msg, k.Dependencies):
		return m.start(stepDependencies)
	case key.Matches(msg, k.Validate):
		return m.start(stepValidate)
	case key.Matches(msg, k.Deploy):
		m.confirmDeploy(askDeploy, m.unvalidated())
	case key.Matches(msg, k.Quick):
		m.confirmQuick()
	case key.Matches(msg, k.Cancel):
		m.confirmCancel()
	case key.Matches(msg, k.Abandon):
		return m.promptAbandon()
	case key.Matches(msg, k.Complete):
		cr := m.data.cr
		m.confirm(askComplete, "Complete "+cr.Key()+"?", fmt.Sprintf("%s is verified in %s. Completing %s %q closes it for good.",
			m.data.d.Key(), m.data.d.Target, cr.Key(), cr.Name))
	case key.Matches(msg, k.Logs):
		return common.Open(common.ScreenLogs, m.id)
	case key.Matches(msg, k.Compare):
		if id, ok := verifyCompareLog(m.data.logs); ok {
			return common.Open(common.ScreenReview, id)
		}
	}
	return nil
}

// scroll moves the focused pane.
func (m *Detail) scroll(msg tea.KeyMsg) {
	k := m.keys
	if r := m.current(); m.focus == focusErrors && r != nil {
		n := shown(m.errRows, m.width)
		switch {
		case key.Matches(msg, k.Up):
			r.errs.scroll(-1, n)
		case key.Matches(msg, k.Down):
			r.errs.scroll(1, n)
		case key.Matches(msg, k.PageUp):
			r.errs.scroll(-n, n)
		case key.Matches(msg, k.PageDown):
			r.errs.scroll(n, n)
		case key.Matches(msg, k.Top):
			r.errs.scroll(-len(r.errs.items), n)
		case key.Matches(msg, k.Bottom):
			r.errs.scroll(len(r.errs.items), n)
		}
		return
	}
	switch {
	case key.Matches(msg, k.Up):
		m.viewport.ScrollUp(1)
	case key.Matches(msg, k.Down):
		m.viewport.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		m.viewport.PageUp()
	case key.Matches(msg, k.PageDown):
		m.viewport.PageDown()
	case key.Matches(msg, k.Top):
		m.viewport.GotoTop()
	case key.Matches(msg, k.Bottom):
		m.viewport.GotoBottom()
	}
}

func (m *Detail) confirm(kind, title, body string) {
	m.dialog = m.dialog.Confirm(m.ask(kind), title, body)
}

func (m *Detail) prompt(kind, title, placeholder string, required bool) tea.Cmd {
	var cmd tea.Cmd
	m.dialog, cmd = m.dialog.Prompt(m.ask(kind), title, placeholder, required)
	return cmd
}

// ask numbers a new question of kind and remembers it as the one asked.
func (m *Detail) ask(kind string) string {
	m.askSeq++
	m.asked = fmt.Sprintf("%s#%d", kind, m.askSeq)
	return m.asked
}

// targetName is "production (production org)" or just the name when the
// environment is gone.
func (m *Detail) targetName() string {
	d, env := m.data.d, m.data.target
	if env.Kind == "" {
		return d.Target
	}
	return fmt.Sprintf("%s (%s)", d.Target, env.Kind)
}

// confirmDeploy asks before a real deploy, naming target and test level;
// lead says why a quick deploy is not happening instead, if it was asked.
func (m *Detail) confirmDeploy(tag, lead string) {
	d := m.data.d
	body := fmt.Sprintf("Deploys %d components from %s to %s, running %s%s. A snapshot of %s's copies is taken first, for rollback; the package is verified afterwards.",
		len(d.Package.Components), d.Source, m.targetName(), d.TestLevel, testsSuffix(d.Tests), d.Target)
	if lead != "" {
		body = lead + "\n\n" + body
	}
	m.confirm(tag, fmt.Sprintf("Deploy %s to %s with %s?", d.Key(), d.Target, d.TestLevel), body)
}

// unvalidated says why deploying now goes ahead without a passing
// validation of this package, or "" when one passed. The deploy still
// runs its tests, but what the validation would have caught is found in
// the target instead.
func (m *Detail) unvalidated() string {
	var why string
	switch m.stages()[2] {
	case stageDone:
		return ""
	case stageFailed:
		why = "The latest validation of this package failed"
		if l, ok := latestLog(m.data.logs, model.LogValidate); ok {
			why += " (" + string(l.Status) + ": " + oneLine(firstNonEmpty(l.Message, common.Counters(l))) + ")"
		}
	case stageCancelled:
		why = "The latest validation of this package was cancelled before it finished"
	default:
		why = "This package has not been validated"
	}
	return "⚠ " + why + ". V validates first; deploying now finds any problem in " + m.data.d.Target + " itself."
}

// latestLog is the record's latest log of kind k.
func latestLog(logs []model.DeploymentLog, k model.LogKind) (model.DeploymentLog, bool) {
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i].Kind == k {
			return logs[i], true
		}
	}
	return model.DeploymentLog{}, false
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (m *Detail) confirmQuick() {
	d := m.data.d
	m.confirm(askQuick, fmt.Sprintf("Quick deploy %s to %s?", d.Key(), d.Target),
		fmt.Sprintf("Deploys validation %s (%s, %s) to %s without running its tests again. relman first checks that the package and %s's copies are unchanged since.",
			d.ValidationID, d.TestLevel, relTime(m.clock, d.ValidatedAt), m.targetName(), d.Target))
}

func (m *Detail) confirmCancel() {
	l, _ := runningLog(m.data.logs)
	m.confirm(askCancel, fmt.Sprintf("Cancel the %s of %s?", l.Kind, m.data.d.Key()),
		fmt.Sprintf("Asks %s to cancel job %s. What the org already changed stays; the log records the cancellation.", m.data.d.Target, l.JobID))
}

func (m *Detail) confirmAddMissing() {
	missing := m.data.missing
	cr := m.data.cr
	m.confirm(askAddMissing, fmt.Sprintf("Add %s to %s?", common.Plural(len(missing), "missing component"), cr.Key()),
		fmt.Sprintf("Adds %s to %s and to %s. Their scopes grow, so both need approving again, and the package retrieving again, before anything is deployed.",
			strings.Join(missing, ", "), cr.Key(), m.data.d.Key()))
}

// answered runs what a dialog confirmed. Answers to other screens'
// dialogs, or to a question no longer asked, are ignored.
func (m *Detail) answered(msg dialog.DoneMsg) tea.Cmd {
	if msg.Tag != m.asked || !strings.HasPrefix(msg.Tag, detailTag) {
		return nil
	}
	m.asked = ""
	if !msg.OK || m.data == nil {
		return nil
	}
	svc, id, key := m.deps.Svc, m.id, m.data.d.Key()
	kind, _, _ := strings.Cut(msg.Tag, "#")
	switch kind {
	case askApprove:
		return m.act("Approving "+key+"…", func() (string, error) {
			d, err := svc.ApproveDeployment(id, strings.TrimSpace(msg.Text))
			return fmt.Sprintf("You approved %s; it is %s.", key, d.Status), err
		})
	case askReject:
		return m.act("Rejecting "+key+"…", func() (string, error) {
			_, err := svc.RejectDeployment(id, msg.Text)
			return "You rejected " + key + ".", err
		})
	case askAddMissing:
		return m.act("Adding missing components…", func() (string, error) {
			cr, err := svc.AddMissingDependencies(id)
			return fmt.Sprintf("Added the missing components to %s (now %s) and %s: both need approving again.", cr.Key(), cr.Status(), key), err
		})
	case askDeploy, askInstead:
		return m.start(stepDeploy)
	case askQuick:
		return m.start(stepQuickDeploy)
	case askCancel:
		ctx, target := m.ctx, m.data.d.Target
		return m.act("Asking "+target+" to cancel…", func() (string, error) {
			l, err := svc.Cancel(ctx, id)
			return fmt.Sprintf("Asked %s to cancel job %s; the run reports when it stops.", target, l.JobID), err
		})
	case askAbandon:
		return m.closeLost(msg.Text)
	case askComplete:
		crID := m.data.cr.ID
		return m.act("Completing…", func() (string, error) {
			cr, err := svc.CompleteCR(crID)
			return cr.Key() + " is Completed.", err
		})
	}
	return nil
}

func submitFn(svc *actions.Service, id int64) func() (string, error) {
	return func() (string, error) {
		d, err := svc.SubmitDeployment(id)
		return fmt.Sprintf("%s is %s: its approvers are asked now.", d.Key(), d.Status), err
	}
}

// act runs a quick action in a command; its answer reloads the record.
func (m *Detail) act(busy string, do func() (string, error)) tea.Cmd {
	m.actionSeq++
	m.busy = busy
	seq := m.actionSeq
	return func() tea.Msg {
		text, err := do()
		return actionDoneMsg{seq: seq, status: text, err: err}
	}
}

func (m *Detail) actionDone(msg actionDoneMsg) tea.Cmd {
	if msg.seq != m.actionSeq {
		return nil
	}
	m.busy = ""
	report := common.Status(msg.status)
	if msg.err != nil {
		report = common.Err(screenErr{msg.err})
	}
	return tea.Batch(report, m.load())
}

// start runs a step of Deploy Changes on the record on screen.
func (m *Detail) start(s step) tea.Cmd {
	return m.startOn(m.id, m.data.d.Key(), s, "", m.deps.Svc.Now())
}

// startOn runs step s on record dr in the background; kind is the log kind
// a resumed job continues.
func (m *Detail) startOn(dr int64, key string, s step, kind model.LogKind, started time.Time) tea.Cmd {
	m.gen++
	r := newRun(m.deps.Styles, key, m.gen, s, planOf(s, kind), started)
	r.setWidth(m.barWidth())
	m.runs[dr] = r
	m.clock = m.deps.Svc.Now()
	if dr == m.id {
		m.focus = focusDetails
	}
	return tea.Batch(workCmd(m.ctx, m.deps.Svc, dr, s, r.feed), waitCmd(r.feed, dr, r.gen))
}

// reattach resumes every job an earlier relman left unfinished.
func (m *Detail) reattach(msg unfinishedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Err(fmt.Errorf("looking for unfinished deployment jobs: %w", msg.err))
	}
	var cmds []tea.Cmd
	var names []string
	for _, l := range msg.logs {
		if r := m.runs[l.Deployment]; r != nil && !r.done {
			continue
		}
		key := model.FormatID(model.PrefixDeployment, l.Deployment)
		cmds = append(cmds, m.startOn(l.Deployment, key, stepResume, l.Kind, l.Started))
		names = append(names, fmt.Sprintf("%s %s (job %s)", key, l.Kind, l.JobID))
	}
	if len(names) == 0 {
		return nil
	}
	cmds = append(cmds, common.Status("Re-attached to unfinished jobs: "+strings.Join(names, ", ")))
	return tea.Batch(cmds...)
}

// progressed applies a run's events and, at its end, reports how it went.
func (m *Detail) progressed(msg runMsg) tea.Cmd {
	r := m.runs[msg.dr]
	if r == nil || r.gen != msg.gen {
		return nil
	}
	m.clock = m.deps.Svc.Now()
	cmd := r.apply(msg.events)
	if msg.result == nil {
		return tea.Batch(cmd, waitCmd(r.feed, msg.dr, msg.gen))
	}
	r.end(*msg.result, m.clock)
	if r.step == stepDependencies && r.err == nil && len(missingOf(msg.result.record)) > 0 {
		r.stages[1] = stageWarned
	}
	cmds := []tea.Cmd{cmd, report(r)}
	if msg.dr == m.id {
		cmds = append(cmds, m.load())
		r.reloadSeq = m.loadSeq
		if r.quickRefused() && m.data != nil && m.data.d.Package != nil {
			m.confirmDeploy(askInstead, "Quick deploy is not possible: "+quickWhy(r.err)+".")
		}
	}
	return tea.Batch(cmds...)
}

// report puts a finished run on the status line, which shows whichever
// screen is open.
func report(r *run) tea.Cmd {
	switch {
	case r.quickRefused():
		return common.Err(fmt.Errorf("quick deploy of %s is not possible: %s", r.key, quickWhy(r.err)))
	case r.cancelled():
		return common.Status(fmt.Sprintf("%s: %s cancelled as asked", r.key, r.step))
	case r.err != nil:
		return common.Err(fmt.Errorf("%s: %s", r.key, failure(r.err)))
	}
	return common.Status(fmt.Sprintf("%s: %s finished: %s", r.key, r.step, r.detail))
}

// failure says in one line why a step ended badly.
func failure(err error) string {
	var failed *actions.JobFailedError
	if errors.As(err, &failed) {
		return string(failed.Status) + ": " + failed.Summary
	}
	return problem(err)
}

// quickWhy is the reason in a model.ErrQuickDeploy refusal.
func quickWhy(err error) string {
	var re *model.RuleError
	if errors.As(err, &re) && re.Detail != "" {
		if _, why, ok := strings.Cut(re.Detail, ": "); ok {
			return why
		}
		return re.Detail
	}
	return problem(err)
}

// current is the run of the record on screen, if this session started one.
func (m *Detail) current() *run { return m.runs[m.id] }

// runningLog is the record's job still running in the org, if any.
func runningLog(logs []model.DeploymentLog) (model.DeploymentLog, bool) {
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i].Running() && logs[i].JobID != "" {
			return logs[i], true
		}
	}
	return model.DeploymentLog{}, false
}

// verifyCompareLog is the compare log of the latest verify: its message
// starts with the log's key ("CL-0012: all 3 components are the same…").
func verifyCompareLog(logs []model.DeploymentLog) (int64, bool) {
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i].Kind != model.LogVerify {
			continue
		}
		head, _, ok := strings.Cut(logs[i].Message, ":")
		if !ok {
			return 0, false
		}
		id, err := model.ParseID(model.PrefixCompareLog, head)
		return id, err == nil
	}
	return 0, false
}

// missingNotInCR lists the missing dependencies of d that cr does not
// have yet.
func missingNotInCR(d model.DeploymentRecord, cr model.ChangeRequest) []string {
	in := map[string]bool{}
	for _, c := range cr.Components() {
		in[c.String()] = true
	}
	var out []string
	for _, dep := range d.Dependencies {
		if c := dep.To.String(); dep.Where == actions.Missing && !in[c] {
			in[c] = true
			out = append(out, c)
		}
	}
	return out
}

// updateKeys enables exactly the keys the rules allow this user now, so
// the help footer is always true, and keeps the refusal of the others.
func (m *Detail) updateKeys() {
	k := &m.keys
	open := m.dialog.Open()
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Back} {
		b.SetEnabled(!open)
	}
	r := m.current()
	k.Focus.SetEnabled(!open && r != nil && len(r.errs.items) > 0)
	if !k.Focus.Enabled() {
		m.focus = focusDetails
	}
	acts := []*key.Binding{&k.Submit, &k.Approve, &k.Reject, &k.AddMissing, &k.Retrieve, &k.Dependencies,
		&k.Validate, &k.Deploy, &k.Quick, &k.Cancel, &k.Complete, &k.Logs, &k.Compare, &k.Rollback, &k.Abandon}
	for _, b := range acts {
		b.SetEnabled(false)
	}
	m.gates.Reset()
	if m.data == nil || open || m.busy != "" {
		return
	}
	gate := m.gates.Gate
	d, cr, user, now, may := m.data.d, m.data.cr, m.deps.Svc.User, m.clock, m.data.may
	_, jobRunning := runningLog(m.data.logs)
	// One job at a time: this session's, or one the store says runs.
	var running error
	if jobRunning || (r != nil && !r.done) {
		running = model.ErrDeployRunning.With(d.Key() + " has a job in progress")
	}
	moves := model.DeploymentMayMove(d, cr)
	_, _, submit := model.SubmitDeployment(d, cr, user, now)
	gate(&k.Submit, may[model.RoleRequester], moves, submit)
	_, _, decide := model.ApproveDeployment(d, user, "", now)
	gate(&k.Approve, may[model.RoleApprover], moves, decide)
	gate(&k.Reject, may[model.RoleApprover], moves, decide)
	if !k.Approve.Enabled() && running == nil && !finished(d) && cr.CompletionStatus == model.CompletionInProgress && len(m.data.missing) > 0 {
		gate(&k.AddMissing, may[model.RoleRequester])
	}
	steps := []error{may[model.RoleReleaseManager], running, m.data.blocked}
	gate(&k.Retrieve, steps...)
	if d.Package == nil {
		steps = append(steps, model.ErrNoPackage.With(d.Key()+" has no package yet"))
	}
	gate(&k.Dependencies, steps...)
	gate(&k.Validate, steps...)
	gate(&k.Deploy, steps...)
	var quick error
	if d.Package != nil {
		if why := model.QuickDeployProblem(d, d.ValidatedTarget, now); why != "" {
			quick = model.ErrQuickDeploy.With(why)
		}
	}
	gate(&k.Quick, append(steps, quick)...)
	if jobRunning {
		gate(&k.Cancel, may[model.RoleReleaseManager])
	}
	// A deploy this session does not follow may be lost (its org was
	// reset, or the demo that served it quit): it can be closed.
	if _, lost := lostLog(m.data.logs); lost && m.abandon != nil && (r == nil || r.done) {
		gate(&k.Abandon, may[model.RoleReleaseManager])
	}
	var completable error
	if d.Status != model.DeployVerified {
		completable = model.ErrNotCompletable.With(d.Key() + " is " + string(d.Status))
	}
	_, _, complete := model.CompleteChangeRequest(cr, m.data.latest, user, now)
	gate(&k.Complete, completable, complete)
	k.Logs.SetEnabled(true)
	_, verified := verifyCompareLog(m.data.logs)
	k.Compare.SetEnabled(verified)
	if len(m.data.rollbacks) > 0 {
		// Its rollbacks are there to read for anyone.
		k.Rollback.SetHelp("b", "rollbacks")
		k.Rollback.SetEnabled(true)
	} else {
		k.Rollback.SetHelp("b", "rollback")
		_, _, rb := model.NewRollback(0, d, cr, nil, user, now)
		gate(&k.Rollback, may[model.RoleRequester], rb)
	}
}

// logs is the loaded record's logs.
func (m *Detail) logs() []model.DeploymentLog {
	if m.data == nil {
		return nil
	}
	return m.data.logs
}

// ShortHelp implements help.KeyMap: the dialog's keys while one is open,
// else what can be done now, the most pressing first.
func (m *Detail) ShortHelp() []key.Binding {
	if m.dialog.Open() {
		return m.dialog.ShortHelp()
	}
	k := m.keys
	return []key.Binding{k.Cancel, k.Abandon, k.Submit, k.Approve, k.Reject, k.AddMissing, k.Retrieve, k.Dependencies,
		k.Validate, k.Deploy, k.Quick, k.Complete, k.Rollback, k.Logs, k.Compare, k.Focus, k.Back}
}

// FullHelp implements help.KeyMap.
func (m *Detail) FullHelp() [][]key.Binding {
	if m.dialog.Open() {
		return [][]key.Binding{m.dialog.ShortHelp()}
	}
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Focus},
		{k.Submit, k.Approve, k.Reject, k.AddMissing, k.Complete, k.Rollback},
		{k.Retrieve, k.Dependencies, k.Validate, k.Deploy, k.Quick, k.Cancel, k.Abandon},
		{k.Logs, k.Compare, k.Back},
	}
}

func testsSuffix(tests []string) string {
	if len(tests) == 0 {
		return ""
	}
	return " (" + strings.Join(tests, ", ") + ")"
}
