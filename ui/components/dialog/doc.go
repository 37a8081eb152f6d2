// Package dialog provides the two modal dialogs screens share: Confirm (a
// yes/no question before a destructive or irreversible action) and Prompt
// (one line of text, e.g. a rejection comment or a cancel reason). A screen
// owns its dialog, routes keys to it while it is open, and acts on the
// DoneMsg it returns.
//
// dialog may import ui/theme and the Charm libraries.
package dialog
