package store

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
)

// Fixtures are built once per test binary, only when a benchmark asks for
// one, in a directory TestMain removes.
var fixtures struct {
	dir       string
	once      sync.Once
	crs       sync.Once
	crsPath   string
	audit     sync.Once
	auditPath string
	err       error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtures.dir != "" {
		os.RemoveAll(fixtures.dir)
	}
	os.Exit(code)
}

func fixtureDir(b *testing.B) string {
	fixtures.once.Do(func() {
		fixtures.dir, fixtures.err = os.MkdirTemp("", "relman-store-bench-")
	})
	if fixtures.err != nil {
		b.Fatal(fixtures.err)
	}
	return fixtures.dir
}

// benchCR is a change request of typical size: a few components and approvers.
func benchCR(id int64, updated time.Time) model.ChangeRequest {
	cr := newCR(id, fmt.Sprintf("Add region handling to invoices, part %d", id), []string{"prod", "prod-eu"}[id%2], updated)
	cr.Overview = "Adds Region__c to Account and Invoice__c, a validation rule and the Apex that fills it in."
	cr.Customizations = []metadata.Component{{Type: "CustomField", FullName: "Account.Region__c"},
		{Type: "CustomField", FullName: "Invoice__c.Region__c"}, {Type: "ApexClass", FullName: "InvoiceService"}}
	cr.Proposed = []metadata.Component{{Type: "ValidationRule", FullName: "Invoice__c.Region_Required"}}
	cr.Approvers = []model.Approver{{User: "bob"}, {User: "carol"}}
	if id%3 == 0 {
		cr.ApprovalStatus = model.ApprovalPending
	}
	return cr
}

// crFixture is a store holding 100,000 change requests.
func crFixture(b *testing.B) *Store {
	fixtures.crs.Do(func() {
		path := filepath.Join(fixtureDir(b), "crs.db")
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		const total, batch = 100_000, 10_000
		for done := 0; done < total; done += batch {
			mustUpdate(b, s, func(tx *Tx) error {
				for range batch {
					id, err := tx.NextCRID()
					if err != nil {
						return err
					}
					if err := tx.PutCR(benchCR(id, t0.Add(time.Duration(id)*time.Second))); err != nil {
						return err
					}
				}
				return nil
			})
		}
		fixtures.crsPath = path
	})
	if fixtures.crsPath == "" {
		b.Fatal("the change request fixture failed earlier")
	}
	s, err := Open(fixtures.crsPath)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// auditFixture is a store holding alice's registration and 1,000,000
// audit events by her, with her checkpoint of event 999,001 kept in it:
// the normal case, a checkpoint taken a little before the head.
func auditFixture(b *testing.B) *Store {
	fixtures.audit.Do(func() {
		path := filepath.Join(fixtureDir(b), "audit.db")
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		const total, batch, afterCheckpoint = 1_000_000, 100_000, 1_000
		register(b, s, "alice")
		for done := 0; done < total; {
			n := min(batch, total-afterCheckpoint-done)
			if n == 0 {
				n = afterCheckpoint
			}
			mustUpdate(b, s, func(tx *Tx) error {
				for i := range n {
					k := done + i
					c := model.Change{Entity: model.EntityChangeRequest, EntityID: model.FormatID(model.PrefixChangeRequest, int64(1+k/10)),
						Action: "edit", Details: map[string]string{"field": "overview", "revision": fmt.Sprint(k % 10)}}
					if err := tx.Record(as("alice"), t0.Add(time.Duration(k)*time.Second), c); err != nil {
						return err
					}
				}
				return nil
			})
			if done += n; done == total-afterCheckpoint {
				putCheckpoint(b, s, "alice")
			}
		}
		fixtures.auditPath = path
	})
	if fixtures.auditPath == "" {
		b.Fatal("the audit fixture failed earlier")
	}
	s, err := Open(fixtures.auditPath)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// putCheckpoint keeps user's checkpoint of the head in s.
func putCheckpoint(b *testing.B, s *Store, user string) {
	mustUpdate(b, s, func(tx *Tx) error {
		cp := model.Checkpoint{User: user, Time: t0}
		cp.Seq, cp.Head = tx.Head()
		var err error
		if cp.Signature, err = as(user).Signer.Sign(cp.Message()); err != nil {
			return err
		}
		return tx.PutCheckpoint(cp)
	})
}

// peakHeap samples the heap while it runs fn and reports the highest
// sample above the heap live before (after a collection) as
// peak-heap-MB: what fn holds, as opposed to the bytes it allocates over
// its run (B/op); heap-before-MB is what the process held already.
func peakHeap(b *testing.B, fn func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	runtime.GC()
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	b.ReportMetric(float64(peak-min(peak, before))/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(before)/(1<<20), "heap-before-MB")
}

// BenchmarkListFirstPage100k is the change list's first screen: the 50 most
// recently updated of 100,000, including opening and closing the file.
// Budget: 20 ms.
func BenchmarkListFirstPage100k(b *testing.B) {
	s := crFixture(b)
	for b.Loop() {
		err := s.View(func(tx *Tx) error {
			crs, err := tx.ListCRs(CRQuery{Limit: 50})
			if err == nil && (len(crs) != 50 || crs[0].ID != 100_000) {
				err = fmt.Errorf("first page has %d, starting with %d", len(crs), crs[0].ID)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify1M verifies a trail of 1,000,001 signed events with a
// checkpoint kept 1,000 events before the head, the normal case: the
// whole chain and every record, the signatures of the events after the
// checkpoint and of the user events. Budget: 2 s.
func BenchmarkVerify1M(b *testing.B) {
	s := auditFixture(b)
	peakHeap(b, func() {
		for b.Loop() {
			res, err := s.Verify()
			if err != nil || !res.OK || res.Events != 1_000_001 || res.TrustedFrom == nil || res.Signed != 1_001 || res.Trusted != 999_000 {
				b.Fatalf("Verify = %+v, %v", res, err)
			}
		}
	})
}

// BenchmarkVerifyFull1M is Verify1M checking every signature (--full).
func BenchmarkVerifyFull1M(b *testing.B) {
	s := auditFixture(b)
	peakHeap(b, func() {
		for b.Loop() {
			res, err := s.VerifyWith(VerifyOptions{Full: true})
			if err != nil || !res.OK || res.Events != 1_000_001 || res.Signed != res.Events || res.TrustedFrom != nil {
				b.Fatalf("VerifyWith(Full) = %+v, %v", res, err)
			}
		}
	})
}

// BenchmarkAppendChange is one command's write: a change request and its
// audit event in one Update, committed to disk.
func BenchmarkAppendChange(b *testing.B) {
	s := openTest(b)
	for b.Loop() {
		if _, err := createCR(s, "alice", "Add region handling", t0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkViewHead is the UI's change poll: open, read the head, close.
func BenchmarkViewHead(b *testing.B) {
	s := openTest(b)
	if _, err := createCR(s, "alice", "one", t0); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.View(func(tx *Tx) error { tx.Head(); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckAwaiting100k is the part of Verify that compares the
// approvals index with 100,000 change requests, a third of them pending
// for two approvers: what the index adds to every verify.
func BenchmarkCheckAwaiting100k(b *testing.B) {
	s := crFixture(b)
	for b.Loop() {
		mustView(b, s, func(tx *Tx) error {
			if reason := tx.checkAwaiting(); reason != "" {
				b.Fatal(reason)
			}
			return nil
		})
	}
}
