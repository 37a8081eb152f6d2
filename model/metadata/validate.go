package metadata

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validate checks that c's type is registered and that its full name is
// well-formed for that type. Errors name the component, say what is wrong and
// show a correct example; an unknown type's error suggests the closest known
// type names.
func Validate(c Component) error {
	if !utf8.ValidString(c.Type) || !utf8.ValidString(c.FullName) {
		return fmt.Errorf("component %q is not valid UTF-8 text: metadata names are UTF-8", c.String())
	}
	t, ok := typesByName[c.Type]
	if !ok {
		return unknownTypeError(c.Type)
	}
	name := c.FullName
	if name == "" {
		return fmt.Errorf("%s: empty full name; e.g. %s:%s", c, t.Name, exampleName(t))
	}
	if name == "*" {
		return fmt.Errorf("%s: \"*\" is a manifest wildcard, not a component name; e.g. %s:%s", c, t.Name, exampleName(t))
	}
	if name != strings.TrimSpace(name) {
		return fmt.Errorf("%s: the full name has leading or trailing spaces; e.g. %s:%s", c, t.Name, exampleName(t))
	}
	if i := strings.IndexFunc(name, unicode.IsControl); i >= 0 {
		return fmt.Errorf("%s: control character %q in the full name; e.g. %s:%s", c, name[i], t.Name, exampleName(t))
	}
	if t.PartOfParent {
		return fmt.Errorf("%s: a %s is part of its %s, not a component of its own; use %s:Account-fr", c, t.Name, t.Parent, t.Parent)
	}
	if problem := checkName(t, name); problem != "" {
		return fmt.Errorf("%s: %s; e.g. %s:%s", c, problem, t.Name, exampleName(t))
	}
	return nil
}

// nameRules holds the per-type full-name checks; each returns "" for a good
// name or a short description of what is wrong.
var nameRules = map[string]func(string) string{
	"ApexClass":                apexName,
	"ApexTrigger":              apexName,
	"ApexPage":                 devNameProblem,
	"ApexComponent":            devNameProblem,
	"AuraDefinitionBundle":     devNameProblem,
	"CustomApplication":        devNameProblem,
	"CustomLabel":              devNameProblem,
	"CustomLabels":             func(s string) string { return exact(s, "CustomLabels") },
	"CustomMetadata":           customMetadataName,
	"CustomObject":             objectNameProblem,
	"CustomObjectTranslation":  objectTranslationName,
	"CustomPermission":         devNameProblem,
	"CustomTab":                tabName,
	"ExperienceBundle":         devNameProblem,
	"FlexiPage":                devNameProblem,
	"Flow":                     devNameProblem,
	"FlowDefinition":           devNameProblem,
	"GlobalValueSet":           devNameProblem,
	"Layout":                   layoutName,
	"LightningComponentBundle": lwcName,
	"PermissionSet":            devNameProblem,
	"PermissionSetGroup":       devNameProblem,
	"QuickAction":              quickActionName,
	"RemoteSiteSetting":        devNameProblem,
	"StandardValueSet":         devNameProblem,
	"StaticResource":           devNameProblem,
	"CustomField":              fieldName,
	"SharingReason": func(s string) string {
		return childOfObject(s, func(c string) string { return customSuffixProblem(c, "c") })
	},
	"BusinessProcess": func(s string) string { return childOfObject(s, labelProblem) },
}

func checkName(t *Type, name string) string {
	if rule, ok := nameRules[t.Name]; ok {
		return rule(name)
	}
	switch {
	case t.Parent == "CustomObject":
		return childOfObject(name, devNameProblem)
	case t.Parent == "CustomLabels":
		return devNameProblem(name)
	case t.Parent != "":
		return childOfObject(name, labelProblem)
	case t.InFolder:
		return inFolderName(name, t)
	case t.FolderContentType != "":
		return folderName(name)
	}
	if strings.Contains(name, "/") {
		return "\"/\" is allowed only in names of in-folder types (Report, Dashboard, Document, EmailTemplate)"
	}
	return ""
}

