package metadata

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []string{
		"CustomObject:Invoice__c", "CustomObject:Account", "CustomObject:ns__Invoice__c",
		"CustomObject:Region_Setting__mdt", "CustomObject:Order_Event__e", "CustomObject:Archive__b", "CustomObject:Ext__x",
		"CustomField:Account.Region__c", "CustomField:Account.Name", "CustomField:Invoice__c.Amount__c",
		"CustomField:ns__Invoice__c.ns__Amount__c", "CustomField:Region_Setting__mdt.Currency__c",
		"ValidationRule:Account.Region_Required", "RecordType:Account.Partner", "ListView:Invoice__c.All",
		"WebLink:Account.Open_Map", "CompactLayout:Account.Compact", "FieldSet:Account.Key_Fields",
		"BusinessProcess:Opportunity.Standard Sales", "SharingReason:Invoice__c.Approver__c", "Index:Archive__b.By_Date",
		"ApexClass:AccountService", "ApexClass:ns__Util", "ApexClass:" + strings.Repeat("A", 40), "ApexTrigger:AccountTrigger",
		"Layout:Account-Account Layout", "Layout:ns__Invoice__c-ns__Invoice Layout",
		"Flow:Onboard_Account", "PermissionSet:Sales_Ops", "Profile:Admin", "Profile:Custom Sales Profile",
		"CustomLabel:Greeting_Text", "CustomLabels:CustomLabels",
		"LightningComponentBundle:accountCard", "LightningComponentBundle:card2", "AuraDefinitionBundle:LegacyCmp",
		"WorkflowRule:Account.Set Region", "WorkflowFieldUpdate:Invoice__c.Mark_Sent", "SharingCriteriaRule:Account.EMEA",
		"AssignmentRule:Case.Standard", "Report:Sales/Q1_Pipeline", "Report:Sales/Sub/Q1", "Report:unfiled$public/My_Report",
		"ReportFolder:Sales", "ReportFolder:Sales/Sub", "Dashboard:Exec/Overview", "Document:Public/Logo.png",
		"EmailTemplate:Billing/Invoice_Ready", "EmailFolder:Billing",
		"CustomMetadata:Region_Setting.EMEA", "CustomObjectTranslation:Account-fr", "CustomObjectTranslation:Invoice__c-en_US",
		"QuickAction:Account.New_Contact", "QuickAction:Log_a_Call", "CustomTab:Invoice__c", "CustomTab:standard-Account",
		"CustomTab:My_Web_Tab", "StaticResource:brand", "Settings:Account", "Translations:fr", "GlobalValueSet:Regions",
		"LightningMessageChannel:Record_Selected", "ExperienceBundle:portal1",
	}
	for _, s := range good {
		c, err := ParseComponent(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(c); err != nil {
			t.Errorf("Validate(%s) = %v, want nil", s, err)
		}
	}
	bad := []struct {
		c    string
		want string // substrings of the error
	}{
		{"CustomFeld:Account.X__c", "did you mean CustomField?"},
		{"customfield:Account.X__c", "did you mean CustomField?"},
		{"CustomField:Region__c", "expected Object.Field"},
		{"CustomField:Invoice__c.Amount", "custom fields end in __c"},
		{"CustomField:Account.Region_", "e.g. CustomField:Account.Region__c"},
		{"CustomField:Account.Re gion__c", "letters, digits and underscores"},
		{"CustomObject:Invoice__z", "custom object names end in __c"},
		{"CustomObject:1Invoice__c", "must start with a letter"},
		{"CustomObject:Invoice_c_", "must not end with"},
		{"ValidationRule:Account", "expected Parent.Child"},
		{"ValidationRule:Account.Bad Name", "letters, digits and underscores"},
		{"RecordType:Account.", "empty name part"},
		{"ApexClass:" + strings.Repeat("A", 41), "at most 40"},
		{"ApexClass:Foo__Bar__Baz", "double underscore"},
		{"ApexClass:_Foo", "must start with a letter"},
		{"ApexTrigger:Foo-Bar", "letters, digits and underscores"},
		{"Layout:Account Layout", "expected Object-Layout Name"},
		{"Layout:Acc__x__y-Layout", "custom object names end in __c"},
		{"Flow:My Flow", "letters, digits and underscores"},
		{"PermissionSet:Sales-Ops", "letters, digits and underscores"},
		{"Profile:Sales/EMEA", "\"/\""},
		{"CustomLabel:Greeting Text", "e.g. CustomLabel:Greeting_Text"},
		{"CustomLabels:Labels", "CustomLabels"},
		{"LightningComponentBundle:AccountCard", "lowercase"},
		{"LightningComponentBundle:account-card", "letters, digits and underscores"},
		{"WorkflowRule:Set Region", "expected Parent.Child"},
		{"Report:Q1_Pipeline", "ReportFolder:Q1_Pipeline"},
		{"Report:Sales/Q1 Pipeline", "letters, digits and underscores"},
		{"CustomMetadata:Region_Setting__mdt.EMEA", "without __mdt"},
		{"CustomFieldTranslation:Account-fr.Name", "part of its CustomObjectTranslation"},
		{"ApexClass:*", "wildcard"},
		{"ApexClass: Foo", "leading or trailing spaces"},
		{"ApexClass:Foo\x01", "control character"},
		{"Settings:Sub/Account", "\"/\" is allowed only"},
	}
	for _, tc := range bad {
		typ, name, _ := strings.Cut(tc.c, ":")
		c := Component{Type: typ, FullName: name}
		err := Validate(c)
		if err == nil {
			t.Errorf("Validate(%q) = nil, want an error containing %q", tc.c, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%q) = %q, want it to contain %q", tc.c, err, tc.want)
		}
		if !strings.Contains(err.Error(), typ) {
			t.Errorf("Validate(%q) = %q: the error must name the component", tc.c, err)
		}
	}
}

func TestUnknownTypeSuggestions(t *testing.T) {
	cases := map[string][]string{
		"CustomFeld":   {"CustomField"},
		"apexclass":    {"ApexClass"},
		"Field":        {"CustomField"},
		"Fields":       {"FieldSet"},
		"Zzzzzzzzzzzz": nil,
	}
	for in, want := range cases {
		err := Validate(Component{Type: in, FullName: "X"})
		var ute *UnknownTypeError
		if !errors.As(err, &ute) {
			t.Fatalf("Validate with type %q: %v, want *UnknownTypeError", in, err)
		}
		if len(want) == 0 {
			if len(ute.Suggestions) != 0 {
				t.Errorf("%q: suggestions %v, want none", in, ute.Suggestions)
			}
			continue
		}
		if len(ute.Suggestions) == 0 || ute.Suggestions[0] != want[0] {
			t.Errorf("%q: suggestions %v, want %v first", in, ute.Suggestions, want[0])
		}
	}
}
