package serve

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"relman/model"
	"relman/store"
)

// Four people share one store through relman serve, each over their own
// SSH connections at the same time: every change request each of them
// created exists once, every approval counts, each success wrote exactly
// its audit events, and the chain verifies.
func TestConcurrentSessionsShareOneStore(t *testing.T) {
	f := newFixture(t, nil)
	team := []string{"alice", "bob", "carol", "dave"}
	const perUser = 5
	var mu sync.Mutex
	created := map[string][]string{} // user → CR keys their commands reported
	var failures []string
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, a...))
	}
	parallel := func(work func(user string)) {
		var wg sync.WaitGroup
		for _, u := range team {
			wg.Go(func() { work(u) })
		}
		wg.Wait()
	}
	// Each creates and submits perUser CRs naming the three others.
	parallel(func(user string) {
		var others []string
		for _, o := range team {
			if o != user {
				others = append(others, "--approver", o)
			}
		}
		for i := range perUser {
			args := append([]string{"cr", "new", "--env", "production", "--name", fmt.Sprintf("%s-%d", user, i),
				"--component", "ApexClass:InvoiceService", "--json"}, others...)
			out, errOut, code := f.ssh(user, args...)
			var env struct {
				Result struct{ ID string } `json:"result"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &env) != nil || env.Result.ID == "" {
				fail("%s cr new: exit %d %s %s", user, code, out, errOut)
				continue
			}
			key := env.Result.ID
			if _, errOut, code := f.ssh(user, "cr", "submit", key); code != 0 {
				fail("%s cr submit %s: exit %d %s", user, key, code, errOut)
				continue
			}
			mu.Lock()
			created[user] = append(created[user], key)
			mu.Unlock()
		}
	})
	// Each approves every CR of the others.
	parallel(func(user string) {
		for _, requester := range team {
			if requester == user {
				continue
			}
			for _, key := range created[requester] {
				if _, errOut, code := f.ssh(user, "cr", "approve", key); code != 0 {
					fail("%s cr approve %s: exit %d %s", user, key, code, errOut)
				}
			}
		}
	})
	if len(failures) > 0 {
		t.Fatalf("%d command(s) failed:\n%s", len(failures), strings.Join(failures, "\n"))
	}

	st, err := store.Open(f.srv.StorePath())
	if err != nil {
		t.Fatal(err)
	}
	var events []model.AuditEvent
	var crs []model.ChangeRequest
	if err := st.View(func(tx *store.Tx) error {
		var err error
		if events, err = tx.AuditEvents(store.AuditQuery{}); err != nil {
			return err
		}
		crs, err = tx.ListCRs(store.CRQuery{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]model.ChangeRequest{}
	for _, cr := range crs {
		byKey[cr.Key()] = cr
	}
	for _, u := range team {
		if len(created[u]) != perUser {
			t.Errorf("%s created %d change requests, want %d", u, len(created[u]), perUser)
		}
		for _, key := range created[u] {
			cr := byKey[key]
			if cr.Requester != u || cr.ApprovalStatus != model.ApprovalApproved {
				t.Errorf("%s: requester %q, approval %q; want %s, Approved", key, cr.Requester, cr.ApprovalStatus, u)
			}
		}
	}
	if len(crs) != 1+len(team)*perUser {
		t.Errorf("%d change requests in the store, want %d (the seeded one and %d new)", len(crs), 1+len(team)*perUser, len(team)*perUser)
	}
	counts := map[string]int{}
	for _, e := range events {
		if e.Entity == model.EntityChangeRequest && e.EntityID != "CR-0001" {
			counts[e.User+" "+e.Action]++
		}
	}
	for _, u := range team {
		for action, want := range map[string]int{"create": perUser, "submit": perUser, "approve": (len(team) - 1) * perUser} {
			if got := counts[u+" "+action]; got != want {
				t.Errorf("%d %q events by %s, want %d (all counts: %v)", got, action, u, want, counts)
			}
		}
	}
	res, err := st.Verify()
	if err != nil || !res.OK {
		t.Errorf("audit chain after concurrent sessions: %+v, %v", res, err)
	}
}