// exampleName is a correct full name for t, shown in errors.
func exampleName(t *Type) string {
	if ex, ok := examples[t.Name]; ok {
		return ex
	}
	switch {
	case t.Parent == "CustomObject":
		return "Account.My_" + t.Name
	case t.Parent != "":
		return "Account.My_Rule"
	case t.InFolder:
		return "My_Folder/My_" + t.Name
	case t.FolderContentType != "":
		return "My_Folder"
	}
	return "My_" + t.Name
}

var examples = map[string]string{
	"ApexClass":                "AccountService",
	"ApexTrigger":              "AccountTrigger",
	"BusinessProcess":          "Opportunity.Standard Sales",
	"CustomField":              "Account.Region__c",
	"CustomLabel":              "Greeting_Text",
	"CustomLabels":             "CustomLabels",
	"CustomMetadata":           "Region_Setting.EMEA",
	"CustomObject":             "Invoice__c",
	"CustomObjectTranslation":  "Account-fr",
	"CustomTab":                "Invoice__c",
	"Document":                 "Shared_Docs/Logo.png",
	"Layout":                   "Account-Account Layout",
	"LightningComponentBundle": "accountCard",
	"LightningMessageChannel":  "Record_Selected",
	"Profile":                  "Custom Sales Profile",
	"QuickAction":              "Account.New_Contact",
	"RecordType":               "Account.Partner",
	"Settings":                 "Account",
	"SharingReason":            "Invoice__c.Approver__c",
	"ValidationRule":           "Account.Region_Required",
	"Translations":             "fr",
}

// devNameProblem checks a developer (API) name: a letter first, then letters,
// digits and single underscores, not ending in "_". One namespace prefix
// ("ns__Name") is allowed.
func devNameProblem(s string) string {
	ns, rest, hasNS := strings.Cut(s, "__")
	if hasNS {
		if p := plainDevName(ns); p != "" {
			return "namespace prefix " + p
		}
		if len(ns) > 15 {
			return fmt.Sprintf("namespace prefix %q is longer than 15 characters", ns)
		}
		s = rest
	}
	return plainDevName(s)
}

func plainDevName(s string) string {
	switch {
	case s == "":
		return "an empty name part"
	case !isLetter(rune(s[0])):
		return fmt.Sprintf("%q must start with a letter", s)
	case strings.HasSuffix(s, "_"):
		return fmt.Sprintf("%q must not end with \"_\"", s)
	case strings.Contains(s, "__"):
		return fmt.Sprintf("%q has a double underscore (allowed only after a namespace prefix and before a suffix such as __c)", s)
	}
	for _, r := range s {
		if !isLetter(r) && !(r >= '0' && r <= '9') && r != '_' {
			return fmt.Sprintf("%q may contain only letters, digits and underscores, not %q", s, r)
		}
	}
	return ""
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

func apexName(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("Apex names are at most 40 characters, this one has %d", len(s))
	}
	return devNameProblem(s)
}

func lwcName(s string) string {
	if s != "" && !(s[0] >= 'a' && s[0] <= 'z') {
		return "Lightning web component names start with a lowercase letter (camelCase)"
	}
	return plainDevName(s)
}

// customSuffixes are the endings of custom object API names: custom objects,
// custom metadata types, platform events, big objects, external objects,
// knowledge article versions.
var customSuffixes = []string{"c", "mdt", "e", "b", "x", "kav"}

func objectNameProblem(s string) string {
	if !strings.Contains(s, "__") {
		if p := plainDevName(s); p != "" {
			return "object " + p
		}
		return ""
	}
	for _, suf := range customSuffixes {
		if base, ok := strings.CutSuffix(s, "__"+suf); ok {
			if p := devNameProblem(base); p != "" {
				return "object " + p
			}
			return ""
		}
	}
	return fmt.Sprintf("object %q: custom object names end in __c (or __mdt, __e, __b, __x, __kav); standard objects have no suffix", s)
}

func customSuffixProblem(s, suffix string) string {
	base, ok := strings.CutSuffix(s, "__"+suffix)
	if !ok {
		return fmt.Sprintf("%q must end in __%s", s, suffix)
	}
	return devNameProblem(base)
}

