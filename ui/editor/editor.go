package editor

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/components/dialog"
	"relman/ui/termsafe"
)

// field is one focus stop of the form, in tab order.
type field int

const (
	fieldName field = iota
	fieldType
	fieldEnv
	fieldOverview
	fieldSearch
	fieldPicked
	fieldProposed
	fieldProposedList
	fieldApprovers
)

// Dialog tags are prefixed: dialog answers are broadcast to every screen.
const (
	askSubmit  = "editor.submit"
	askDiscard = "editor.discard"
)

// Editor is the change request form.
type Editor struct {
	deps    common.Deps
	keys    keyMap
	spinner spinner.Model
	dialog  dialog.Model
	asked   string

	width, height int

	// id is the change request being edited, 0 for a new one.
	id int64
	// session counts the forms shown; answers for an earlier form are dropped.
	session  int
	loading  bool
	loadErr  error
	original model.ChangeRequest
	// readOnly says why the acting user cannot edit this change request.
	readOnly error

	// envs are the production environments a new change request can live in.
	envs   []string
	envIdx int
	env    string

	name       textinput.Model
	changeType int
	overview   textarea.Model
	picker     picker
	proposedIn textinput.Model
	approvers  textinput.Model

	// users are the registered users, to complete and check approvers;
	// policies are the production environments' policies, for the
	// approvers they require. Both load with the form.
	users    model.Users
	policies map[string]model.Policy

	picked         []metadata.Component
	pickedCursor   int
	proposed       []metadata.Component
	proposedCursor int
	// removed is the last component taken off a list, which ctrl+z puts
	// back; nil when there is nothing to undo.
	removed *removal

	focus     field
	triedSave bool
	saved     formState
	saving    bool
	saveSeq   int
}

// removal is a component taken off the chosen (picked) or proposed list.
type removal struct {
	comp     metadata.Component
	proposed bool
}

// formState is what the form holds, to tell whether anything is unsaved.
type formState struct {
	name, overview, env, approvers, proposedText string
	changeType                                   int
	picked, proposed                             string
}

var _ common.Screen = (*Editor)(nil)

// New returns the change request editor screen.
func New(deps common.Deps) common.Screen {
	st := deps.Styles
	input := func(placeholder string, limit int) textinput.Model {
		in := textinput.New()
		in.Prompt = ""
		in.Placeholder = placeholder
		in.CharLimit = limit
		in.PlaceholderStyle = st.Placeholder
		in.TextStyle = st.Normal
		in.Cursor.Style = st.Accent
		return in
	}
	ov := textarea.New()
	ov.Prompt = ""
	ov.ShowLineNumbers = false
	ov.Placeholder = "What changes and why; ctrl+e opens $EDITOR"
	ov.CharLimit = 20000
	ov.MaxHeight = 0
	style := textarea.Style{Base: st.Normal, Text: st.Normal, CursorLine: st.Normal, Placeholder: st.Placeholder,
		EndOfBuffer: st.Muted, Prompt: st.Muted, LineNumber: st.Muted, CursorLineNumber: st.Muted}
	ov.FocusedStyle, ov.BlurredStyle = style, style
	ov.Cursor.Style = st.Accent
	ov.KeyMap.LineEnd.SetKeys("end") // ctrl+e opens $EDITOR here

	m := &Editor{deps: deps, keys: defaultKeys(), dialog: dialog.New(st),
		spinner:    spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Accent)),
		name:       input("e.g. Invoice due dates", 255),
		overview:   ov,
		proposedIn: input("Type:FullName, e.g. CustomField:Account.Region__c", 300),
		approvers:  approverInput(input("user names, comma-separated, e.g. bob, carol", 500)),
		picker: picker{input: input("type to search components", 200), catalogues: map[string]*catalogue{},
			loading: map[string]bool{}, failed: map[string]error{}},
	}
	m.picker.input.Prompt = "/ "
	m.picker.input.PromptStyle = st.Accent
	m.updateKeys()
	return m
}

// Title implements common.Screen.
func (m *Editor) Title() string { return "Edit Change Request" }

// Capturing implements common.Screen: true while the form can be edited,
// whatever field has focus, so that a stray q or tab number never throws
// away what was typed; esc leaves (asking first when there are changes).
func (m *Editor) Capturing() bool {
	if m.dialog.Open() {
		return m.dialog.Capturing()
	}
	return m.editable()
}

// editable reports whether the form is loaded and may be changed now.
func (m *Editor) editable() bool {
	return !m.loading && m.loadErr == nil && m.readOnly == nil && m.session > 0
}

// Init implements common.Screen; the form loads when it is shown.
func (m *Editor) Init() tea.Cmd { return nil }

