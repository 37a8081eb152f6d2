package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
)

var (
	t0       = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	prod     = Environment{Name: "production", Kind: KindProduction, Connection: ConnLocal, Dir: "p", LastTest: &TestResult{OK: true}}
	uat      = Environment{Name: "uat", Kind: KindSandbox, Connection: ConnLocal, Dir: "u", LastTest: &TestResult{OK: true}}
	untested = Environment{Name: "dev", Kind: KindSandbox, Connection: ConnLocal, Dir: "d"}
	field    = metadata.Component{Type: "CustomField", FullName: "Account.Region__c"}
	class    = metadata.Component{Type: "ApexClass", FullName: "InvoiceService"}
	rule     = metadata.Component{Type: "ValidationRule", FullName: "Invoice__c.Amount_Positive"}
)

// fixture builds a CR by alice with approvers bob and carol and moves it
// through the named steps, failing the test if any step is refused.
func fixture(t *testing.T, steps ...string) ChangeRequest {
	t.Helper()
	cr, _, err := NewChangeRequest(1, CRFields{Name: "Region field", Customizations: []metadata.Component{class},
		Proposed: []metadata.Component{field}, Approvers: []string{"bob", "carol"}}, prod, "alice", t0)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, s := range steps {
		switch s {
		case "submit":
			cr, _, err = SubmitChangeRequest(cr, "alice", t0)
		case "bob-approves":
			cr, _, err = ApproveChangeRequest(cr, "bob", "", t0)
		case "carol-approves":
			cr, _, err = ApproveChangeRequest(cr, "carol", "ok", t0)
		case "bob-rejects":
			cr, _, err = RejectChangeRequest(cr, "bob", "needs a test", t0)
		case "complete":
			cr, _, err = CompleteChangeRequest(cr, nil, "alice", t0)
		case "cancel":
			cr, _, err = CancelChangeRequest(cr, "alice", "not needed", t0)
		default:
			t.Fatalf("unknown step %q", s)
		}
		if err != nil {
			t.Fatalf("step %s: %v", s, err)
		}
	}
	return cr
}

func TestNewChangeRequest(t *testing.T) {
	bad := metadata.Component{Type: "CustomField", FullName: "Region__c"}
	cases := []struct {
		name string
		f    CRFields
		home Environment
		want error
	}{
		{"ok", CRFields{Name: "x", Customizations: []metadata.Component{class}}, prod, nil},
		{"home must be production", CRFields{Name: "x"}, uat, ErrHomeNotProduction},
		{"name required", CRFields{Name: "  "}, prod, ErrNameRequired},
		{"bad change type", CRFields{Name: "x", ChangeType: "Huge"}, prod, ErrInvalidChangeType},
		{"malformed proposed name", CRFields{Name: "x", Proposed: []metadata.Component{bad}}, prod, ErrInvalidComponent},
		{"unknown type", CRFields{Name: "x", Customizations: []metadata.Component{{Type: "CustomFeld", FullName: "A.B__c"}}}, prod, ErrInvalidComponent},
		{"both lists", CRFields{Name: "x", Customizations: []metadata.Component{field}, Proposed: []metadata.Component{field}}, prod, ErrDuplicateComponent},
		{"requester as approver", CRFields{Name: "x", Approvers: []string{"alice"}}, prod, ErrRequesterAsApprover},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr, ch, err := NewChangeRequest(7, c.f, c.home, "alice", t0)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil {
				return
			}
			if cr.Status() != StatusInProgress || cr.Revision != 1 || cr.ChangeType != ChangeMinor || cr.Key() != "CR-0007" {
				t.Fatalf("new CR = %+v", cr)
			}
			if ch.Action != "create" || ch.EntityID != "CR-0007" {
				t.Fatalf("change = %+v", ch)
			}
		})
	}
}

