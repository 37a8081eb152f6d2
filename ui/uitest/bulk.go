package uitest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/identity/identitytest"
)

// BulkEpoch is when the first bulk change request was created; each next
// one a minute later.
var BulkEpoch = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

// bulkBatch is how many change requests one transaction writes: big
// enough that commits do not dominate, small enough to bound its memory.
const bulkBatch = 20_000

// bulkWords make the names and overviews varied enough for the filter.
var bulkWords = []string{"invoice", "account", "region", "tax", "due date", "permission", "layout", "label",
	"validation", "flow", "export", "report", "discount", "contract", "renewal", "territory"}

// bulkHome is the production environment bulk change requests live in.
var bulkHome = model.Environment{Name: "production", Kind: model.KindProduction}

// BulkCR is the i-th (from 1) bulk change request, created by alice by the
// model's own rule, with one to four components and its name and overview
// from bulkWords, and its create change. Its status cycles through all six
// (set directly: a shortcut for the sake of build time; the event records
// the state as stored, so verify holds).
func BulkCR(i int64) (model.ChangeRequest, model.Change, error) {
	w := func(k int64) string { return bulkWords[(i*7+k*13)%int64(len(bulkWords))] }
	f := model.CRFields{Name: fmt.Sprintf("%s %s for %s %d", w(1), w(2), w(3), i),
		Overview: fmt.Sprintf("Finance asked for %s and %s so that %s reports match.", w(4), w(5), w(6))}
	for k := range 1 + i%4 {
		f.Customizations = append(f.Customizations, metadata.Component{Type: "CustomField",
			FullName: fmt.Sprintf("Object_%d__c.Field_%d__c", (i+k)%300, (i*31+k)%5000)})
	}
	cr, ch, err := model.NewChangeRequest(i, f, bulkHome, "alice", BulkEpoch.Add(time.Duration(i)*time.Minute))
	if err != nil {
		return cr, ch, err
	}
	switch i % 6 {
	case 1:
		// Pending ones wait for bob and carol: a queue of a sixth of them.
		cr.ApprovalStatus = model.ApprovalPending
		cr.Approvers = []model.Approver{{User: "bob"}, {User: "carol"}}
	case 2:
		cr.ApprovalStatus = model.ApprovalApproved
	case 3:
		cr.ApprovalStatus = model.ApprovalRejected
	case 4:
		cr.ApprovalStatus, cr.CompletionStatus = model.ApprovalApproved, model.CompletionCompleted
	case 5:
		cr.CompletionStatus, cr.CancelReason = model.CompletionCancelled, "superseded"
	}
	return cr, ch, nil
}

// BulkCRs opens (creating) the store at path with the identitytest team
// registered and adds n bulk change requests after those it holds, each
// with its create event signed by alice's test key.
func BulkCRs(tb testing.TB, path string, n int) *store.Store {
	tb.Helper()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := identitytest.Register(st, identitytest.Team...); err != nil {
		tb.Fatal(err)
	}
	alice := identitytest.Actor("alice")
	for done := 0; done < n; done += bulkBatch {
		err := st.Update(func(tx *store.Tx) error {
			for range min(bulkBatch, n-done) {
				id, err := tx.NextCRID()
				if err != nil {
					return err
				}
				cr, ch, err := BulkCR(id)
				if err != nil {
					return err
				}
				if err := tx.PutCR(cr); err != nil {
					return err
				}
				if err := tx.Record(alice, cr.CreatedAt, ch); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatalf("bulk change requests %d–%d: %v", done+1, min(done+bulkBatch, n), err)
		}
	}
	return st
}

// BulkCRStore is a store of n bulk change requests, built once and kept in
// the temporary directory (relman-bulk-N-vV, V the store's schema: a
// schema that adds an index gets a new build) for later runs: a million take minutes to build. The store is for reading:
// a benchmark that writes must copy it.
func BulkCRStore(tb testing.TB, n int) *store.Store {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("relman-bulk-%d-v%d", n, store.SchemaVersion()))
	path := filepath.Join(dir, "relman.db")
	done := filepath.Join(dir, "complete")
	if _, err := os.Stat(done); err == nil {
		st, err := store.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	// A build cut short leaves no "complete" mark: start again.
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	st := BulkCRs(tb, path, n)
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built %d change requests in %s at %s", n, time.Since(start).Round(time.Second), path)
	return st
}
