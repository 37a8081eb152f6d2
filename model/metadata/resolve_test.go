package metadata

import (
	"strings"
	"testing"
)

func TestResolvePath(t *testing.T) {
	good := map[string]string{
		"classes/Foo.cls":                                                          "ApexClass:Foo",
		"classes/Foo.cls-meta.xml":                                                 "ApexClass:Foo",
		"classes/utils/Foo.cls":                                                    "ApexClass:Foo",
		"triggers/AccountTrigger.trigger":                                          "ApexTrigger:AccountTrigger",
		"pages/Invoice.page-meta.xml":                                              "ApexPage:Invoice",
		"lwc/myCmp/myCmp.js":                                                       "LightningComponentBundle:myCmp",
		"lwc/myCmp/__tests__/myCmp.test.js":                                        "LightningComponentBundle:myCmp",
		"aura/Old/OldController.js":                                                "AuraDefinitionBundle:Old",
		"experiences/portal1.site-meta.xml":                                        "ExperienceBundle:portal1",
		"experiences/portal1/views/home.json":                                      "ExperienceBundle:portal1",
		"objects/Account/Account.object-meta.xml":                                  "CustomObject:Account",
		"objects/Account/fields/X__c.field-meta.xml":                               "CustomField:Account.X__c",
		"objects/Invoice__c/validationRules/Pos.validationRule-meta.xml":           "ValidationRule:Invoice__c.Pos",
		"objects/Invoice__c/recordTypes/Std.recordType-meta.xml":                   "RecordType:Invoice__c.Std",
		"objects/Invoice__c/listViews/All.listView-meta.xml":                       "ListView:Invoice__c.All",
		"objects/Invoice__c/webLinks/Map.webLink-meta.xml":                         "WebLink:Invoice__c.Map",
		"objects/Invoice__c/compactLayouts/C.compactLayout-meta.xml":               "CompactLayout:Invoice__c.C",
		"objects/Invoice__c/fieldSets/F.fieldSet-meta.xml":                         "FieldSet:Invoice__c.F",
		"objects/Opportunity/businessProcesses/Std Sales.businessProcess-meta.xml": "BusinessProcess:Opportunity.Std Sales",
		"objects/Invoice__c/sharingReasons/Appr__c.sharingReason-meta.xml":         "SharingReason:Invoice__c.Appr__c",
		"objects/Archive__b/indexes/ByDate.index-meta.xml":                         "Index:Archive__b.ByDate",
		"objectTranslations/Account-fr/Account-fr.objectTranslation-meta.xml":      "CustomObjectTranslation:Account-fr",
		"objectTranslations/Account-fr/Name.fieldTranslation-meta.xml":             "CustomObjectTranslation:Account-fr",
		"labels/CustomLabels.labels-meta.xml":                                      "CustomLabels:CustomLabels",
		"workflows/Account.workflow-meta.xml":                                      "Workflow:Account",
		"sharingRules/Account.sharingRules-meta.xml":                               "SharingRules:Account",
		"assignmentRules/Case.assignmentRules-meta.xml":                            "AssignmentRules:Case",
		"staticresources/brand.resource-meta.xml":                                  "StaticResource:brand",
		"staticresources/brand/css/main.css":                                       "StaticResource:brand",
		"staticresources/settings.json":                                            "StaticResource:settings",
		"reports/Sales.reportFolder-meta.xml":                                      "ReportFolder:Sales",
		"reports/Sales/Sub.reportFolder-meta.xml":                                  "ReportFolder:Sales/Sub",
		"reports/Sales/Q1.report-meta.xml":                                         "Report:Sales/Q1",
		"reports/Sales/Sub/Q1.report-meta.xml":                                     "Report:Sales/Sub/Q1",
		"dashboards/Exec/Overview.dashboard-meta.xml":                              "Dashboard:Exec/Overview",
		"email/Billing.emailFolder-meta.xml":                                       "EmailFolder:Billing",
		"email/Billing/Ready.email":                                                "EmailTemplate:Billing/Ready",
		"email/Billing/Ready.email-meta.xml":                                       "EmailTemplate:Billing/Ready",
		"documents/Public/logo.png":                                                "Document:Public/logo.png",
		"documents/Public.documentFolder-meta.xml":                                 "DocumentFolder:Public",
		"customMetadata/Region_Setting.EMEA.md-meta.xml":                           "CustomMetadata:Region_Setting.EMEA",
		"profiles/Admin.profile-meta.xml":                                          "Profile:Admin",
		"layouts/Account-Account Layout.layout-meta.xml":                           "Layout:Account-Account Layout",
		"quickActions/Account.New_Contact.quickAction-meta.xml":                    "QuickAction:Account.New_Contact",
		"settings/Account.settings-meta.xml":                                       "Settings:Account",
		"flows/Onboard.flow-meta.xml":                                              "Flow:Onboard",
		"permissionsets/Sales.permissionset-meta.xml":                              "PermissionSet:Sales",
		"contentassets/logo.asset":                                                 "ContentAsset:logo",
		"translations/fr.translation-meta.xml":                                     "Translations:fr",
	}
	for p, want := range good {
		c, err := ResolvePath(p)
		if err != nil {
			t.Errorf("ResolvePath(%q): %v", p, err)
			continue
		}
		if c.String() != want {
			t.Errorf("ResolvePath(%q) = %s, want %s", p, c, want)
		}
	}
	bad := map[string]string{
		"":                                      "empty path",
		"/classes/Foo.cls":                      "relative",
		"classes/../Foo.cls":                    "clean relative path",
		`classes\Foo.cls`:                       "slash-separated",
		"bots/Foo.bot-meta.xml":                 "expected bots/<Name>/<Name>.bot-meta.xml",
		"widgets/Foo.widget-meta.xml":           "not a metadata directory",
		"classes":                               "a directory",
		"classes/Foo.txt":                       "ApexClass files are <Name>.cls",
		"profiles/Admin.profile":                "in source format it is Admin.profile-meta.xml",
		"objects/Account/Other.object-meta.xml": "expected objects/<Name>/<Name>.object-meta.xml",
		"objects/Account/widgets/X.widget-meta.xml": "not a child folder",
		"objects/Account/fields/X__c.xml":           "<Name>.field-meta.xml",
		"lwc/jsconfig.json":                         "components are folders",
		"reports/Q1.report-meta.xml":                "live in folders",
		"documents/Public/logo.document-meta.xml":   "resolve the content file",
		"staticresources/noext":                     "staticresources/<Name>.resource-meta.xml",
		"objectTranslations/Account-fr/x.txt":       "objectTranslations",
	}
	for p, want := range bad {
		_, err := ResolvePath(p)
		if err == nil {
			t.Errorf("ResolvePath(%q) = nil error, want one containing %q", p, want)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ResolvePath(%q) = %q, want it to contain %q", p, err, want)
		}
		if p != "" && !strings.HasPrefix(err.Error(), p) {
			t.Errorf("ResolvePath(%q) = %q: the error must start with the path", p, err)
		}
	}
}

