package environments

import (
	"github.com/charmbracelet/bubbles/key"

	"relman/ui/components/nav"
)

// listKeys are the list's keys; List.updateKeys enables those that apply.
type listKeys struct {
	nav.KeyMap
	Test, Add, Edit, Remove, Details, Back key.Binding
}

func defaultListKeys() listKeys {
	return listKeys{
		KeyMap:  nav.DefaultKeyMap(),
		Test:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test")),
		Add:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "add")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Remove:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "remove")),
		Details: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Back:    key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back to list")),
	}
}

// editorKeys are the editor's keys; Editor.updateKeys enables those that
// apply to the focused field.
type editorKeys struct {
	Next, Prev key.Binding
	// OptionPrev and OptionNext cycle a choice field; OptionPrev's help
	// ("←/→") speaks for both, so OptionNext stays out of the help lists.
	OptionPrev, OptionNext key.Binding
	Save, SaveTest, Cancel key.Binding
}

func defaultEditorKeys() editorKeys {
	return editorKeys{
		Next:       key.NewBinding(key.WithKeys("tab", "down", "enter"), key.WithHelp("tab/↓", "next field")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous")),
		OptionPrev: key.NewBinding(key.WithKeys("left"), key.WithHelp("←/→", "change")),
		OptionNext: key.NewBinding(key.WithKeys("right", " "), key.WithHelp("→", "next option")),
		Save:       key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		SaveTest:   key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "save & test")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