func TestEditChangeRequest(t *testing.T) {
	name := "Renamed"
	cases := []struct {
		name     string
		steps    []string
		actor    string
		edit     CREdit
		want     error
		wantAppr ApprovalStatus
	}{
		{"requester edits in progress", nil, "alice", CREdit{Name: &name}, nil, ApprovalNone},
		{"other user refused", nil, "bob", CREdit{Name: &name}, ErrNotRequester, ""},
		{"pending refused", []string{"submit"}, "alice", CREdit{Name: &name}, ErrNotEditable, ""},
		{"approved refused", []string{"submit", "bob-approves", "carol-approves"}, "alice", CREdit{Name: &name}, ErrNotEditable, ""},
		{"rejected returns to None", []string{"submit", "bob-rejects"}, "alice", CREdit{Name: &name}, nil, ApprovalNone},
		{"cancelled refused", []string{"cancel"}, "alice", CREdit{Name: &name}, ErrFinished, ""},
		{"empty name refused", nil, "alice", CREdit{Name: new(string)}, ErrNameRequired, ""},
		{"proposed also existing refused", nil, "alice", CREdit{AddCustomizations: []metadata.Component{field}}, ErrDuplicateComponent, ""},
		{"adding requester as approver refused", nil, "alice", CREdit{AddApprovers: []string{"alice"}}, ErrRequesterAsApprover, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr := fixture(t, c.steps...)
			out, ch, err := EditChangeRequest(cr, c.actor, c.edit, t0.Add(time.Hour))
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil {
				if out.Revision != cr.Revision || out.Name != cr.Name {
					t.Fatalf("a refused edit changed the CR: %+v", out)
				}
				return
			}
			if out.Revision != cr.Revision+1 || out.Name != name || out.ApprovalStatus != c.wantAppr || ch.Details["name"] != name {
				t.Fatalf("edited = rev %d name %q approval %q; change %+v", out.Revision, out.Name, out.ApprovalStatus, ch)
			}
		})
	}
}

func TestEditComponentsAndApprovers(t *testing.T) {
	cr := fixture(t)
	out, _, err := EditChangeRequest(cr, "alice", CREdit{AddCustomizations: []metadata.Component{rule, rule},
		Remove: []metadata.Component{class}, AddApprovers: []string{"dave"}, RemoveApprovers: []string{"carol"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Customizations) != 1 || out.Customizations[0] != rule {
		t.Fatalf("customizations = %v", out.Customizations)
	}
	if got := userList(out.Approvers); len(got) != 2 || got[0] != "bob" || got[1] != "dave" {
		t.Fatalf("approvers = %v", got)
	}
	if len(cr.Approvers) != 2 || cr.Approvers[1].User != "carol" {
		t.Fatalf("edit mutated the original's approvers: %v", cr.Approvers)
	}
}

func TestSubmitChangeRequest(t *testing.T) {
	empty, _, _ := NewChangeRequest(2, CRFields{Name: "empty", Approvers: []string{"bob"}}, prod, "alice", t0)
	noApprovers, _, _ := NewChangeRequest(3, CRFields{Name: "solo", Customizations: []metadata.Component{class}}, prod, "alice", t0)
	cases := []struct {
		name  string
		cr    ChangeRequest
		actor string
		want  error
	}{
		{"ok", fixture(t), "alice", nil},
		{"resubmit after rejection", fixture(t, "submit", "bob-rejects"), "alice", nil},
		{"not the requester", fixture(t), "bob", ErrNotRequester},
		{"no components", empty, "alice", ErrNothingToApprove},
		{"no approvers", noApprovers, "alice", ErrNoApprovers},
		{"already pending", fixture(t, "submit"), "alice", ErrNotSubmittable},
		{"already approved", fixture(t, "submit", "bob-approves", "carol-approves"), "alice", ErrNotSubmittable},
		{"cancelled", fixture(t, "cancel"), "alice", ErrFinished},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := SubmitChangeRequest(c.cr, c.actor, t0)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err == nil {
				if out.Status() != StatusPending {
					t.Fatalf("status = %s", out.Status())
				}
				for _, a := range out.Approvers {
					if a.Decision != DecisionNone {
						t.Fatalf("submit kept an old decision: %+v", a)
					}
				}
			}
		})
	}
}

