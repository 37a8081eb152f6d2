package model

import "time"

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
