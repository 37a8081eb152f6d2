// Package changes holds the two change request screens: the list (NewList)
// — status tabs with counts, a fuzzy filter and a table that pages from
// the store (counts from its recency index, a window of rows around the
// screen, searches read a chunk at a time), so a million change requests
// open in under 300 ms — and the detail (NewDetail) —
// one change request with its components, approvals, copies, deployment
// records and audit timeline, and the actions of the release process
// (submit, approve, reject, sync, push back, cancel, complete).
//
// Two packages live beside them: filter, the fuzzy filter the list shares
// with the editor's component picker, and screentest, the fixture store and
// command harness their tests share.
//
// Every store or org call runs inside a tea.Cmd that captures copies of what
// it needs and answers with this package's own message types, tagged with a
// sequence number so stale answers are dropped; Update and View do no I/O.
//
// changes may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/..., ui/changes/filter, store (its read transactions: the
// list pages and searches from it)
// and the Charm libraries; never bbolt.
package changes
