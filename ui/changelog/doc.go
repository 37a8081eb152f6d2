// Package changelog is the Changes screen: the change logs `relman
// monitor` wrote for monitored environments, non-compliant ones first, with
// filters by environment, status, category and who (e, s, c, w; x clears),
// the diff of the change under the cursor, and the way to resolve one: a
// picker of the approved change requests that contain the component (or
// "none", when a note alone says why the change is acceptable), then the
// note. o opens the change in the review screen (ui/review, through its
// usual OpenMsg with a Compare Log of before against after). p switches to
// the Policies section: the policy of the selected environment, category
// by category, whose level an admin raises and lowers with + and -.
//
// The title carries the count of open non-compliant changes, the badge on
// the screen's tab.
//
// No I/O happens in Init, Update or View: loading the change logs, the
// diff, the change requests for the picker and the policy, and every
// write, run in tea.Cmds with copies of what they need and answer with
// this package's messages tagged with a sequence number, so stale answers
// are dropped. The list and the diff render only their visible window,
// so a long list or diff costs no more to draw than a short one.
//
// changelog may import model/..., diff, store types (store.ChangeLogQuery),
// ui/actions, ui/common, ui/theme, ui/termsafe, ui/components/... and the
// Charm libraries; never store internals or bbolt.
package changelog
