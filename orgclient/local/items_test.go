package local

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"relman/model/metadata"
)

func TestTestdataOrgsHoldWhatTheReadmeSays(t *testing.T) {
	orgs := []string{"production", "uat", "dev"}
	sets := map[string]map[metadata.Component]bool{}
	for _, name := range orgs {
		sets[name] = componentSet(mustItems(t, mustOpen(t, orgDir(name)), Filter{}))
	}
	for _, tc := range []struct {
		component string
		in        [3]bool // production, uat, dev
	}{
		{"CustomField:Invoice__c.Due_Date__c", [3]bool{false, true, true}},
		{"CustomField:Account.Region__c", [3]bool{false, true, true}},
		{"CustomField:Invoice__c.Discount_Percent__c", [3]bool{false, false, true}},
		{"ValidationRule:Invoice__c.Due_Date_After_Invoice_Date", [3]bool{false, true, true}},
		{"CustomLabel:Invoice_Overdue_Message", [3]bool{false, true, true}},
		{"ListView:Invoice__c.Legacy_Unpaid", [3]bool{true, false, false}},
		{"ApexClass:InvoiceLegacyExport", [3]bool{true, false, false}},
		{"CustomField:Invoice__c.Status__c", [3]bool{true, true, true}},
		{"CustomObject:Invoice__c", [3]bool{true, true, true}},
		{"CustomObject:Account", [3]bool{true, true, true}},
		{"CustomLabel:Invoice_Paid_Message", [3]bool{true, true, true}},
		{"Profile:Finance User", [3]bool{true, true, true}},
		{"Layout:Invoice__c-Invoice Layout", [3]bool{true, true, true}},
		{"LightningComponentBundle:invoiceSummary", [3]bool{true, true, true}},
		{"StaticResource:InvoiceStyles", [3]bool{true, true, true}},
		{"RecordType:Invoice__c.Standard", [3]bool{true, true, true}},
		{"CompactLayout:Invoice__c.Invoice_Compact", [3]bool{true, true, true}},
		{"Flow:Invoice_Before_Save", [3]bool{true, true, true}},
		{"CustomLabels:CustomLabels", [3]bool{false, false, false}}, // labels are listed one by one
	} {
		for i, name := range orgs {
			if got := sets[name][comp(tc.component)]; got != tc.in[i] {
				t.Errorf("%s in %s = %v; want %v", tc.component, name, got, tc.in[i])
			}
		}
	}
}

func TestEachCustomLabelIsItsOwnComponent(t *testing.T) {
	items := mustItems(t, mustOpen(t, orgDir("production")), Filter{Types: []string{"CustomLabel"}})
	var names []string
	for _, it := range items {
		names = append(names, it.Component.FullName)
		if len(it.Files) != 1 || !it.Files[0].Fragment || it.Files[0].Path != "labels/CustomLabels.labels-meta.xml" {
			t.Errorf("%s: files %+v; want one fragment of labels/CustomLabels.labels-meta.xml", it.Component, it.Files)
			continue
		}
		data, err := metadata.ReadFile(it.Files[0])
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), "<fullName>"); n != 1 || !strings.Contains(string(data), "<fullName>"+it.Component.FullName+"</fullName>") {
			t.Errorf("%s: fragment holds %d labels:\n%s", it.Component, n, data)
		}
	}
	want := []string{"Invoice_Amount_Label", "Invoice_Paid_Message", "Invoice_Summary_Title", "Invoice_Tax_Label", "Invoice_Void_Error"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("labels = %v; want %v", names, want)
	}
}

// TestTestdataDifferences pins the differences testdata/orgs/README.md
// promises, so that other packages' tests can rely on them.
func TestTestdataDifferences(t *testing.T) {
	read := func(name string) map[metadata.Component]map[string]string {
		return contents(t, mustItems(t, mustOpen(t, orgDir(name)), Filter{}))
	}
	prod, uat, dev := read("production"), read("uat"), read("dev")
	for _, tc := range []struct {
		name                 string
		source, target       map[metadata.Component]map[string]string
		onlySource, onlyTarg []string
		different            []string
		reordered            []string // different, but the same lines in another order
	}{
		{
			name: "uat against production", source: uat, target: prod,
			onlySource: []string{"CustomField:Account.Region__c", "CustomField:Invoice__c.Due_Date__c", "CustomLabel:Invoice_Overdue_Message", "ValidationRule:Invoice__c.Due_Date_After_Invoice_Date"},
			onlyTarg:   []string{"ApexClass:InvoiceLegacyExport", "ListView:Invoice__c.Legacy_Unpaid"},
			different:  []string{"ApexClass:InvoiceService", "ApexClass:InvoiceServiceTest", "CustomLabel:Invoice_Paid_Message", "Flow:Invoice_Before_Save", "Layout:Account-Account Layout", "Layout:Invoice__c-Invoice Layout", "PermissionSet:Invoice_Manager", "Profile:Admin", "Profile:Finance User"},
			reordered:  []string{"Profile:Finance User"},
		},
		{
			name: "dev against uat", source: dev, target: uat,
			onlySource: []string{"CustomField:Invoice__c.Discount_Percent__c"},
			different:  []string{"LightningComponentBundle:invoiceSummary"},
		},
	} {
		var onlySource, onlyTarget, different, reordered []string
		for c, files := range tc.source {
			other, ok := tc.target[c]
			switch {
			case !ok:
				onlySource = append(onlySource, c.String())
			case !reflect.DeepEqual(files, other):
				different = append(different, c.String())
				if sameLines(files, other) {
					reordered = append(reordered, c.String())
				}
			}
		}
		for c := range tc.target {
			if _, ok := tc.source[c]; !ok {
				onlyTarget = append(onlyTarget, c.String())
			}
		}
		for _, l := range []struct {
			what      string
			got, want []string
		}{
			{"only in source", onlySource, tc.onlySource},
			{"only in target", onlyTarget, tc.onlyTarg},
			{"different", different, tc.different},
			{"reordered only", reordered, tc.reordered},
		} {
			sort.Strings(l.got)
			if strings.Join(l.got, "\n") != strings.Join(l.want, "\n") {
				t.Errorf("%s, %s:\n got %v\nwant %v", tc.name, l.what, l.got, l.want)
			}
		}
	}
}

