package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/identity/identitytest"
)

// The people of the authorization matrix. alice requests change requests,
// dave requests their deployment records and rollbacks, bob and carol
// approve, mallory is anyone else.
const (
	crRequester = "alice"
	drRequester = "dave"
	approver    = "bob"
	otherUser   = "mallory"
)

// actors are the three kinds of actor, by role.
var actors = []string{"requester", "approver", "other"}

// verdict is what process.md says of one action by one actor in one
// state: allowed, or refused by one of these rules (RuleError codes; a
// refusal may name any rule that applies).
type verdict struct {
	allowed bool
	rules   []string
}

func allow() verdict                 { return verdict{allowed: true} }
func refuse(rules ...string) verdict { return verdict{rules: rules} }
func when(ok bool, rules ...string) verdict {
	if ok {
		return allow()
	}
	return refuse(rules...)
}

// The rules of process.md, written out as the oracle the use cases are
// checked against. Each takes the record's state and the actor's role.
var (
	finishedCR = func(s string) bool { return s == "Completed" || s == "Cancelled" }
	crRules    = map[string]func(state, role string) verdict{
		// edit: In Progress and approval None or Rejected; requester.
		"edit": func(s, r string) verdict {
			return when(r == "requester" && (s == "None" || s == "Rejected"), "Finished", "NotRequester", "NotEditable")
		},
		// submit: the same, with components, approvers and a name (all set).
		"submit": func(s, r string) verdict {
			return when(r == "requester" && (s == "None" || s == "Rejected"), "Finished", "NotRequester", "NotSubmittable")
		},
		// approve / reject: Pending; a listed approver ≠ requester who has
		// not decided on this scope.
		"approve": func(s, r string) verdict {
			return when(r == "approver" && s == "Pending", "Finished", "NotPending", "SelfApproval", "NotApprover", "AlreadyDecided")
		},
		"reject": func(s, r string) verdict {
			return when(r == "approver" && s == "Pending", "Finished", "NotPending", "SelfApproval", "NotApprover", "AlreadyDecided")
		},
		// sync: Approved (the target passes Test Connection); anyone.
		"sync": func(s, r string) verdict {
			return when(s == "Approved" || s == "Approved, deployment not verified", "Finished", "NotApproved")
		},
		// push back: on a child CR; anyone.
		"push": func(s, r string) verdict {
			switch s {
			case "synced child":
				return allow()
			case "child of a cancelled parent":
				return refuse("Finished")
			}
			return refuse("NotAChild", "Finished")
		},
		// complete: Approved and the latest deployment verified; requester
		// or approver.
		"complete": func(s, r string) verdict {
			return when(s == "Approved" && r != "other", "Finished", "NotCompleter", "NotApproved", "NotCompletable")
		},
		// cancel: not Completed (nor already Cancelled); requester.
		"cancel": func(s, r string) verdict {
			return when(r == "requester" && !finishedCR(s), "Finished", "NotRequester")
		},
	}
	drRules = map[string]func(state, role string) verdict{
		// create deployment record: an Approved CR; anyone.
		"new": func(s, r string) verdict {
			return when(s == "Approved", "NotApproved", "Finished")
		},
		// The deployment record's approvals follow the CR's.
		"submit": func(s, r string) verdict {
			return when(r == "requester" && (s == "Draft" || s == "Rejected"), "NotRequester", "NotSubmittable")
		},
		"approve": func(s, r string) verdict {
			return when(r == "approver" && s == "Pending", "NotPending", "SelfApproval", "NotApprover", "AlreadyDecided")
		},
		"reject": func(s, r string) verdict {
			return when(r == "approver" && s == "Pending", "NotPending", "SelfApproval", "NotApprover", "AlreadyDecided")
		},
		// Deploy Changes runs on an approved record whose CR is approved;
		// validate and deploy need the retrieved package; a verified
		// deployment is finished. Process.md names no role: anyone.
		"retrieve": func(s, r string) verdict {
			return when(s == "Approved" || s == "Approved, retrieved", "NotDeployable", "AlreadyVerified")
		},
		"validate": func(s, r string) verdict {
			if s == "Approved" {
				return refuse("NoPackage")
			}
			return when(s == "Approved, retrieved", "NotDeployable", "AlreadyVerified", "NoPackage")
		},
		"run": func(s, r string) verdict {
			if s == "Approved" {
				return refuse("NoPackage")
			}
			return when(s == "Approved, retrieved", "NotDeployable", "AlreadyVerified", "NoPackage")
		},
	}
	rbRules = map[string]func(state, role string) verdict{
		// rollback new: a completed (deployed) deployment; anyone.
		"new": func(s, r string) verdict { return when(s == "deployment Verified", "NotRollbackable") },
		// its own approval, as for the others.
		"submit": func(s, r string) verdict {
			return when(r == "requester" && (s == "Draft" || s == "Rejected"), "NotRequester", "NotSubmittable")
		},
		"approve": func(s, r string) verdict {
			return when(r == "approver" && s == "Pending", "NotPending", "SelfApproval", "NotApprover", "AlreadyDecided")
		},
		"reject": func(s, r string) verdict {
			return when(r == "approver" && s == "Pending", "NotPending", "SelfApproval", "NotApprover", "AlreadyDecided")
		},
		// run: once approved; anyone; a finished rollback cannot run again.
		"run": func(s, r string) verdict { return when(s == "Approved", "RollbackNotApproved", "AlreadyVerified") },
	}
)

