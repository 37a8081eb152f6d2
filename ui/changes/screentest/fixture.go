package screentest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

// Now is the fixed clock of every screen test: relative times ("3h ago")
// in golden files depend on it.
var Now = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// Template is a fixture store built once; each test works on its own copy.
type Template struct {
	storePath string
	orgs      string
}

// Build creates the fixture under dir: copies of the production, uat and
// dev orgs from orgsDir (testdata/orgs) as local environments, and eight
// change requests in every status, made through ui/actions as alice, bob
// and carol between 10 and 14 March 2025:
//
//	CR-0001 Invoice due dates and regions  alice  Pending Approval: approved,
//	        synced to uat, then pushed back with a component added after
//	        approval, so bob's and carol's decisions are on an earlier scope;
//	        has DR-0001 and the copy CR-0003
//	CR-0002 Billing app label cleanup      carol  Completed
//	CR-0003 (copy of CR-0001 in uat)       alice  In Progress
//	CR-0004 Retire legacy invoice export   bob    Rejected by alice
//	CR-0005 Temporary discount field       alice  Cancelled
//	CR-0006 Invoice PDF footer wording     alice  Approved by bob
//	CR-0007 Tax rate precision             alice  In Progress, no approvers
//	CR-0008 Invoice viewer permissions     bob    Pending Approval (alice, carol)
func Build(dir, orgsDir string) (*Template, error) {
	tpl := &Template{storePath: filepath.Join(dir, "relman.db"), orgs: filepath.Join(dir, "orgs")}
	for _, org := range []string{"production", "uat", "dev"} {
		if err := os.CopyFS(filepath.Join(tpl.orgs, org), os.DirFS(filepath.Join(orgsDir, org))); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(tpl.storePath)
	if err != nil {
		return nil, err
	}
	b := &builder{st: st}
	if err := addEnvironments(b.as("alice", "2025-03-01 08:00"), tpl.orgs); err != nil {
		return nil, err
	}
	b.history()
	if b.err != nil {
		return nil, fmt.Errorf("building the fixture: %w", b.err)
	}
	return tpl, nil
}

func addEnvironments(svc *actions.Service, orgs string) error {
	for _, e := range []struct {
		name string
		kind model.EnvKind
	}{{"production", model.KindProduction}, {"uat", model.KindSandbox}, {"dev", model.KindSandbox}} {
		if _, err := svc.AddEnvironment(model.Environment{Name: e.name, Kind: e.kind, Connection: model.ConnLocal,
			Dir: filepath.Join(orgs, e.name)}); err != nil {
			return err
		}
	}
	return nil
}

// builder runs the fixture's steps and keeps the first error.
type builder struct {
	st  *store.Store
	err error
}

// as returns a service acting as user at a moment given as "2006-01-02 15:04" UTC.
func (b *builder) as(user, at string) *actions.Service {
	t, err := time.Parse("2006-01-02 15:04", at)
	if err != nil {
		panic(err)
	}
	svc, err := identitytest.Service(b.st, user)
	if err != nil && b.err == nil {
		b.err = err
	}
	svc.Now = func() time.Time { return t }
	return svc
}

func (b *builder) do(what string, f func() error) {
	if b.err == nil {
		if err := f(); err != nil {
			b.err = fmt.Errorf("%s: %w", what, err)
		}
	}
}

func comps(s ...string) []metadata.Component {
	out := make([]metadata.Component, len(s))
	for i, c := range s {
		var err error
		if out[i], err = metadata.ParseComponent(c); err != nil {
			panic(err)
		}
	}
	return out
}

func (b *builder) create(user, at, env string, f model.CRFields) {
	b.do("create "+f.Name, func() error { _, err := b.as(user, at).CreateCR(env, f); return err })
}

func (b *builder) history() {
	ctx := context.Background()
	b.create("alice", "2025-03-10 09:00", "production", model.CRFields{Name: "Invoice due dates and regions",
		ChangeType: model.ChangeStandard,
		Overview: "Finance wants a due date on every invoice and a sales region on accounts, so overdue " +
			"reports can be split by region.\nBuilt and tested in uat first.",
		Customizations: comps("CustomField:Invoice__c.Status__c", "Layout:Invoice__c-Invoice Layout"),
		Proposed:       comps("CustomField:Invoice__c.Due_Date__c", "ValidationRule:Invoice__c.Due_Date_After_Invoice_Date"),
		Approvers:      []string{"bob", "carol"}})
	b.do("submit CR-0001", func() error { _, err := b.as("alice", "2025-03-10 09:30").SubmitCR(1); return err })
	b.do("bob approves CR-0001", func() error { _, err := b.as("bob", "2025-03-10 11:00").ApproveCR(1, "Looks right."); return err })
	b.create("carol", "2025-03-10 12:00", "production", model.CRFields{Name: "Billing app label cleanup",
		Overview: "Shorter invoice summary title.", Customizations: comps("CustomLabel:Invoice_Summary_Title"),
		Approvers: []string{"alice"}})
	b.do("submit CR-0002", func() error { _, err := b.as("carol", "2025-03-10 12:05").SubmitCR(2); return err })
	b.do("carol approves CR-0001", func() error { _, err := b.as("carol", "2025-03-10 13:00").ApproveCR(1, ""); return err })
	b.do("alice approves CR-0002", func() error { _, err := b.as("alice", "2025-03-10 15:00").ApproveCR(2, "Fine."); return err })
	b.do("complete CR-0002", func() error { _, err := b.as("carol", "2025-03-10 16:00").CompleteCR(2); return err })
	b.do("sync CR-0001", func() error { _, err := b.as("alice", "2025-03-11 10:00").SyncCR(ctx, 1, "uat"); return err })
	b.create("bob", "2025-03-11 14:00", "production", model.CRFields{Name: "Retire legacy invoice export",
		ChangeType: model.ChangeMajor, Overview: "The nightly CSV export is replaced by the Billing app's report.",
		Customizations: comps("ApexClass:InvoiceLegacyExport", "ListView:Invoice__c.Legacy_Unpaid"),
		Approvers:      []string{"alice"}})
	b.do("submit CR-0004", func() error { _, err := b.as("bob", "2025-03-11 14:10").SubmitCR(4); return err })
	b.do("reject CR-0004", func() error {
		_, err := b.as("alice", "2025-03-11 16:00").RejectCR(4, "Finance still runs the export monthly; wait until Q3.")
		return err
	})
	b.create("alice", "2025-03-12 09:00", "production", model.CRFields{Name: "Temporary discount field",
		Proposed: comps("CustomField:Invoice__c.Discount__c")})
	b.do("cancel CR-0005", func() error {
		_, err := b.as("alice", "2025-03-12 10:00").CancelCR(5, "Finance dropped the promotion.")
		return err
	})
	b.do("edit CR-0003", func() error {
		_, err := b.as("alice", "2025-03-12 15:00").EditCR(3, model.CREdit{
			AddCustomizations: comps("CustomField:Account.Region__c", "CustomField:Invoice__c.Due_Date__c"),
			Remove:            comps("CustomField:Invoice__c.Due_Date__c")})
		return err
	})
	b.do("push back CR-0003", func() error { _, err := b.as("alice", "2025-03-13 09:00").PushBackCR(ctx, 3); return err })
	b.create("alice", "2025-03-13 11:00", "production", model.CRFields{Name: "Invoice PDF footer wording",
		Overview:       "The paid message on printed invoices names the new payment terms.",
		Customizations: comps("CustomLabel:Invoice_Paid_Message", "ApexPage:InvoicePrint"), Approvers: []string{"bob"}})
	b.do("submit CR-0006", func() error { _, err := b.as("alice", "2025-03-13 11:10").SubmitCR(6); return err })
	b.do("approve CR-0006", func() error {
		_, err := b.as("bob", "2025-03-14 08:00").ApproveCR(6, "Approved for Friday.")
		return err
	})
	b.create("alice", "2025-03-14 09:30", "production", model.CRFields{Name: "Tax rate precision",
		Customizations: comps("CustomField:Invoice__c.Tax_Rate__c")})
	b.create("bob", "2025-03-14 11:00", "production", model.CRFields{Name: "Invoice viewer permissions",
		Overview: "Viewers may see the tax rate.", Customizations: comps("PermissionSet:Invoice_Viewer"),
		Approvers: []string{"alice", "carol"}})
	b.do("submit CR-0008", func() error { _, err := b.as("bob", "2025-03-14 11:05").SubmitCR(8); return err })
}

// Deps returns screen dependencies on a private copy of the fixture store,
// acting as user, with the clock fixed at Now.
func (tpl *Template) Deps(tb testing.TB, user string) common.Deps {
	tb.Helper()
	data, err := os.ReadFile(tpl.storePath)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "relman.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return open(tb, path, user)
}

// EmptyDeps returns dependencies on a store with the fixture's environments
// and no change request.
func (tpl *Template) EmptyDeps(tb testing.TB, user string) common.Deps {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "relman.db")
	deps := open(tb, path, user)
	if err := addEnvironments(deps.Svc, tpl.orgs); err != nil {
		tb.Fatal(err)
	}
	return deps
}

func open(tb testing.TB, path, user string) common.Deps {
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	svc := identitytest.As(tb, st, user)
	svc.Now = func() time.Time { return Now }
	return common.Deps{Svc: svc, Styles: theme.Default()}
}

// RolledBack leaves deployment record drID rolled back by a new completed
// rollback, written straight to the store (without an audit event): list
// screens read the facts, and the rollback journey itself runs against
// orgs in ui/rollback.
func RolledBack(tb testing.TB, st *store.Store, drID int64) {
	tb.Helper()
	err := st.Update(func(tx *store.Tx) error {
		dr, err := tx.Deployment(drID)
		if err != nil {
			return err
		}
		dr.Status = model.DeployRolledBack
		if err := tx.PutDeployment(dr); err != nil {
			return err
		}
		id, err := tx.NextRollbackID()
		if err != nil {
			return err
		}
		return tx.PutRollback(model.Rollback{ID: id, Deployment: drID, CR: dr.CR, Target: dr.Target, Requester: "bob",
			Status: model.RollbackDone})
	})
	if err != nil {
		tb.Fatal(err)
	}
}