// sameLines reports whether two versions of a component hold the same
// lines, in any order.
func sameLines(a, b map[string]string) bool {
	lines := func(m map[string]string) []string {
		var out []string
		for p, s := range m {
			for _, l := range strings.Split(s, "\n") {
				out = append(out, p+":"+l)
			}
		}
		sort.Strings(out)
		return out
	}
	return reflect.DeepEqual(lines(a), lines(b))
}

func TestFilters(t *testing.T) {
	o := mustOpen(t, orgDir("uat"))
	names := func(f Filter) []string {
		var out []string
		for _, it := range mustItems(t, o, f) {
			out = append(out, it.Component.String())
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"a parent type keeps only the parents", Filter{Types: []string{"CustomObject"}},
			[]string{"CustomObject:Account", "CustomObject:Invoice__c"}},
		{"several types", Filter{Types: []string{"ValidationRule", "ApexTrigger"}},
			[]string{"ApexTrigger:InvoiceTrigger", "ValidationRule:Invoice__c.Amount_Must_Be_Positive", "ValidationRule:Invoice__c.Due_Date_After_Invoice_Date", "ValidationRule:Invoice__c.Paid_Invoice_Is_Locked"}},
		{"exact components; absent ones are simply not there", Filter{Components: []metadata.Component{comp("CustomLabel:Invoice_Overdue_Message"), comp("CustomField:Account.Region__c"), comp("ApexClass:InvoiceLegacyExport")}},
			[]string{"CustomField:Account.Region__c", "CustomLabel:Invoice_Overdue_Message"}},
		{"types and components narrow each other", Filter{Types: []string{"CustomField"}, Components: []metadata.Component{comp("CustomLabel:Invoice_Overdue_Message"), comp("CustomField:Account.Region__c")}},
			[]string{"CustomField:Account.Region__c"}},
	} {
		if got := names(tc.filter); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v\nwant %v", tc.name, got, tc.want)
		}
	}
	if all := names(Filter{}); len(all) != 43 {
		t.Errorf("the empty filter kept %d components; want all 43", len(all))
	}
	_, err := o.Items(context.Background(), Filter{Types: []string{"ApexClas"}})
	if err == nil || !strings.Contains(err.Error(), `"ApexClas"`) || !strings.Contains(err.Error(), "ApexClass") {
		t.Errorf("unknown type gave %v; want an error naming it and suggesting ApexClass", err)
	}
	if _, err := o.Items(context.Background(), Filter{ExcludeNamespaces: []string{"  "}}); err == nil {
		t.Error("a blank namespace was accepted")
	}
}

func TestExcludeNamespaces(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, merge(
		classFiles("", "Mine"),
		classFiles("", "acme__Helper"),
		map[string]string{
			"objects/acme__Invoice__c/fields/acme__Total__c.field-meta.xml": fieldXML("acme__Total__c"),
			"objects/acme__Invoice__c/fields/Notes__c.field-meta.xml":       fieldXML("Notes__c"),
			"objects/Account/fields/acme__Score__c.field-meta.xml":          fieldXML("acme__Score__c"),
			"objects/Account/fields/Beta__Score__c.field-meta.xml":          fieldXML("Beta__Score__c"),
			"objects/Account/fields/Region__c.field-meta.xml":               fieldXML("Region__c"),
		}))
	o := mustOpen(t, dir)
	var got []string
	for _, it := range mustItems(t, o, Filter{ExcludeNamespaces: []string{"acme__", "BETA"}}) {
		got = append(got, it.Component.String())
	}
	want := []string{"ApexClass:Mine", "CustomField:Account.Region__c", "CustomField:acme__Invoice__c.Notes__c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}
