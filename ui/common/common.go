package common

import (
	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/actions"
	"relman/ui/theme"
)

// ScreenID names a screen in the root's screen table.
type ScreenID int

// The screens.
const (
	ScreenChanges ScreenID = iota
	ScreenChangeDetail
	ScreenEditor
	ScreenApprovals
	ScreenEnvironments
	ScreenEnvironmentEditor
	ScreenCompare
	ScreenReview
	ScreenDeployments
	ScreenDeployment
	ScreenLogs
	ScreenRollback
	ScreenChangeLogs
	screenCount
)

// Count is the number of screens.
const Count = int(screenCount)

var screenNames = [...]string{"changes", "change detail", "editor", "approvals", "environments", "environment editor",
	"compare", "review", "deployments", "deployment", "logs", "rollback", "change logs"}

// String names the screen for logs and tests.
func (s ScreenID) String() string {
	if int(s) < len(screenNames) {
		return screenNames[s]
	}
	return "unknown"
}

// Screen is one screen of the UI. Screens are built once and kept, so a
// filter or a cursor survives switching away and back.
type Screen interface {
	help.KeyMap
	// Init returns the screen's first command (loads run in commands, never here).
	Init() tea.Cmd
	// Update handles a message.
	Update(tea.Msg) (Screen, tea.Cmd)
	// View renders the screen in the size last given to SetSize.
	View() string
	// SetSize gives the screen the area below the header and above the footer.
	SetSize(width, height int)
	// Title is the screen's name in the header.
	Title() string
	// Capturing reports whether a text field has focus: the root then
	// pauses its global keys so typing "q" does not quit.
	Capturing() bool
}

// Deps is what every screen is built with.
type Deps struct {
	Svc    *actions.Service
	Styles *theme.Styles
}

// OpenMsg asks the root to show a screen, optionally for one record. The
// previous screen goes on the history stack.
type OpenMsg struct {
	Screen ScreenID
	ID     int64
	// Name identifies records keyed by name (environments).
	Name string
}

// ShowMsg is what a screen receives when it is opened with an OpenMsg.
type ShowMsg struct {
	ID   int64
	Name string
}

// BackMsg asks the root to return to the previous screen.
type BackMsg struct{}

// ErrMsg reports a recoverable failure on the status line.
type ErrMsg struct{ Err error }

// FatalMsg reports a failure that leaves the screen unusable: the root shows
// a full-pane error until esc.
type FatalMsg struct{ Err error }

// StatusMsg reports a success or a note on the status line.
type StatusMsg struct{ Text string }

// StoreChangedMsg tells every screen that the store changed (by this
// process or another one): screens reload what they show.
type StoreChangedMsg struct{ Head uint64 }

// Open returns a command that sends OpenMsg.
func Open(s ScreenID, id int64) tea.Cmd {
	return func() tea.Msg { return OpenMsg{Screen: s, ID: id} }
}

// Back returns a command that sends BackMsg.
func Back() tea.Msg { return BackMsg{} }

// Err returns a command reporting err on the status line.
func Err(err error) tea.Cmd { return func() tea.Msg { return ErrMsg{Err: err} } }

// Status returns a command reporting text on the status line.
func Status(text string) tea.Cmd { return func() tea.Msg { return StatusMsg{Text: text} } }
