// Package theme is relman's one palette and one Styles struct. Screens take
// every colour and style from here: semantic colours (Added, Removed,
// Changed, Success, Warning, Error, Muted, Accent, Border) adapt to light
// and dark terminals. NoColor (for NO_COLOR) turns every colour off but keeps
// bold, underline, reverse, italic and faint, so focus and selection still show.
//
// theme may import lipgloss only.
package theme
