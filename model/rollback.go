package model

import (
	"fmt"
	"strings"
	"time"

	"relman/model/metadata"
)

// RollbackAction is how one deployed component is rolled back.
type RollbackAction string

// Rollback actions: a component the deploy created is deleted; one it
// changed gets its pre-deploy copy back.
const (
	RollbackDelete   RollbackAction = "Delete"
	RollbackOverride RollbackAction = "Override"
)

// RollbackItem is one component of a rollback and what happens to it.
// Keep marks a component the user deselected: it stays as deployed.
type RollbackItem struct {
	Component metadata.Component `json:"component"`
	Action    RollbackAction     `json:"action"`
	Keep      bool               `json:"keep,omitempty"`
}

// RollbackStatus is where a rollback stands.
type RollbackStatus string

// Rollback statuses.
const (
	RollbackDraft      RollbackStatus = "Draft"
	RollbackPending    RollbackStatus = "Pending Approval"
	RollbackApproved   RollbackStatus = "Approved"
	RollbackRejected   RollbackStatus = "Rejected"
	RollbackInProgress RollbackStatus = "In Progress"
	RollbackDone       RollbackStatus = "Rolled Back"
	RollbackFailed     RollbackStatus = "Failed"
	// RollbackOutcomeUnknown is a rollback sent to the org whose answer
	// was lost: nothing else runs until its job is found or abandoned.
	RollbackOutcomeUnknown RollbackStatus = "Submitted — outcome unknown"
)

// CompletedRollback is the first of rbs that rolled its deployment back:
// the one a rolled-back record names wherever it shows.
func CompletedRollback(rbs []Rollback) (Rollback, bool) {
	for _, rb := range rbs {
		if rb.Status == RollbackDone {
			return rb, true
		}
	}
	return Rollback{}, false
}

