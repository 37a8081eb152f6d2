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

// Options configure Run.
type Options struct {
	In  io.Reader
	Out io.Writer
	// NoColor turns colour off (NO_COLOR).
	NoColor bool
	// QuitNote is added to the question asked when quitting while jobs
	// run: what else quitting stops (the demo's simulated orgs).
	QuitNote string
}

// Run opens the terminal UI on svc until the user quits.
func Run(svc *actions.Service, opts Options) error {
	if opts.NoColor {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	deps := common.Deps{Svc: svc, Styles: theme.Default()}
	p := tea.NewProgram(New(deps, Screens(deps)).WithQuitNote(opts.QuitNote), tea.WithAltScreen(), tea.WithMouseCellMotion(),
		tea.WithInput(opts.In), tea.WithOutput(opts.Out))
	_, err := p.Run()
	return err
}

// NoColorRequested reports whether the NO_COLOR convention asks for no colour.
func NoColorRequested() bool { return os.Getenv("NO_COLOR") != "" }