// SetSize implements common.Screen.
func (m *Editor) SetSize(width, height int) {
	m.width, m.height = width, height
	m.dialog.SetWidth(width)
	w := m.inputWidth()
	m.name.Width = w - 1
	m.proposedIn.Width = w - 1
	m.approvers.Width = w - 1
	// Room for the prompt and the count of chosen components beside it.
	m.picker.input.Width = w - lipgloss.Width(m.picker.input.Prompt) - len(" 999 chosen") - 1
	m.overview.SetWidth(w)
	m.overview.SetHeight(m.overviewHeight())
}

// editorLoadedMsg answers show: the environments and, when editing, the
// change request.
type editorLoadedMsg struct {
	session  int
	envs     []model.Environment
	users    model.Users
	policies map[string]model.Policy
	cr       *model.ChangeRequest
	err      error
}

// savedMsg answers a save: the saved change request, and whether the
// submit that followed worked.
type savedMsg struct {
	seq       int
	cr        model.ChangeRequest
	submit    bool
	submitErr error
	err       error
}

// Update implements common.Screen.
func (m *Editor) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case common.ShowMsg:
		cmd = m.show(msg.ID)
	case editorLoadedMsg:
		cmd = m.loaded(msg)
	case catalogueLoadedMsg:
		cmd = m.catalogueLoaded(msg)
	case pickFilteredMsg:
		m.picker.filtered(msg)
	case savedMsg:
		cmd = m.savedAnswer(msg)
	case dialog.DoneMsg:
		cmd = m.answered(msg)
	case externalReadyMsg:
		cmd = m.externalReady(msg)
	case externalClosedMsg:
		cmd = m.externalClosed(msg)
	case overviewEditedMsg:
		cmd = m.overviewEdited(msg)
	case spinner.TickMsg:
		if m.busy() {
			m.spinner, cmd = m.spinner.Update(msg)
		}
	case tea.KeyMsg:
		cmd = m.handleKey(msg)
	default:
		cmd = m.forwardToFocused(msg)
	}
	m.updateKeys()
	return m, cmd
}

// busy reports whether something runs that the spinner shows.
func (m *Editor) busy() bool {
	return m.loading || m.saving || m.picker.loading[m.env]
}

// spinnerTick starts the spinner unless it already runs.
func (m *Editor) spinnerTick(wasBusy bool) tea.Cmd {
	if wasBusy {
		return nil
	}
	return m.spinner.Tick
}

// show resets the form for a new change request (id 0) or for editing id.
func (m *Editor) show(id int64) tea.Cmd {
	wasBusy := m.busy()
	m.session++
	m.id, m.loading, m.loadErr, m.readOnly = id, true, nil, nil
	m.original = model.ChangeRequest{}
	m.envs, m.envIdx, m.env = nil, 0, ""
	m.name.Reset()
	m.changeType = 0
	m.overview.Reset()
	m.picker.reset()
	m.proposedIn.Reset()
	m.approvers.Reset()
	m.picked, m.proposed = nil, nil
	m.users, m.policies = nil, nil
	m.pickedCursor, m.proposedCursor = 0, 0
	m.removed = nil
	m.triedSave, m.saving = false, false
	m.dialog = dialog.New(m.deps.Styles)
	m.dialog.SetWidth(m.width)
	m.asked = ""
	m.blurAll()
	m.focus = fieldName
	session, svc := m.session, m.deps.Svc
	return tea.Batch(m.spinnerTick(wasBusy), func() tea.Msg { return loadForm(svc, id, session) })
}

func loadForm(svc *actions.Service, id int64, session int) tea.Msg {
	envs, err := svc.Environments()
	if err != nil {
		return editorLoadedMsg{session: session, err: err}
	}
	users, err := svc.Users()
	if err != nil {
		return editorLoadedMsg{session: session, err: err}
	}
	msg := editorLoadedMsg{session: session, envs: envs, users: users, policies: map[string]model.Policy{}}
	for _, e := range envs {
		if e.Kind != model.KindProduction {
			continue
		}
		if msg.policies[e.Name], err = svc.Policy(e.Name); err != nil {
			return editorLoadedMsg{session: session, err: err}
		}
	}
	if id != 0 {
		cr, err := svc.CR(id)
		if err != nil {
			return editorLoadedMsg{session: session, err: err}
		}
		msg.cr = &cr
	}
	return msg
}

