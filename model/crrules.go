package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"relman/model/metadata"
)

// CRFields is what a requester fills in when creating a change request.
type CRFields struct {
	Name           string
	ChangeType     ChangeType
	Overview       string
	Customizations []metadata.Component
	Proposed       []metadata.Component
	Approvers      []string
}

// CREdit is a change to an existing request; nil and empty fields leave the
// request as it is.
type CREdit struct {
	Name              *string
	ChangeType        *ChangeType
	Overview          *string
	AddCustomizations []metadata.Component
	AddProposed       []metadata.Component
	Remove            []metadata.Component
	AddApprovers      []string
	RemoveApprovers   []string
}

// ErrCRFinishedDeployment refuses moving on a deployment whose change
// request is closed: what was approved for it is history.
var ErrCRFinishedDeployment = &RuleError{Code: "CRFinished",
	Rule: "a deployment of a completed or cancelled change request cannot be submitted, decided or run",
	Fix:  "create a new change request for further changes, and a deployment from it"}

// ErrPushedBack refuses submitting a copy already pushed back.
var ErrPushedBack = &RuleError{Code: "PushedBack",
	Rule: "a copy that was pushed back travels on in its parent", Fix: "approve and deploy the parent's deployment record instead"}

// DeploymentMayMove refuses any step of d (submit, approve, reject,
// retrieve, validate, deploy) once its change request cr is finished, so a
// Draft left behind by a completed or rolled-back request never reaches
// an org.
func DeploymentMayMove(d DeploymentRecord, cr ChangeRequest) error {
	if cr.CompletionStatus != CompletionInProgress {
		return ErrCRFinishedDeployment.With(d.Key() + " belongs to " + cr.Key() + ", which is " + string(cr.CompletionStatus))
	}
	return nil
}

// NewChangeRequest creates a request homed in a production environment:
// In Progress, approval None, revision 1.
func NewChangeRequest(id int64, f CRFields, home Environment, requester string, now time.Time) (ChangeRequest, Change, error) {
	if home.Kind != KindProduction {
		return ChangeRequest{}, Change{}, ErrHomeNotProduction.With(home.Name + " is a " + string(home.Kind))
	}
	cr := ChangeRequest{ID: id, Env: home.Name, Requester: requester, ChangeType: ChangeMinor,
		ApprovalStatus: ApprovalNone, CompletionStatus: CompletionInProgress, Revision: 1,
		CreatedAt: now, UpdatedAt: now}
	if err := applyFields(&cr, f); err != nil {
		return ChangeRequest{}, Change{}, err
	}
	return cr, crChange(cr, "create", map[string]string{"name": cr.Name, "env": cr.Env,
		"changeType": string(cr.ChangeType), "components": joinComponents(cr.Components()),
		"approvers": strings.Join(userList(cr.Approvers), ",")}), nil
}

func applyFields(cr *ChangeRequest, f CRFields) error {
	cr.Name = strings.TrimSpace(f.Name)
	if cr.Name == "" {
		return ErrNameRequired
	}
	if f.ChangeType != "" {
		if !validChangeType(f.ChangeType) {
			return ErrInvalidChangeType.With(fmt.Sprintf("%q", f.ChangeType))
		}
		cr.ChangeType = f.ChangeType
	}
	cr.Overview = f.Overview
	var err error
	if cr.Customizations, err = checkedComponents(nil, f.Customizations); err != nil {
		return err
	}
	if cr.Proposed, err = checkedComponents(nil, f.Proposed); err != nil {
		return err
	}
	if err := checkDisjoint(cr.Customizations, cr.Proposed); err != nil {
		return err
	}
	return addApprovers(cr, f.Approvers)
}

