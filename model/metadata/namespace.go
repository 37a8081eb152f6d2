package metadata

import "strings"

// standardSuffixes are what may follow "__" at the end of a name without a
// namespace: Thing__c is a custom object, not namespace Thing's "c".
var standardSuffixes = map[string]bool{
	"c": true, "r": true, "mdt": true, "e": true, "b": true, "x": true, "xo": true,
	"kav": true, "ka": true, "s": true, "share": true, "history": true, "feed": true,
	"changeevent": true, "chn": true, "dlm": true, "dll": true, "pc": true, "pr": true,
	"hd": true, "hqr": true, "hst": true, "tag": true, "votestat": true, "viewstat": true,
	"datacategoryselection": true, "gvs": true,
}

// Namespace returns the managed-package namespace prefix of a component,
// or "". What
// counts is the component's own name: Account.acme__Score__c belongs to
// acme, while acme__Invoice__c.Notes__c is a subscriber's own field on a
// managed object and belongs to no namespace.
func Namespace(c Component) string {
	name := c.FullName
	if i := strings.LastIndexByte(name, '/'); i >= 0 { // in-folder: Folder/Name
		name = name[i+1:]
	}
	switch {
	case c.Type == "Layout", c.Type == "CustomObjectTranslation":
		// Object-Layout Name, Object-language: the object name cannot
		// contain a hyphen.
		if _, rest, ok := strings.Cut(name, "-"); ok {
			name = rest
		}
	case c.Type == "Document":
		// Folder/Logo.png: the extension is part of the name.
	default:
		// Object.Child (fields, record types, CustomMetadata records,
		// QuickActions, workflow rules, …).
		if _, rest, ok := strings.Cut(name, "."); ok {
			name = rest
		}
	}
	parts := strings.Split(name, "__")
	if len(parts) < 2 || parts[0] == "" {
		return ""
	}
	if len(parts) == 2 && standardSuffixes[strings.ToLower(parts[1])] {
		return ""
	}
	return parts[0]
}