func TestResolveMDAPIPath(t *testing.T) {
	cases := map[string]struct{ comp, source string }{
		"classes/Foo.cls":                       {"ApexClass:Foo", "classes/Foo.cls"},
		"classes/Foo.cls-meta.xml":              {"ApexClass:Foo", "classes/Foo.cls-meta.xml"},
		"profiles/Admin.profile":                {"Profile:Admin", "profiles/Admin.profile-meta.xml"},
		"reports/Sales-meta.xml":                {"ReportFolder:Sales", "reports/Sales.reportFolder-meta.xml"},
		"reports/Sales/Sub-meta.xml":            {"ReportFolder:Sales/Sub", "reports/Sales/Sub.reportFolder-meta.xml"},
		"reports/Sales/Q1.report":               {"Report:Sales/Q1", "reports/Sales/Q1.report-meta.xml"},
		"email/Billing/Ready.email-meta.xml":    {"EmailTemplate:Billing/Ready", "email/Billing/Ready.email-meta.xml"},
		"documents/Pub/logo.png":                {"Document:Pub/logo.png", "documents/Pub/logo.png"},
		"documents/Pub/logo.png-meta.xml":       {"Document:Pub/logo.png", "documents/Pub/logo.document-meta.xml"},
		"experiences/portal1.site":              {"ExperienceBundle:portal1", "experiences/portal1.site-meta.xml"},
		"lwc/c/c.js":                            {"LightningComponentBundle:c", "lwc/c/c.js"},
		"customMetadata/Region.EMEA.md":         {"CustomMetadata:Region.EMEA", "customMetadata/Region.EMEA.md-meta.xml"},
		"layouts/Account-Account Layout.layout": {"Layout:Account-Account Layout", "layouts/Account-Account Layout.layout-meta.xml"},
	}
	for p, want := range cases {
		f, err := resolveMDAPIPath(p)
		if err != nil {
			t.Errorf("resolveMDAPIPath(%q): %v", p, err)
			continue
		}
		if f.c.String() != want.comp {
			t.Errorf("resolveMDAPIPath(%q) = %s, want %s", p, f.c, want.comp)
		}
		if got := sourcePathOf(f); got != want.source {
			t.Errorf("sourcePathOf(%q) = %s, want %s", p, got, want.source)
		}
		ext := ""
		if f.t.Name == "Document" {
			ext = ".png"
		}
		if back := mdapiPathOf(f.t, want.source, ext); back != p {
			t.Errorf("mdapiPathOf(%q) = %s, want %s", want.source, back, p)
		}
	}
	for _, p := range []string{"classes/sub/Foo.cls", "profiles/Admin.profile-meta.xml", "reports/Q1.report", "lwc/c.js", "widgets/X.widget"} {
		if _, err := resolveMDAPIPath(p); err == nil {
			t.Errorf("resolveMDAPIPath(%q): want an error", p)
		}
	}
}

