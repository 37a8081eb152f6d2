package theme

import "github.com/charmbracelet/lipgloss"

// Palette is the semantic colour set.
type Palette struct {
	Added, Removed, Changed                lipgloss.TerminalColor
	Success, Warning, Error                lipgloss.TerminalColor
	Muted, Accent, Border, Text, Highlight lipgloss.TerminalColor
	AddedBg, RemovedBg, AddedEm, RemovedEm lipgloss.TerminalColor
}

// DefaultPalette works on light and dark backgrounds.
func DefaultPalette() Palette {
	return Palette{
		Added:     lipgloss.AdaptiveColor{Light: "#1a7f37", Dark: "#3fb950"},
		Removed:   lipgloss.AdaptiveColor{Light: "#cf222e", Dark: "#f85149"},
		Changed:   lipgloss.AdaptiveColor{Light: "#9a6700", Dark: "#d29922"},
		Success:   lipgloss.AdaptiveColor{Light: "#1a7f37", Dark: "#3fb950"},
		Warning:   lipgloss.AdaptiveColor{Light: "#9a6700", Dark: "#d29922"},
		Error:     lipgloss.AdaptiveColor{Light: "#cf222e", Dark: "#f85149"},
		Muted:     lipgloss.AdaptiveColor{Light: "#6e7781", Dark: "#8b949e"},
		Accent:    lipgloss.AdaptiveColor{Light: "#0969da", Dark: "#58a6ff"},
		Border:    lipgloss.AdaptiveColor{Light: "#d0d7de", Dark: "#30363d"},
		Text:      lipgloss.AdaptiveColor{Light: "#1f2328", Dark: "#e6edf3"},
		Highlight: lipgloss.AdaptiveColor{Light: "#ddf4ff", Dark: "#1f2a3a"},
		AddedBg:   lipgloss.AdaptiveColor{Light: "#dafbe1", Dark: "#12261e"},
		RemovedBg: lipgloss.AdaptiveColor{Light: "#ffebe9", Dark: "#25171c"},
		AddedEm:   lipgloss.AdaptiveColor{Light: "#aceebb", Dark: "#1f6f38"},
		RemovedEm: lipgloss.AdaptiveColor{Light: "#ffcecb", Dark: "#8e1519"},
	}
}

// Styles is every style the UI uses, built once from a palette.
type Styles struct {
	Palette Palette
	// Renderer is the terminal the styles render for: the process's own
	// terminal, or one SSH session's (relman serve), so each session gets
	// the colours its own terminal and NO_COLOR ask for.
	Renderer *lipgloss.Renderer

	App         lipgloss.Style
	Title       lipgloss.Style
	Tab         lipgloss.Style
	ActiveTab   lipgloss.Style
	TabGap      lipgloss.Style
	StatusLine  lipgloss.Style
	StatusError lipgloss.Style
	StatusOK    lipgloss.Style

	Selected   lipgloss.Style
	Normal     lipgloss.Style
	Muted      lipgloss.Style
	Accent     lipgloss.Style
	Bold       lipgloss.Style
	Label      lipgloss.Style
	Header     lipgloss.Style
	Section    lipgloss.Style
	Match      lipgloss.Style
	Pane       lipgloss.Style
	FocusPane  lipgloss.Style
	ErrorPane  lipgloss.Style
	ErrorTitle lipgloss.Style
	Dialog     lipgloss.Style
	FieldError lipgloss.Style
	Input      lipgloss.Style
	FocusInput lipgloss.Style

	Success, Warning, Error lipgloss.Style
	Added, Removed, Changed lipgloss.Style
	AddedLine, RemovedLine  lipgloss.Style
	AddedWord, RemovedWord  lipgloss.Style
	LineNumber              lipgloss.Style
	HunkHeader              lipgloss.Style
}

// New builds the Styles for a palette on the process's terminal.
func New(p Palette) *Styles { return NewFor(lipgloss.DefaultRenderer(), p) }

// NewFor builds the Styles for a palette on the terminal r renders for.
func NewFor(r *lipgloss.Renderer, p Palette) *Styles {
	s := &Styles{Palette: p, Renderer: r}
	base := r.NewStyle()
	s.App = base.Padding(0, 1)
	s.Title = base.Bold(true).Foreground(p.Accent)
	s.Tab = base.Padding(0, 1).Foreground(p.Muted)
	s.ActiveTab = base.Padding(0, 1).Bold(true).Foreground(p.Accent).Underline(true)
	s.TabGap = base.Foreground(p.Border)
	s.StatusLine = base.Foreground(p.Muted)
	s.StatusError = base.Foreground(p.Error).Bold(true)
	s.StatusOK = base.Foreground(p.Success)

	s.Selected = base.Bold(true).Foreground(p.Accent).Background(p.Highlight)
	s.Normal = base.Foreground(p.Text)
	s.Muted = base.Foreground(p.Muted)
	s.Accent = base.Foreground(p.Accent)
	s.Bold = base.Bold(true)
	s.Label = base.Foreground(p.Muted).Width(14)
	s.Header = base.Bold(true).Foreground(p.Muted)
	s.Section = base.Bold(true).Foreground(p.Accent).MarginTop(1)
	s.Match = base.Underline(true).Foreground(p.Accent)
	s.Pane = base.Border(lipgloss.RoundedBorder()).BorderForeground(p.Border)
	s.FocusPane = base.Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent)
	s.ErrorPane = base.Border(lipgloss.RoundedBorder()).BorderForeground(p.Error).Padding(1, 2)
	s.ErrorTitle = base.Bold(true).Foreground(p.Error)
	s.Dialog = base.Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(1, 2)
	s.FieldError = base.Foreground(p.Error)
	s.Input = base.Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(p.Border).PaddingLeft(1)
	s.FocusInput = base.Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(p.Accent).PaddingLeft(1)

	s.Success = base.Foreground(p.Success)
	s.Warning = base.Foreground(p.Warning)
	s.Error = base.Foreground(p.Error)
	s.Added = base.Foreground(p.Added)
	s.Removed = base.Foreground(p.Removed)
	s.Changed = base.Foreground(p.Changed)
	s.AddedLine = base.Foreground(p.Added).Background(p.AddedBg)
	s.RemovedLine = base.Foreground(p.Removed).Background(p.RemovedBg)
	s.AddedWord = base.Foreground(p.Added).Background(p.AddedEm).Bold(true)
	s.RemovedWord = base.Foreground(p.Removed).Background(p.RemovedEm).Bold(true)
	s.LineNumber = base.Foreground(p.Muted)
	s.HunkHeader = base.Foreground(p.Accent)
	return s
}

// Default is New(DefaultPalette()).
func Default() *Styles { return New(DefaultPalette()) }
