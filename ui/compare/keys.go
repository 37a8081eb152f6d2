package compare

import "github.com/charmbracelet/bubbles/key"

// keyMap holds the Compare screen's keys. updateKeys enables only those
// that do something now, so the help footer is always true.
type keyMap struct {
	Up, Down, Top, Bottom, Section key.Binding
	// The form: change the field under the cursor, or one by its letter.
	Change, Clear                                    key.Binding
	Source, Target, CR, Types, Components, Namespace key.Binding
	Whitespace, Order                                key.Binding
	Run, RunAnywhere, Open, Cancel, Back             key.Binding
	// Inside a picker.
	ItemUp, ItemDown, Mark, Accept, Dismiss key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Up:      key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:     key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:  key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Section: key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "form ↔ saved")),

		Change:     key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "change")),
		Clear:      key.NewBinding(key.WithKeys("backspace", "delete"), key.WithHelp("⌫", "clear")),
		Source:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "source")),
		Target:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "target")),
		CR:         key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "change request")),
		Types:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "metadata types")),
		Components: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pick components")),
		Namespace:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "exclude namespaces")),
		Whitespace: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "ignore whitespace")),
		Order:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "ignore XML order")),

		Run:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "compare")),
		RunAnywhere: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "compare")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open review")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel compare")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		ItemUp:   key.NewBinding(key.WithKeys("up", "ctrl+k"), key.WithHelp("↑", "up")),
		ItemDown: key.NewBinding(key.WithKeys("down", "ctrl+j"), key.WithHelp("↓", "down")),
		Mark:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "mark")),
		Accept:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Dismiss:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// updateKeys enables the bindings that apply now.
func (m *Model) updateKeys() {
	k := &m.keys
	all := []*key.Binding{&k.Up, &k.Down, &k.Top, &k.Bottom, &k.Section, &k.Change, &k.Clear,
		&k.Source, &k.Target, &k.CR, &k.Types, &k.Components, &k.Namespace, &k.Whitespace, &k.Order,
		&k.Run, &k.RunAnywhere, &k.Open, &k.Cancel, &k.Back, &k.ItemUp, &k.ItemDown, &k.Mark, &k.Accept, &k.Dismiss}
	for _, b := range all {
		b.SetEnabled(false)
	}
	switch {
	case m.dialog.Open():
		return
	case m.picker != nil:
		k.ItemUp.SetEnabled(true)
		k.ItemDown.SetEnabled(true)
		k.Mark.SetEnabled(m.picker.multi)
		k.Accept.SetEnabled(len(m.picker.hits) > 0)
		k.Dismiss.SetEnabled(true)
		return
	case m.running:
		k.Cancel.SetEnabled(true)
		return
	}
	k.Back.SetEnabled(true)
	k.RunAnywhere.SetEnabled(true)
	k.Section.SetEnabled(len(m.logs) > 0)
	inForm := m.section == sectionForm
	for _, b := range []*key.Binding{&k.Source, &k.Target, &k.CR, &k.Types, &k.Components, &k.Namespace, &k.Whitespace, &k.Order} {
		b.SetEnabled(true)
	}
	k.Up.SetEnabled(true)
	k.Down.SetEnabled(true)
	k.Top.SetEnabled(true)
	k.Bottom.SetEnabled(true)
	k.Change.SetEnabled(inForm)
	k.Clear.SetEnabled(inForm && m.clearable(m.field))
	k.Run.SetEnabled(inForm)
	k.Open.SetEnabled(!inForm && len(m.logs) > 0)
	k.Whitespace.SetHelp("w", either(m.ignoreWS, "heed whitespace", "ignore whitespace"))
	k.Order.SetHelp("o", either(m.ignoreOrder, "heed XML order", "ignore XML order"))
}

// either is yes when cond holds, else no: the wording of a toggle's help.
func either(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open():
		return m.dialog.ShortHelp()
	case m.picker != nil:
		return []key.Binding{k.ItemDown, k.ItemUp, k.Mark, k.Accept, k.Dismiss}
	case m.running:
		return []key.Binding{k.Cancel}
	case m.section == sectionLogs:
		return []key.Binding{k.Down, k.Up, k.Open, k.RunAnywhere, k.Section, k.Back}
	}
	return []key.Binding{k.Down, k.Up, k.Change, k.Run, k.Source, k.Target, k.CR, k.Types, k.Components, k.Section, k.Back}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	switch {
	case m.dialog.Open(), m.picker != nil, m.running:
		return [][]key.Binding{m.ShortHelp()}
	}
	return [][]key.Binding{
		{k.Down, k.Up, k.Top, k.Bottom, k.Section},
		{k.Change, k.Clear, k.Run, k.RunAnywhere, k.Open, k.Back},
		{k.Source, k.Target, k.CR, k.Types, k.Components, k.Namespace, k.Whitespace, k.Order},
	}
}
