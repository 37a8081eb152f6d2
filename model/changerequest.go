package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"relman/model/metadata"
)

// ChangeType classifies a change request.
type ChangeType string

// Change types; Minor is the default.
const (
	ChangeMinor     ChangeType = "Minor"
	ChangeStandard  ChangeType = "Standard"
	ChangeMajor     ChangeType = "Major"
	ChangeEmergency ChangeType = "Emergency"
)

// ChangeTypes lists the change types in the order forms offer them.
var ChangeTypes = []ChangeType{ChangeMinor, ChangeStandard, ChangeMajor, ChangeEmergency}

// ApprovalStatus is where a change request (or deployment record) stands in
// its approval: None → Pending Approval → Approved | Rejected.
type ApprovalStatus string

// Approval statuses.
const (
	ApprovalNone     ApprovalStatus = "None"
	ApprovalPending  ApprovalStatus = "Pending Approval"
	ApprovalApproved ApprovalStatus = "Approved"
	ApprovalRejected ApprovalStatus = "Rejected"
)

// CompletionStatus is In Progress → Completed | Cancelled.
type CompletionStatus string

// Completion statuses.
const (
	CompletionInProgress CompletionStatus = "In Progress"
	CompletionCompleted  CompletionStatus = "Completed"
	CompletionCancelled  CompletionStatus = "Cancelled"
)

// Status is the single status shown in lists.
type Status string

// List statuses, in the order the UI's tabs show them.
const (
	StatusInProgress Status = "In Progress"
	StatusPending    Status = "Pending Approval"
	StatusApproved   Status = "Approved"
	StatusRejected   Status = "Rejected"
	StatusCompleted  Status = "Completed"
	StatusCancelled  Status = "Cancelled"
)

// Statuses lists every list status.
var Statuses = []Status{StatusInProgress, StatusPending, StatusApproved, StatusRejected, StatusCompleted, StatusCancelled}

// Decision is one approver's answer.
type Decision string

// Decisions; the empty decision means the approver has not answered yet.
const (
	DecisionNone     Decision = ""
	DecisionApproved Decision = "Approved"
	DecisionRejected Decision = "Rejected"
)

// Approver is a listed approver and their decision. ScopeHash binds the
// decision to exactly what was approved: a decision whose hash differs from
// the current scope no longer counts.
type Approver struct {
	User      string    `json:"user"`
	Decision  Decision  `json:"decision"`
	Comment   string    `json:"comment,omitempty"`
	At        time.Time `json:"at,omitempty"`
	ScopeHash string    `json:"scopeHash,omitempty"`
}

// ChangeRequest is a request to change Production, with its approvals.
type ChangeRequest struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	ChangeType ChangeType `json:"changeType"`
	Overview   string     `json:"overview"`
	// Env is the home environment: production for a root CR, the sandbox for a synced copy.
	Env            string               `json:"env"`
	Parent         int64                `json:"parent,omitempty"`
	Customizations []metadata.Component `json:"customizations"`
	Proposed       []metadata.Component `json:"proposed"`
	// AddedAfterApproval flags components a push back added to an approved scope.
	AddedAfterApproval []metadata.Component `json:"addedAfterApproval,omitempty"`
	Approvers          []Approver           `json:"approvers"`
	Requester          string               `json:"requester"`
	ApprovalStatus     ApprovalStatus       `json:"approvalStatus"`
	CompletionStatus   CompletionStatus     `json:"completionStatus"`
	CancelReason       string               `json:"cancelReason,omitempty"`
	Revision           int                  `json:"revision"`
	Deployments        []int64              `json:"deployments"`
	CompareLogs        []int64              `json:"compareLogs"`
	Children           []int64              `json:"children"`
	CreatedAt          time.Time            `json:"createdAt"`
	UpdatedAt          time.Time            `json:"updatedAt"`
	// PushedBack is the deployment record a copy's push back created: its
	// scope travels on in the parent, so the copy is not submitted again.
	PushedBack int64 `json:"pushedBack,omitempty"`
}

// Key is the displayed id, e.g. "CR-0042".
func (cr ChangeRequest) Key() string { return FormatID(PrefixChangeRequest, cr.ID) }

// Status folds approval and completion into the one status lists show.
func (cr ChangeRequest) Status() Status {
	switch cr.CompletionStatus {
	case CompletionCompleted:
		return StatusCompleted
	case CompletionCancelled:
		return StatusCancelled
	}
	switch cr.ApprovalStatus {
	case ApprovalPending:
		return StatusPending
	case ApprovalApproved:
		return StatusApproved
	case ApprovalRejected:
		return StatusRejected
	}
	return StatusInProgress
}

// Scope is what an approval is bound to: the name, the overview and every
// component, existing or proposed. The components are hashed as one sorted
// set on purpose: when a proposed customization is built in a sandbox it
// moves from Proposed to Customizations, and that realises what was approved
// rather than changing it.
type Scope struct {
	Name       string               `json:"name"`
	Overview   string               `json:"overview"`
	Components []metadata.Component `json:"components"`
}

// ScopeHash is the SHA-256 (hex) of the canonical Scope.
func (cr ChangeRequest) ScopeHash() string {
	return hashJSON(Scope{Name: cr.Name, Overview: cr.Overview, Components: sortedCopy(cr.Components())})
}

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("model: scope of plain values failed to encode: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// IsApproved reports whether the CR is approved and every approval still
// holds for its current scope.
func (cr ChangeRequest) IsApproved() bool {
	return cr.ApprovalStatus == ApprovalApproved && allApproved(cr.Approvers, cr.ScopeHash())
}

func sortedCopy(cs []metadata.Component) []metadata.Component {
	out := append([]metadata.Component{}, cs...)
	metadata.SortComponents(out)
	return out
}

// Components returns customizations and proposed customizations together.
func (cr ChangeRequest) Components() []metadata.Component {
	return append(append([]metadata.Component{}, cr.Customizations...), cr.Proposed...)
}
