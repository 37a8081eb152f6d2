// Package deploy holds the deployment record screens: the list (NewList) —
// every record, newest first, with its route, test level, status, approvals
// and last step, and a form that creates one from an approved change
// request — and the detail (NewDetail) — one record with its approvals,
// package, dependencies and validation, its approval actions, the steps of
// Deploy Changes (retrieve, dependencies, validate, deploy, quick deploy,
// cancel) and their live progress.
//
// A step runs for seconds to hours, so it runs on a command's goroutine and
// streams its actions.Events through a feed that never blocks it; a
// re-armed command carries them to Update in batches tagged with the record
// and a run generation. Steps outlive the view: leaving the screen does not
// stop them, progress and spinner frames reach their owner whichever screen
// shows, and at start the detail re-attaches to every job an earlier run of
// relman left unfinished (actions.Unfinished, Resume). The live view draws
// only the rows on screen, so its cost does not grow with the number of
// errors.
//
// No I/O happens in Init, Update or View: store and org calls run inside
// commands that capture copies of what they need.
//
// deploy may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/..., store types (CRQuery) and the Charm libraries; its
// tests may also use orgclient/sim and ui/demo. Never bbolt.
package deploy
