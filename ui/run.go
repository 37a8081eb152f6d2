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
}

// Run opens the terminal UI on svc until the user quits.
func Run(svc *actions.Service, opts Options) error {
	deps := common.Deps{Svc: svc, Styles: terminalStyles(opts.NoColor)}
	out := opts.Out
	if opts.NoColor {
		out = theme.NoColorWriter(out)
	}
	p := tea.NewProgram(New(deps, Screens(deps)), tea.WithAltScreen(), tea.WithMouseCellMotion(),
		tea.WithInput(opts.In), tea.WithOutput(out))
	_, err := p.Run()
	return err
}

// terminalStyles sets the terminal's colour profile and returns the
// styles for it. Without colour the profile is ANSI with a palette of no
// colours, not termenv.Ascii: Ascii drops bold, underline and reverse too,
// and with them the active tab, the focus and the selection.
func terminalStyles(noColor bool) *theme.Styles {
	if !noColor {
		return theme.Default()
	}
	lipgloss.SetColorProfile(termenv.ANSI)
	return theme.NoColor()
}

// NoColorRequested reports whether the NO_COLOR convention asks for no colour.
func NoColorRequested() bool { return os.Getenv("NO_COLOR") != "" }
