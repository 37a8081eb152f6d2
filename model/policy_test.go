package model

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"relman/model/metadata"
)

func TestEveryRegistryTypeHasACategory(t *testing.T) {
	counts := map[PolicyCategory]int{}
	for _, typ := range metadata.Types() {
		c := DefaultCategory(typ.Name)
		if !slices.Contains(PolicyCategories, c) {
			t.Fatalf("type %s maps to %q, which is no category", typ.Name, c)
		}
		counts[c]++
	}
	if n := len(metadata.Types()); n < 500 {
		t.Fatalf("registry has %d types; the table test expects the full Salesforce CLI registry", n)
	}
	// Most types must land in a real category: an all-Uncategorized
	// mapping would pass the loop above and tell nothing.
	if u := counts[CatUncategorized]; u*5 > len(metadata.Types()) {
		t.Errorf("%d of %d types are Uncategorized: %v", u, len(metadata.Types()), counts)
	}
	for _, c := range PolicyCategories {
		if c != CatUncategorized && counts[c] == 0 {
			t.Errorf("no registry type is in %s", c)
		}
	}
}

func TestDefaultCategoryOfKnownTypes(t *testing.T) {
	for typ, want := range map[string]PolicyCategory{
		"ApexClass": CatCodeData, "CustomField": CatCodeData, "Flow": CatAutomation, "PermissionSet": CatSharing,
		"SharingRules": CatSharing, "NamedCredential": CatIntegration, "AccountSettings": CatConfiguration,
		"Layout": CatDisplay, "LightningComponentBundle": CatDisplay, "Report": CatAnalytics,
		"ReportFolder": CatAnalytics, "Certificate": CatControl, "NoSuchType": CatUncategorized,
	} {
		if got := DefaultCategory(typ); got != want {
			t.Errorf("DefaultCategory(%s) = %s, want %s", typ, got, want)
		}
	}
}

func policyUsers() Users {
	return Users{{Name: "alice", Roles: []Role{RoleAdmin}}, {Name: "bob", Roles: []Role{RoleApprover}}}
}

