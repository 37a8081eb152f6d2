package model

import (
	"slices"
	"time"
)

// Approvals are shared by change requests, deployment records and rollbacks:
// the same rules (requester cannot decide, one decision per approver per
// scope, reject needs a comment) bound to a scope hash.

// decide records actor's decision among approvers for the given scope and
// returns the new approver list and the resulting approval status.
func decide(approvers []Approver, status ApprovalStatus, requester, actor string,
	d Decision, comment, scope string, now time.Time) ([]Approver, ApprovalStatus, error) {
	if status != ApprovalPending {
		return nil, "", ErrNotPending.With("its approval status is " + string(status))
	}
	if SameUser(actor, requester) {
		return nil, "", ErrSelfApproval.With(actor + " is the requester")
	}
	i := approverIndex(approvers, actor)
	if i < 0 {
		return nil, "", ErrNotApprover.With(actor + " is not among " + approverNames(approvers))
	}
	if approvers[i].Decision != DecisionNone && approvers[i].ScopeHash == scope {
		return nil, "", ErrAlreadyDecided.With(actor + " already " + string(approvers[i].Decision))
	}
	if d == DecisionRejected && comment == "" {
		return nil, "", ErrCommentRequired
	}
	out := append([]Approver{}, approvers...)
	out[i] = Approver{User: actor, Decision: d, Comment: comment, At: now, ScopeHash: scope}
	if d == DecisionRejected {
		return out, ApprovalRejected, nil
	}
	if allApproved(out, scope) {
		return out, ApprovalApproved, nil
	}
	return out, ApprovalPending, nil
}

// allApproved reports whether every listed approver approved exactly scope.
func allApproved(approvers []Approver, scope string) bool {
	if len(approvers) == 0 {
		return false
	}
	for _, a := range approvers {
		if a.Decision != DecisionApproved || a.ScopeHash != scope {
			return false
		}
	}
	return true
}

// StaleApprovers lists the approvers whose decision was made on an earlier
// scope and therefore no longer counts; screens use it to say why.
func StaleApprovers(approvers []Approver, scope string) []string {
	var out []string
	for _, a := range approvers {
		if a.Decision != DecisionNone && a.ScopeHash != scope {
			out = append(out, a.User)
		}
	}
	return out
}

// resetDecisions clears every decision, keeping the listed approvers.
func resetDecisions(approvers []Approver) []Approver {
	out := make([]Approver, len(approvers))
	for i, a := range approvers {
		out[i] = Approver{User: a.User}
	}
	return out
}

func approverIndex(approvers []Approver, user string) int {
	for i, a := range approvers {
		if SameUser(a.User, user) {
			return i
		}
	}
	return -1
}

func approverNames(approvers []Approver) string {
	if len(approvers) == 0 {
		return "no approvers"
	}
	s := ""
	for i, a := range approvers {
		if i > 0 {
			s += ", "
		}
		s += a.User
	}
	return s
}

// Awaiting is one approver who must decide on a pending record's current
// scope. Stale is true when they decided on an earlier scope: the record
// changed since, so they must decide again.
type Awaiting struct {
	User  string
	Stale bool
}

// awaitingDecision lists who must decide on a record whose approval is
// pending: every listed approver other than the requester without a
// decision on the current scope (scope computes its hash). Records not
// pending wait for nobody. The store keeps its approvals index from this
// rule, so queues never decode records.
func awaitingDecision(status ApprovalStatus, approvers []Approver, requester string, scope func() string) []Awaiting {
	if status != ApprovalPending {
		return nil
	}
	var out []Awaiting
	current := ""
	for _, a := range approvers {
		if a.User == requester || slices.ContainsFunc(out, func(w Awaiting) bool { return w.User == a.User }) {
			continue
		}
		switch {
		case a.Decision == DecisionNone:
			out = append(out, Awaiting{User: a.User})
		default:
			// The scope's hash costs an encoding: made only when a
			// decision needs it, never for a queue of undecided ones.
			if current == "" {
				current = scope()
			}
			if a.ScopeHash != current {
				out = append(out, Awaiting{User: a.User, Stale: true})
			}
		}
	}
	return out
}

// Awaiting lists who must decide on the change request now.
func (cr ChangeRequest) Awaiting() []Awaiting {
	status := cr.ApprovalStatus
	if cr.Status() != StatusPending {
		status = ""
	}
	return awaitingDecision(status, cr.Approvers, cr.Requester, cr.ScopeHash)
}

// Awaiting lists who must decide on the deployment record now.
func (d DeploymentRecord) Awaiting() []Awaiting {
	return awaitingDecision(d.ApprovalStatus, d.Approvers, d.Requester, d.ScopeHash)
}

// Awaiting lists who must decide on the rollback now.
func (r Rollback) Awaiting() []Awaiting {
	return awaitingDecision(r.ApprovalStatus, r.Approvers, r.Requester, r.ScopeHash)
}