func (m *Editor) loaded(msg editorLoadedMsg) tea.Cmd {
	if msg.session != m.session {
		return nil
	}
	m.loading = false
	if msg.err != nil {
		m.loadErr = msg.err
		return common.Err(msg.err)
	}
	m.users, m.policies = msg.users, msg.policies
	for _, e := range msg.envs {
		if e.Kind == model.KindProduction {
			m.envs = append(m.envs, e.Name)
		}
	}
	if cr := msg.cr; cr != nil {
		m.original = *cr
		m.env = cr.Env
		m.name.SetValue(cr.Name)
		m.changeType = max(0, slices.Index(model.ChangeTypes, cr.ChangeType))
		m.overview.SetValue(cr.Overview)
		// SetValue leaves the cursor at the end; the text should show from
		// its start, and textarea exports that move only as a key, which it
		// takes only while focused.
		m.overview.Focus()
		m.overview, _ = m.overview.Update(tea.KeyMsg{Type: tea.KeyCtrlHome})
		m.overview.Blur()
		m.picked = slices.Clone(cr.Customizations)
		m.proposed = slices.Clone(cr.Proposed)
		names := make([]string, len(cr.Approvers))
		for i, a := range cr.Approvers {
			names[i] = a.User
		}
		m.approvers.SetValue(strings.Join(names, ", "))
		m.suggestApprovers()
		if _, _, err := model.EditChangeRequest(*cr, m.deps.Svc.User, model.CREdit{}, m.deps.Svc.Now()); err != nil {
			m.readOnly = err
		}
	} else if len(m.envs) > 0 {
		m.env = m.envs[0]
	}
	m.saved = m.state()
	if !m.editable() {
		return nil
	}
	return tea.Batch(m.setFocus(fieldName), m.ensureCatalogue())
}

// ensureCatalogue loads the home environment's components unless they are
// cached or on their way; a failed load is retried.
func (m *Editor) ensureCatalogue() tea.Cmd {
	p := &m.picker
	p.env = m.env
	if m.env == "" || p.loading[m.env] {
		return nil
	}
	if p.catalogues[m.env] != nil {
		return p.search()
	}
	wasBusy := m.busy()
	p.loading[m.env] = true
	delete(p.failed, m.env)
	return tea.Batch(m.spinnerTick(wasBusy), loadCatalogue(m.deps.Svc, m.env))
}

func (m *Editor) catalogueLoaded(msg catalogueLoadedMsg) tea.Cmd {
	p := &m.picker
	delete(p.loading, msg.env)
	if msg.err != nil {
		p.failed[msg.env] = msg.err
		return nil
	}
	p.catalogues[msg.env] = msg.cat
	if msg.env == p.env {
		return p.search()
	}
	return nil
}

// state captures the form, for the unsaved-changes check.
func (m *Editor) state() formState {
	join := func(cs []metadata.Component) string {
		s := make([]string, len(cs))
		for i, c := range cs {
			s[i] = c.String()
		}
		return strings.Join(s, ",")
	}
	return formState{name: m.name.Value(), overview: m.overview.Value(), env: m.env,
		approvers: strings.Join(parseApprovers(m.approvers.Value()), ","), proposedText: strings.TrimSpace(m.proposedIn.Value()),
		changeType: m.changeType, picked: join(m.picked), proposed: join(m.proposed)}
}

func (m *Editor) dirty() bool { return m.state() != m.saved }

// fields lists the focus stops in tab order; the lists of chosen
// components are stops only when they have something to remove.
func (m *Editor) fields() []field {
	fs := []field{fieldName, fieldType}
	if m.id == 0 {
		fs = append(fs, fieldEnv)
	}
	fs = append(fs, fieldOverview, fieldSearch)
	if len(m.picked) > 0 {
		fs = append(fs, fieldPicked)
	}
	fs = append(fs, fieldProposed)
	if len(m.proposed) > 0 {
		fs = append(fs, fieldProposedList)
	}
	return append(fs, fieldApprovers)
}

// step moves focus by delta stops, wrapping around.
func (m *Editor) step(delta int) tea.Cmd {
	fs := m.fields()
	i := slices.Index(fs, m.focus)
	if i < 0 {
		i = 0
	}
	return m.setFocus(fs[(i+delta+len(fs))%len(fs)])
}

func (m *Editor) blurAll() {
	m.name.Blur()
	m.overview.Blur()
	m.picker.input.Blur()
	m.proposedIn.Blur()
	m.approvers.Blur()
}

func (m *Editor) setFocus(f field) tea.Cmd {
	m.blurAll()
	m.focus = f
	switch f {
	case fieldName:
		return m.name.Focus()
	case fieldOverview:
		return m.overview.Focus()
	case fieldSearch:
		return tea.Batch(m.picker.input.Focus(), m.ensureCatalogue())
	case fieldProposed:
		return m.proposedIn.Focus()
	case fieldApprovers:
		return m.approvers.Focus()
	case fieldPicked:
		m.pickedCursor = min(m.pickedCursor, len(m.picked)-1)
	case fieldProposedList:
		m.proposedCursor = min(m.proposedCursor, len(m.proposed)-1)
	}
	return nil
}