func TestPolicyChangesNeedAnAdmin(t *testing.T) {
	p := NewDefaultPolicy()
	if _, _, err := SetLevel(p, policyUsers(), "bob", CatAutomation, LevelFull, nil, t0); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("bob (no admin) set a level: %v", err)
	}
	got, ch, err := SetLevel(p, policyUsers(), "alice", CatAutomation, LevelFull, []string{"bob"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rule(CatAutomation).Level != LevelFull || ch.Entity != EntityPolicy || ch.Details["level"] != "full" {
		t.Fatalf("policy %+v change %+v", got.Rules[CatAutomation], ch)
	}
	if p.Rule(CatAutomation).Level != LevelChangeRequest {
		t.Fatal("SetLevel changed the policy it was given")
	}
	moved, _, err := SetTypeCategory(got, policyUsers(), "alice", "Layout", CatControl, t0)
	if err != nil || moved.CategoryOf("Layout") != CatControl {
		t.Fatalf("override: %v, %s", err, moved.CategoryOf("Layout"))
	}
	if _, _, err := SetTypeCategory(got, policyUsers(), "alice", "Nope", CatControl, t0); err == nil {
		t.Fatal("an unknown type was accepted")
	}
	if a := got.RequiredApprovers([]metadata.Component{{Type: "Flow", FullName: "X"}, {Type: "ApexClass", FullName: "Y"}}); !slices.Equal(a, []string{"bob"}) {
		t.Fatalf("required approvers %v", a)
	}
	flowAndClass := []metadata.Component{{Type: "Flow", FullName: "X"}, {Type: "ApexClass", FullName: "Y"}}
	if c := got.RequiringCategories("BOB", flowAndClass); !slices.Equal(c, []PolicyCategory{CatAutomation}) {
		t.Fatalf("bob is required by %v; want Automation", c)
	}
	if c := got.RequiringCategories("bob", flowAndClass[1:]); c != nil {
		t.Fatalf("bob is required by %v for an Apex class alone; want none", c)
	}
	if by := got.RequiredBy("bob", flowAndClass); by != "Automation" {
		t.Fatalf("bob is required by %q; want Automation", by)
	}
	if c := got.RequiringCategories("carol", flowAndClass); c != nil {
		t.Fatalf("carol is required by %v; want none", c)
	}
}

func TestJudgeByLevel(t *testing.T) {
	flow := metadata.Component{Type: "Flow", FullName: "Invoice_Approval"}
	since := t0
	later := t0.Add(time.Hour)
	approved := ChangeRequest{ID: 1, Env: "production", Customizations: []metadata.Component{flow}, ApprovalStatus: ApprovalApproved, CompletionStatus: CompletionInProgress}
	pending := approved
	pending.ApprovalStatus = ApprovalPending
	synced := approved
	synced.Children = []int64{2}
	pushBack := DeploymentRecord{ID: 7, CR: 1, Source: "uat", Target: "production", Components: []metadata.Component{flow}, Status: DeployDraft}
	byRelman := DeploymentRecord{ID: 8, CR: 1, Source: "uat", Target: "production", Components: []metadata.Component{flow}, Status: DeployDeployed, ApprovalStatus: ApprovalApproved, UpdatedAt: later}
	oldDeploy := byRelman
	oldDeploy.UpdatedAt = since.Add(-time.Hour)

	cases := []struct {
		name   string
		crs    []ChangeRequest
		deps   []DeploymentRecord
		want   map[Level]ComplianceStatus
		reason string
	}{
		{"no change request", nil, nil, map[Level]ComplianceStatus{LevelLogOnly: StatusCompliant,
			LevelChangeRequest: StatusNonCompliant, LevelSandbox: StatusNonCompliant, LevelFull: StatusNonCompliant}, "no change request"},
		{"pending change request", []ChangeRequest{pending}, nil, map[Level]ComplianceStatus{LevelLogOnly: StatusCompliant,
			LevelChangeRequest: StatusNonCompliant, LevelSandbox: StatusNonCompliant, LevelFull: StatusNonCompliant}, "not approved"},
		{"approved change request", []ChangeRequest{approved}, nil, map[Level]ComplianceStatus{LevelLogOnly: StatusCompliant,
			LevelChangeRequest: StatusCompliant, LevelSandbox: StatusNonCompliant, LevelFull: StatusNonCompliant}, ""},
		{"approved through a sandbox", []ChangeRequest{synced}, []DeploymentRecord{pushBack}, map[Level]ComplianceStatus{LevelLogOnly: StatusCompliant,
			LevelChangeRequest: StatusCompliant, LevelSandbox: StatusCompliant, LevelFull: StatusNonCompliant}, ""},
		{"deployed before the previous snapshot", []ChangeRequest{approved}, []DeploymentRecord{oldDeploy}, map[Level]ComplianceStatus{LevelLogOnly: StatusCompliant,
			LevelChangeRequest: StatusCompliant, LevelSandbox: StatusNonCompliant, LevelFull: StatusNonCompliant}, ""},
		{"delivered by relman", nil, []DeploymentRecord{byRelman}, map[Level]ComplianceStatus{LevelLogOnly: StatusCompliant,
			LevelChangeRequest: StatusCompliant, LevelSandbox: StatusCompliant, LevelFull: StatusCompliant}, "delivered by relman deployment DR-0008"},
	}
	rolledBack := Rollback{ID: 2, Deployment: 8, Target: "production", Status: RollbackDone, UpdatedAt: later,
		Items: []RollbackItem{{Component: flow}}}
	for _, level := range Levels {
		cl := Judge(ChangeLog{ID: 1, Env: "production", Component: flow, Kind: KindChanged}, level,
			Evidence{Env: "production", Since: since, Rollbacks: []Rollback{rolledBack}})
		if cl.Status != StatusCompliant || !cl.ByRelman || cl.CoveredBy != "RB-0002" {
			t.Errorf("restored by a rollback at %s: %+v", level, cl)
		}
	}
	for _, tc := range cases {
		for _, level := range Levels {
			cl := ChangeLog{ID: 1, Env: "production", Component: flow, Kind: KindChanged, Category: CatAutomation}
			got := Judge(cl, level, Evidence{Env: "production", Since: since, CRs: tc.crs, Deployments: tc.deps})
			if got.Status != tc.want[level] {
				t.Errorf("%s at %s: %s (%s), want %s", tc.name, level, got.Status, got.Reason, tc.want[level])
			}
			if got.Reason == "" || got.Level != level {
				t.Errorf("%s at %s: no reason or level: %+v", tc.name, level, got)
			}
			if level == LevelFull && got.Status == StatusNonCompliant && !strings.Contains(got.Reason, "level full needs") {
				t.Errorf("%s at full: reason %q does not name the level", tc.name, got.Reason)
			}
			if tc.reason != "" && (level == LevelChangeRequest || got.ByRelman) && !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("%s at %s: reason %q lacks %q", tc.name, level, got.Reason, tc.reason)
			}
		}
	}
}

