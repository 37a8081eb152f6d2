// Package termsafe is the one place relman makes text safe for a terminal.
// Names, comments, component names, org answers and error texts come from
// people and orgs; printed raw, an escape sequence or a carriage return in
// them could rewrite what is on screen ("mallory\e[2K\rbob" showing as
// bob), set the window title, or plant a hyperlink. Control characters are
// therefore shown escaped (\r, \x1b, \u202e), never interpreted.
//
// The CLI writes every human result through Writer; the TUI's root passes
// each frame through Frame, which keeps only the colour sequences (SGR)
// lipgloss itself writes. Text and Line escape a single value.
//
// termsafe imports only the standard library.
package termsafe