// The states each action is tried in.
var (
	crStates = []string{"None", "Pending", "Pending, approver decided", "Approved", "Rejected", "Completed", "Cancelled",
		"Approved, deployment not verified"}
	pushStates = []string{"synced child", "child of a cancelled parent", "None", "Approved"}
	drStates   = []string{"Draft", "Pending", "Pending, approver decided", "Approved", "Approved, retrieved", "Rejected", "Verified",
		"Approved, CR back to Pending"}
	drNewStates = []string{"None", "Pending", "Approved", "Rejected", "Completed", "Cancelled"}
	rbStates    = []string{"Draft", "Pending", "Pending, approver decided", "Approved", "Rejected", "Rolled Back"}
	rbNewStates = []string{"deployment Verified", "deployment Approved"}
)

// authzWorld is one store with two directory environments, and records
// in every state, built through the use cases. A state's record is reused
// by rows that must be refused (they change nothing, which each row
// checks) and built afresh after a row that was allowed.
type authzWorld struct {
	t      *testing.T
	st     *store.Store
	path   string
	cached map[string]int64
}

func (w *authzWorld) as(user string) *actions.Service { return identitytest.As(w.t, w.st, user) }

func (w *authzWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

var service = []metadata.Component{{Type: "ApexClass", FullName: "InvoiceService"}}

// cr returns a change request in the given state (see crStates).
func (w *authzWorld) cr(state string) int64 {
	w.t.Helper()
	if id, ok := w.cached["cr "+state]; ok {
		return id
	}
	alice := w.as(crRequester)
	cr, err := alice.CreateCR("production", model.CRFields{Name: "Matrix " + state, Customizations: service, Approvers: []string{approver, "carol"}})
	w.must(err)
	id := cr.ID
	steps := map[string][]func() error{
		"None":                      nil,
		"Pending":                   {w.crSubmit(id)},
		"Pending, approver decided": {w.crSubmit(id), w.crApprove(id, approver)},
		"Approved":                  {w.crSubmit(id), w.crApprove(id, approver), w.crApprove(id, "carol")},
		"Rejected": {w.crSubmit(id), func() error {
			_, err := w.as(approver).RejectCR(id, "not like this")
			return err
		}},
		"Completed": {w.crSubmit(id), w.crApprove(id, approver), w.crApprove(id, "carol"), func() error {
			_, err := alice.CompleteCR(id)
			return err
		}},
		"Cancelled": {func() error { _, err := alice.CancelCR(id, "no longer needed"); return err }},
		"Approved, deployment not verified": {w.crSubmit(id), w.crApprove(id, approver), w.crApprove(id, "carol"), func() error {
			_, err := w.as(drRequester).NewDeployment(id, "uat", "production", model.DeploymentFields{})
			return err
		}},
	}
	list, ok := steps[state]
	if !ok {
		w.t.Fatalf("no change request state %q", state)
	}
	for _, step := range list {
		w.must(step())
	}
	w.cached["cr "+state] = id
	return id
}

func (w *authzWorld) crSubmit(id int64) func() error {
	return func() error { _, err := w.as(crRequester).SubmitCR(id); return err }
}

func (w *authzWorld) crApprove(id int64, user string) func() error {
	return func() error { _, err := w.as(user).ApproveCR(id, ""); return err }
}

// pushTarget returns a change request for the push-back rows.
func (w *authzWorld) pushTarget(state string) int64 {
	w.t.Helper()
	switch state {
	case "synced child", "child of a cancelled parent":
		if id, ok := w.cached["push "+state]; ok {
			return id
		}
		parent := w.cr("Approved")
		delete(w.cached, "cr Approved")
		child, err := w.as(crRequester).SyncCR(context.Background(), parent, "uat")
		w.must(err)
		if state == "child of a cancelled parent" {
			_, err := w.as(crRequester).CancelCR(parent, "abandoned")
			w.must(err)
		}
		w.cached["push "+state] = child.ID
		return child.ID
	}
	return w.cr(state)
}

// dr returns a deployment record (uat → production, requested by dave) in
// the given state (see drStates).
func (w *authzWorld) dr(state string) int64 {
	w.t.Helper()
	if id, ok := w.cached["dr "+state]; ok {
		return id
	}
	cr := w.cr("Approved")
	delete(w.cached, "cr Approved")
	dave := w.as(drRequester)
	d, err := dave.NewDeployment(cr, "uat", "production", model.DeploymentFields{})
	w.must(err)
	id := d.ID
	submit := func() error { _, err := dave.SubmitDeployment(id); return err }
	approve := func(u string) func() error {
		return func() error { _, err := w.as(u).ApproveDeployment(id, ""); return err }
	}
	retrieve := func() error { _, _, err := dave.Retrieve(context.Background(), id, nil); return err }
	steps := map[string][]func() error{
		"Draft":                     nil,
		"Pending":                   {submit},
		"Pending, approver decided": {submit, approve(approver)},
		"Approved":                  {submit, approve(approver), approve("carol")},
		"Approved, retrieved":       {submit, approve(approver), approve("carol"), retrieve},
		"Rejected": {submit, func() error {
			_, err := w.as(approver).RejectDeployment(id, "wrong target")
			return err
		}},
		"Verified": {submit, approve(approver), approve("carol"), retrieve, func() error {
			_, _, err := dave.Deploy(context.Background(), id, false, nil)
			return err
		}},
		// The CR's scope grew after the deployment was approved (Check
		// Dependencies added a component): the CR needs approving again.
		"Approved, CR back to Pending": {submit, approve(approver), approve("carol"), func() error { return w.growScope(cr) }},
	}
	list, ok := steps[state]
	if !ok {
		w.t.Fatalf("no deployment state %q", state)
	}
	for _, step := range list {
		w.must(step())
	}
	got, err := dave.Deployment(id)
	w.must(err)
	if want := strings.SplitN(state, ",", 2)[0]; want != "Pending" && string(got.Status) != want && !(want == "Approved" && got.Status == model.DeployApproved) {
		w.t.Fatalf("built %s in state %q but it is %s", got.Key(), state, got.Status)
	}
	w.cached["dr "+state] = id
	return id
}

// growScope adds a component to an approved CR the way Check Dependencies'
// --add-missing does, sending it back for approval.
func (w *authzWorld) growScope(crID int64) error {
	return w.st.Update(func(tx *store.Tx) error {
		cr, err := tx.CR(crID)
		if err != nil {
			return err
		}
		out, ch, err := model.AddToApprovedScope(cr, []metadata.Component{{Type: "ApexClass", FullName: "InvoiceServiceTest"}}, crRequester, cr.UpdatedAt)
		if err != nil {
			return err
		}
		if err := tx.PutCR(out); err != nil {
			return err
		}
		return tx.Record(identitytest.Actor(crRequester), cr.UpdatedAt, ch)
	})
}

// rb returns a rollback of a verified deployment, requested by dave, in
// the given state (see rbStates).
func (w *authzWorld) rb(state string) int64 {
	w.t.Helper()
	if id, ok := w.cached["rb "+state]; ok {
		return id
	}
	dr := w.dr("Verified")
	delete(w.cached, "dr Verified")
	dave := w.as(drRequester)
	r, err := dave.NewRollback(dr, nil)
	w.must(err)
	id := r.ID
	submit := func() error { _, err := dave.SubmitRollback(id); return err }
	approve := func(u string) func() error {
		return func() error { _, err := w.as(u).ApproveRollback(id, ""); return err }
	}
	steps := map[string][]func() error{
		"Draft":                     nil,
		"Pending":                   {submit},
		"Pending, approver decided": {submit, approve(approver)},
		"Approved":                  {submit, approve(approver), approve("carol")},
		"Rejected": {submit, func() error {
			_, err := w.as(approver).RejectRollback(id, "keep it")
			return err
		}},
		"Rolled Back": {submit, approve(approver), approve("carol"), func() error {
			_, _, err := dave.RunRollback(context.Background(), id, nil)
			return err
		}},
	}
	for _, step := range steps[state] {
		w.must(step())
	}
	w.cached["rb "+state] = id
	return id
}

// snapshot is everything a refusal must leave as it was: every change
// request, deployment record and rollback, and the audit trail. Events of
// environments are listed apart: sync and push back run Test Connection
// (and record it) before their rules are checked.
func (w *authzWorld) snapshot() (records, envEvents string) {
	w.t.Helper()
	var b, e strings.Builder
	w.must(w.st.View(func(tx *store.Tx) error {
		evs, err := tx.AuditEvents(store.AuditQuery{})
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if ev.Entity == model.EntityEnvironment {
				fmt.Fprintf(&e, "%d %s %s\n", ev.Seq, ev.EntityID, ev.Action)
			} else {
				fmt.Fprintf(&b, "%s %s %s\n", ev.Entity, ev.EntityID, ev.Action)
			}
		}
		crs, err := tx.ListCRs(store.CRQuery{})
		if err != nil {
			return err
		}
		ds, err := tx.ListDeployments(0)
		if err != nil {
			return err
		}
		rs, err := tx.ListRollbacks(0)
		if err != nil {
			return err
		}
		return json.NewEncoder(&b).Encode([]any{crs, ds, rs})
	}))
	return b.String(), e.String()
}

