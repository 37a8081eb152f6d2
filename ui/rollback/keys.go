package rollback

import (
	"github.com/charmbracelet/bubbles/key"

	"relman/model"
	"relman/ui/components/nav"
)

// keyMap holds the screen's keys. updateKeys enables only those that apply
// now, so the help footer never offers a key that does nothing or that a
// rule would refuse.
type keyMap struct {
	nav.KeyMap
	// The draft builder's keys.
	Toggle, All, Create key.Binding
	// A rollback's keys.
	Submit, Approve, Reject, Run, New key.Binding
	Back                              key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		KeyMap:  nav.DefaultKeyMap(),
		Toggle:  key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle")),
		All:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all")),
		Create:  key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "create")),
		Submit:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "submit")),
		Approve: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve")),
		Reject:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reject")),
		Run:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "run")),
		New:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new rollback")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// updateKeys enables the keys that apply to what the screen shows, the
// acting user and what is running.
func (m *Model) updateKeys() {
	k := &m.keys
	idle := m.busy == "" && m.loaded && m.loadErr == nil
	building := idle && m.builder() && m.data.draftErr == nil && len(m.draft) > 0
	k.Toggle.SetEnabled(building)
	k.All.SetEnabled(building)
	k.Create.SetEnabled(building && m.selected() > 0)
	if m.selected() == len(m.draft) {
		k.All.SetHelp("a", "keep all")
	} else {
		k.All.SetHelp("a", "all")
	}
	if m.building && m.data.rb != nil {
		k.Back.SetHelp("esc", "cancel")
	} else {
		k.Back.SetHelp("esc", "back")
	}

	m.gates.Reset()
	if building {
		// Creating one needs the requester role.
		m.gates.Gate(&k.Create, m.data.may[model.RoleRequester], m.nothingSelected())
	}
	var rb model.Rollback
	shown := idle && !m.builder()
	for _, b := range []*key.Binding{&k.Submit, &k.Approve, &k.Reject, &k.Run} {
		b.SetEnabled(false)
	}
	if shown {
		rb = *m.data.rb
		user, now, may, gate := m.deps.Svc.User, m.deps.Svc.Now(), m.data.may, m.gates.Gate
		_, _, submit := model.SubmitRollback(rb, user, now)
		gate(&k.Submit, may[model.RoleRequester], submit)
		_, _, decide := model.ApproveRollback(rb, user, "", now)
		gate(&k.Approve, may[model.RoleApprover], decide)
		gate(&k.Reject, may[model.RoleApprover], decide)
		gate(&k.Run, may[model.RoleReleaseManager], m.runProblem(rb))
	}
	k.New.SetEnabled(shown && m.data.draftErr == nil && !m.runLive(rb.ID) &&
		(rb.Status == model.RollbackDraft || rb.Status == model.RollbackRejected || rb.Status == model.RollbackFailed))

	switch {
	case !idle:
		k.KeyMap.SetEnabled(false)
	case m.builder():
		k.KeyMap.SetEnabled(building && len(m.draft) > 1)
	default:
		k.KeyMap.SetEnabled(len(m.doc) > m.docHeight())
	}
}

// nothingSelected is the rule a rollback with every component kept meets.
func (m *Model) nothingSelected() error {
	if m.selected() == 0 {
		return model.ErrNothingSelected
	}
	return nil
}

// runProblem is why rb may not run now, or nil: every approver approved,
// it has not rolled back yet, and no run of it is going on, here or (by
// its open log) in another relman. A run of this session that failed may
// be retried.
func (m *Model) runProblem(rb model.Rollback) error {
	if err := model.CanRunRollback(rb); err != nil {
		return err
	}
	running := model.ErrDeployRunning.With(rb.Key() + " is running")
	if r := m.runs[rb.ID]; r != nil && (!r.done || r.err == nil) {
		if r.done {
			return model.ErrNotRollbackable.With(rb.Key() + " already ran")
		}
		return running
	}
	for _, l := range m.data.logs {
		if l.Running() {
			return running
		}
	}
	return nil
}

// ShortHelp implements help.KeyMap; an open dialog's keys replace the
// screen's. Movement keys are left to full help: the short line must fit
// 80 columns with the root's own keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open():
		return m.dialog.ShortHelp()
	case m.builder():
		return []key.Binding{k.Toggle, k.All, k.Create, k.Back}
	}
	return []key.Binding{k.Submit, k.Approve, k.Reject, k.Run, k.New, k.Back}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open():
		return [][]key.Binding{m.dialog.ShortHelp()}
	case m.builder():
		return [][]key.Binding{k.Bindings(), {k.Toggle, k.All, k.Create, k.Back}}
	}
	return [][]key.Binding{k.Bindings(), {k.Submit, k.Approve, k.Reject, k.Run, k.New, k.Back}}
}