// forwardToFocused hands cursor blinks and pastes to the focused input.
func (m *Editor) forwardToFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if m.dialog.Open() {
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	switch m.focus {
	case fieldName:
		m.name, cmd = m.name.Update(msg)
	case fieldOverview:
		m.overview, cmd = m.overview.Update(msg)
	case fieldSearch:
		m.picker.input, cmd = m.picker.input.Update(msg)
	case fieldProposed:
		m.proposedIn, cmd = m.proposedIn.Update(msg)
	case fieldApprovers:
		m.approvers, cmd = m.approvers.Update(msg)
	}
	return cmd
}

func (m *Editor) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.dialog.Open() {
		var cmd tea.Cmd
		m.dialog, cmd = m.dialog.Update(msg)
		return cmd
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.ClearSearch):
		m.picker.input.Reset()
		return m.picker.search()
	case key.Matches(msg, k.Back):
		if m.editable() && m.dirty() {
			m.asked = askDiscard
			m.dialog = m.dialog.Confirm(askDiscard, "Discard unsaved changes?", "What you changed in this form will be lost.")
			return nil
		}
		return common.Back
	case key.Matches(msg, k.Next):
		return m.step(1)
	case key.Matches(msg, k.Prev):
		return m.step(-1)
	case key.Matches(msg, k.Save):
		return m.save(false)
	case key.Matches(msg, k.SaveSubmit):
		return m.save(true)
	case key.Matches(msg, k.External):
		return prepareExternal(m.session, m.overview.Value())
	case key.Matches(msg, k.Cycle):
		return m.cycle(1)
	case key.Matches(msg, k.CycleBack):
		return m.cycle(-1)
	case key.Matches(msg, k.ResultUp):
		m.picker.move(-1, m.resultRows())
	case key.Matches(msg, k.ResultDown):
		m.picker.move(1, m.resultRows())
	case key.Matches(msg, k.Toggle):
		m.togglePicked()
	case key.Matches(msg, k.ListUp):
		m.moveList(-1)
	case key.Matches(msg, k.ListDown):
		m.moveList(1)
	case key.Matches(msg, k.Remove):
		return m.removeFromList()
	case key.Matches(msg, k.Undo):
		return m.undoRemove()
	case key.Matches(msg, k.AddProposed):
		m.addProposed()
	default:
		return m.typeInto(msg)
	}
	return nil
}

// typeInto gives a key to the focused text field. Text typed on a list of
// chosen components goes to the field above it, which takes focus: what is
// typed is never lost on a stop that takes no text.
func (m *Editor) typeInto(msg tea.KeyMsg) tea.Cmd {
	if !m.editable() || m.saving {
		return nil
	}
	var cmd, focus tea.Cmd
	if msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace {
		switch m.focus {
		case fieldPicked:
			focus = m.setFocus(fieldSearch)
		case fieldProposedList:
			focus = m.setFocus(fieldProposed)
		}
	}
	if focus != nil {
		return tea.Batch(focus, m.typeInto(msg))
	}
	switch m.focus {
	case fieldName:
		m.name, cmd = m.name.Update(msg)
	case fieldOverview:
		m.overview, cmd = m.overview.Update(msg)
	case fieldProposed:
		m.proposedIn, cmd = m.proposedIn.Update(msg)
	case fieldApprovers:
		m.approvers, cmd = m.approvers.Update(msg)
		m.suggestApprovers()
	case fieldSearch:
		before := m.picker.query()
		m.picker.input, cmd = m.picker.input.Update(msg)
		if m.picker.query() != before {
			return tea.Batch(cmd, m.picker.search())
		}
	}
	return cmd
}

// cycle steps the change type or the home environment; another
// environment means another component list for the picker.
func (m *Editor) cycle(delta int) tea.Cmd {
	switch m.focus {
	case fieldType:
		n := len(model.ChangeTypes)
		m.changeType = (m.changeType + delta + n) % n
	case fieldEnv:
		if n := len(m.envs); n > 0 {
			m.envIdx = (m.envIdx + delta + n) % n
			m.env = m.envs[m.envIdx]
			return m.ensureCatalogue()
		}
	}
	return nil
}