func fieldName(s string) string {
	obj, field, ok := strings.Cut(s, ".")
	if !ok {
		return "expected Object.Field"
	}
	if p := objectNameProblem(obj); p != "" {
		return p
	}
	if strings.HasSuffix(field, "__c") {
		return customSuffixProblem(field, "c")
	}
	if strings.Contains(obj, "__") {
		return fmt.Sprintf("field %q: custom fields end in __c", field)
	}
	if p := plainDevName(field); p != "" {
		return fmt.Sprintf("field %s: custom fields end in __c; standard fields (Account.Name) have no suffix", p)
	}
	return ""
}

// childOfObject checks Object.Child names with check applied to the child.
func childOfObject(s string, check func(string) string) string {
	obj, child, ok := strings.Cut(s, ".")
	if !ok {
		return "expected Parent.Child"
	}
	if p := objectNameProblem(obj); p != "" {
		return p
	}
	if p := check(child); p != "" {
		return "child name " + p
	}
	return ""
}

// labelProblem accepts names that may hold spaces (workflow rules, business
// processes, profiles): non-empty, trimmed, no "/".
func labelProblem(s string) string {
	switch {
	case s == "":
		return "an empty name"
	case s != strings.TrimSpace(s):
		return fmt.Sprintf("%q has leading or trailing spaces", s)
	case strings.Contains(s, "/"):
		return fmt.Sprintf("%q contains \"/\"", s)
	}
	return ""
}

func layoutName(s string) string {
	obj, layout, ok := strings.Cut(s, "-")
	if !ok {
		return "expected Object-Layout Name"
	}
	if p := objectNameProblem(obj); p != "" {
		return p
	}
	if p := labelProblem(layout); p != "" {
		return "layout name " + p
	}
	return ""
}

func customMetadataName(s string) string {
	typ, rec, ok := strings.Cut(s, ".")
	if !ok {
		return "expected Type.Record (the type without __mdt)"
	}
	if strings.HasSuffix(typ, "__mdt") {
		return "the type part is written without __mdt"
	}
	if p := devNameProblem(typ); p != "" {
		return "type " + p
	}
	if p := devNameProblem(rec); p != "" {
		return "record " + p
	}
	return ""
}

func objectTranslationName(s string) string {
	obj, lang, ok := strings.Cut(s, "-")
	if !ok || lang == "" {
		return "expected Object-language, e.g. Account-fr or Invoice__c-en_US"
	}
	if p := objectNameProblem(obj); p != "" {
		return p
	}
	return plainDevName(lang)
}

func quickActionName(s string) string {
	obj, action, ok := strings.Cut(s, ".")
	if !ok {
		return devNameProblem(s) // a global action
	}
	if p := objectNameProblem(obj); p != "" {
		return p
	}
	return devNameProblem(action)
}

// tabName accepts object tabs (Invoice__c, standard-Account) and other tabs.
func tabName(s string) string {
	if rest, ok := strings.CutPrefix(s, "standard-"); ok {
		return objectNameProblem(rest)
	}
	if strings.Contains(s, "__") {
		if objectNameProblem(s) == "" {
			return ""
		}
	}
	return devNameProblem(s)
}

func exact(s, want string) string {
	if s != want {
		return fmt.Sprintf("the only component of this type is named %q", want)
	}
	return ""
}

// unfiledFolder is the org's "unfiled public" folder for reports and email
// templates; it has no folder record and its name is not a developer name.
const unfiledFolder = "unfiled$public"

func inFolderName(s string, t *Type) string {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return fmt.Sprintf("%s components are named Folder/Name (the folder itself is %s:%s)", t.Name, t.FolderType, s)
	}
	folder, name := s[:i], s[i+1:]
	if folder != unfiledFolder {
		if p := folderName(folder); p != "" {
			return p
		}
	}
	if t.MixedContent { // Document: the name is a file name, extension included
		if p := labelProblem(name); p != "" {
			return "document " + p
		}
		return ""
	}
	if p := devNameProblem(name); p != "" {
		return "name " + p
	}
	return ""
}

func folderName(s string) string {
	for _, seg := range strings.Split(s, "/") {
		if p := devNameProblem(seg); p != "" {
			return "folder " + p
		}
	}
	return ""
}
