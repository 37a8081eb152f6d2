package local

import (
	"context"
	"testing"

	"relman/model/metadata"
)

// An org opened once and used for long (the simulator, the UI) lists the
// directory as it is at each call, not as it was at Open.
func TestListingsSeeTheDirectoryAsItIsNow(t *testing.T) {
	dir := copyOrg(t, "production")
	o := mustOpen(t, dir)
	before := len(mustItems(t, mustOpen(t, dir), Filter{}))
	writeTree(t, dir+"/force-app/main/default/classes", map[string]string{
		"Added.cls":          "public class Added {}\n",
		"Added.cls-meta.xml": "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n",
	})
	if got := len(mustItems(t, o, Filter{})); got != before+1 {
		t.Fatalf("listing after adding a class has %d components, want %d", got, before+1)
	}
	label := metadata.Component{Type: "CustomLabel", FullName: "Invoice_Paid_Message"}
	if err := o.Delete(context.Background(), []metadata.Component{label}); err != nil {
		t.Fatal(err)
	}
	if d := mustDescribe(t, o); d.Components != before {
		t.Fatalf("Describe after adding a class and deleting a label counts %d components, want %d", d.Components, before)
	}
}
