package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"relman/model/metadata"
)

// EntityChangeLog names change logs in audit events.
const EntityChangeLog = "change-log"

// PrefixChangeLog is the prefix of change log ids ("CH-12").
const PrefixChangeLog = "CH"

// ChangeKind is what happened to a component between two snapshots.
type ChangeKind string

// Change kinds.
const (
	KindAdded   ChangeKind = "added"
	KindChanged ChangeKind = "changed"
	KindDeleted ChangeKind = "deleted"
)

// ComplianceStatus is where a change log stands.
type ComplianceStatus string

// Compliance statuses, in the order lists show them.
const (
	StatusNonCompliant ComplianceStatus = "non-compliant"
	StatusCompliant    ComplianceStatus = "compliant"
	StatusResolved     ComplianceStatus = "resolved"
)

// ComplianceStatuses lists every status, open ones first.
var ComplianceStatuses = []ComplianceStatus{StatusNonCompliant, StatusCompliant, StatusResolved}

// ParseComplianceStatus accepts a status name in any case.
func ParseComplianceStatus(s string) (ComplianceStatus, error) {
	return parseName(s, ComplianceStatuses, "status", "non-compliant, compliant or resolved")
}

// ChangeLog records one change to a component of a monitored environment,
// found by comparing two snapshots, and whether it is covered.
type ChangeLog struct {
	ID        int64              `json:"id"`
	Env       string             `json:"env"`
	Snapshot  int64              `json:"snapshot"`
	Component metadata.Component `json:"component"`
	Kind      ChangeKind         `json:"kind"`
	Category  PolicyCategory     `json:"category"`
	Level     Level              `json:"level"`
	// When and Who are as the org reports them (lastModifiedDate and
	// lastModifiedByName, or the Setup Audit Trail for deletions); When is
	// the detection time when the org says nothing.
	When       time.Time `json:"when"`
	Who        string    `json:"who,omitempty"`
	DetectedAt time.Time `json:"detectedAt"`
	// Before and After map each file of the component (source format path)
	// to the blob of its content in the previous and this snapshot.
	Before map[string]string `json:"before,omitempty"`
	After  map[string]string `json:"after,omitempty"`
	Status ComplianceStatus  `json:"status"`
	// Reason says why the change is compliant or not.
	Reason string `json:"reason"`
	// CoveredBy names the change request or deployment record that covers
	// the change (CR-… / DR-…), when one does.
	CoveredBy  string    `json:"coveredBy,omitempty"`
	ByRelman   bool      `json:"byRelman,omitempty"`
	ResolvedBy string    `json:"resolvedBy,omitempty"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
	Note       string    `json:"note,omitempty"`
}

// Key is the change log's id as users see it, e.g. "CH-4".
func (c ChangeLog) Key() string { return FormatID(PrefixChangeLog, c.ID) }

// Open reports whether the change still needs someone's attention.
func (c ChangeLog) Open() bool { return c.Status == StatusNonCompliant }

// Evidence is what relman knows about an environment's approved work: its
// change requests and deployment records, and when the previous snapshot
// was taken (changes found now happened after it).
type Evidence struct {
	Env         string
	Since       time.Time
	CRs         []ChangeRequest
	Deployments []DeploymentRecord
	Rollbacks   []Rollback
}

// deployed reports whether d reached the org.
func deployed(d DeploymentRecord) bool {
	return d.Status == DeployDeployed || d.Status == DeployVerified
}

func deploymentHolds(d DeploymentRecord, c metadata.Component, kind ChangeKind) bool {
	if kind == KindDeleted {
		return slices.Contains(d.Destructive, c) || slices.Contains(d.Components, c)
	}
	return slices.Contains(d.Components, c)
}

func crHolds(cr ChangeRequest, c metadata.Component) bool {
	return slices.Contains(cr.Customizations, c) || slices.Contains(cr.Proposed, c)
}

// Judge decides the compliance of change cl under level and sets its
// Status, Reason, CoveredBy and ByRelman. A change delivered by one of
// relman's own deployments since the previous snapshot is compliant at
// every level; otherwise the level decides (see Level).
func Judge(cl ChangeLog, level Level, ev Evidence) ChangeLog {
	cl.Level = level
	set := func(st ComplianceStatus, by, reason string) ChangeLog {
		cl.Status, cl.CoveredBy, cl.Reason = st, by, reason
		return cl
	}
	for _, d := range ev.Deployments {
		if d.Target == ev.Env && deployed(d) && deploymentHolds(d, cl.Component, cl.Kind) && !d.UpdatedAt.Before(ev.Since) {
			cl.ByRelman = true
			return set(StatusCompliant, d.Key(), fmt.Sprintf("delivered by relman deployment %s of %s", d.Key(), FormatID(PrefixChangeRequest, d.CR)))
		}
	}
	for _, r := range ev.Rollbacks {
		if r.Target == ev.Env && r.Status == RollbackDone && !r.UpdatedAt.Before(ev.Since) &&
			slices.ContainsFunc(r.Selected(), func(it RollbackItem) bool { return it.Component == cl.Component }) {
			cl.ByRelman = true
			return set(StatusCompliant, r.Key(), fmt.Sprintf("restored by relman rollback %s of %s", r.Key(), FormatID(PrefixDeployment, r.Deployment)))
		}
	}
	switch level {
	case LevelLogOnly:
		return set(StatusCompliant, "", "log-only: every change to "+string(cl.Category)+" is compliant")
	case LevelFull:
		return set(StatusNonCompliant, "", fmt.Sprintf("level full needs an approved relman deployment of %s to %s; none delivered it", cl.Component, ev.Env))
	}
	var holding []ChangeRequest
	for _, cr := range ev.CRs {
		if cr.Env == ev.Env && cr.CompletionStatus != CompletionCancelled && crHolds(cr, cl.Component) {
			holding = append(holding, cr)
		}
	}
	if len(holding) == 0 {
		return set(StatusNonCompliant, "", fmt.Sprintf("no change request for %s contains %s", ev.Env, cl.Component))
	}
	var approved []ChangeRequest
	for _, cr := range holding {
		if cr.ApprovalStatus == ApprovalApproved {
			approved = append(approved, cr)
		}
	}
	if len(approved) == 0 {
		return set(StatusNonCompliant, "", fmt.Sprintf("%s contains %s but is not approved (%s)", holding[0].Key(), cl.Component, holding[0].ApprovalStatus))
	}
	if level == LevelChangeRequest {
		return set(StatusCompliant, approved[0].Key(), fmt.Sprintf("approved %s contains %s", approved[0].Key(), cl.Component))
	}
	for _, cr := range approved {
		if wentThroughSandbox(cr, ev) {
			return set(StatusCompliant, cr.Key(), fmt.Sprintf("approved %s contains %s and went through a sandbox copy", cr.Key(), cl.Component))
		}
	}
	return set(StatusNonCompliant, "", fmt.Sprintf("level sandbox: approved %s contains %s but was never synced to a sandbox and pushed back", approved[0].Key(), cl.Component))
}

// wentThroughSandbox reports whether cr was synced to a sandbox and pushed
// back: it has a child and a deployment record of cr into its own
// environment from another one.
func wentThroughSandbox(cr ChangeRequest, ev Evidence) bool {
	if len(cr.Children) == 0 {
		return false
	}
	for _, d := range ev.Deployments {
		if d.CR == cr.ID && d.Target == cr.Env && d.Source != cr.Env {
			return true
		}
	}
	return false
}

// ResolveChangeLog marks a change log resolved by actor (an approver): by
// linking approved change request cr after the fact (nil when none is), or
// by note alone, which then says why no change request is needed.
func ResolveChangeLog(cl ChangeLog, users Users, actor string, cr *ChangeRequest, note string, now time.Time) (ChangeLog, Change, error) {
	what := "change " + cl.Key()
	if u, ok := users.Find(actor); !ok || !u.Has(RoleApprover) {
		return ChangeLog{}, Change{}, ErrNotAllowed.With(fmt.Sprintf("%s: only an approver may resolve a change, and %s is not one", what, actor))
	}
	if cl.Status != StatusNonCompliant {
		return ChangeLog{}, Change{}, fmt.Errorf("%s is %s already: only non-compliant changes are resolved", what, cl.Status)
	}
	note = strings.TrimSpace(note)
	if note == "" {
		return ChangeLog{}, Change{}, fmt.Errorf("%s: resolving needs a note; say with --note why the change is acceptable", what)
	}
	details := map[string]string{"note": note}
	if cr != nil {
		if cr.ApprovalStatus != ApprovalApproved {
			return ChangeLog{}, Change{}, ErrNotApproved.With(fmt.Sprintf("%s: %s is %s, not approved", what, cr.Key(), cr.ApprovalStatus))
		}
		if !crHolds(*cr, cl.Component) {
			return ChangeLog{}, Change{}, fmt.Errorf("%s: %s does not contain %s; add it to the change request or resolve with a note only", what, cr.Key(), cl.Component)
		}
		cl.CoveredBy = cr.Key()
		details["cr"] = cr.Key()
	}
	cl.Status, cl.ResolvedBy, cl.ResolvedAt, cl.Note = StatusResolved, actor, now, note
	return cl, Change{Entity: EntityChangeLog, EntityID: cl.Key(), Action: "resolve", Details: details}, nil
}

// SortChangeLogs orders change logs for lists: open (non-compliant) ones
// first, then newest first.
func SortChangeLogs(cls []ChangeLog) {
	slices.SortStableFunc(cls, func(a, b ChangeLog) int {
		if a.Open() != b.Open() {
			if a.Open() {
				return -1
			}
			return 1
		}
		if c := b.When.Compare(a.When); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
}
