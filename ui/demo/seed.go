package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/sim"
	"relman/ui/actions"
)

// clock hands out times that step forward from a few days ago, so the
// seeded history reads like a week of work.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(47 * time.Minute)
	return c.t
}

// seeder runs use cases as the demo's users on one store and clock.
type seeder struct {
	d   *Demo
	clk *clock
	err error
}

func (s *seeder) as(user string) *actions.Service {
	svc, err := s.d.As(user)
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		svc = actions.New(s.d.Store, model.Actor{User: user})
	}
	svc.Now = s.clk.now
	return svc
}

// do runs one step unless an earlier one failed.
func (s *seeder) do(step func() error) {
	if s.err == nil {
		s.err = step()
	}
}

func comps(specs ...string) []metadata.Component {
	out := make([]metadata.Component, 0, len(specs))
	for _, spec := range specs {
		c, err := metadata.ParseComponent(spec)
		if err != nil {
			panic("demo: bad component literal " + spec)
		}
		out = append(out, c)
	}
	return out
}

// seed creates change requests in every status, each with its history.
func seed(ctx context.Context, d *Demo) error {
	s := &seeder{d: d, clk: &clock{t: time.Now().UTC().Add(-6 * 24 * time.Hour)}}
	alice, bob, carol := s.as("alice"), s.as("bob"), s.as("carol")
	var dueDates, region, label, legacy, tab model.ChangeRequest

	// Approved, synced to UAT, built there and pushed back: the deployment
	// record waits, and the grown scope needs approving again.
	s.do(func() (err error) {
		dueDates, err = alice.CreateCR("production", model.CRFields{Name: "Invoice due dates", ChangeType: model.ChangeStandard,
			Overview:       "Finance wants to see when each invoice is due and chase overdue ones.\nAdds Due_Date__c with its layout and permissions, and marks overdue invoices.",
			Customizations: comps("ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "Layout:Invoice__c-Invoice Layout", "PermissionSet:Invoice_Manager"),
			Proposed:       comps("CustomField:Invoice__c.Due_Date__c"), Approvers: []string{"bob", "carol"}})
		return err
	})
	s.do(func() error { _, err := alice.SubmitCR(dueDates.ID); return err })
	s.do(func() error { _, err := bob.ApproveCR(dueDates.ID, "Matches the finance request."); return err })
	s.do(func() error { _, err := carol.ApproveCR(dueDates.ID, ""); return err })
	var child model.ChangeRequest
	s.do(func() (err error) { child, err = alice.SyncCR(ctx, dueDates.ID, "uat"); return err })
	s.do(func() error {
		_, err := alice.EditCR(child.ID, model.CREdit{Remove: comps("CustomField:Invoice__c.Due_Date__c"),
			AddCustomizations: comps("CustomField:Invoice__c.Due_Date__c", "ValidationRule:Invoice__c.Due_Date_After_Invoice_Date")})
		return err
	})
	s.do(func() error { _, err := alice.PushBackCR(ctx, child.ID); return err })

	// Pending approval, waiting for alice and carol.
	s.do(func() (err error) {
		region, err = bob.CreateCR("production", model.CRFields{Name: "Account region field",
			Overview: "Sales ops need a Region on accounts for territory reports.", Proposed: comps("CustomField:Account.Region__c"),
			Customizations: comps("Layout:Account-Account Layout", "Profile:Admin"), Approvers: []string{"alice", "carol"}})
		return err
	})
	s.do(func() error { _, err := bob.SubmitCR(region.ID); return err })

	// Approved, not yet synced.
	s.do(func() (err error) {
		label, err = carol.CreateCR("production", model.CRFields{Name: "Clearer paid message", ChangeType: model.ChangeMinor,
			Overview: "Customers misread \"Paid on\"; say \"Paid in full on\".", Customizations: comps("CustomLabel:Invoice_Paid_Message"),
			Approvers: []string{"alice"}})
		return err
	})
	s.do(func() error { _, err := carol.SubmitCR(label.ID); return err })
	s.do(func() error { _, err := alice.ApproveCR(label.ID, "Good wording."); return err })

	// Rejected with a comment.
	s.do(func() (err error) {
		legacy, err = alice.CreateCR("production", model.CRFields{Name: "Remove legacy invoice export", ChangeType: model.ChangeMajor,
			Overview: "The nightly CSV export is replaced by the data warehouse feed.", Customizations: comps("ApexClass:InvoiceLegacyExport", "ListView:Invoice__c.Legacy_Unpaid"),
			Approvers: []string{"bob"}})
		return err
	})
	s.do(func() error { _, err := alice.SubmitCR(legacy.ID); return err })
	s.do(func() error {
		_, err := bob.RejectCR(legacy.ID, "Audit still pulls the CSV every month; keep it until Q3.")
		return err
	})

	// In progress: a draft still being written.
	s.do(func() error {
		_, err := bob.CreateCR("production", model.CRFields{Name: "Overdue outcome in the invoice flow",
			Overview: "Route overdue invoices to the collections queue.", Customizations: comps("Flow:Invoice_Before_Save")})
		return err
	})

	// Cancelled with a reason.
	s.do(func() error {
		cr, err := carol.CreateCR("production", model.CRFields{Name: "Invoice summary colours",
			Customizations: comps("LightningComponentBundle:invoiceSummary"), Approvers: []string{"alice"}})
		if err != nil {
			return err
		}
		_, err = carol.CancelCR(cr.ID, "Design team is redoing the whole page.")
		return err
	})

	// Completed: approved, nothing to deploy (a tab visibility change made in Setup).
	s.do(func() (err error) {
		tab, err = alice.CreateCR("production", model.CRFields{Name: "Show the Invoices tab to Finance",
			Customizations: comps("CustomTab:Invoice__c"), Approvers: []string{"carol"}})
		return err
	})
	s.do(func() error { _, err := alice.SubmitCR(tab.ID); return err })
	s.do(func() error { _, err := carol.ApproveCR(tab.ID, ""); return err })
	s.do(func() error { _, err := alice.CompleteCR(tab.ID); return err })

	s.do(func() error { return seedCoverageFailure(ctx, alice, bob) })
	s.do(func() error { return seedMonitoring(ctx, s) })
	return s.err
}

// seedMonitoring gives the Changes screen something true to show: a
// baseline snapshot of production, then one change delivered by a relman
// deployment (compliant) and two made behind relman's back — a flow edited
// and a field deleted "in Setup" by Dana Admin — found by the next
// snapshot and non-compliant.
func seedMonitoring(ctx context.Context, s *seeder) error {
	alice, bob := s.as("alice"), s.as("bob")
	orgs := filepath.Join(s.d.Dir, "orgs")
	src := func(org, rel string) string {
		return filepath.Join(orgs, org, "force-app", "main", "default", filepath.FromSlash(rel))
	}
	// A field only production has, which nothing references: the one an
	// admin deletes in Setup below, so no deployment misses it.
	fax := src("production", "objects/Account/fields/Legacy_Fax__c.field-meta.xml")
	if err := os.WriteFile(fax, []byte(legacyFaxField), 0o644); err != nil {
		return err
	}
	if _, err := alice.Monitor(ctx, "production", nil); err != nil {
		return err
	}
	// Built in UAT, then delivered through relman: compliant.
	taxRate := src("uat", "objects/Invoice__c/fields/Tax_Rate__c.field-meta.xml")
	if err := replaceInFile(taxRate, "<label>Tax Rate</label>", "<inlineHelpText>The rate applied to the invoice amount.</inlineHelpText>\n    <label>Tax Rate</label>"); err != nil {
		return err
	}
	d, err := approvedAndRetrieved(ctx, alice, bob, model.CRFields{Name: "Explain the tax rate",
		Overview: "Finance users ask what Tax Rate applies to; add help text.", Customizations: comps("CustomField:Invoice__c.Tax_Rate__c")},
		"Clear.", model.DeploymentFields{})
	if err != nil {
		return err
	}
	if _, _, err := alice.Deploy(ctx, d.ID, false, nil); err != nil {
		return err
	}
	// Made in production's Setup, outside relman: non-compliant.
	if err := os.WriteFile(filepath.Join(orgs, "production", sim.AdminSidecar), []byte("Dana Admin\n"), 0o600); err != nil {
		return err
	}
	if err := replaceInFile(src("production", "flows/Invoice_Before_Save.flow-meta.xml"), "<status>Active</status>",
		"<description>Edited in Setup during the month-end close.</description>\n    <status>Active</status>"); err != nil {
		return err
	}
	if err := os.Remove(fax); err != nil {
		return err
	}
	_, err = alice.Monitor(ctx, "production", nil)
	return err
}

const legacyFaxField = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Legacy_Fax__c</fullName>
    <label>Legacy Fax</label>
    <type>Phone</type>
</CustomField>
`

// approvedAndRetrieved takes a change request by alice through bob's
// approval (with comment), then its deployment from uat to production
// (with fields) through bob's approval and the retrieve.
func approvedAndRetrieved(ctx context.Context, alice, bob *actions.Service, f model.CRFields, comment string, fields model.DeploymentFields) (model.DeploymentRecord, error) {
	f.Approvers = []string{"bob"}
	cr, err := alice.CreateCR("production", f)
	if err != nil {
		return model.DeploymentRecord{}, err
	}
	if _, err := alice.SubmitCR(cr.ID); err != nil {
		return model.DeploymentRecord{}, err
	}
	if _, err := bob.ApproveCR(cr.ID, comment); err != nil {
		return model.DeploymentRecord{}, err
	}
	d, err := alice.NewDeployment(cr.ID, "uat", "production", fields)
	if err != nil {
		return d, err
	}
	if _, err := alice.SubmitDeployment(d.ID); err != nil {
		return d, err
	}
	if _, err := bob.ApproveDeployment(d.ID, ""); err != nil {
		return d, err
	}
	_, _, err = alice.Retrieve(ctx, d.ID, nil)
	return d, err
}

// replaceInFile replaces the first old in the file at path with new.
func replaceInFile(path, old, new string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(old)) {
		return fmt.Errorf("demo: %s does not contain %q", path, old)
	}
	return os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644)
}

// seedCoverageFailure leaves a validation that failed on code coverage
// alone: the service class goes to production with RunSpecifiedTests
// naming only the trigger handler's test, which reaches one of its
// methods. Production wants 75 % of each deployed class; the log, `deploy
// log` and the deployment screen say by how much it fell short.
func seedCoverageFailure(ctx context.Context, alice, bob *actions.Service) error {
	d, err := approvedAndRetrieved(ctx, alice, bob, model.CRFields{Name: "Overdue invoices in the service",
		Overview:       "Marks overdue invoices from the service class; validated with the trigger handler's tests only.",
		Customizations: comps("ApexClass:InvoiceService", "CustomField:Invoice__c.Due_Date__c")}, "Fine once it validates.",
		model.DeploymentFields{TestLevel: model.RunSpecifiedTests, Tests: []string{"InvoiceTriggerHandlerTest"}})
	if err != nil {
		return err
	}
	_, l, err := alice.Validate(ctx, d.ID, nil)
	var failed *actions.JobFailedError
	if !errors.As(err, &failed) || len(l.CoverageWarnings) == 0 || l.ComponentErrors+l.TestErrors > 0 {
		return fmt.Errorf("the coverage validation of %s did not fail on coverage alone: %v", d.Key(), err)
	}
	return nil
}
