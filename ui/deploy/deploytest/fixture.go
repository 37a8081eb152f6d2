package deploytest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/sim"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

// Now is the fixed clock of every screen test: ages ("2d ago") in golden
// files depend on it.
var Now = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// Org is a simulated org serving a private copy of a sample org.
type Org struct {
	Name   string
	Kind   model.EnvKind
	Dir    string
	Server *sim.Server
}

// StartOrg copies the sample org name (a folder of samples, normally
// testdata/orgs) into dir and serves it; each Apex test method takes
// testDuration. The caller closes the server.
func StartOrg(ctx context.Context, samples, dir, name string, testDuration time.Duration) (*Org, error) {
	kind := model.KindSandbox
	if name == "production" {
		kind = model.KindProduction
	}
	o := &Org{Name: name, Kind: kind, Dir: filepath.Join(dir, name)}
	if err := os.CopyFS(o.Dir, os.DirFS(filepath.Join(samples, name))); err != nil {
		return nil, err
	}
	srv, err := sim.Start(ctx, sim.Config{Dir: o.Dir, Kind: string(kind), TestDuration: testDuration})
	if err != nil {
		return nil, err
	}
	o.Server = srv
	return o, nil
}

// Environment is the org as relman stores it: reached through the real
// Salesforce client with a refresh token.
func (o *Org) Environment() model.Environment {
	return model.Environment{Name: o.Name, Kind: o.Kind, Connection: model.ConnSalesforce, URL: o.Server.URL(),
		Auth: model.AuthRefreshToken, ClientID: "relman", Credentials: model.Credentials{RefreshToken: o.Server.RefreshToken()}}
}

// WriteClass adds an Apex class to an org's source folder.
func (o *Org) WriteClass(name, body string) error {
	dir := filepath.Join(o.Dir, "force-app", "main", "default", "classes")
	if err := os.WriteFile(filepath.Join(dir, name+".cls"), []byte(body), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".cls-meta.xml"), []byte(classMeta), 0o644)
}

const classMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`

// failingTest is a test class with one method that fails on purpose, so a
// validation fails with a test failure and its stack trace.
const failingTest = `@isTest
private class InvoiceTotalsTest {
    @isTest
    static void addsTax() {
        System.assertEquals(120.00, InvoiceService.totalWithTax(new Invoice__c(Amount__c = 100, Tax_Rate__c = 20)));
    }

