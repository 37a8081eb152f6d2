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
	if opts.NoColor {
		r.SetColorProfile(termenv.Ascii)
	}
	deps := common.Deps{Svc: svc, Styles: theme.NewFor(r, theme.DefaultPalette())}
	return tea.NewProgram(New(deps, Screens(deps)).WithQuitNote(opts.QuitNote), tea.WithAltScreen(), tea.WithMouseCellMotion(),
		tea.WithInput(opts.In), tea.WithOutput(opts.Out))
}

// NoColorRequested reports whether the NO_COLOR convention asks for no colour.
func NoColorRequested() bool { return os.Getenv("NO_COLOR") != "" }