func TestDecisions(t *testing.T) {
	cases := []struct {
		name       string
		steps      []string
		actor      string
		reject     bool
		comment    string
		want       error
		wantStatus Status
	}{
		{"first approval keeps it pending", []string{"submit"}, "bob", false, "", nil, StatusPending},
		{"last approval approves", []string{"submit", "bob-approves"}, "carol", false, "", nil, StatusApproved},
		{"rejection with comment", []string{"submit"}, "carol", true, "missing tests", nil, StatusRejected},
		{"requester cannot approve", []string{"submit"}, "alice", false, "", ErrSelfApproval, ""},
		{"requester cannot reject", []string{"submit"}, "alice", true, "no", ErrSelfApproval, ""},
		{"unlisted user cannot approve", []string{"submit"}, "mallory", false, "", ErrNotApprover, ""},
		{"unlisted user cannot reject", []string{"submit"}, "mallory", true, "no", ErrNotApprover, ""},
		{"approve twice refused", []string{"submit", "bob-approves"}, "bob", false, "", ErrAlreadyDecided, ""},
		{"reject needs a comment", []string{"submit"}, "bob", true, "   ", ErrCommentRequired, ""},
		{"not submitted", nil, "bob", false, "", ErrNotPending, ""},
		{"already approved", []string{"submit", "bob-approves", "carol-approves"}, "bob", false, "", ErrNotPending, ""},
		{"already rejected", []string{"submit", "bob-rejects"}, "carol", false, "", ErrNotPending, ""},
		{"cancelled", []string{"cancel"}, "bob", false, "", ErrFinished, ""},
		{"completed", []string{"submit", "bob-approves", "carol-approves", "complete"}, "bob", true, "late", ErrFinished, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr := fixture(t, c.steps...)
			decideFn := ApproveChangeRequest
			if c.reject {
				decideFn = RejectChangeRequest
			}
			out, ch, err := decideFn(cr, c.actor, c.comment, t0)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil {
				return
			}
			if out.Status() != c.wantStatus {
				t.Fatalf("status = %s, want %s", out.Status(), c.wantStatus)
			}
			if ch.Details["scopeHash"] != cr.ScopeHash() {
				t.Fatalf("decision not bound to the scope: %+v", ch)
			}
		})
	}
}

func TestApprovalBoundToScope(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	if !approved.IsApproved() {
		t.Fatal("fully approved CR is not approved")
	}
	changed := approved
	changed.Overview = "something else"
	if changed.IsApproved() {
		t.Fatal("approval survived a scope change")
	}
	if got := StaleApprovers(changed.Approvers, changed.ScopeHash()); len(got) != 2 {
		t.Fatalf("stale approvers = %v", got)
	}
	// Building a proposed component moves it to the customizations without
	// changing what was approved.
	built := approved
	built.Customizations = union(approved.Customizations, approved.Proposed)
	built.Proposed = nil
	if !built.IsApproved() {
		t.Fatal("realising a proposed component voided the approval")
	}
	// A re-submitted scope lets an approver who decided on the old scope decide again.
	re := changed
	re.ApprovalStatus = ApprovalPending
	if _, _, err := ApproveChangeRequest(re, "bob", "", t0); err != nil {
		t.Fatalf("approver of an earlier scope could not approve the new one: %v", err)
	}
}

func TestSyncChangeRequest(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	stale := approved
	stale.Name = "changed after approval"
	cases := []struct {
		name   string
		parent ChangeRequest
		target Environment
		want   error
	}{
		{"ok", approved, uat, nil},
		{"not approved", fixture(t, "submit"), uat, ErrNotApproved},
		{"approval no longer holds", stale, uat, ErrNotApproved},
		{"target untested", approved, untested, ErrConnectionNotTested},
		{"target is production", approved, Environment{Name: "prod2", Kind: KindProduction, LastTest: &TestResult{OK: true}}, ErrWrongKind},
		{"target is home", approved, Environment{Name: "production", Kind: KindSandbox, LastTest: &TestResult{OK: true}}, ErrSameEnvironment},
		{"completed", fixture(t, "submit", "bob-approves", "carol-approves", "complete"), uat, ErrFinished},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			child, parent, changes, err := SyncChangeRequest(c.parent, c.target, 9, "bob", t0)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err != nil {
				return
			}
			if child.Parent != 1 || child.Env != "uat" || child.Status() != StatusInProgress || child.Requester != "bob" {
				t.Fatalf("child = %+v", child)
			}
			if len(parent.Children) != 1 || parent.Children[0] != 9 || len(changes) != 2 {
				t.Fatalf("parent children %v, changes %d", parent.Children, len(changes))
			}
			if approverIndex(child.Approvers, "bob") >= 0 {
				t.Fatal("the child's requester is among its approvers")
			}
			// The child is editable by its requester.
			if _, _, err := EditChangeRequest(child, "bob", CREdit{AddCustomizations: []metadata.Component{rule}}, t0); err != nil {
				t.Fatalf("child not editable: %v", err)
			}
		})
	}
}

