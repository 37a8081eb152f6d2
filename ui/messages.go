package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// keptMessages is how many status messages the messages pane keeps.
const keptMessages = 100

// message is one status line as it was shown, kept for the messages pane:
// a refusal cut short on the status line reads whole there.
type message struct {
	at    time.Time
	text  string
	isErr bool
}

// remember adds a message to the history, dropping the oldest beyond
// keptMessages.
func (m *Model) remember(text string, isErr bool) {
	m.messages = append(m.messages, message{at: m.deps.Svc.Now(), text: text, isErr: isErr})
	if n := len(m.messages) - keptMessages; n > 0 {
		m.messages = append([]message(nil), m.messages[n:]...)
	}
}

// messagesView is the pane of past messages, newest first, each wrapped
// whole to width, as many as fit height.
func (m Model) messagesView(width, height int) string {
	st := m.deps.Styles
	lines := []string{st.Title.Render("Messages") + st.Muted.Render("  newest first · M or esc closes"), ""}
	if len(m.messages) == 0 {
		lines = append(lines, st.Muted.Render("No messages yet."))
	}
	for i := len(m.messages) - 1; i >= 0 && len(lines) < height; i-- {
		msg := m.messages[i]
		mark, style := "✓ ", st.StatusOK
		if msg.isErr {
			mark, style = "✗ ", st.StatusError
		}
		head := st.Muted.Render(msg.at.Local().Format("15:04:05") + " ")
		body := ansi.Wrap(strings.Join(strings.Fields(msg.text), " "), max(10, width-11), " ")
		for j, l := range strings.Split(body, "\n") {
			if j == 0 {
				lines = append(lines, head+style.Render(mark+l))
			} else {
				lines = append(lines, strings.Repeat(" ", 11)+style.Render(l))
			}
		}
	}
	return lipgloss.NewStyle().MaxHeight(height).Render(strings.Join(lines, "\n"))
}