// userFor maps a role to the user acting in it for a kind of record.
func userFor(kind, role string) string {
	switch role {
	case "requester":
		if kind == "cr" {
			return crRequester
		}
		return drRequester
	case "approver":
		return approver
	}
	return otherUser
}

// matrixRow is one action by one actor on one record.
type matrixRow struct {
	kind, action, state, role string
	want                      verdict
}

// act runs one row's action through the use cases.
func (w *authzWorld) act(r matrixRow) (invalidate string, err error) {
	ctx := context.Background()
	svc := w.as(userFor(r.kind, r.role))
	switch r.kind {
	case "cr":
		if r.action == "push" {
			id := w.pushTarget(r.state)
			_, err = svc.PushBackCR(ctx, id)
			return "push " + r.state, err
		}
		id := w.cr(r.state)
		switch r.action {
		case "edit":
			overview := "edited by " + svc.User
			_, err = svc.EditCR(id, model.CREdit{Overview: &overview})
		case "submit":
			_, err = svc.SubmitCR(id)
		case "approve":
			_, err = svc.ApproveCR(id, "")
		case "reject":
			_, err = svc.RejectCR(id, "needs work")
		case "sync":
			_, err = svc.SyncCR(ctx, id, "uat")
		case "complete":
			_, err = svc.CompleteCR(id)
		case "cancel":
			_, err = svc.CancelCR(id, "changed our minds")
		}
		return "cr " + r.state, err
	case "dr-new":
		_, err = svc.NewDeployment(w.cr(r.state), "uat", "production", model.DeploymentFields{})
		return "cr " + r.state, err
	case "dr":
		id := w.dr(r.state)
		switch r.action {
		case "submit":
			_, err = svc.SubmitDeployment(id)
		case "approve":
			_, err = svc.ApproveDeployment(id, "")
		case "reject":
			_, err = svc.RejectDeployment(id, "not now")
		case "retrieve":
			_, _, err = svc.Retrieve(ctx, id, nil)
		case "validate":
			_, _, err = svc.Validate(ctx, id, nil)
		case "run":
			_, _, err = svc.Deploy(ctx, id, false, nil)
		}
		return "dr " + r.state, err
	case "rb-new":
		key := "dr Verified"
		id := w.dr("Verified")
		if r.state == "deployment Approved" {
			key, id = "dr Approved", w.dr("Approved")
		}
		_, err = svc.NewRollback(id, nil)
		return key, err
	case "rb":
		id := w.rb(r.state)
		switch r.action {
		case "submit":
			_, err = svc.SubmitRollback(id)
		case "approve":
			_, err = svc.ApproveRollback(id, "")
		case "reject":
			_, err = svc.RejectRollback(id, "keep it")
		case "run":
			_, _, err = svc.RunRollback(ctx, id, nil)
		}
		return "rb " + r.state, err
	}
	return "", fmt.Errorf("unknown kind %q", r.kind)
}

