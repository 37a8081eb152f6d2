package sim

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOutOfBandEdits: a file changed in the org's directory behind the
// simulator's back is an edit made in Setup: listMetadata reports it with
// a new lastModifiedDate and the editor's name, and deletions show in the
// Setup Audit Trail.
func TestOutOfBandEdits(t *testing.T) {
	dir := copyOrg(t, "production")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := startSim(t, Config{Dir: dir, AdminName: "Pat Admin"})
	s.now = func() time.Time { return start }
	c := newClient(t, s)
	flowOf := func() tFileProperties {
		t.Helper()
		got := call[tFileProperties](c, styleJSForce, "listMetadata", "<queries><type>Flow</type></queries><asOfVersion>62.0</asOfVersion>")
		if len(got) != 1 {
			t.Fatalf("flows listed: %+v", got)
		}
		return got[0]
	}
	before := flowOf()
	if before.LastModifiedBy != DefaultAdminName {
		t.Fatalf("untouched flow modified by %q", before.LastModifiedBy)
	}

	flow := filepath.Join(dir, "force-app/main/default/flows/Invoice_Before_Save.flow-meta.xml")
	body, err := os.ReadFile(flow)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(flow, append(body, "<!-- edited in Setup -->\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return start.Add(time.Hour) }
	after := flowOf()
	if after.LastModifiedBy != "Pat Admin" || after.LastModifiedDate == before.LastModifiedDate {
		t.Fatalf("edited flow: by %q at %s (before %s)", after.LastModifiedBy, after.LastModifiedDate, before.LastModifiedDate)
	}

	// The sidecar names who made the next edit.
	if err := os.WriteFile(filepath.Join(dir, AdminSidecar), []byte("Dana Setup\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "force-app/main/default/objects/Account/fields/Customer_Tier__c.field-meta.xml")); err != nil {
		t.Fatal(err)
	}
	fields := call[tFileProperties](c, styleJSForce, "listMetadata", "<queries><type>CustomField</type></queries><asOfVersion>62.0</asOfVersion>")
	for _, f := range fields {
		if f.FullName == "Account.Customer_Tier__c" {
			t.Fatal("the deleted field is still listed")
		}
	}
	status, page, raw := c.soql("query", "SELECT Action, Display, CreatedDate, CreatedBy.Name FROM SetupAuditTrail")
	if status != http.StatusOK {
		t.Fatalf("SetupAuditTrail: %d %s", status, raw)
	}
	rows := records(page)
	if len(rows) != 2 {
		t.Fatalf("audit trail rows: %s", raw)
	}
	del := rows[1]
	if del["Action"] != "deletedCustomField" || del["Display"] != "Deleted CustomField Account.Customer_Tier__c" ||
		del["CreatedBy"].(map[string]any)["Name"] != "Dana Setup" {
		t.Fatalf("deletion row: %v", del)
	}
	if rows[0]["Display"] != "Changed Flow Invoice_Before_Save" || rows[0]["CreatedBy"].(map[string]any)["Name"] != "Pat Admin" {
		t.Fatalf("edit row: %v", rows[0])
	}
}
