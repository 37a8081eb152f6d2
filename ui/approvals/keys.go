package approvals

import (
	"github.com/charmbracelet/bubbles/key"

	"relman/ui/components/nav"
)

// keyMap holds the screen's keys. updateKeys enables only those that apply
// now, so the help footer never offers a key that does nothing.
type keyMap struct {
	nav.KeyMap
	Approve, Reject, Open key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		KeyMap:  nav.DefaultKeyMap(),
		Approve: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve")),
		Reject:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reject")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	}
}

// updateKeys enables the keys that apply: moving needs items, deciding
// needs an item and no decision already running.
func (m *Model) updateKeys() {
	has := len(m.items) > 0
	m.keys.KeyMap.SetEnabled(has)
	m.keys.Open.SetEnabled(has)
	m.keys.Approve.SetEnabled(has && m.busy == "")
	m.keys.Reject.SetEnabled(has && m.busy == "")
}

// ShortHelp implements help.KeyMap; an open dialog's keys replace the
// screen's.
func (m *Model) ShortHelp() []key.Binding {
	if m.dialog.Open() {
		return m.dialog.ShortHelp()
	}
	return []key.Binding{m.keys.Down, m.keys.Up, m.keys.Approve, m.keys.Reject, m.keys.Open}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	if m.dialog.Open() {
		return [][]key.Binding{m.dialog.ShortHelp()}
	}
	return [][]key.Binding{
		{m.keys.Down, m.keys.Up, m.keys.Top, m.keys.Bottom, m.keys.PageDown, m.keys.PageUp},
		{m.keys.Approve, m.keys.Reject, m.keys.Open},
	}
}