// matrix lists every row: every action × every actor × every state the
// action can meet.
func matrix() []matrixRow {
	var rows []matrixRow
	add := func(kind string, rules map[string]func(string, string) verdict, states []string, only ...string) {
		for _, action := range slices.Sorted(func(yield func(string) bool) {
			for a := range rules {
				if !yield(a) {
					return
				}
			}
		}) {
			if len(only) > 0 && !slices.Contains(only, action) || len(only) == 0 && (action == "push" || action == "new") {
				continue
			}
			for _, state := range states {
				for _, role := range actors {
					rows = append(rows, matrixRow{kind: kind, action: action, state: state, role: role, want: rules[action](state, role)})
				}
			}
		}
	}
	add("cr", crRules, crStates)
	add("cr", crRules, pushStates, "push")
	add("dr-new", drRules, drNewStates, "new")
	add("dr", drRules, drStates)
	add("rb-new", rbRules, rbNewStates, "new")
	add("rb", rbRules, rbStates)
	return rows
}

// newAuthzWorld makes a store with production and uat directory
// environments that pass Test Connection.
func newAuthzWorld(t *testing.T) *authzWorld {
	t.Helper()
	path := tempStore(t)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Everyone is registered with every role: the matrix is about the
	// process rules, who may act at all is TestUnprovenActorsAreRefused's.
	if err := identitytest.Register(st, append(identitytest.Team, otherUser)...); err != nil {
		t.Fatal(err)
	}
	w := &authzWorld{t: t, st: st, path: path, cached: map[string]int64{}}
	admin := w.as("admin")
	for _, e := range []model.Environment{
		{Name: "production", Kind: model.KindProduction, Connection: model.ConnLocal, Dir: copyOrg(t, "production")},
		{Name: "uat", Kind: model.KindSandbox, Connection: model.ConnLocal, Dir: copyOrg(t, "uat")},
	} {
		_, err := admin.AddEnvironment(e)
		w.must(err)
		_, err = admin.TestEnvironment(context.Background(), e.Name)
		w.must(err)
	}
	return w
}

