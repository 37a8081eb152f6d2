package ui

import (
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/theme"
)

// Options configure Run and NewProgram.
type Options struct {
	In  io.Reader
	Out io.Writer
	// NoColor turns colour off (NO_COLOR).
	NoColor bool
	// QuitNote is added to the question asked when quitting while jobs
	// run: what else quitting stops (the demo's simulated orgs).
	QuitNote string
	// Renderer is the terminal to style for; nil means the process's own.
	// relman serve passes one per SSH session, built from that session's
	// TERM and NO_COLOR, so sessions never share colour settings.
	Renderer *lipgloss.Renderer
}

// Run opens the terminal UI on svc until the user quits.
func Run(svc *actions.Service, opts Options) error {
	_, err := NewProgram(svc, opts).Run()
	return err
}

// NewProgram builds the terminal UI's program on svc without running it:
// Run runs it on the process's terminal, relman serve on an SSH session.
func NewProgram(svc *actions.Service, opts Options) *tea.Program {
	r := opts.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	out := opts.Out
	if opts.NoColor {
		out = theme.NoColorWriter(out)
	}
	deps := common.Deps{Svc: svc, Styles: terminalStyles(r, opts.NoColor)}
	return tea.NewProgram(New(deps, Screens(deps)).WithQuitNote(opts.QuitNote), tea.WithAltScreen(), tea.WithMouseCellMotion(),
		tea.WithInput(opts.In), tea.WithOutput(out))
}

// terminalStyles sets the terminal's colour profile and returns the
// styles for it. Without colour the profile is ANSI with a palette of no
// colours, not termenv.Ascii: Ascii drops bold, underline and reverse too,
// and with them the active tab, the focus and the selection.
func terminalStyles(r *lipgloss.Renderer, noColor bool) *theme.Styles {
	if !noColor {
		return theme.NewFor(r, theme.DefaultPalette())
	}
	r.SetColorProfile(termenv.ANSI)
	return theme.NoColorFor(r)
}

// NoColorRequested reports whether the NO_COLOR convention asks for no colour.
func NoColorRequested() bool { return os.Getenv("NO_COLOR") != "" }
