package editor

import "github.com/charmbracelet/bubbles/key"

// keyMap holds the editor's keys; updateKeys enables those of the focused
// field, so the help footer always says what works now.
type keyMap struct {
	Next, Prev             key.Binding
	Save, SaveSubmit, Back key.Binding
	External               key.Binding

	Cycle, CycleBack key.Binding

	ResultUp, ResultDown, Toggle, ClearSearch key.Binding

	ListUp, ListDown, Remove, Undo key.Binding

	AddProposed key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Save:       key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		SaveSubmit: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "save & submit")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		External:   key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "open in $EDITOR")),

		Cycle:     key.NewBinding(key.WithKeys("right", "l", " "), key.WithHelp("→/space", "next choice")),
		CycleBack: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "previous choice")),

		ResultUp:    key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		ResultDown:  key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		Toggle:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add/remove")),
		ClearSearch: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),

		// Letters typed on a list go to its input (typeInto), so the list
		// moves and removes with keys that are not text.
		ListUp:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		ListDown: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		Remove:   key.NewBinding(key.WithKeys("delete", "backspace"), key.WithHelp("del", "remove")),
		Undo:     key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "undo remove")),

		AddProposed: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "add")),
	}
}
