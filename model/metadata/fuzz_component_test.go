package metadata

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParseComponent feeds CLI component references (`--component
// Type:FullName`, `relman diff … Type:FullName`, `rollback new --component`)
// to ParseComponent and Validate, the two functions that stand between what
// an admin types and what relman stores: neither may panic, a parsed
// component must print back to itself, and a component Validate accepts
// must be one relman can store and name again.
func FuzzParseComponent(f *testing.F) {
	for _, s := range []string{
		"CustomField:Account.Region__c", "ApexClass:InvoiceService", "CustomLabel:Greeting",
		"Layout:Invoice__c-Invoice Layout", "Report:unfiled$public/Q1", "Document:Shared_Docs/Logo.png",
		"CustomObjectTranslation:Account-fr", "QuickAction:Account.New_Contact", "CustomTab:standard-Account",
		"CustomMetadata:Region_Setting.EMEA", "Profile:Custom Sales Profile", "ValidationRule:Invoice__c.Due_Date_Required",
		"  ApexClass : Foo  ", "ApexClass:", ":Foo", "Apex Class:Foo", "CustomFeld:Account.X__c", "ApexClass:*",
		"ApexClass:a:b", "CustomField:Due_Date__c", "Layout:Account-", "ApexClass:Foo\x00", "Profile:Admin\xff",
		"LightningComponentBundle:MyCmp", "ApexClass:" + strings.Repeat("A", 41), "ns__Obj__c", "Dashboard:F/D",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseComponent(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "component ") {
				t.Fatalf("ParseComponent(%q): error %q does not name the component", s, err)
			}
			return
		}
		if !isIdentifier(c.Type) {
			t.Fatalf("ParseComponent(%q) = %#v: the type is not an identifier", s, c)
		}
		if c.FullName == "" || c.FullName != strings.TrimSpace(c.FullName) {
			t.Fatalf("ParseComponent(%q) = %#v: empty or untrimmed full name", s, c)
		}
		back, err := ParseComponent(c.String())
		if err != nil || back != c {
			t.Fatalf("ParseComponent(%q) = %#v prints as %q, which parses to %#v, %v", s, c, c.String(), back, err)
		}
		verr := Validate(c)
		if verr != nil {
			if !strings.Contains(verr.Error(), c.Type) {
				t.Fatalf("Validate(%s): error %q does not name the type", c, verr)
			}
			return
		}
		if _, ok := LookupType(c.Type); !ok {
			t.Fatalf("Validate accepted %s of an unknown type", c)
		}
		if c.FullName == "*" || strings.IndexFunc(c.FullName, unicode.IsControl) >= 0 {
			t.Fatalf("Validate accepted %q: a wildcard or a control character", c.String())
		}
		if err := Validate(back); err != nil {
			t.Fatalf("Validate is not deterministic for %s: %v", c, err)
		}
	})
}
