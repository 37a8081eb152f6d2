package metadata

import (
	"fmt"
	"sort"
	"strings"
)

// Component identifies one metadata item (a "customization"): its Metadata API
// type name and its fullName, the member name a package.xml would list.
type Component struct {
	Type     string `json:"type"`
	FullName string `json:"fullName"`
}

// String renders the component as `Type:FullName`, the form the CLI accepts.
func (c Component) String() string { return c.Type + ":" + c.FullName }

// ParseComponent parses `Type:FullName`. It checks only the syntax; whether the
// type is known and the name well-formed for it is Validate's job.
func ParseComponent(s string) (Component, error) {
	s = strings.TrimSpace(s)
	typ, name, ok := strings.Cut(s, ":")
	if !ok {
		return Component{}, fmt.Errorf("component %q: expected Type:FullName, e.g. CustomField:Account.Region__c", s)
	}
	typ, name = strings.TrimSpace(typ), strings.TrimSpace(name)
	if typ == "" || !isIdentifier(typ) {
		return Component{}, fmt.Errorf("component %q: %q is not a metadata type name (letters and digits only), e.g. ApexClass", s, typ)
	}
	if name == "" {
		return Component{}, fmt.Errorf("component %q: the full name after %q is empty", s, typ+":")
	}
	return Component{Type: typ, FullName: name}, nil
}

// Less orders components by type, then full name: the order manifests and
// listings use.
func (c Component) Less(o Component) bool { return c.Compare(o) < 0 }

// Compare orders components by type, then full name, for slices.SortFunc:
// -1, 0 or +1.
func (c Component) Compare(o Component) int {
	if c.Type != o.Type {
		return strings.Compare(c.Type, o.Type)
	}
	return strings.Compare(c.FullName, o.FullName)
}

// SortComponents sorts in place by type, then full name.
func SortComponents(cs []Component) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Less(cs[j]) })
}

func isIdentifier(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}
