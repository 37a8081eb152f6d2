package approvals

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/identity/identitytest"
)

// decodedQueue is what waits for user found the slow way, by decoding
// every change request, deployment record and rollback and applying the
// rule itself: the oracle the awaiting index must always equal.
func decodedQueue(t *testing.T, st *store.Store, user string) []string {
	t.Helper()
	var out []string
	waits := func(key string, pending bool, approvers []model.Approver, requester, scope string) {
		if !pending || user == requester {
			return
		}
		for _, a := range approvers {
			if a.User != user {
				continue
			}
			if a.Decision == model.DecisionNone {
				out = append(out, key)
				return
			}
			if a.ScopeHash != scope {
				out = append(out, key+" stale")
				return
			}
		}
	}
	err := st.View(func(tx *store.Tx) error {
		crs, err := tx.ListCRs(store.CRQuery{})
		if err != nil {
			return err
		}
		for _, cr := range crs {
			waits(cr.Key(), cr.Status() == model.StatusPending, cr.Approvers, cr.Requester, cr.ScopeHash())
		}
		ds, err := tx.ListDeployments(0)
		if err != nil {
			return err
		}
		for _, d := range ds {
			waits(d.Key(), d.ApprovalStatus == model.ApprovalPending, d.Approvers, d.Requester, d.ScopeHash())
		}
		rbs, err := tx.ListRollbacks(0)
		if err != nil {
			return err
		}
		for _, r := range rbs {
			waits(r.Key(), r.ApprovalStatus == model.ApprovalPending, r.Approvers, r.Requester, r.ScopeHash())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// indexedQueue is what WaitingFor, reading the index, lists for user, and
// whether it came newest first with a count equal to its length.
func (w *world) indexedQueue(user string) []string {
	w.t.Helper()
	items, total, err := w.as(user).WaitingFor(user, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	if total != len(items) {
		w.t.Errorf("%s: count %d, but %d listed", user, total, len(items))
	}
	var out []string
	for i, it := range items {
		if i > 0 && it.UpdatedAt.After(items[i-1].UpdatedAt) {
			w.t.Errorf("%s: %s comes after the older %s", user, it.Key(), items[i-1].Key())
		}
		if it.Stale {
			out = append(out, it.Key()+" stale")
		} else {
			out = append(out, it.Key())
		}
	}
	slices.Sort(out)
	return out
}

// TestAwaitingIndexStaysExact drives real actions — submit, approve,
// reject, an edit that changes the scope (decisions reset), cancel, a
// deployment approved, deployed and its change request completed — and
// after each compares every user's queue from the index with the one
// found by decoding everything.
func TestAwaitingIndexStaysExact(t *testing.T) {
	w := newWorld(t)
	check := func(step string) {
		t.Helper()
		for _, u := range identitytest.Team {
			if got, want := w.indexedQueue(u), decodedQueue(t, w.st, u); !slices.Equal(got, want) {
				t.Errorf("after %s, %s's queue from the index is %v, decoding everything finds %v", step, u, got, want)
			}
		}
	}
	w.seedQueue()
	check("the seeded submits, approvals, sync, edit and push back")
	if got := w.indexedQueue("bob"); !slices.Equal(got, []string{"CR-0002", "CR-0003 stale", "DR-0001"}) {
		t.Fatalf("bob's seeded queue is %v", got)
	}
	alice, bob, carol := w.as("alice"), w.as("bob"), w.as("carol")
	var dr model.DeploymentRecord
	steps := []struct {
		name string
		do   func() error
	}{
		{"carol rejects CR-0002", func() error { _, err := carol.RejectCR(2, "not this quarter"); return err }},
		{"bob approves DR-0001", func() error { _, err := bob.ApproveDeployment(1, ""); return err }},
		{"alice submits CR-0006, bob approves it", func() error {
			w.newCR("alice", "Invoice due dates", []string{"bob"}, "CustomField:Invoice__c.Due_Date__c")
			_, err := bob.ApproveCR(6, "")
			return err
		}},
		{"alice submits a deployment of CR-0006", func() error {
			var err error
			if dr, err = alice.NewDeployment(6, "uat", "production", model.DeploymentFields{}); err == nil {
				_, err = alice.SubmitDeployment(dr.ID)
			}
			return err
		}},
		{"bob approves that deployment", func() error { _, err := bob.ApproveDeployment(dr.ID, ""); return err }},
		{"alice deploys it", func() error {
			if _, _, err := alice.Retrieve(context.Background(), dr.ID, nil); err != nil {
				return err
			}
			d, _, err := alice.Deploy(context.Background(), dr.ID, false, nil)
			if err == nil && d.Status != model.DeployVerified {
				err = fmt.Errorf("%s ended %s", d.Key(), d.Status)
			}
			return err
		}},
		{"alice completes CR-0006", func() error { _, err := alice.CompleteCR(6); return err }},
		{"alice submits CR-0007", func() error {
			w.newCR("alice", "Discount approvals", []string{"bob", "carol"}, "Flow:Discount_Approval")
			return nil
		}},
		{"bob approves CR-0007", func() error { _, err := bob.ApproveCR(7, ""); return err }},
		{"carol rejects CR-0007", func() error { _, err := carol.RejectCR(7, "too narrow"); return err }},
		{"alice widens CR-0007's scope", func() error {
			_, err := alice.EditCR(7, model.CREdit{AddCustomizations: components(t, "CustomField:Account.Customer_Tier__c")})
			return err
		}},
		{"alice submits CR-0007 again", func() error { _, err := alice.SubmitCR(7); return err }},
		{"alice cancels CR-0007", func() error { _, err := alice.CancelCR(7, "superseded"); return err }},
	}
	for _, s := range steps {
		w.tick(time.Hour)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		check(s.name)
		switch s.name {
		case "alice submits CR-0007 again":
			if got := w.indexedQueue("bob"); !slices.ContainsFunc(got, func(k string) bool { return k == "CR-0007" || k == "CR-0007 stale" }) {
				t.Errorf("bob's approval of CR-0007's narrower scope still counts: his queue is %v", got)
			}
		case "alice cancels CR-0007", "alice completes CR-0006":
			for _, u := range identitytest.Team {
				if got := w.indexedQueue(u); slices.Contains(got, "CR-0007") || slices.Contains(got, dr.Key()) {
					t.Errorf("after %s %s still waits for %v", s.name, u, got)
				}
			}
		}
	}
	if res, err := w.st.Verify(); err != nil || !res.OK {
		t.Errorf("verify after the journey: %+v, %v", res, err)
	}
}

// A queue longer than a page loads a page, counts them all from the index
// (the tab's badge and the header), and loads the next page when the
// cursor reaches the last one loaded.
func TestLongQueueLoadsAPageAtATime(t *testing.T) {
	w := newWorld(t)
	alice := w.as("alice")
	for i := range pageSize + 5 {
		w.tick(time.Minute)
		cr, err := alice.CreateCR("production", model.CRFields{Name: fmt.Sprintf("Change %03d", i+1), Overview: "Requested by finance.",
			Customizations: components(t, "CustomLabel:Invoice_Paid_Message"), Approvers: []string{"bob"}})
		if err != nil {
			t.Fatal(err)
		}
		w.must(alice.SubmitCR(cr.ID))
	}
	m := w.screen("bob", 80, 13)
	if len(m.items) != pageSize || m.Badge() != pageSize+5 {
		t.Fatalf("first load: %d loaded, badge %d; want %d and %d", len(m.items), m.Badge(), pageSize, pageSize+5)
	}
	if view := m.View(); !strings.Contains(view, fmt.Sprintf("1–5 of %d", pageSize+5)) {
		t.Errorf("the header should count the whole queue:\n%s", view)
	}
	if cmd := press(m, "G"); cmd == nil {
		t.Fatal("the cursor on the last loaded record asked for no more")
	} else {
		settle(t, m, cmd)
	}
	if len(m.items) != pageSize+5 || m.items[pageSize+4].CR.Name != "Change 001" {
		t.Errorf("after the next page: %d loaded, want all %d down to the oldest", len(m.items), pageSize+5)
	}
	if cmd := press(m, "G"); cmd != nil {
		t.Error("a fully loaded queue asked for more")
	}
}
