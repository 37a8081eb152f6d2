package logs

import "github.com/charmbracelet/bubbles/key"

// keyMap holds the screen's keys; updateKeys enables only what applies
// now, so the help footer is always true.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Open, Focus, Back                       key.Binding
	Status, CR, All, Clear                  key.Binding
	Apply, Cancel                           key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "read failures")),
		Focus:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "logs/failures")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Status:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "status filter")),
		CR:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "CR filter")),
		All:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all records")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filters")),
		Apply:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