// togglePicked adds the component under the picker's cursor, or removes
// it when it is already chosen.
func (m *Editor) togglePicked() {
	c, ok := m.picker.selected()
	if !ok {
		return
	}
	if i := slices.Index(m.picked, c); i >= 0 {
		m.picked = slices.Delete(m.picked, i, i+1)
		return
	}
	m.picked = append(m.picked, c)
	metadata.SortComponents(m.picked)
	// A component now chosen as existing cannot stay proposed as well.
	if i := slices.Index(m.proposed, c); i >= 0 {
		m.proposed = slices.Delete(m.proposed, i, i+1)
	}
}

func (m *Editor) moveList(delta int) {
	switch m.focus {
	case fieldPicked:
		m.pickedCursor = max(0, min(m.pickedCursor+delta, len(m.picked)-1))
	case fieldProposedList:
		m.proposedCursor = max(0, min(m.proposedCursor+delta, len(m.proposed)-1))
	}
}

// removeFromList removes the chosen component under the cursor, says so
// with how to undo it; when the list empties, focus goes back to where
// components are added.
func (m *Editor) removeFromList() tea.Cmd {
	var said tea.Cmd
	switch m.focus {
	case fieldPicked:
		m.removed = &removal{comp: m.picked[m.pickedCursor]}
		said = common.Status("Removed " + m.removed.comp.String() + " from the customizations · ctrl+z puts it back")
		m.picked = slices.Delete(m.picked, m.pickedCursor, m.pickedCursor+1)
		m.pickedCursor = max(0, min(m.pickedCursor, len(m.picked)-1))
		if len(m.picked) == 0 {
			return tea.Batch(said, m.setFocus(fieldSearch))
		}
	case fieldProposedList:
		m.removed = &removal{comp: m.proposed[m.proposedCursor], proposed: true}
		said = common.Status("Removed " + m.removed.comp.String() + " from the proposed customizations · ctrl+z puts it back")
		m.proposed = slices.Delete(m.proposed, m.proposedCursor, m.proposedCursor+1)
		m.proposedCursor = max(0, min(m.proposedCursor, len(m.proposed)-1))
		if len(m.proposed) == 0 {
			return tea.Batch(said, m.setFocus(fieldProposed))
		}
	}
	return said
}

// undoRemove puts the last removed component back on its list, with the
// cursor and focus on it, unless it was listed again since.
func (m *Editor) undoRemove() tea.Cmd {
	r := m.removed
	m.removed = nil
	if r == nil || slices.Contains(m.picked, r.comp) || slices.Contains(m.proposed, r.comp) {
		return nil
	}
	if r.proposed {
		m.proposed = append(m.proposed, r.comp)
		metadata.SortComponents(m.proposed)
		m.proposedCursor = slices.Index(m.proposed, r.comp)
		return tea.Batch(m.setFocus(fieldProposedList), common.Status("Put back "+r.comp.String()))
	}
	m.picked = append(m.picked, r.comp)
	metadata.SortComponents(m.picked)
	m.pickedCursor = slices.Index(m.picked, r.comp)
	return tea.Batch(m.setFocus(fieldPicked), common.Status("Put back "+r.comp.String()))
}

// addProposed adds the typed proposed customization when it is valid.
func (m *Editor) addProposed() {
	c, problem := m.checkProposed()
	if problem != "" || c == (metadata.Component{}) {
		return
	}
	m.proposed = append(m.proposed, c)
	metadata.SortComponents(m.proposed)
	m.proposedIn.Reset()
}

// checkProposed validates the proposed customization being typed: the
// syntax, the type's name rules, and that it is not listed already. The
// empty input is no problem and no component.
func (m *Editor) checkProposed() (metadata.Component, string) {
	text := strings.TrimSpace(m.proposedIn.Value())
	if text == "" {
		return metadata.Component{}, ""
	}
	c, err := metadata.ParseComponent(text)
	if err != nil {
		return c, err.Error()
	}
	if err := metadata.Validate(c); err != nil {
		return c, err.Error()
	}
	switch {
	case slices.Contains(m.proposed, c):
		return c, c.String() + " is already proposed"
	case slices.Contains(m.picked, c):
		return c, c.String() + " is already listed as an existing customization"
	}
	return c, ""
}

// proposedHint warns, without refusing, when a proposed customization
// already exists in the home environment: it should be picked instead.
func (m *Editor) proposedHint() string {
	c, problem := m.checkProposed()
	cat := m.picker.catalogue()
	if problem != "" || cat == nil || !cat.exists[c] {
		return ""
	}
	return c.String() + " already exists in " + cat.env + "; pick it under Customizations instead"
}

