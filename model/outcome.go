package model

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Refusals about deploys whose outcome is not known.
var (
	ErrOutcomeUnknown = &RuleError{Code: "OutcomeUnknown",
		Rule: "a deploy whose answer was lost may have changed the org: nothing else runs until its job is found",
		Fix:  "run `relman deploy resume` to find the job in the org, or, when it cannot be found, `relman deploy abandon --reason …`"}
	ErrNotAbandonable = &RuleError{Code: "NotAbandonable",
		Rule: "only a deploy whose outcome is unknown can be abandoned", Fix: "check `relman deploy show`"}
	ErrAbandonReason = &RuleError{Code: "ReasonRequired",
		Rule: "abandoning a deploy is recorded with its reason", Fix: "say why with --reason \"…\""}
	ErrRedeployNeedsReason = &RuleError{Code: "RedeployNeedsReason",
		Rule: "this deployment already reached the target: deploying it again is a new decision, recorded with its reason",
		Fix:  "run `relman deploy resume` to verify it again, or deploy again with --redeploy-reason \"…\""}
)

// OutcomeUnknown reports whether the log is a deploy (or a rollback, which
// is a deploy too) that was sent, or about to be sent, and whose job id
// never came back: open, without a job id. A validation is never unknown
// in this sense — it changes nothing.
func (l DeploymentLog) OutcomeUnknown() bool {
	return l.Running() && l.JobID == "" && (l.Kind == LogDeploy || l.Kind == LogQuickDeploy || l.Kind == LogRollback)
}

// reopen sets the status a deployment record goes back to when an
// outcome-unknown attempt closes without a job: a deploy's record may be
// deployed again; a rollback never changed its record's status (the
// rollback record carries it).
func reopen(d DeploymentRecord, l DeploymentLog, now time.Time) DeploymentRecord {
	if l.Kind != LogRollback {
		d.Status = DeployApproved
	}
	d.UpdatedAt = now
	return d
}

// Blocking reports whether an open log stops every other step: a job the
// org runs, or a deploy whose outcome is unknown.
func (l DeploymentLog) Blocking() bool {
	return l.Running() && (l.JobID != "" || l.OutcomeUnknown())
}

// MarkOutcomeUnknown records that the answer to a deploy was lost: the log
// stays open (so nothing else may run) and the record says so.
func MarkOutcomeUnknown(d DeploymentRecord, l DeploymentLog, cause string, now time.Time) (DeploymentRecord, DeploymentLog, []Change) {
	l.Status, l.Message = LogOutcomeUnknown, BoundMessage(cause)
	if l.Kind != LogRollback {
		d.Status = DeployOutcomeUnknown
	}
	d.UpdatedAt = now
	return d, l, []Change{
		logChange(l, "outcome-unknown", map[string]string{"status": string(l.Status), "cause": l.Message}),
		{Entity: EntityDeployment, EntityID: d.Key(), Action: "outcome-unknown", Details: map[string]string{"log": l.Key()}},
	}
}

// NotStarted closes an outcome-unknown deploy the org provably never
// started: asked after the submission, it lists no such job. The record
// goes back to where it was before the attempt.
func NotStarted(d DeploymentRecord, l DeploymentLog, checked string, now time.Time) (DeploymentRecord, DeploymentLog, []Change) {
	l, fin := FinishLog(l, FinishStatus(l.Kind, LogFailed, false), "the org never started this deploy: "+checked, now)
	d = reopen(d, l, now)
	return d, l, []Change{fin, {Entity: EntityDeployment, EntityID: d.Key(), Action: "not-started", Details: map[string]string{"log": l.Key()}}}
}

// Abandon closes an outcome-unknown deploy whose job cannot be found, on a
// release manager's word and reason. The deployment may then be deployed
// again; its first snapshot stays.
func Abandon(d DeploymentRecord, l DeploymentLog, actor, reason string, now time.Time) (DeploymentRecord, DeploymentLog, []Change, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !l.OutcomeUnknown():
		return d, l, nil, ErrNotAbandonable.With(l.Key() + " is " + string(l.Status))
	case reason == "":
		return d, l, nil, ErrAbandonReason.With("abandoning " + l.Key())
	}
	l, fin := FinishLog(l, LogAbandoned, "abandoned by "+actor+": "+BoundMessage(reason), now)
	d = reopen(d, l, now)
	return d, l, []Change{fin, {Entity: EntityDeployment, EntityID: d.Key(), Action: "abandon",
		Details: map[string]string{"log": l.Key(), "reason": reason, "by": actor}}}, nil
}

// CheckRedeploy refuses a new deploy of a record that already reached its
// target (Deployed, or a verify that failed) unless it comes with a reason.
func CheckRedeploy(d DeploymentRecord, reason string) error {
	if d.Status == DeployDeployed && strings.TrimSpace(reason) == "" {
		return ErrRedeployNeedsReason.With(d.Key() + " is " + string(d.Status))
	}
	return nil
}

// MaxStoredMessage bounds each message kept in a log: an org's 10 MB
// failure text is cut, with its size noted.
const MaxStoredMessage = 16 << 10

// MaxStoredFailures bounds the component and test failures kept per log.
const MaxStoredFailures = 1000

// BoundMessage cuts s to MaxStoredMessage bytes (on a rune boundary),
// noting how long it was.
func BoundMessage(s string) string {
	if len(s) <= MaxStoredMessage {
		return s
	}
	cut := MaxStoredMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" … [cut: %d bytes in all]", len(s))
}

// BoundFailures keeps at most MaxStoredFailures failures, each message
// bounded.
func BoundFailures(cf []ComponentFailure, tf []TestFailure) ([]ComponentFailure, []TestFailure) {
	cf = cf[:min(len(cf), MaxStoredFailures)]
	tf = tf[:min(len(tf), MaxStoredFailures)]
	for i := range cf {
		cf[i].Problem, cf[i].File = BoundMessage(cf[i].Problem), BoundMessage(cf[i].File)
	}
	for i := range tf {
		tf[i].Message, tf[i].StackTrace = BoundMessage(tf[i].Message), BoundMessage(tf[i].StackTrace)
	}
	return cf, tf
}