func TestPushBack(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	other := fixture(t)
	other.ID = 99
	child, parent, _, err := SyncChangeRequest(approved, uat, 9, "bob", t0)
	if err != nil {
		t.Fatal(err)
	}
	// In the sandbox bob builds the proposed field and adds a validation rule.
	child, _, err = EditChangeRequest(child, "bob", CREdit{Remove: []metadata.Component{field},
		AddCustomizations: []metadata.Component{field, rule}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := PushBackChangeRequest(child, parent, uat, prod, 3, "bob", t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0] != rule {
		t.Fatalf("added = %v, want only the validation rule", res.Added)
	}
	if res.Parent.ApprovalStatus != ApprovalPending || res.Parent.IsApproved() {
		t.Fatalf("a grown scope kept its approval: %s", res.Parent.ApprovalStatus)
	}
	if len(res.Parent.Proposed) != 0 || len(res.Parent.Customizations) != 3 {
		t.Fatalf("parent scope = %v / %v", res.Parent.Customizations, res.Parent.Proposed)
	}
	dr := res.Deployment
	if dr.Status != DeployDraft || dr.Source != "uat" || dr.Target != "production" || dr.TestLevel != RunLocalTests || dr.CR != 1 {
		t.Fatalf("deployment = %+v", dr)
	}
	if len(res.Parent.Deployments) != 1 || res.Parent.Deployments[0] != 3 || len(res.Changes) != 3 {
		t.Fatalf("links %v, changes %d", res.Parent.Deployments, len(res.Changes))
	}

	// Pushing back only what was approved keeps the approval.
	same, _, _, _ := SyncChangeRequest(approved, uat, 10, "bob", t0)
	res2, err := PushBackChangeRequest(same, approved, uat, prod, 4, "bob", t0)
	if err != nil || !res2.Parent.IsApproved() || len(res2.Added) != 0 {
		t.Fatalf("unchanged push back: err %v approved %v added %v", err, res2.Parent.IsApproved(), res2.Added)
	}

	refusals := []struct {
		name          string
		child, parent ChangeRequest
		src, prodEnv  Environment
		want          error
	}{
		{"not a child", approved, approved, uat, prod, ErrNotAChild},
		{"wrong parent", child, other, uat, prod, ErrNotAChild},
		{"production untested", child, parent, uat, Environment{Name: "production", Kind: KindProduction}, ErrConnectionNotTested},
		{"wrong production", child, parent, uat, Environment{Name: "other", Kind: KindProduction, LastTest: &TestResult{OK: true}}, ErrWrongKind},
		{"wrong source", child, parent, untested, prod, ErrWrongKind},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			if _, err := PushBackChangeRequest(r.child, r.parent, r.src, r.prodEnv, 5, "bob", t0); !errors.Is(err, r.want) {
				t.Fatalf("err = %v, want %v", err, r.want)
			}
		})
	}
}

func TestCompleteChangeRequest(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	verified := &DeploymentRecord{ID: 1, Status: DeployVerified}
	failed := &DeploymentRecord{ID: 2, Status: DeployFailed}
	cases := []struct {
		name   string
		cr     ChangeRequest
		latest *DeploymentRecord
		actor  string
		want   error
	}{
		{"requester, no deployment", approved, nil, "alice", nil},
		{"approver, verified deployment", approved, verified, "carol", nil},
		{"latest deployment failed", approved, failed, "alice", ErrNotCompletable},
		{"other user", approved, verified, "mallory", ErrNotCompleter},
		{"not approved", fixture(t, "submit"), nil, "alice", ErrNotApproved},
		{"already completed", fixture(t, "submit", "bob-approves", "carol-approves", "complete"), nil, "alice", ErrFinished},
		{"cancelled", fixture(t, "cancel"), nil, "alice", ErrFinished},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := CompleteChangeRequest(c.cr, c.latest, c.actor, t0)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err == nil && out.Status() != StatusCompleted {
				t.Fatalf("status = %s", out.Status())
			}
		})
	}
}

