package metadata

import "testing"

func mustParse(t *testing.T, s string) Component {
	t.Helper()
	c, err := ParseComponent(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNamespace(t *testing.T) {
	for _, tc := range []struct{ component, want string }{
		{"CustomObject:acme__Thing__c", "acme"},
		{"CustomObject:Thing__c", ""},
		{"CustomObject:Account", ""},
		{"CustomField:Account.acme__Score__c", "acme"},
		{"CustomField:acme__Thing__c.Notes__c", ""},
		{"CustomField:Account.Region__c", ""},
		{"ApexClass:acme__Util", "acme"},
		{"ApexClass:InvoiceService", ""},
		{"Layout:acme__Thing__c-acme__Thing Layout", "acme"},
		{"Layout:acme__Thing__c-Thing Layout", ""},
		{"Layout:Account-Account Layout", ""},
		{"Report:acme__Reports/acme__Pipeline", "acme"},
		{"Report:Sales/Pipeline", ""},
		{"Document:Shared/acme__Logo.png", "acme"},
		{"CustomMetadata:acme__Setting__mdt.Default", ""},
		{"CustomLabel:acme__Greeting", "acme"},
		{"CustomObject:Invoice__History", ""},
		{"PlatformEventChannel:acme__Orders__chn", "acme"},
	} {
		if got := Namespace(mustParse(t, tc.component)); got != tc.want {
			t.Errorf("Namespace(%s) = %q; want %q", tc.component, got, tc.want)
		}
	}
}
