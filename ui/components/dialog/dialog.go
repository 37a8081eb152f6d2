package dialog

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"relman/ui/theme"
)

// DoneMsg is sent when a dialog closes. Tag is the value given to Open, so a
// screen with several dialogs knows which one answered; OK is false when the
// user backed out; Text is the Prompt's input.
type DoneMsg struct {
	Tag  string
	OK   bool
	Text string
}

// KeyMap holds the dialogs' keys.
type KeyMap struct {
	Yes, No, Submit, Cancel key.Binding
}

// DefaultKeyMap returns y/n for Confirm and enter/esc for both.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Yes:    key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:     key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Model is a dialog: a Confirm when it has no input, a Prompt when it has.
type Model struct {
	styles   *theme.Styles
	keys     KeyMap
	open     bool
	prompt   bool
	required bool
	tag      string
	title    string
	body     string
	input    textinput.Model
	problem  string
	width    int
}

// New returns a closed dialog.
func New(styles *theme.Styles) Model {
	in := textinput.New()
	in.CharLimit = 500
	in.PlaceholderStyle = styles.Placeholder
	return Model{styles: styles, keys: DefaultKeyMap(), input: in}
}

// Confirm opens a yes/no question.
func (m Model) Confirm(tag, title, body string) Model {
	m.open, m.prompt, m.tag, m.title, m.body, m.problem = true, false, tag, title, body, ""
	return m
}

// Prompt opens a one-line text question; required refuses an empty answer.
func (m Model) Prompt(tag, title, placeholder string, required bool) (Model, tea.Cmd) {
	m.open, m.prompt, m.required, m.tag, m.title, m.body, m.problem = true, true, required, tag, title, "", ""
	m.input.Reset()
	m.input.Placeholder = placeholder
	return m, m.input.Focus()
}

// Open reports whether the dialog is showing; screens route keys to it then
// and report Capturing for a Prompt.
func (m Model) Open() bool { return m.open }

// Capturing reports whether the dialog takes typed text.
func (m Model) Capturing() bool { return m.open && m.prompt }

// SetWidth bounds the dialog's width.
func (m *Model) SetWidth(w int) { m.width = w }

// Update handles keys while open.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.open {
		return m, nil
	}
	k, isKey := msg.(tea.KeyMsg)
	if !isKey {
		var cmd tea.Cmd
		if m.prompt {
			m.input, cmd = m.input.Update(msg)
		}
		return m, cmd
	}
	switch {
	case key.Matches(k, m.keys.Cancel), !m.prompt && key.Matches(k, m.keys.No):
		return m.close(false, "")
	case !m.prompt && key.Matches(k, m.keys.Yes):
		return m.close(true, "")
	case m.prompt && key.Matches(k, m.keys.Submit):
		text := m.input.Value()
		if m.required && strings.TrimSpace(text) == "" {
			m.problem = "required"
			return m, nil
		}
		return m.close(true, text)
	}
	var cmd tea.Cmd
	if m.prompt {
		m.input, cmd = m.input.Update(msg)
		m.problem = ""
	}
	return m, cmd
}

func (m Model) close(ok bool, text string) (Model, tea.Cmd) {
	m.open = false
	m.input.Blur()
	tag := m.tag
	return m, func() tea.Msg { return DoneMsg{Tag: tag, OK: ok, Text: text} }
}

// View renders the dialog box, or "" when closed.
func (m Model) View() string {
	if !m.open {
		return ""
	}
	st := m.styles
	w := max(min(m.width, 70), 30)
	parts := []string{st.Title.Render(m.title)}
	if m.body != "" {
		parts = append(parts, "", lipgloss.NewStyle().Width(w-6).Render(m.body))
	}
	if m.prompt {
		m.input.Width = w - 10
		parts = append(parts, "", st.FocusInput.Render(m.input.View()))
		if m.problem != "" {
			parts = append(parts, st.FieldError.Render(m.problem))
		}
		parts = append(parts, "", st.Muted.Render("enter ok · esc cancel"))
	} else {
		parts = append(parts, "", st.Muted.Render("y yes · n/esc no"))
	}
	return st.Dialog.Width(w).Render(lipgloss.JoinVertical(lipgloss.Left, parts...))
}

// ShortHelp lists the dialog's keys, so the footer stays true while it is open.
func (m Model) ShortHelp() []key.Binding {
	if m.prompt {
		return []key.Binding{m.keys.Submit, m.keys.Cancel}
	}
	return []key.Binding{m.keys.Yes, m.keys.No}
}
