// Package rollback is the Rollback screen (New): the undoing of one
// completed deployment, opened for a deployment record (common.OpenMsg with
// the record's id).
//
// When the deployment has no rollback yet, the screen is a draft builder:
// every component the deployment changed with its rollback type — Delete
// (the deploy created it) or Override (restore the target's pre-deploy
// copy) — each selected to roll back or deselected to keep (space, a for
// all or none); enter or ctrl+s creates the rollback record. Nothing is
// stored before that.
//
// When it has one, the screen shows the latest: its deployment, target,
// status and approval, the items and what happens to each, the approvers
// and their decisions, and its Deployment Logs with their failures. Keys
// follow the record's state and the acting user, so help never offers what
// a rule would refuse: s submits (the requester), a and r approve and
// reject (a listed approver; a rejection needs a comment), x runs it once
// every approver approved (after a confirmation naming the target), n
// drafts another when the latest is a draft, was rejected or failed. A
// refusal by a rule of the release process reaches the status line in the
// rule's words.
//
// A run is a deploy with destructive changes and then a validation against
// the pre-deploy snapshot; it lasts seconds to hours, so it runs on a
// command's goroutine under a context the screen keeps, not tied to the
// view: leaving the screen does not stop it. Its actions.Events travel
// through a feed that never blocks it and come to Update in batches, by a
// command re-armed after each, tagged with the rollback and a run
// generation. The live panel shows a spinner, the components and tests
// counters, failures as the org reports them, and how it ended.
//
// No I/O happens in Init, Update or View: store and org calls run inside
// commands that capture copies of what they need, and their answers are
// this package's own messages, tagged so that stale ones are dropped.
//
// rollback may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/... and the Charm libraries; its tests may also use store,
// orgclient/sim and, in the journey (package rollback_test), ui. Never
// bbolt.
package rollback