// parseApprovers splits the approvers field into distinct names.
func parseApprovers(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if u := strings.TrimSpace(part); u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// requester is who requests the change request: its requester when
// editing, the acting user for a new one.
func (m *Editor) requester() string {
	if m.id != 0 {
		return m.original.Requester
	}
	return m.deps.Svc.User
}

// approversProblem refuses, as the rules on save do, the requester as an
// approver, a name that is no registered user or lacks the approver role,
// and taking off an approver the policy requires for this scope.
func (m *Editor) approversProblem() string {
	listed := parseApprovers(m.approvers.Value())
	for _, name := range listed {
		if model.SameUser(name, m.requester()) {
			return m.requester() + " requests this change and cannot approve it; " + model.ErrRequesterAsApprover.Rule
		}
		if m.users == nil {
			continue // not loaded: the save checks
		}
		u, ok := m.users.Find(name)
		switch {
		case !ok:
			return fmt.Sprintf("%q is not a registered user; approvers: %s", termsafe.Line(name), m.approverChoices())
		case !u.Has(model.RoleApprover):
			return u.Name + " does not have the approver role; an admin can give it, or choose one of: " + m.approverChoices()
		}
	}
	for _, a := range m.original.Approvers {
		if why := m.requiredBy(a.User); why != "" && !slices.ContainsFunc(listed, func(n string) bool { return model.SameUser(n, a.User) }) {
			return a.User + " is required by policy (" + why + "); " + model.ErrPolicyApprover.Rule
		}
	}
	return ""
}

// requiredBy names the policy categories that require user as an approver
// for the components on the form, "" when none does.
func (m *Editor) requiredBy(user string) string {
	p, ok := m.policies[m.env]
	if !ok {
		return ""
	}
	return p.RequiredBy(user, slices.Concat(m.picked, m.proposed))
}

// policyNote lists the approvers the policy requires for this scope, with
// the categories that require them; those missing from the field are added
// on save, as the actions layer does.
func (m *Editor) policyNote() string {
	p, ok := m.policies[m.env]
	if !ok {
		return ""
	}
	listed := parseApprovers(m.approvers.Value())
	var parts []string
	for _, a := range p.RequiredApprovers(slices.Concat(m.picked, m.proposed)) {
		if model.SameUser(a, m.requester()) {
			continue
		}
		part := a + " (required by policy: " + m.requiredBy(a) + ")"
		// One taken off is refused (approversProblem); one never listed is
		// added by the save.
		if !slices.ContainsFunc(listed, func(n string) bool { return model.SameUser(n, a) }) &&
			!slices.ContainsFunc(m.original.Approvers, func(o model.Approver) bool { return model.SameUser(o.User, a) }) {
			part += ", added on save"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// approversAfterSave are the approvers the save will store: those typed,
// then those the policy adds for the scope, as the actions layer does.
func (m *Editor) approversAfterSave() []string {
	listed := parseApprovers(m.approvers.Value())
	p, ok := m.policies[m.env]
	if !ok {
		return listed
	}
	return p.WithRequiredApprovers(listed, slices.Concat(m.picked, m.proposed), m.requester())
}

// approverChoices lists who may be an approver here: registered users with
// the approver role, other than the requester.
func (m *Editor) approverChoices() string {
	var names []string
	for _, u := range m.users {
		if u.Has(model.RoleApprover) && !model.SameUser(u.Name, m.requester()) {
			names = append(names, u.Name)
		}
	}
	if len(names) == 0 {
		return "none registered; an admin gives the approver role"
	}
	return strings.Join(names, ", ")
}

// approverInput turns on completion; → takes the completion, since tab
// moves between fields.
func approverInput(in textinput.Model) textinput.Model {
	in.ShowSuggestions = true
	in.KeyMap.AcceptSuggestion = key.NewBinding(key.WithKeys("right"))
	return in
}

// suggestApprovers offers, for the name being typed after the last comma,
// the registered approvers not yet listed: each suggestion is the whole
// field with that name completed, as the text input matches on the whole.
func (m *Editor) suggestApprovers() {
	v := m.approvers.Value()
	cut := strings.LastIndex(v, ",") + 1
	prefix := v[:cut] + v[cut:len(v)-len(strings.TrimLeft(v[cut:], " "))]
	listed := parseApprovers(v[:cut])
	var out []string
	for _, u := range m.users {
		if u.Has(model.RoleApprover) && !model.SameUser(u.Name, m.requester()) &&
			!slices.ContainsFunc(listed, func(n string) bool { return model.SameUser(n, u.Name) }) {
			out = append(out, prefix+u.Name)
		}
	}
	m.approvers.SetSuggestions(out)
}

func (m *Editor) nameProblem() string {
	if m.triedSave && strings.TrimSpace(m.name.Value()) == "" {
		return model.ErrNameRequired.Rule
	}
	return ""
}

func (m *Editor) envProblem() string {
	if m.id == 0 && m.env == "" {
		return "There is no production environment: add one on the Environments tab (3)"
	}
	return ""
}

// errNotSaved reports a save refused by the form's own checks.
var errNotSaved = errors.New("not saved: fix what is shown under the field")

// save checks the form, then creates or edits the change request in a
// command; with submit it asks first and submits after saving.
func (m *Editor) save(submit bool) tea.Cmd {
	m.triedSave = true
	if c, problem := m.checkProposed(); problem == "" && c != (metadata.Component{}) {
		m.addProposed() // a valid entry not yet added is surely meant to be saved
	}
	for _, check := range []struct {
		f       field
		problem string
	}{{fieldName, m.nameProblem()}, {fieldEnv, m.envProblem()}, {fieldProposed, m.proposedProblem()},
		{fieldApprovers, m.approversProblem()}} {
		if check.problem != "" {
			return tea.Batch(m.setFocus(check.f), common.Err(errNotSaved))
		}
	}
	if submit {
		m.asked = askSubmit
		m.dialog = m.dialog.Confirm(askSubmit, "Save and submit for approval?",
			"Each approver ("+strings.Join(m.approversAfterSave(), ", ")+") will decide on this scope.")
		return nil
	}
	return m.startSave(false)
}

func (m *Editor) proposedProblem() string {
	_, problem := m.checkProposed()
	return problem
}

// startSave runs the create or edit (and the submit) in a command.
func (m *Editor) startSave(submit bool) tea.Cmd {
	wasBusy := m.busy()
	m.saving = true
	m.saveSeq++
	seq, svc, id, env := m.saveSeq, m.deps.Svc, m.id, m.env
	fields := model.CRFields{Name: strings.TrimSpace(m.name.Value()), ChangeType: model.ChangeTypes[m.changeType],
		Overview: m.overview.Value(), Customizations: slices.Clone(m.picked), Proposed: slices.Clone(m.proposed),
		Approvers: parseApprovers(m.approvers.Value())}
	edit, changed := m.edit(fields)
	return tea.Batch(m.spinnerTick(wasBusy), func() tea.Msg {
		msg := savedMsg{seq: seq, submit: submit}
		switch {
		case id == 0:
			msg.cr, msg.err = svc.CreateCR(env, fields)
		case changed:
			msg.cr, msg.err = svc.EditCR(id, edit)
		default:
			msg.cr, msg.err = svc.CR(id)
		}
		if msg.err == nil && submit {
			if cr, err := svc.SubmitCR(msg.cr.ID); err != nil {
				msg.submitErr = err
			} else {
				msg.cr = cr
			}
		}
		return msg
	})
}

// edit is the difference between the loaded change request and the form.
func (m *Editor) edit(f model.CRFields) (model.CREdit, bool) {
	o := m.original
	var e model.CREdit
	if f.Name != o.Name {
		e.Name = &f.Name
	}
	if f.ChangeType != o.ChangeType {
		e.ChangeType = &f.ChangeType
	}
	if f.Overview != o.Overview {
		e.Overview = &f.Overview
	}
	e.AddCustomizations = minus(f.Customizations, o.Customizations)
	e.AddProposed = minus(f.Proposed, o.Proposed)
	e.Remove = append(minus(o.Customizations, f.Customizations), minus(o.Proposed, f.Proposed)...)
	var before []string
	for _, a := range o.Approvers {
		before = append(before, a.User)
	}
	for _, u := range f.Approvers {
		if !slices.Contains(before, u) {
			e.AddApprovers = append(e.AddApprovers, u)
		}
	}
	for _, u := range before {
		if !slices.Contains(f.Approvers, u) {
			e.RemoveApprovers = append(e.RemoveApprovers, u)
		}
	}
	changed := e.Name != nil || e.ChangeType != nil || e.Overview != nil || len(e.AddCustomizations)+len(e.AddProposed)+
		len(e.Remove)+len(e.AddApprovers)+len(e.RemoveApprovers) > 0
	return e, changed
}

// minus returns the components of a that are not in b.
func minus(a, b []metadata.Component) []metadata.Component {
	var out []metadata.Component
	for _, c := range a {
		if !slices.Contains(b, c) {
			out = append(out, c)
		}
	}
	return out
}

// savedAnswer reports a save. On success the form is clean and the root
// shows the saved change request in place of the editor.
func (m *Editor) savedAnswer(msg savedMsg) tea.Cmd {
	if msg.seq != m.saveSeq {
		return nil
	}
	m.saving = false
	if msg.err != nil {
		return tea.Batch(m.focusRefusal(msg.err), common.Err(ruleError{msg.err}))
	}
	m.id, m.original = msg.cr.ID, msg.cr
	m.saved = m.state()
	status := common.Status("Saved " + msg.cr.Key())
	switch {
	case msg.submitErr != nil:
		status = common.Err(fmt.Errorf("saved %s but did not submit it: %w", msg.cr.Key(), ruleError{msg.submitErr}))
	case msg.submit:
		status = common.Status("Saved " + msg.cr.Key() + " and submitted it for approval")
	}
	return tea.Batch(status, tea.Sequence(common.Back, common.Open(common.ScreenChangeDetail, msg.cr.ID)))
}

// focusRefusal moves focus to the field a rule refused, so the user lands
// where the fix is.
func (m *Editor) focusRefusal(err error) tea.Cmd {
	switch {
	case errors.Is(err, model.ErrNameRequired):
		return m.setFocus(fieldName)
	case errors.Is(err, model.ErrRequesterAsApprover), errors.Is(err, model.ErrNoApprovers), errors.Is(err, model.ErrUnknownUser),
		errors.Is(err, model.ErrPolicyApprover):
		return m.setFocus(fieldApprovers)
	case errors.Is(err, model.ErrInvalidComponent), errors.Is(err, model.ErrDuplicateComponent):
		return m.setFocus(fieldProposed)
	case errors.Is(err, model.ErrHomeNotProduction):
		return m.setFocus(fieldEnv)
	}
	return nil
}

// answered acts on this screen's dialogs only.
func (m *Editor) answered(msg dialog.DoneMsg) tea.Cmd {
	if msg.Tag != m.asked || (msg.Tag != askSubmit && msg.Tag != askDiscard) {
		return nil
	}
	m.asked = ""
	if !msg.OK {
		return nil
	}
	if msg.Tag == askDiscard {
		m.saved = m.state()
		return common.Back
	}
	return m.startSave(true)
}

// updateKeys enables the keys of the focused field and the form's state.
func (m *Editor) updateKeys() {
	k := &m.keys
	on := m.editable() && !m.saving && !m.dialog.Open()
	f := m.focus
	searchQuery := f == fieldSearch && m.picker.query() != ""
	k.Next.SetEnabled(on)
	k.Prev.SetEnabled(on)
	k.Save.SetEnabled(on)
	k.SaveSubmit.SetEnabled(on)
	// Over SSH the editor would run on the server, as the server.
	k.External.SetEnabled(on && f == fieldOverview && !m.deps.Svc.Remote)
	k.Cycle.SetEnabled(on && (f == fieldType || f == fieldEnv && len(m.envs) > 1))
	k.CycleBack.SetEnabled(on && (f == fieldType || f == fieldEnv && len(m.envs) > 1))
	hasResults := m.picker.shown != nil && m.picker.shown.len() > 0
	k.ResultUp.SetEnabled(on && f == fieldSearch && hasResults)
	k.ResultDown.SetEnabled(on && f == fieldSearch && hasResults)
	k.Toggle.SetEnabled(on && f == fieldSearch && hasResults)
	k.ClearSearch.SetEnabled(on && searchQuery)
	list := f == fieldPicked || f == fieldProposedList
	k.ListUp.SetEnabled(on && list)
	k.ListDown.SetEnabled(on && list)
	k.Remove.SetEnabled(on && list)
	k.Undo.SetEnabled(on && m.removed != nil)
	k.AddProposed.SetEnabled(on && f == fieldProposed)
	k.Back.SetEnabled(!m.dialog.Open() && !m.saving && !searchQuery)
	if m.editable() && m.dirty() {
		k.Back.SetHelp("esc", "discard")
	} else {
		k.Back.SetHelp("esc", "back")
	}
}

// ShortHelp implements help.KeyMap: the focused field's keys first.
func (m *Editor) ShortHelp() []key.Binding {
	if m.dialog.Open() {
		return m.dialog.ShortHelp()
	}
	k := m.keys
	return []key.Binding{k.Toggle, k.AddProposed, k.Remove, k.Undo, k.Cycle, k.External, k.ClearSearch,
		k.Next, k.Save, k.SaveSubmit, k.Back}
}

// FullHelp implements help.KeyMap.
func (m *Editor) FullHelp() [][]key.Binding {
	if m.dialog.Open() {
		return [][]key.Binding{m.dialog.ShortHelp()}
	}
	k := m.keys
	return [][]key.Binding{
		{k.Next, k.Prev, k.Save, k.SaveSubmit, k.Back},
		{k.Cycle, k.CycleBack, k.External, k.AddProposed},
		{k.ResultUp, k.ResultDown, k.Toggle, k.ClearSearch},
		{k.ListUp, k.ListDown, k.Remove, k.Undo},
	}
}
