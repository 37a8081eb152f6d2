package model

import (
	"errors"
	"testing"

	"relman/model/metadata"
)

func deployedRecord(t *testing.T) (DeploymentRecord, ChangeRequest) {
	t.Helper()
	cr := fixture(t, "submit", "bob-approves", "carol-approves")
	d, _, err := NewDeploymentRecord(4, cr, uat, prod, DeploymentFields{}, "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	d.Status, d.SnapshotBlob = DeployVerified, "snap"
	d.Package = &Package{Components: []metadata.Component{class, field}}
	d.Created = []metadata.Component{field}
	return d, cr
}

func TestRollbackItemsAndApproval(t *testing.T) {
	d, cr := deployedRecord(t)
	r, ch, err := NewRollback(1, d, cr, nil, "alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Key() != "RB-0001" || ch.Action != "create" || len(r.Selected()) != 2 {
		t.Fatalf("rollback = %+v", r)
	}
	actions := map[metadata.Component]RollbackAction{}
	for _, it := range r.Items {
		actions[it.Component] = it.Action
	}
	if actions[field] != RollbackDelete || actions[class] != RollbackOverride {
		t.Fatalf("actions = %v: the created field must be deleted, the changed class overridden", actions)
	}
	only, _, err := NewRollback(2, d, cr, []metadata.Component{class}, "alice", t0)
	if err != nil || len(only.Selected()) != 1 || only.Selected()[0].Component != class {
		t.Fatalf("rollback of the class only = %+v, %v", only, err)
	}
	if _, _, err := NewRollback(3, d, cr, []metadata.Component{rule}, "alice", t0); !errors.Is(err, ErrInvalidComponent) {
		t.Fatalf("rolling back a component the deploy did not touch: %v", err)
	}
	undeployed := d
	undeployed.Status = DeployApproved
	if _, _, err := NewRollback(3, undeployed, cr, nil, "alice", t0); !errors.Is(err, ErrNotRollbackable) {
		t.Fatalf("rolling back an undeployed record: %v", err)
	}

	if err := CanRunRollback(r); !errors.Is(err, ErrRollbackNotApproved) {
		t.Fatalf("running a draft: %v", err)
	}
	if _, _, err := SubmitRollback(r, "bob", t0); !errors.Is(err, ErrNotRequester) {
		t.Fatalf("submit by another: %v", err)
	}
	r, _, _ = SubmitRollback(r, "alice", t0)
	if _, _, err := ApproveRollback(r, "alice", "", t0); !errors.Is(err, ErrSelfApproval) {
		t.Fatalf("self approval: %v", err)
	}
	if _, _, err := RejectRollback(r, "bob", " ", t0); !errors.Is(err, ErrCommentRequired) {
		t.Fatalf("reject without a comment: %v", err)
	}
	r, _, _ = ApproveRollback(r, "bob", "", t0)
	r, _, err = ApproveRollback(r, "carol", "", t0)
	if err != nil || r.Status != RollbackApproved || CanRunRollback(r) != nil {
		t.Fatalf("approved rollback: %v %s", err, r.Status)
	}
	changed := r
	changed.Items[0].Keep = !changed.Items[0].Keep
	if changed.IsApproved() {
		t.Fatal("approval survived a change of what is rolled back")
	}
}

func TestCompletedRollbackIsTheOneThatRolledBack(t *testing.T) {
	rbs := []Rollback{{ID: 1, Status: RollbackFailed}, {ID: 2, Status: RollbackDone}, {ID: 3, Status: RollbackDraft}}
	if rb, ok := CompletedRollback(rbs); !ok || rb.ID != 2 {
		t.Fatalf("completed rollback %+v %v; want RB-0002", rb, ok)
	}
	if _, ok := CompletedRollback(rbs[:1]); ok {
		t.Fatal("a failed rollback counts as completed")
	}
}