    @isTest
    static void neverNegative() {
        System.assert(false, 'totals must never be negative');
    }
}
`

// brokenClass uses a type no org has, so deploying it fails with a
// component error naming the file and line.
const brokenClass = `public with sharing class InvoiceAging {
    public static Integer daysOverdue(Invoice__c invoice) {
        AgingPolicy policy = new AgingPolicy();
        return policy.days(invoice);
    }
}
`

// Template is the fixture built once per test binary; each test works on a
// private copy of its store. Its simulated orgs serve until Close.
type Template struct {
	storePath string
	Orgs      map[string]*Org
}

// Build creates the fixture under dir from the sample orgs in samples
// (testdata/orgs): simulated production and uat orgs (uat also holding
// InvoiceTotalsTest, whose neverNegative test fails, and InvoiceAging, which
// does not compile), and this history, made as alice (requester), bob and
// carol (approvers) between 10 and 14 March 2025:
//
//	CR-0001 Invoice due dates    InvoiceService, InvoiceServiceTest, Invoice__c.Due_Date__c
//	CR-0002 Invoice layout       Layout Invoice__c-Invoice Layout
//	CR-0003 Invoice totals       InvoiceTotalsTest
//	CR-0004 Invoice aging        InvoiceAging
//	CR-0005 Invoice service      InvoiceService, InvoiceServiceTest, Invoice__c.Due_Date__c
//
//	DR-0001 CR-0002  Approved; retrieved; dependencies: Due_Date__c missing
//	DR-0002 CR-0003  Approved; validation failed: neverNegative
//	DR-0003 CR-0004  Failed: the deploy refused InvoiceAging (line 3)
//	DR-0004 CR-0001  Approved; retrieved, checked, validated: awaiting deploy
//	DR-0005 CR-0005  Verified (RunSpecifiedTests InvoiceServiceTest)
//	DR-0006 CR-0001  Pending Approval: bob approved, carol has not
//	DR-0007 CR-0002  Draft
//	DR-0008 CR-0001  Rejected by bob
//
// Every record goes from uat to production.
func Build(ctx context.Context, dir, samples string) (*Template, error) {
	tpl := &Template{storePath: filepath.Join(dir, "relman.db"), Orgs: map[string]*Org{}}
	for _, name := range []string{"production", "uat"} {
		o, err := StartOrg(ctx, samples, filepath.Join(dir, "orgs"), name, time.Millisecond)
		if err != nil {
			tpl.Close()
			return nil, err
		}
		tpl.Orgs[name] = o
	}
	if err := tpl.Orgs["uat"].WriteClass("InvoiceTotalsTest", failingTest); err != nil {
		tpl.Close()
		return nil, err
	}
	if err := tpl.Orgs["uat"].WriteClass("InvoiceAging", brokenClass); err != nil {
		tpl.Close()
		return nil, err
	}
	st, err := store.Open(tpl.storePath)
	if err != nil {
		tpl.Close()
		return nil, err
	}
	b := &builder{ctx: ctx, st: st}
	for _, name := range []string{"production", "uat"} {
		b.do("add "+name, func() error {
			_, err := b.as("alice", "2025-03-01 08:00").AddEnvironment(tpl.Orgs[name].Environment())
			return err
		})
	}
	b.history()
	if b.err != nil {
		tpl.Close()
		return nil, fmt.Errorf("building the deployment fixture: %w", b.err)
	}
	return tpl, nil
}

// Close stops the simulated orgs.
func (tpl *Template) Close() {
	for _, o := range tpl.Orgs {
		if o.Server != nil {
			_ = o.Server.Close()
		}
	}
}

// builder runs the fixture's steps and keeps the first error.
type builder struct {
	ctx context.Context
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

// Comps parses component literals such as "ApexClass:InvoiceService".
func Comps(specs ...string) []metadata.Component {
	out := make([]metadata.Component, len(specs))
	for i, s := range specs {
		c, err := metadata.ParseComponent(s)
		if err != nil {
			panic(err)
		}
		out[i] = c
	}
	return out
}

// approvedCR creates a change request as alice and has its approvers approve it.
func (b *builder) approvedCR(at string, f model.CRFields) {
	var id int64
	b.do("create "+f.Name, func() error {
		cr, err := b.as("alice", at).CreateCR("production", f)
		id = cr.ID
		return err
	})
	b.do("submit "+f.Name, func() error { _, err := b.as("alice", at).SubmitCR(id); return err })
	for _, a := range f.Approvers {
		b.do(a+" approves "+f.Name, func() error { _, err := b.as(a, at).ApproveCR(id, ""); return err })
	}
}

// record creates a deployment record as alice.
func (b *builder) record(at string, cr int64, f model.DeploymentFields) int64 {
	var id int64
	b.do(fmt.Sprintf("new deployment of CR %d", cr), func() error {
		d, err := b.as("alice", at).NewDeployment(cr, "uat", "production", f)
		id = d.ID
		return err
	})
	return id
}

// approved submits a deployment record and has every approver approve it.
func (b *builder) approved(at string, id int64, approvers ...string) {
	b.do(fmt.Sprintf("submit DR %d", id), func() error { _, err := b.as("alice", at).SubmitDeployment(id); return err })
	for _, a := range approvers {
		b.do(fmt.Sprintf("%s approves DR %d", a, id), func() error {
			_, err := b.as(a, at).ApproveDeployment(id, "Reviewed the compare.")
			return err
		})
	}
}

func (b *builder) history() {
	b.approvedCR("2025-03-10 09:00", model.CRFields{Name: "Invoice due dates", ChangeType: model.ChangeStandard,
		Overview:       "Finance wants a due date on every invoice.",
		Customizations: Comps("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomField:Invoice__c.Due_Date__c"),
		Approvers:      []string{"bob", "carol"}})
	b.approvedCR("2025-03-10 10:00", model.CRFields{Name: "Invoice layout",
		Customizations: Comps("Layout:Invoice__c-Invoice Layout"), Approvers: []string{"bob"}})
	b.approvedCR("2025-03-10 11:00", model.CRFields{Name: "Invoice totals",
		Customizations: Comps("ApexClass:InvoiceTotalsTest"), Approvers: []string{"bob"}})
	b.approvedCR("2025-03-10 11:30", model.CRFields{Name: "Invoice aging",
		Customizations: Comps("ApexClass:InvoiceAging"), Approvers: []string{"bob"}})
	b.approvedCR("2025-03-10 12:00", model.CRFields{Name: "Invoice service",
		Customizations: Comps("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomField:Invoice__c.Due_Date__c"),
		Approvers:      []string{"bob", "carol"}})

	dr1 := b.record("2025-03-11 09:00", 2, model.DeploymentFields{})
	b.approved("2025-03-11 09:10", dr1, "bob")
	dr2 := b.record("2025-03-12 09:00", 3, model.DeploymentFields{})
	b.approved("2025-03-12 09:10", dr2, "bob")
	dr3 := b.record("2025-03-12 14:00", 4, model.DeploymentFields{})
	b.approved("2025-03-12 14:10", dr3, "bob")
	dr4 := b.record("2025-03-13 09:00", 1, model.DeploymentFields{})
	b.approved("2025-03-13 09:10", dr4, "bob", "carol")
	dr5 := b.record("2025-03-13 14:00", 5, model.DeploymentFields{TestLevel: model.RunSpecifiedTests, Tests: []string{"InvoiceServiceTest"}})
	b.approved("2025-03-13 14:10", dr5, "bob", "carol")

	// The org steps run in waves of steps on different records, which
	// wait on the orgs together. Production changes only in the last.
	b.wave(job{"2025-03-11 09:20", dr1, "retrieve"}, job{"2025-03-12 09:20", dr2, "retrieve"},
		job{"2025-03-12 14:20", dr3, "retrieve"}, job{"2025-03-13 09:20", dr4, "retrieve"}, job{"2025-03-13 14:20", dr5, "retrieve"})
	b.wave(job{"2025-03-11 09:25", dr1, "dependencies"}, job{"2025-03-12 09:30", dr2, "validate"},
		job{"2025-03-12 14:30", dr3, "deploy"}, job{"2025-03-13 09:25", dr4, "dependencies"})
	b.wave(job{"2025-03-13 09:40", dr4, "validate"})
	b.wave(job{"2025-03-13 14:30", dr5, "deploy"})

	dr6 := b.record("2025-03-14 09:00", 1, model.DeploymentFields{})
	b.approved("2025-03-14 09:10", dr6, "bob")

	b.record("2025-03-14 10:00", 2, model.DeploymentFields{})

	dr8 := b.record("2025-03-14 10:30", 1, model.DeploymentFields{})
	b.do("submit DR-0008", func() error { _, err := b.as("alice", "2025-03-14 10:40").SubmitDeployment(dr8); return err })
	b.do("bob rejects DR-0008", func() error {
		_, err := b.as("bob", "2025-03-14 11:00").RejectDeployment(dr8, "Wait for the release window on Friday.")
		return err
	})
}

// job is one Deploy Changes step run as alice at a fixed time.
type job struct {
	at   string
	id   int64
	step string
}

// wave runs steps on different records at once. Each opens its log before
// the next starts, so log ids do not depend on which org answers first.
// Validations and deploys that fail are part of the history, so a job
// failure is not an error here.
func (b *builder) wave(jobs ...job) {
	if b.err != nil {
		return
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		opened := make(chan struct{})
		var once sync.Once
		open := func() { once.Do(func() { close(opened) }) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer open()
			progress := func(e actions.Event) {
				if e.Log != 0 {
					open()
				}
			}
			svc := b.as("alice", j.at)
			var err error
			switch j.step {
			case "retrieve":
				_, _, err = svc.Retrieve(b.ctx, j.id, progress)
			case "dependencies":
				_, _, err = svc.CheckDependencies(b.ctx, j.id, progress)
			case "validate":
				_, _, err = svc.Validate(b.ctx, j.id, progress)
			case "deploy":
				_, _, err = svc.Deploy(b.ctx, j.id, false, progress)
			}
			var failed *actions.JobFailedError
			if err != nil && !errors.As(err, &failed) {
				errs[i] = fmt.Errorf("%s DR %d: %w", j.step, j.id, err)
			}
		}()
		<-opened
	}
	wg.Wait()
	b.err = errors.Join(errs...)
}

// Deps returns screen dependencies on a private copy of the fixture store
// (with the key that seals its credentials), acting as user, with the
// clock fixed at Now.
func (tpl *Template) Deps(tb testing.TB, user string) common.Deps {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "relman.db")
	for _, suffix := range []string{"", ".key"} {
		data, err := os.ReadFile(tpl.storePath + suffix)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return Open(tb, path, user)
}

// Open returns screen dependencies on the store at path, acting as user
// with the clock fixed at Now.
func Open(tb testing.TB, path, user string) common.Deps {
	tb.Helper()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	svc := identitytest.As(tb, st, user)
	svc.Now = func() time.Time { return Now }
	return common.Deps{Svc: svc, Styles: theme.Default()}
}

// StorePath is the fixture store's file (tests copy it with Deps).
func (tpl *Template) StorePath() string { return tpl.storePath }

// Isolated is Deps with orgs of the test's own: simulated orgs serving
// private copies of the fixture's orgs, the copied store's environments
// pointed at them. Tests that run steps use it, so a deploy in one test
// changes no other test's production.
func (tpl *Template) Isolated(tb testing.TB, user string) common.Deps {
	tb.Helper()
	deps := tpl.Deps(tb, user)
	for name, o := range tpl.Orgs {
		dir := filepath.Join(tb.TempDir(), name)
		if err := os.CopyFS(dir, os.DirFS(o.Dir)); err != nil {
			tb.Fatal(err)
		}
		srv, err := sim.Start(context.Background(), sim.Config{Dir: dir, Kind: string(o.Kind), TestDuration: time.Millisecond})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = srv.Close() })
		own := Org{Name: name, Kind: o.Kind, Dir: dir, Server: srv}
		if _, err := deps.Svc.UpdateEnvironment(own.Environment(), false); err != nil {
			tb.Fatal(err)
		}
	}
	return deps
}
