// Package approvals is the Approvals screen: the queue of change requests
// and deployment records waiting for the acting user's decision, newest
// first, with a preview of the selected item on wide terminals. From here the
// user approves (a, optional comment) or rejects (r, comment required) the
// selected item, or opens its change request (enter). A refusal by a rule of
// the release process — approving one's own request, deciding twice on one
// scope — reaches the status line with the rule's own words.
//
// Every store call runs in a tea.Cmd and comes back as this package's own
// message, tagged so that a stale answer is dropped.
//
// approvals may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/..., store types and the Charm libraries; never bbolt.
package approvals
