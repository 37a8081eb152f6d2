// Package compare is the Compare screen: choose a source and a target (saved
// environments, or metadata folders typed as paths), narrow the comparison
// with filters — a change request's components, metadata types, components
// picked by fuzzy search from the source's catalogue, excluded namespaces —
// and the noise options (ignore whitespace, ignore XML order), then run it.
// The comparison runs in a command with a spinner and the elapsed time, is
// saved as a Compare Log (linked to the change request when one is the
// filter) and opens in the reviewer. Below the form, the saved comparisons,
// newest first, reopen in the reviewer.
//
// Opened with common.ShowMsg{ID: change request id} (from a change
// request's detail), the screen preselects that request as the filter and
// its home environment as the target.
//
// No I/O happens in Init, Update or View: environments, change requests,
// logs, catalogues and the comparison itself are read in tea.Cmds that
// answer with this package's own messages, tagged so stale ones are dropped.
//
// compare may import model/..., diff, ui/actions, ui/common, ui/theme,
// ui/components/..., store types, the Charm libraries and sahilm/fuzzy, and
// ui/review for review.Preload only: handing the reviewer the items just
// read spares it reading both orgs a second time. Never store internals or
// bbolt.
package compare
