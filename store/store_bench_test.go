package store

import (
	"fmt"
	"os"
	"path/filepath"
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

// auditFixture is a store holding 1,000,000 audit events.
func auditFixture(b *testing.B) *Store {
	fixtures.audit.Do(func() {
		path := filepath.Join(fixtureDir(b), "audit.db")
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		const total, batch = 1_000_000, 100_000
		register(b, s, "alice")
		for done := 0; done < total; done += batch {
			mustUpdate(b, s, func(tx *Tx) error {
				for i := range batch {
					n := done + i
					c := model.Change{Entity: model.EntityChangeRequest, EntityID: model.FormatID(model.PrefixChangeRequest, int64(1+n/10)),
						Action: "edit", Details: map[string]string{"field": "overview", "revision": fmt.Sprint(n % 10)}}
					if err := tx.Record(as("alice"), t0.Add(time.Duration(n)*time.Second), c); err != nil {
						return err
					}
				}
				return nil
			})
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

// BenchmarkVerify1M checks a trail of 1,000,000 signed events (and the
// registration that starts it): chain, signatures and records.
func BenchmarkVerify1M(b *testing.B) {
	s := auditFixture(b)
	for b.Loop() {
		res, err := s.Verify()
		if err != nil || !res.OK || res.Events != 1_000_001 || res.Signed != res.Events {
			b.Fatalf("Verify = %+v, %v", res, err)
		}
	}
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