// TestAuthorizationMatrix tries every action on change requests,
// deployment records and rollbacks, as the requester, a listed approver
// and anyone else, in every state the action can meet, and holds the use
// cases (the same ones the TUI and the CLI call) to process.md: what the
// rules allow succeeds; everything else is refused with a *model.RuleError
// whose message names the rule, and leaves every record and the audit
// trail exactly as they were.
func TestAuthorizationMatrix(t *testing.T) {
	w := newAuthzWorld(t)
	rows := matrix()
	allowed, refused := 0, 0
	var testedFirst []string
	for _, r := range rows {
		name := fmt.Sprintf("%s %s by %s on %s", r.kind, r.action, r.role, r.state)
		// Build the record first, so that only the action is compared.
		switch {
		case r.kind == "cr" && r.action == "push":
			w.pushTarget(r.state)
		case r.kind == "cr" || r.kind == "dr-new":
			w.cr(r.state)
		case r.kind == "dr":
			w.dr(r.state)
		case r.kind == "rb":
			w.rb(r.state)
		case r.kind == "rb-new":
			w.dr("Verified")
			w.dr("Approved")
		}
		before, envBefore := w.snapshot()
		used, err := w.act(r)
		if r.want.allowed {
			allowed++
			if err != nil {
				t.Errorf("%s: refused, but process.md allows it: %v", name, err)
			}
			delete(w.cached, used)
			continue
		}
		refused++
		var re *model.RuleError
		switch {
		case err == nil:
			t.Errorf("%s: allowed, but process.md forbids it (%v)", name, r.want.rules)
			delete(w.cached, used)
			continue
		case !errors.As(err, &re):
			t.Errorf("%s: refused with %T, not a rule: %v", name, err, err)
		case re.Rule == "" || !strings.Contains(err.Error(), re.Rule):
			t.Errorf("%s: the refusal does not name its rule: %v", name, err)
		case !slices.Contains(r.want.rules, re.Code):
			t.Errorf("%s: refused by %s (%v), want one of %v", name, re.Code, err, r.want.rules)
		}
		after, envAfter := w.snapshot()
		if after != before {
			t.Errorf("%s: the refusal changed the store", name)
			delete(w.cached, used)
		}
		if envAfter != envBefore {
			testedFirst = append(testedFirst, name)
		}
	}
	t.Logf("%d rows: %d allowed, %d refused", len(rows), allowed, refused)
	if len(testedFirst) > 0 {
		t.Logf("%d refusals recorded a Test Connection before the rule refused (the org is called first): %v", len(testedFirst), testedFirst)
	}

	// Input rules: what is missing is named.
	for _, tc := range []struct {
		name string
		do   func() error
		code string
	}{
		{"reject without a comment", func() error { _, err := w.as(approver).RejectCR(w.cr("Pending"), " "); return err }, "CommentRequired"},
		{"cancel without a reason", func() error { _, err := w.as(crRequester).CancelCR(w.cr("None"), ""); return err }, "ReasonRequired"},
		{"deployment reject without a comment", func() error {
			_, err := w.as(approver).RejectDeployment(w.dr("Pending"), "")
			return err
		}, "CommentRequired"},
		{"rollback reject without a comment", func() error {
			_, err := w.as(approver).RejectRollback(w.rb("Pending"), "")
			return err
		}, "CommentRequired"},
		{"sync into production", func() error {
			_, err := w.as(crRequester).SyncCR(context.Background(), w.cr("Approved"), "production")
			return err
		}, "SameEnvironment"},
		{"submit without approvers", func() error {
			cr, err := w.as(crRequester).CreateCR("production", model.CRFields{Name: "alone", Customizations: service})
			w.must(err)
			_, err = w.as(crRequester).SubmitCR(cr.ID)
			return err
		}, "NoApprovers"},
		{"submit without components", func() error {
			cr, err := w.as(crRequester).CreateCR("production", model.CRFields{Name: "empty", Approvers: []string{approver}})
			w.must(err)
			_, err = w.as(crRequester).SubmitCR(cr.ID)
			return err
		}, "NothingToApprove"},
		{"the requester as an approver", func() error {
			_, err := w.as(crRequester).CreateCR("production", model.CRFields{Name: "me", Customizations: service, Approvers: []string{crRequester}})
			return err
		}, "RequesterAsApprover"},
	} {
		var re *model.RuleError
		if err := tc.do(); !errors.As(err, &re) || re.Code != tc.code || !strings.Contains(err.Error(), re.Rule) {
			t.Errorf("%s: %v, want the %s rule", tc.name, err, tc.code)
		}
	}
}

