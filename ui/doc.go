// Package ui is relman's terminal UI: app.go is the root model that only
// routes — a table of screens built once, a history stack, global keys, the
// header tabs, the status line and the help footer — while each screen is
// its own package (changes, editor, approvals, environments, …) built on
// ui/common and styled only through ui/theme. Actions go through
// ui/actions, the same use cases the command line (ui/cli) calls.
//
// No I/O happens in Init, Update or View: store and org calls run inside
// tea.Cmds and come back as messages.
package ui