// Rollback undoes a completed deployment, with its own approval.
type Rollback struct {
	ID             int64          `json:"id"`
	Deployment     int64          `json:"deployment"`
	CR             int64          `json:"cr"`
	Target         string         `json:"target"`
	Items          []RollbackItem `json:"items"`
	Approvers      []Approver     `json:"approvers"`
	Requester      string         `json:"requester"`
	ApprovalStatus ApprovalStatus `json:"approvalStatus"`
	Status         RollbackStatus `json:"status"`
	Logs           []int64        `json:"logs"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// Key is the displayed id, e.g. "RB-0003".
func (r Rollback) Key() string { return FormatID(PrefixRollback, r.ID) }

// Selected lists the items that will be rolled back.
func (r Rollback) Selected() []RollbackItem {
	var out []RollbackItem
	for _, it := range r.Items {
		if !it.Keep {
			out = append(out, it)
		}
	}
	return out
}

// ScopeHash binds a rollback's approval to exactly what it undoes.
func (r Rollback) ScopeHash() string {
	return hashJSON(struct {
		Target string         `json:"target"`
		Items  []RollbackItem `json:"items"`
	}{r.Target, r.Selected()})
}

// IsApproved reports whether every approver approved the current scope.
func (r Rollback) IsApproved() bool {
	return r.ApprovalStatus == ApprovalApproved && allApproved(r.Approvers, r.ScopeHash())
}

// Refusals of rollbacks.
var (
	ErrNotRollbackable = &RuleError{Code: "NotRollbackable",
		Rule: "only a completed deployment with a pre-deploy snapshot can be rolled back", Fix: "deploy it first; the snapshot is taken when it runs"}
	ErrNothingSelected = &RuleError{Code: "NothingSelected",
		Rule: "a rollback needs at least one component to roll back", Fix: "select components with --component"}
	ErrRollbackNotApproved = &RuleError{Code: "RollbackNotApproved",
		Rule: "a rollback runs only once every approver approved it", Fix: "submit it and have the approvers approve it"}
)

// NewRollback drafts the rollback of a completed deployment: every
// deployed component, Delete when the deploy created it, Override
// otherwise; components in keep are deselected. The change request's
// approvers, less the actor, approve it.
func NewRollback(id int64, d DeploymentRecord, cr ChangeRequest, only []metadata.Component, actor string, now time.Time) (Rollback, Change, error) {
	if (d.Status != DeployDeployed && d.Status != DeployVerified) || d.SnapshotBlob == "" || d.Package == nil {
		return Rollback{}, Change{}, ErrNotRollbackable.With(d.Key() + " is " + string(d.Status))
	}
	created := componentSet(d.Created)
	pick := componentSet(only)
	for _, c := range only {
		if !componentSet(d.Package.Components)[c] {
			return Rollback{}, Change{}, ErrInvalidComponent.With(fmt.Sprintf("%s was not deployed by %s", c, d.Key()))
		}
	}
	r := Rollback{ID: id, Deployment: d.ID, CR: d.CR, Target: d.Target, Requester: actor,
		Approvers: resetDecisions(cr.Approvers), ApprovalStatus: ApprovalNone, Status: RollbackDraft,
		CreatedAt: now, UpdatedAt: now}
	if i := approverIndex(r.Approvers, actor); i >= 0 {
		r.Approvers = append(r.Approvers[:i], r.Approvers[i+1:]...)
	}
	for _, c := range sortedCopy(d.Package.Components) {
		action := RollbackOverride
		if created[c] {
			action = RollbackDelete
		}
		r.Items = append(r.Items, RollbackItem{Component: c, Action: action, Keep: len(only) > 0 && !pick[c]})
	}
	if len(r.Selected()) == 0 {
		return Rollback{}, Change{}, ErrNothingSelected
	}
	return r, rbChange(r, "create", map[string]string{"deployment": d.Key(), "target": r.Target, "items": itemsString(r.Selected())}), nil
}

func itemsString(items []RollbackItem) string {
	s := ""
	for i, it := range items {
		if i > 0 {
			s += ","
		}
		s += string(it.Action) + " " + it.Component.String()
	}
	return s
}

func rbChange(r Rollback, action string, details map[string]string) Change {
	return Change{Entity: EntityRollback, EntityID: r.Key(), Action: action, Details: details}
}

// SubmitRollback sends a draft (or rejected) rollback for approval.
func SubmitRollback(r Rollback, actor string, now time.Time) (Rollback, Change, error) {
	if !SameUser(actor, r.Requester) {
		return r, Change{}, ErrNotRequester.With(r.Key() + " was requested by " + r.Requester)
	}
	if r.Status != RollbackDraft && r.Status != RollbackRejected {
		return r, Change{}, ErrNotSubmittable.With(r.Key() + " is " + string(r.Status))
	}
	if len(r.Approvers) == 0 {
		return r, Change{}, ErrNoApprovers.With(r.Key() + " lists no approvers")
	}
	out := r
	out.ApprovalStatus, out.Status, out.Approvers, out.UpdatedAt = ApprovalPending, RollbackPending, resetDecisions(r.Approvers), now
	return out, rbChange(out, "submit", map[string]string{"scopeHash": out.ScopeHash()}), nil
}

// ApproveRollback records actor's approval; RejectRollback their rejection.
func ApproveRollback(r Rollback, actor, comment string, now time.Time) (Rollback, Change, error) {
	return decideRollback(r, actor, DecisionApproved, comment, now)
}

// RejectRollback records actor's rejection, which needs a comment.
func RejectRollback(r Rollback, actor, comment string, now time.Time) (Rollback, Change, error) {
	return decideRollback(r, actor, DecisionRejected, comment, now)
}

func decideRollback(r Rollback, actor string, d Decision, comment string, now time.Time) (Rollback, Change, error) {
	scope := r.ScopeHash()
	approvers, status, err := decide(r.Approvers, r.ApprovalStatus, r.Requester, actor, d, strings.TrimSpace(comment), scope, now)
	if err != nil {
		return r, Change{}, err
	}
	out := r
	out.Approvers, out.ApprovalStatus, out.UpdatedAt = approvers, status, now
	switch status {
	case ApprovalApproved:
		out.Status = RollbackApproved
	case ApprovalRejected:
		out.Status = RollbackRejected
	}
	action := "approve"
	if d == DecisionRejected {
		action = "reject"
	}
	return out, rbChange(out, action, map[string]string{"scopeHash": scope, "approvalStatus": string(status)}), nil
}

// CanRunRollback checks a rollback may run now: approved, not done, and
// not already sent (running, or waiting for its lost answer to be found).
func CanRunRollback(r Rollback) error {
	resume := "; run `relman rollback resume " + r.Key() + "`"
	switch {
	case r.Status == RollbackDone:
		return ErrAlreadyVerified.With(r.Key() + " already rolled back")
	case r.Status == RollbackOutcomeUnknown:
		return ErrOutcomeUnknown.With(r.Key() + " was sent and its answer never came back" + resume)
	case r.Status == RollbackInProgress:
		return ErrDeployRunning.With(r.Key() + " is running, or its run stopped before the end" + resume)
	case !r.IsApproved():
		return ErrRollbackNotApproved.With(r.Key() + " is " + string(r.Status))
	}
	return nil
}

// SetRollbackStatus moves a rollback to status, listing logID (when not 0)
// among its logs.
func SetRollbackStatus(r Rollback, status RollbackStatus, logID int64, now time.Time) (Rollback, Change) {
	r.Status, r.UpdatedAt = status, now
	details := map[string]string{"status": string(status)}
	if logID != 0 {
		r.Logs = append(append([]int64{}, r.Logs...), logID)
		details["log"] = fmt.Sprint(logID)
	}
	return r, rbChange(r, "status", details)
}
