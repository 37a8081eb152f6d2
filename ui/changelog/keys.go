package changelog

import (
	"github.com/charmbracelet/bubbles/key"

	"relman/ui/components/nav"
)

// keyMap holds the screen's keys; updateKeys enables those that apply.
type keyMap struct {
	nav.KeyMap
	Env, Status, Category, Who, Clear key.Binding
	Resolve, Review, Policies         key.Binding
	DiffDown, DiffUp                  key.Binding
	Raise, Lower                      key.Binding
	Pick, Cancel                      key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		KeyMap:   nav.DefaultKeyMap(),
		Env:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "environment")),
		Status:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status")),
		Category: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "category")),
		Who:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "who")),
		Clear:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "clear filters")),
		Resolve:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resolve")),
		Review:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open in review")),
		Policies: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "policies")),
		DiffDown: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "diff down")),
		DiffUp:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "diff up")),
		Raise:    key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "stricter")),
		Lower:    key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "looser")),
		Pick:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// updateKeys enables the keys that apply in the current mode.
func (m *Model) updateKeys() {
	k := &m.keys
	list := m.mode == modeList
	has := list && len(m.shown) > 0
	k.KeyMap.SetEnabled(m.mode != modeList || has)
	for _, b := range []*key.Binding{&k.Env, &k.Status, &k.Category, &k.Who, &k.Clear, &k.Policies} {
		b.SetEnabled(list)
	}
	open := has && m.selected().Open()
	k.Resolve.SetEnabled(open && m.busy == "")
	k.Review.SetEnabled(has && m.busy == "")
	k.DiffDown.SetEnabled(has)
	k.DiffUp.SetEnabled(has)
	k.Raise.SetEnabled(m.mode == modePolicy && m.busy == "")
	k.Lower.SetEnabled(m.mode == modePolicy && m.busy == "")
	k.Pick.SetEnabled(m.mode == modePick)
	k.Cancel.SetEnabled(m.mode != modeList)
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	if m.dialog.Open() {
		return m.dialog.ShortHelp()
	}
	switch m.mode {
	case modePick:
		return []key.Binding{m.keys.Down, m.keys.Up, m.keys.Pick, m.keys.Cancel}
	case modePolicy:
		return []key.Binding{m.keys.Down, m.keys.Up, m.keys.Raise, m.keys.Lower, m.keys.Cancel}
	}
	return []key.Binding{m.keys.Down, m.keys.Up, m.keys.Resolve, m.keys.Review, m.keys.Status, m.keys.Env, m.keys.Policies}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	if m.dialog.Open() || m.mode != modeList {
		return [][]key.Binding{m.ShortHelp()}
	}
	return [][]key.Binding{m.keys.Bindings(),
		{m.keys.Env, m.keys.Status, m.keys.Category, m.keys.Who, m.keys.Clear},
		{m.keys.Resolve, m.keys.Review, m.keys.DiffDown, m.keys.DiffUp, m.keys.Policies}}
}
