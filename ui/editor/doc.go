// Package editor is the change request form (New): name, change type, home
// environment, overview (multi-line, or in $EDITOR), customizations picked
// with a fuzzy picker over the home environment's components, proposed
// customizations checked per metadata type as they are typed, and approvers.
// It creates a change request or edits one, and can submit it on save.
//
// The picker filters up to 100,000 components without ever blocking typing:
// the component list loads in a command (cached per environment), every
// filter runs in a command that a newer keystroke cancels, and a query that
// extends the previous one filters only the previous matches.
//
// editor may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/..., ui/changes/filter (the fuzzy filter it shares with the
// change request list) and the Charm libraries; never bbolt.
package editor