func TestRegistry(t *testing.T) {
	types := Types()
	if len(types) < 60 {
		t.Errorf("%d types registered, want at least 60", len(types))
	}
	for i := 1; i < len(types); i++ {
		if types[i-1].Name >= types[i].Name {
			t.Errorf("Types() not sorted: %s before %s", types[i-1].Name, types[i].Name)
		}
	}
	obj, ok := LookupType("CustomObject")
	if !ok || !obj.Decomposed || obj.Directory != "objects" || len(obj.Children) != 10 {
		t.Errorf("CustomObject = %+v", obj)
	}
	obj.Children[0] = "changed"
	if again, _ := LookupType("CustomObject"); again.Children[0] == "changed" {
		t.Error("LookupType must return a copy")
	}
	field, _ := LookupType("CustomField")
	if field.Parent != "CustomObject" || field.ElementName != "fields" || field.Directory != "fields" || field.Suffix != "field" {
		t.Errorf("CustomField = %+v", field)
	}
	label, _ := LookupType("CustomLabel")
	if label.Parent != "CustomLabels" || label.ElementName != "labels" || label.Directory != "labels" {
		t.Errorf("CustomLabel = %+v", label)
	}
	rep, _ := LookupType("Report")
	if !rep.InFolder || rep.FolderType != "ReportFolder" {
		t.Errorf("Report = %+v", rep)
	}
	if rf, _ := LookupType("ReportFolder"); rf.FolderContentType != "Report" {
		t.Errorf("ReportFolder = %+v", rf)
	}
	for dir, want := range map[string]string{"classes": "ApexClass", "reports": "Report", "lwc": "LightningComponentBundle", "labels": "CustomLabels"} {
		if got, ok := TypeForDirectory(dir); !ok || got.Name != want {
			t.Errorf("TypeForDirectory(%q) = %s, %v; want %s", dir, got.Name, ok, want)
		}
	}
	if _, ok := TypeForDirectory("fields"); ok {
		t.Error("TypeForDirectory(fields) must fail: child folders are not metadata directories")
	}
	for _, ty := range types {
		if ty.Parent == "" && ty.Directory == "" {
			t.Errorf("%s has no directory", ty.Name)
		}
		if ty.Parent != "" && ty.ElementName == "" {
			t.Errorf("child type %s has no element name", ty.Name)
		}
		if ty.Parent == "" && !ty.Bundle && ty.Suffix == "" {
			t.Errorf("%s has no suffix", ty.Name)
		}
	}
}