// EditChangeRequest applies an edit by the requester while the request is In
// Progress and not pending or approved. A rejected request returns to None.
func EditChangeRequest(cr ChangeRequest, actor string, e CREdit, now time.Time) (ChangeRequest, Change, error) {
	if err := checkEditable(cr, actor); err != nil {
		return cr, Change{}, err
	}
	out := cr
	out.Approvers = append([]Approver{}, cr.Approvers...)
	if e.Name != nil {
		if out.Name = strings.TrimSpace(*e.Name); out.Name == "" {
			return cr, Change{}, ErrNameRequired
		}
	}
	if e.ChangeType != nil {
		if !validChangeType(*e.ChangeType) {
			return cr, Change{}, ErrInvalidChangeType.With(fmt.Sprintf("%q", *e.ChangeType))
		}
		out.ChangeType = *e.ChangeType
	}
	if e.Overview != nil {
		out.Overview = *e.Overview
	}
	var err error
	if out.Customizations, err = checkedComponents(without(cr.Customizations, e.Remove), e.AddCustomizations); err != nil {
		return cr, Change{}, err
	}
	if out.Proposed, err = checkedComponents(without(cr.Proposed, e.Remove), e.AddProposed); err != nil {
		return cr, Change{}, err
	}
	if err := checkDisjoint(out.Customizations, out.Proposed); err != nil {
		return cr, Change{}, err
	}
	for _, u := range e.RemoveApprovers {
		if i := approverIndex(out.Approvers, u); i >= 0 {
			out.Approvers = append(out.Approvers[:i], out.Approvers[i+1:]...)
		}
	}
	if err := addApprovers(&out, e.AddApprovers); err != nil {
		return cr, Change{}, err
	}
	details := map[string]string{"revision": strconv.Itoa(cr.Revision + 1)}
	if cr.ApprovalStatus == ApprovalRejected {
		out.ApprovalStatus = ApprovalNone
		out.Approvers = resetDecisions(out.Approvers)
		details["approvalStatus"] = string(ApprovalNone)
	}
	out.Revision = cr.Revision + 1
	out.UpdatedAt = now
	describeEdit(details, cr, out)
	return out, crChange(out, "edit", details), nil
}