func TestResolveChangeLog(t *testing.T) {
	flow := metadata.Component{Type: "Flow", FullName: "Invoice_Approval"}
	cl := ChangeLog{ID: 3, Env: "production", Component: flow, Status: StatusNonCompliant}
	cr := ChangeRequest{ID: 1, Env: "production", Customizations: []metadata.Component{flow}, ApprovalStatus: ApprovalApproved}
	if _, _, err := ResolveChangeLog(cl, policyUsers(), "alice", &cr, "ok", t0); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("alice (no approver) resolved: %v", err)
	}
	if _, _, err := ResolveChangeLog(cl, policyUsers(), "bob", &cr, " ", t0); err == nil {
		t.Fatal("resolved without a note")
	}
	other := cr
	other.Customizations = nil
	if _, _, err := ResolveChangeLog(cl, policyUsers(), "bob", &other, "ok", t0); err == nil {
		t.Fatal("resolved with a CR that does not contain the component")
	}
	pending := cr
	pending.ApprovalStatus = ApprovalPending
	if _, _, err := ResolveChangeLog(cl, policyUsers(), "bob", &pending, "ok", t0); !errors.Is(err, ErrNotApproved) {
		t.Fatalf("resolved with a pending CR: %v", err)
	}
	got, ch, err := ResolveChangeLog(cl, policyUsers(), "bob", &cr, "hotfix approved after the fact", t0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusResolved || got.CoveredBy != "CR-0001" || ch.EntityID != "CH-0003" || ch.Details["cr"] != "CR-0001" {
		t.Fatalf("resolved %+v change %+v", got, ch)
	}
	if _, _, err := ResolveChangeLog(got, policyUsers(), "bob", nil, "again", t0); err == nil {
		t.Fatal("a resolved change was resolved again")
	}
}

func TestComplianceReport(t *testing.T) {
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	cls := []ChangeLog{
		{ID: 1, Category: CatAutomation, Status: StatusNonCompliant, Who: "Pat", DetectedAt: at(1)},
		{ID: 2, Category: CatAutomation, Status: StatusResolved, Who: "Pat", DetectedAt: at(2), ResolvedAt: at(6)},
		{ID: 3, Category: CatCodeData, Status: StatusCompliant, Who: "Sim Admin", DetectedAt: at(3)},
		{ID: 4, Category: CatCodeData, Status: StatusResolved, DetectedAt: at(4), ResolvedAt: at(6)},
		{ID: 5, Category: CatCodeData, Status: StatusNonCompliant, DetectedAt: at(30)}, // after the period
	}
	r := BuildComplianceReport(cls, t0, at(24))
	if r.Total != 4 || r.Resolved != 2 || r.MeanResolution != 3*time.Hour || r.MaxResolution != 4*time.Hour || len(r.Open) != 1 {
		t.Fatalf("report %+v", r)
	}
	if len(r.ByCategory) != 2 || r.ByCategory[0].Category != CatCodeData || r.ByCategory[1].Counts[StatusResolved] != 1 {
		t.Fatalf("by category %+v", r.ByCategory)
	}
	if r.ByWho[0] != (WhoCount{Who: "Pat", Changes: 2, NonCompliant: 2}) || r.ByWho[1].Who != "(unknown)" {
		t.Fatalf("by who %+v", r.ByWho)
	}
}
