package demo

import (
	"context"
	"time"

	"relman/model"
	"relman/model/metadata"
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
	return s.err
}
