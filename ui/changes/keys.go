package changes

import (
	"github.com/charmbracelet/bubbles/key"

	"relman/ui/components/nav"
)

// listKeyMap holds the list screen's keys. updateKeys enables only what
// applies now, so the help footer is always true.
type listKeyMap struct {
	nav.KeyMap
	PrevTab, NextTab                 key.Binding
	Filter, ApplyFilter, ClearFilter key.Binding
	Open, New                        key.Binding
}

func defaultListKeys() listKeyMap {
	return listKeyMap{
		KeyMap:      nav.DefaultKeyMap(),
		PrevTab:     key.NewBinding(key.WithKeys("["), key.WithHelp("[", "prev status")),
		NextTab:     key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next status")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ApplyFilter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		New:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
	}
}

// detailKeyMap holds the detail screen's keys: scrolling, the actions of
// the release process and the sandbox picker of sync.
type detailKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Edit, Submit, Approve, Reject, Sync, PushBack, Cancel, Complete key.Binding
	Back                                                            key.Binding

	PickUp, PickDown, PickChoose, PickCancel key.Binding
}

func defaultDetailKeys() detailKeyMap {
	return detailKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),

		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Submit:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "submit")),
		Approve:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve")),
		Reject:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reject")),
		Sync:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "sync to sandbox")),
		PushBack: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "push back")),
		Cancel:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel CR")),
		Complete: key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "complete")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		PickUp:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		PickDown:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PickChoose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "sync here")),
		PickCancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