func checkEditable(cr ChangeRequest, actor string) error {
	if cr.CompletionStatus != CompletionInProgress {
		return ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if !SameUser(actor, cr.Requester) {
		return ErrNotRequester.With(cr.Key() + " was requested by " + cr.Requester)
	}
	if cr.ApprovalStatus != ApprovalNone && cr.ApprovalStatus != ApprovalRejected {
		return ErrNotEditable.With(cr.Key() + " is " + string(cr.ApprovalStatus))
	}
	return nil
}

// SubmitChangeRequest sends the request for approval: every listed approver
// must now decide on its current scope.
func SubmitChangeRequest(cr ChangeRequest, actor string, now time.Time) (ChangeRequest, Change, error) {
	if cr.CompletionStatus != CompletionInProgress {
		return cr, Change{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if !SameUser(actor, cr.Requester) {
		return cr, Change{}, ErrNotRequester.With(cr.Key() + " was requested by " + cr.Requester)
	}
	if cr.ApprovalStatus != ApprovalNone && cr.ApprovalStatus != ApprovalRejected {
		return cr, Change{}, ErrNotSubmittable.With(cr.Key() + " is " + string(cr.ApprovalStatus))
	}
	if cr.PushedBack != 0 {
		return cr, Change{}, ErrPushedBack.With(fmt.Sprintf("%s was pushed back to %s as %s", cr.Key(),
			FormatID(PrefixChangeRequest, cr.Parent), FormatID(PrefixDeployment, cr.PushedBack)))
	}
	if strings.TrimSpace(cr.Name) == "" {
		return cr, Change{}, ErrNameRequired
	}
	if len(cr.Customizations)+len(cr.Proposed) == 0 {
		return cr, Change{}, ErrNothingToApprove.With(cr.Key() + " lists no components")
	}
	if len(cr.Approvers) == 0 {
		return cr, Change{}, ErrNoApprovers.With(cr.Key() + " lists no approvers")
	}
	out := cr
	out.ApprovalStatus = ApprovalPending
	out.Approvers = resetDecisions(cr.Approvers)
	out.UpdatedAt = now
	return out, crChange(out, "submit", map[string]string{"scopeHash": out.ScopeHash(),
		"approvers": strings.Join(userList(out.Approvers), ",")}), nil
}

// ApproveChangeRequest records actor's approval of the current scope; the
// request is Approved once every listed approver has approved it.
func ApproveChangeRequest(cr ChangeRequest, actor, comment string, now time.Time) (ChangeRequest, Change, error) {
	return decideChangeRequest(cr, actor, DecisionApproved, comment, now)
}

// RejectChangeRequest records actor's rejection, which needs a comment.
func RejectChangeRequest(cr ChangeRequest, actor, comment string, now time.Time) (ChangeRequest, Change, error) {
	return decideChangeRequest(cr, actor, DecisionRejected, strings.TrimSpace(comment), now)
}

func decideChangeRequest(cr ChangeRequest, actor string, d Decision, comment string, now time.Time) (ChangeRequest, Change, error) {
	if cr.CompletionStatus != CompletionInProgress {
		return cr, Change{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	scope := cr.ScopeHash()
	approvers, status, err := decide(cr.Approvers, cr.ApprovalStatus, cr.Requester, actor, d, comment, scope, now)
	if err != nil {
		return cr, Change{}, err
	}
	out := cr
	out.Approvers, out.ApprovalStatus, out.UpdatedAt = approvers, status, now
	action := "approve"
	if d == DecisionRejected {
		action = "reject"
	}
	details := map[string]string{"scopeHash": scope, "approvalStatus": string(status)}
	if comment != "" {
		details["comment"] = comment
	}
	return out, crChange(out, action, details), nil
}

// SyncChangeRequest copies an approved request into a sandbox that passed
// Test Connection. It returns the child (In Progress, editable, requested by
// the actor who will build it) and the parent linked to it.
func SyncChangeRequest(parent ChangeRequest, target Environment, childID int64, actor string, now time.Time) (child, updated ChangeRequest, changes []Change, err error) {
	if parent.CompletionStatus != CompletionInProgress {
		return child, parent, nil, ErrFinished.With(parent.Key() + " is " + string(parent.CompletionStatus))
	}
	if !parent.IsApproved() {
		return child, parent, nil, ErrNotApproved.With(parent.Key() + " is " + string(parent.Status()) + staleNote(parent))
	}
	if target.Name == parent.Env {
		return child, parent, nil, ErrSameEnvironment.With(parent.Key() + " already lives in " + target.Name)
	}
	if target.Kind != KindSandbox {
		return child, parent, nil, ErrWrongKind.With("sync copies into a sandbox; " + target.Name + " is " + string(target.Kind))
	}
	if !target.Passed() {
		return child, parent, nil, ErrConnectionNotTested.With(target.Name + lastTestNote(target))
	}
	child = ChangeRequest{ID: childID, Name: parent.Name, ChangeType: parent.ChangeType, Overview: parent.Overview,
		Env: target.Name, Parent: parent.ID, Requester: actor,
		Customizations: append([]metadata.Component{}, parent.Customizations...),
		Proposed:       append([]metadata.Component{}, parent.Proposed...),
		Approvers:      resetDecisions(parent.Approvers),
		ApprovalStatus: ApprovalNone, CompletionStatus: CompletionInProgress, Revision: 1,
		CreatedAt: now, UpdatedAt: now}
	if i := approverIndex(child.Approvers, actor); i >= 0 {
		// The actor now requests the copy and so cannot approve it.
		child.Approvers = append(child.Approvers[:i], child.Approvers[i+1:]...)
	}
	updated = parent
	updated.Children = append(append([]int64{}, parent.Children...), childID)
	updated.UpdatedAt = now
	changes = []Change{
		crChange(child, "create-copy", map[string]string{"parent": parent.Key(), "env": target.Name}),
		crChange(updated, "sync", map[string]string{"child": child.Key(), "env": target.Name}),
	}
	return child, updated, changes, nil
}

// PushBackResult is what pushing a child back to production produces.
type PushBackResult struct {
	Parent     ChangeRequest
	Child      ChangeRequest
	Deployment DeploymentRecord
	// Added lists components the parent's approved scope did not have; they
	// are flagged, and the parent needs approving again.
	Added   []metadata.Component
	Changes []Change
}

// PushBackChangeRequest brings a synced child's scope back to its production
// parent and creates the Draft deployment record (child env → production).
func PushBackChangeRequest(child, parent ChangeRequest, source, production Environment, deploymentID int64, actor string, now time.Time) (PushBackResult, error) {
	if child.Parent == 0 {
		return PushBackResult{}, ErrNotAChild.With(child.Key() + " has no parent")
	}
	if parent.ID != child.Parent {
		return PushBackResult{}, ErrNotAChild.With(fmt.Sprintf("%s's parent is %s, not %s", child.Key(), FormatID(PrefixChangeRequest, child.Parent), parent.Key()))
	}
	for _, cr := range []ChangeRequest{child, parent} {
		if cr.CompletionStatus != CompletionInProgress {
			return PushBackResult{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
		}
	}
	if production.Name != parent.Env || production.Kind != KindProduction {
		return PushBackResult{}, ErrWrongKind.With(parent.Key() + " lives in " + parent.Env + ", not " + production.Name)
	}
	if source.Name != child.Env {
		return PushBackResult{}, ErrWrongKind.With(child.Key() + " lives in " + child.Env + ", not " + source.Name)
	}
	if !production.Passed() {
		return PushBackResult{}, ErrConnectionNotTested.With(production.Name + lastTestNote(production))
	}
	wasApproved := parent.IsApproved()
	approvedSet := componentSet(parent.Components())
	up := parent
	up.Customizations = union(parent.Customizations, child.Customizations)
	inCustom := componentSet(up.Customizations)
	var proposed []metadata.Component
	for _, c := range union(parent.Proposed, child.Proposed) {
		if !inCustom[c] {
			proposed = append(proposed, c)
		}
	}
	up.Proposed = proposed
	var added []metadata.Component
	for _, c := range up.Components() {
		if !approvedSet[c] {
			added = append(added, c)
		}
	}
	metadata.SortComponents(added)
	up.AddedAfterApproval = union(parent.AddedAfterApproval, added)
	up.Deployments = append(append([]int64{}, parent.Deployments...), deploymentID)
	up.UpdatedAt = now
	if len(added) > 0 && wasApproved {
		// The approved scope grew: earlier decisions no longer count.
		up.ApprovalStatus = ApprovalPending
	}
	dr := DeploymentRecord{ID: deploymentID, CR: parent.ID, Source: source.Name, Target: production.Name,
		Components: up.Components(), TestLevel: DefaultTestLevel(production.Kind), Requester: actor,
		Approvers: resetDecisions(parent.Approvers), ApprovalStatus: ApprovalNone, Status: DeployDraft,
		CreatedAt: now, UpdatedAt: now}
	if i := approverIndex(dr.Approvers, actor); i >= 0 {
		dr.Approvers = append(dr.Approvers[:i], dr.Approvers[i+1:]...)
	}
	metadata.SortComponents(dr.Components)
	ch := child
	ch.UpdatedAt, ch.PushedBack = now, deploymentID
	ch.Revision = child.Revision
	details := map[string]string{"child": child.Key(), "deployment": dr.Key(), "components": joinComponents(up.Components())}
	if len(added) > 0 {
		details["addedAfterApproval"] = joinComponents(added)
		details["approvalStatus"] = string(up.ApprovalStatus)
	}
	return PushBackResult{Parent: up, Child: ch, Deployment: dr, Added: added, Changes: []Change{
		crChange(up, "push-back", details),
		crChange(ch, "pushed", map[string]string{"parent": parent.Key(), "deployment": dr.Key()}),
		{Entity: EntityDeployment, EntityID: dr.Key(), Action: "create", Details: map[string]string{
			"cr": parent.Key(), "source": dr.Source, "target": dr.Target, "testLevel": string(dr.TestLevel),
			"components": joinComponents(dr.Components)}},
	}}, nil
}

// CompleteChangeRequest closes an approved request once its latest
// deployment, if any, succeeded and was verified.
func CompleteChangeRequest(cr ChangeRequest, latest *DeploymentRecord, actor string, now time.Time) (ChangeRequest, Change, error) {
	if cr.CompletionStatus != CompletionInProgress {
		return cr, Change{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if !SameUser(actor, cr.Requester) && approverIndex(cr.Approvers, actor) < 0 {
		return cr, Change{}, ErrNotCompleter.With(actor + " is neither " + cr.Requester + " nor an approver")
	}
	if !cr.IsApproved() {
		return cr, Change{}, ErrNotApproved.With(cr.Key() + " is " + string(cr.Status()) + staleNote(cr))
	}
	if latest != nil && latest.Status != DeployVerified {
		return cr, Change{}, ErrNotCompletable.With(latest.Key() + " is " + string(latest.Status))
	}
	out := cr
	out.CompletionStatus, out.UpdatedAt = CompletionCompleted, now
	details := map[string]string{}
	if latest != nil {
		details["deployment"] = latest.Key()
	}
	return out, crChange(out, "complete", details), nil
}

// CancelChangeRequest abandons a request that is not finished; the requester
// must give a reason.
func CancelChangeRequest(cr ChangeRequest, actor, reason string, now time.Time) (ChangeRequest, Change, error) {
	if cr.CompletionStatus != CompletionInProgress {
		return cr, Change{}, ErrFinished.With(cr.Key() + " is " + string(cr.CompletionStatus))
	}
	if !SameUser(actor, cr.Requester) {
		return cr, Change{}, ErrNotRequester.With(cr.Key() + " was requested by " + cr.Requester)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return cr, Change{}, ErrReasonRequired
	}
	out := cr
	out.CompletionStatus, out.CancelReason, out.UpdatedAt = CompletionCancelled, reason, now
	return out, crChange(out, "cancel", map[string]string{"reason": reason}), nil
}

func crChange(cr ChangeRequest, action string, details map[string]string) Change {
	return Change{Entity: EntityChangeRequest, EntityID: cr.Key(), Action: action, Details: details}
}

func validChangeType(t ChangeType) bool {
	for _, c := range ChangeTypes {
		if c == t {
			return true
		}
	}
	return false
}

// checkedComponents appends add to base, validating each new component and
// dropping duplicates, so lists stay sets in a stable sorted order.
func checkedComponents(base, add []metadata.Component) ([]metadata.Component, error) {
	out := append([]metadata.Component{}, base...)
	seen := componentSet(out)
	for _, c := range add {
		if err := metadata.Validate(c); err != nil {
			return nil, ErrInvalidComponent.With(err.Error())
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	metadata.SortComponents(out)
	return out, nil
}

func checkDisjoint(custom, proposed []metadata.Component) error {
	in := componentSet(custom)
	for _, c := range proposed {
		if in[c] {
			return ErrDuplicateComponent.With(c.String())
		}
	}
	return nil
}

func addApprovers(cr *ChangeRequest, users []string) error {
	for _, u := range users {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if SameUser(u, cr.Requester) {
			return ErrRequesterAsApprover.With(u + " requested " + cr.Key())
		}
		if approverIndex(cr.Approvers, u) < 0 {
			cr.Approvers = append(cr.Approvers, Approver{User: u})
		}
	}
	return nil
}

func describeEdit(details map[string]string, before, after ChangeRequest) {
	if before.Name != after.Name {
		details["name"] = after.Name
	}
	if before.ChangeType != after.ChangeType {
		details["changeType"] = string(after.ChangeType)
	}
	if before.Overview != after.Overview {
		details["overview"] = after.Overview
	}
	if b, a := joinComponents(before.Components()), joinComponents(after.Components()); b != a {
		details["components"] = a
	}
	if b, a := strings.Join(userList(before.Approvers), ","), strings.Join(userList(after.Approvers), ","); b != a {
		details["approvers"] = a
	}
}

func staleNote(cr ChangeRequest) string {
	if stale := StaleApprovers(cr.Approvers, cr.ScopeHash()); len(stale) > 0 && cr.ApprovalStatus != ApprovalRejected {
		return " (the scope changed after " + strings.Join(stale, ", ") + " decided, so those decisions no longer count)"
	}
	return ""
}

func lastTestNote(e Environment) string {
	if e.LastTest == nil {
		return " has never been tested"
	}
	return " failed its last test: " + e.LastTest.Message
}

func componentSet(cs []metadata.Component) map[metadata.Component]bool {
	m := make(map[metadata.Component]bool, len(cs))
	for _, c := range cs {
		m[c] = true
	}
	return m
}

func union(a, b []metadata.Component) []metadata.Component {
	out := append([]metadata.Component{}, a...)
	seen := componentSet(out)
	for _, c := range b {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	metadata.SortComponents(out)
	return out
}

func without(cs, remove []metadata.Component) []metadata.Component {
	drop := componentSet(remove)
	var out []metadata.Component
	for _, c := range cs {
		if !drop[c] {
			out = append(out, c)
		}
	}
	return out
}

func joinComponents(cs []metadata.Component) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = c.String()
	}
	return strings.Join(s, ",")
}

func userList(as []Approver) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.User
	}
	return out
}
