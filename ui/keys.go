package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds the root's global keys. They pause while a screen captures
// typing.
type keyMap struct {
	Quit    key.Binding
	ForceQ  key.Binding
	Help    key.Binding
	Back    key.Binding
	Changes key.Binding
	Approve key.Binding
	Envs    key.Binding
	Compare key.Binding
	Deploys key.Binding
	Logs    key.Binding
	Monitor key.Binding
	// Messages opens the status messages' history, each message whole.
	Messages key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQ:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Changes:  key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "change requests")),
		Approve:  key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "approvals")),
		Envs:     key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "environments")),
		Compare:  key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "compare")),
		Deploys:  key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "deployments")),
		Logs:     key.NewBinding(key.WithKeys("6"), key.WithHelp("6", "logs")),
		Monitor:  key.NewBinding(key.WithKeys("7"), key.WithHelp("7", "changes found by monitoring")),
		Messages: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "messages")),
	}
}
