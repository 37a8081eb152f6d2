package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"relman/model/metadata"
)

// Open's reading serves only the first listing: later listings, and any
// listing after a Write, see the directory as it is now.
func TestOpenReadingServesOnlyTheFirstListing(t *testing.T) {
	dir := copyOrg(t, "production")
	o := mustOpen(t, dir)
	first := len(mustItems(t, o, Filter{}))
	cls := filepath.Join(dir, "force-app", "main", "default", "classes")
	writeTree(t, cls, map[string]string{
		"Added.cls":          "public class Added {}\n",
		"Added.cls-meta.xml": "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n",
	})
	if got := len(mustItems(t, o, Filter{})); got != first+1 {
		t.Fatalf("second listing has %d components, want %d: it reused a stale reading", got, first+1)
	}

	o = mustOpen(t, dir)
	label := metadata.Component{Type: "CustomLabel", FullName: "Invoice_Paid_Message"}
	if err := o.Delete(context.Background(), []metadata.Component{label}); err != nil {
		t.Fatal(err)
	}
	for _, it := range mustItems(t, o, Filter{}) {
		if it.Component == label {
			t.Fatal("the listing after Delete still holds the deleted label")
		}
	}
	if _, err := os.Stat(filepath.Join(cls, "Added.cls")); err != nil {
		t.Fatal(err)
	}
}
