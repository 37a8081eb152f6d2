package metadata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReferencesOfTheSampleOrg scans the uat sample org and checks the
// references a careful reviewer would name for each kind of component.
func TestReferencesOfTheSampleOrg(t *testing.T) {
	items, err := ReadSourceTree(os.DirFS(filepath.Join("..", "..", "testdata", "orgs", "uat", "force-app", "main", "default")))
	if err != nil {
		t.Fatal(err)
	}
	byComp := map[string]map[string]bool{}
	for _, it := range items {
		refs, err := References(it)
		if err != nil {
			t.Fatalf("%s: %v", it.Component, err)
		}
		set := map[string]bool{}
		for _, r := range refs {
			if r.From != it.Component {
				t.Fatalf("%s: reference from %s", it.Component, r.From)
			}
			set[r.To.String()] = true
		}
		byComp[it.Component.String()] = set
	}
	want := map[string][]string{
		"CustomField:Invoice__c.Due_Date__c":                    {"CustomObject:Invoice__c"},
		"CustomField:Invoice__c.Account__c":                     {"CustomObject:Invoice__c"},
		"Layout:Invoice__c-Invoice Layout":                      {"CustomObject:Invoice__c", "CustomField:Invoice__c.Due_Date__c"},
		"PermissionSet:Invoice_Manager":                         {"CustomField:Invoice__c.Due_Date__c", "CustomField:Account.Region__c"},
		"Profile:Admin":                                         {"ApexClass:InvoiceService"},
		"ApexTrigger:InvoiceTrigger":                            {"CustomObject:Invoice__c"},
		"ApexClass:InvoiceServiceTest":                          {"ApexClass:InvoiceService", "CustomObject:Invoice__c"},
		"Flow:Invoice_Before_Save":                              {"CustomObject:Invoice__c"},
		"ValidationRule:Invoice__c.Due_Date_After_Invoice_Date": {"CustomObject:Invoice__c"},
	}
	for comp, refs := range want {
		got, ok := byComp[comp]
		if !ok {
			t.Errorf("%s is not in the sample org", comp)
			continue
		}
		for _, r := range refs {
			if !got[r] {
				t.Errorf("%s does not reference %s; it references %v", comp, r, keysOf(got))
			}
		}
	}
	// Standard objects always exist: naming them would only add noise.
	for comp, got := range byComp {
		if got["CustomObject:Account"] {
			t.Errorf("%s references the standard object Account", comp)
		}
	}
}

func TestReferencesInFlowRecordOperations(t *testing.T) {
	flow := `<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <recordUpdates>
        <name>Mark</name>
        <filters><field>Status__c</field><operator>EqualTo</operator></filters>
        <inputAssignments><field>Paid_On__c</field></inputAssignments>
        <object>Invoice__c</object>
    </recordUpdates>
    <recordLookups>
        <name>Find</name>
        <object>Account</object>
        <queriedFields>Region__c</queriedFields>
        <queriedFields>Name</queriedFields>
    </recordLookups>
</Flow>
`
	it := Item{Component: Component{Type: "Flow", FullName: "F"}, Files: []File{memFile("flows/F.flow-meta.xml", []byte(flow), false)}}
	refs, err := References(it)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.To.String())
	}
	want := "CustomField:Account.Region__c CustomField:Invoice__c.Paid_On__c CustomField:Invoice__c.Status__c CustomObject:Invoice__c"
	if strings.Join(got, " ") != want {
		t.Fatalf("flow references %v\nwant %s", got, want)
	}
	if _, err := References(Item{Component: it.Component, Files: []File{memFile("flows/F.flow-meta.xml", []byte("<Flow><oops></Flow>"), false)}}); err == nil {
		t.Fatal("malformed XML gave no error")
	}
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestApexMembersAreNotObjects(t *testing.T) {
	code := "public class A {\n  void f(Invoice__c inv) { inv.Amount__c = 1; Invoice__c.Status__c.getDescribe(); B.run(); }\n}\n"
	refs, err := References(Item{Component: Component{Type: "ApexClass", FullName: "A"}, Files: []File{memFile("classes/A.cls", []byte(code), false)}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range refs {
		got = append(got, r.To.String())
	}
	want := "ApexClass:B CustomField:Invoice__c.Amount__c CustomField:Invoice__c.Status__c CustomObject:Invoice__c"
	if strings.Join(got, " ") != want {
		t.Fatalf("references %v\nwant %s", got, want)
	}
}
