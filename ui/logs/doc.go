// Package logs is the Deployment Logs screen (New): every retrieve,
// dependency check, validate, deploy, quick deploy, verify and rollback
// attempt across deployment records — or one record's, when opened for it —
// with process.md's statuses, its kind, org job id, counters, who and when;
// filtered by status (f cycles through the statuses present) and by change
// request (/). The selected attempt's component failures, test failures
// with their stack traces and coverage warnings show in a scrollable pane.
//
// Loads run inside commands tagged with a sequence number, so a stale
// answer is dropped; Update and View do no I/O, and the table draws only
// the rows on screen.
//
// logs may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/... and the Charm libraries; its tests may also use
// orgclient/sim, ui/demo and the fixture of ui/deploy/deploytest. Never bbolt.
package logs