func TestCancelChangeRequest(t *testing.T) {
	cases := []struct {
		name   string
		cr     ChangeRequest
		actor  string
		reason string
		want   error
	}{
		{"in progress", fixture(t), "alice", "duplicate", nil},
		{"pending", fixture(t, "submit"), "alice", "duplicate", nil},
		{"approved", fixture(t, "submit", "bob-approves", "carol-approves"), "alice", "superseded", nil},
		{"rejected", fixture(t, "submit", "bob-rejects"), "alice", "abandoned", nil},
		{"reason required", fixture(t), "alice", " ", ErrReasonRequired},
		{"not the requester", fixture(t), "bob", "mine now", ErrNotRequester},
		{"completed", fixture(t, "submit", "bob-approves", "carol-approves", "complete"), "alice", "oops", ErrFinished},
		{"already cancelled", fixture(t, "cancel"), "alice", "again", ErrFinished},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, ch, err := CancelChangeRequest(c.cr, c.actor, c.reason, t0)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err == nil && (out.Status() != StatusCancelled || ch.Details["reason"] != c.reason) {
				t.Fatalf("status %s, change %+v", out.Status(), ch)
			}
		})
	}
}

func TestRuleErrorsNameTheRuleAndTheFix(t *testing.T) {
	_, _, err := ApproveChangeRequest(fixture(t, "submit"), "alice", "", t0)
	want := "the requester cannot approve or reject their own request: alice is the requester. Ask a listed approver."
	if err == nil || err.Error() != want {
		t.Fatalf("error = %q, want %q", err, want)
	}
}

// A Draft deployment left behind by a finished request cannot be
// submitted, decided or run: the request it was approved under is closed.
func TestDeploymentOfFinishedCRCannotMove(t *testing.T) {
	open := fixture(t, "submit", "bob-approves", "carol-approves")
	d, _, err := NewDeploymentRecord(1, open, uat, prod, DeploymentFields{}, "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := DeploymentMayMove(d, open); err != nil {
		t.Fatalf("an open request's deployment refused: %v", err)
	}
	if err := CanDeploy(d, open, KindSandbox, false); errors.Is(err, ErrCRFinishedDeployment) {
		t.Fatalf("CanDeploy of an open request's deployment: %v", err)
	}
	for _, step := range []string{"complete", "cancel"} {
		finished := fixture(t, "submit", "bob-approves", "carol-approves", step)
		err := DeploymentMayMove(d, finished)
		if !errors.Is(err, ErrCRFinishedDeployment) {
			t.Fatalf("%s: deployment of a finished request allowed: %v", step, err)
		}
		want := "DR-0001 belongs to CR-0001, which is " + string(finished.CompletionStatus)
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Create a new change request") {
			t.Errorf("%s: refusal %q lacks %q or its fix", step, err, want)
		}
		if err := CanDeploy(d, finished, KindSandbox, false); !errors.Is(err, ErrCRFinishedDeployment) {
			t.Errorf("%s: CanDeploy allowed a step: %v", step, err)
		}
	}
}

// After its push back a copy is carried by its parent: submitting it is
// refused, naming the parent and the deployment record.
func TestPushedBackCopyCannotBeSubmitted(t *testing.T) {
	approved := fixture(t, "submit", "bob-approves", "carol-approves")
	child, parent, _, err := SyncChangeRequest(approved, uat, 9, "bob", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := SubmitChangeRequest(child, "bob", t0); err != nil {
		t.Fatalf("a copy before its push back: %v", err)
	}
	res, err := PushBackChangeRequest(child, parent, uat, prod, 3, "bob", t0)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = SubmitChangeRequest(res.Child, "bob", t0)
	if !errors.Is(err, ErrPushedBack) || !strings.Contains(err.Error(), "CR-0009 was pushed back to CR-0001 as DR-0003") {
		t.Fatalf("submit after push back: %v", err)
	}
}
