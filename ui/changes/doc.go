// Package changes holds the two change request screens: the list (NewList)
// — status tabs with counts, a fuzzy filter and a virtualised table that
// stays fast with 100,000 change requests — and the detail (NewDetail) —
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
// ui/components/..., ui/changes/filter, store (for types such as CRQuery)
// and the Charm libraries; never bbolt.
package changes