// TestAuthorizationThroughTheCLI runs rows of the matrix through the
// relman binary: the same refusals reach an admin as exit 1 with the
// rule's name, and the allowed actions go through.
func TestAuthorizationThroughTheCLI(t *testing.T) {
	c := newCLI(t, tempStore(t), otherUser, "eve")
	c.ok("alice", nil, "env", "add", "production", "--kind", "production", "--dir", copyOrg(t, "production"))
	c.ok("alice", nil, "env", "add", "uat", "--kind", "sandbox", "--dir", copyOrg(t, "uat"))
	c.ok("alice", nil, "env", "test", "uat")
	c.ok("alice", nil, "env", "test", "production")
	var cr crJSON
	c.ok(crRequester, &cr, "cr", "new", "--env", "production", "--name", "Matrix", "--component", "ApexClass:InvoiceService",
		"--approver", approver, "--approver", "carol")
	for _, row := range []struct {
		user  string
		code  int
		name  string
		args  []string
		names string // what the message must say
	}{
		{otherUser, 1, "NotRequesterError", []string{"cr", "edit", cr.ID, "--overview", "mine now"}, "only the requester"},
		{approver, 1, "NotRequesterError", []string{"cr", "submit", cr.ID}, "only the requester"},
		{approver, 1, "NotPendingError", []string{"cr", "approve", cr.ID}, "Pending Approval"},
		{otherUser, 1, "NotApprovedError", []string{"cr", "sync", cr.ID, "--to", "uat"}, "approved change request"},
		{otherUser, 1, "NotRequesterError", []string{"cr", "cancel", cr.ID, "--reason", "mine"}, "only the requester"},
		{crRequester, 0, "", []string{"cr", "submit", cr.ID}, ""},
		{crRequester, 1, "SelfApprovalError", []string{"cr", "approve", cr.ID}, "cannot approve or reject their own"},
		{otherUser, 1, "NotApproverError", []string{"cr", "approve", cr.ID}, "only a listed approver"},
		{crRequester, 1, "NotEditableError", []string{"cr", "edit", cr.ID, "--overview", "late change"}, "edited only while"},
		{approver, 0, "", []string{"cr", "approve", cr.ID}, ""},
		{approver, 1, "AlreadyDecidedError", []string{"cr", "reject", cr.ID, "--comment", "changed my mind"}, "decides once per scope"},
		{"carol", 0, "", []string{"cr", "approve", cr.ID}, ""},
		{otherUser, 1, "NotCompleterError", []string{"cr", "complete", cr.ID}, "requester or an approver"},
		{otherUser, 0, "", []string{"deploy", "new", "--cr", cr.ID, "--from", "uat", "--to", "production"}, ""},
		{crRequester, 1, "NotRequesterError", []string{"deploy", "submit", "1"}, "only the requester"},
		{otherUser, 1, "NotDeployableError", []string{"deploy", "retrieve", "1"}, "approved deployment record"},
		{otherUser, 0, "", []string{"deploy", "submit", "1"}, ""},
		{otherUser, 1, "SelfApprovalError", []string{"deploy", "approve", "1"}, "cannot approve or reject their own"},
		{"eve", 1, "NotApproverError", []string{"deploy", "reject", "1", "--comment", "no"}, "only a listed approver"},
		{approver, 0, "", []string{"deploy", "approve", "1"}, ""},
		{"carol", 0, "", []string{"deploy", "approve", "1"}, ""},
		{otherUser, 0, "", []string{"deploy", "retrieve", "1"}, ""},
	} {
		if row.code == 0 {
			c.ok(row.user, nil, row.args...)
			continue
		}
		msg := c.refused(row.user, row.code, row.name, row.args...)
		if !strings.Contains(msg, row.names) {
			t.Errorf("relman %s as %s: %q does not name the rule (%q)", strings.Join(row.args, " "), row.user, msg, row.names)
		}
	}
	// Check Dependencies may add missing components to the CR, which then
	// needs approving again: not by just anyone, and the refusal names
	// that rule, not another one.
	var layout crJSON
	c.ok(crRequester, &layout, "cr", "new", "--env", "production", "--name", "Layout only", "--component", "Layout:Invoice__c-Invoice Layout",
		"--approver", approver, "--approver", "carol")
	c.ok(crRequester, nil, "cr", "submit", layout.ID)
	c.ok(approver, nil, "cr", "approve", layout.ID)
	c.ok("carol", nil, "cr", "approve", layout.ID)
	var d deployJSON
	c.ok(otherUser, &d, "deploy", "new", "--cr", layout.ID, "--from", "uat", "--to", "production")
	c.approveDeployment(t, otherUser, d.ID)
	c.ok(otherUser, nil, "deploy", "retrieve", d.ID)
	r := c.run(otherUser, "deploy", "deps", d.ID, "--add-missing", "--json")
	env := lastJSON(t, r.stdout, []string{"deploy", "deps"})
	if r.code != 1 || !strings.Contains(env.Message, "requester") {
		t.Errorf("deploy deps --add-missing by %s: exit %d %s", otherUser, r.code, env.Message)
	} else if strings.Contains(env.Message, "may complete") {
		t.Errorf("adding missing components to %s is refused citing the rule for completing a CR: %s", layout.ID, env.Message)
	}
	var after crJSON
	c.ok(crRequester, &after, "cr", "show", layout.ID)
	if after.Status != "Approved" || len(after.Customizations) != 1 {
		t.Errorf("the refused --add-missing changed %s: %+v", layout.ID, after)
	}
	c.verifyChain(t)
}
