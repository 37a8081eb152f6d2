package deploy

import "github.com/charmbracelet/bubbles/key"

// listKeyMap holds the list screen's keys; updateKeys enables only what
// applies now, so the help footer is always true.
type listKeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Open, New                               key.Binding
}

func defaultListKeys() listKeyMap {
	return listKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new deployment")),
	}
}

// formKeyMap holds the keys of the new deployment form.
type formKeyMap struct {
	Up, Down, Choose, Back key.Binding
}

func defaultFormKeys() formKeyMap {
	return formKeyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// detailKeyMap holds the detail screen's keys: scrolling, the approval
// actions, the Deploy Changes steps and where to go next.
type detailKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Focus key.Binding

	Submit, Approve, Reject, AddMissing             key.Binding
	Retrieve, Dependencies, Validate, Deploy, Quick key.Binding
	Cancel, Complete, Logs, Compare, Back           key.Binding
	// Rollback drafts the rollback of a completed deployment, or opens
	// the rollbacks it has.
	Rollback key.Binding
	// Abandon closes a deploy whose job cannot be found, with a reason.
	Abandon key.Binding
}

func defaultDetailKeys() detailKeyMap {
	return detailKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Focus:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "errors/details")),

		Submit:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "submit")),
		Approve: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve")),
		Reject:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reject")),
		// AddMissing shares "a" with Approve: a record is only ever pending
		// approval before its dependencies can be checked, never after, so
		// at most one of the two is enabled.
		AddMissing: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add missing to CR")),

		Retrieve:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "retrieve")),
		Dependencies: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "dependencies")),
		Validate:     key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "validate")),
		Deploy:       key.NewBinding(key.WithKeys("enter", "x"), key.WithHelp("enter/x", "deploy")),
		Quick:        key.NewBinding(key.WithKeys("Q"), key.WithHelp("Q", "quick deploy")),

		Cancel:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cancel job")),
		Complete: key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "complete CR")),
		Logs:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Compare:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "verify compare")),
		Rollback: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "rollback")),
		Abandon:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "abandon lost job")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}
