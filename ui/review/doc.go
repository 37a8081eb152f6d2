// Package review is the reviewer of one saved comparison (a Compare Log):
// a tree of its components grouped by category (Only in Source, Only in
// Target, Different, Same) then type, beside the diff of the component under
// the cursor, unified or side by side, with word-level emphasis, line
// numbers and hunk headers. Reviewers step through hunks (n/p) and
// components (]/[), mark components viewed (v, V) — a mark bound to both
// sides' content hashes, so it lapses when either side changes — hide noise
// (w whitespace, o XML order) with a visible count of what is hidden, search
// the diff, and act on what they saw: add components to a change request or
// create one from them (c), or write package.xml and destructiveChanges.xml
// for the whole comparison (P).
//
// Rendering is virtualised: a diff is flattened once, in a command, into
// rows with their display widths; a layout maps rows to screen lines for the
// pane's width, and View draws only the visible window, so a 100,000-line
// diff scrolls as fast as a short one.
//
// No I/O happens in Init, Update or View: loading the log and both sides'
// components, diffing, searching and every store write run in tea.Cmds that
// get immutable snapshots and answer with this package's own messages,
// tagged so that stale answers are dropped.
//
// review may import model/..., diff, ui/actions, ui/common, ui/theme,
// ui/components/..., store types (store.CRQuery), the Charm libraries and
// sahilm/fuzzy; never store internals or bbolt.
package review
