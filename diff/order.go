package diff

import (
	"bytes"
	"slices"
)

// orderRules lists, per root element, the children whose order carries no
// meaning and the child elements that identify each one ("" = the element's
// own text). Salesforce returns these collections in whatever order the org
// stores them, so two orgs with equal permissions can still differ byte for
// byte. Only what is listed here is ever reordered, and only as whole
// elements: picklist values (valueSet, valueSetDefinition, customValue,
// picklistValues), layout sections and items, flow elements, login IP ranges
// and everything not listed keep their order.
var orderRules = func() map[string]map[string][]string {
	permissions := map[string][]string{
		"applicationVisibilities":    {"application"},
		"classAccesses":              {"apexClass"},
		"customMetadataTypeAccesses": {"name"},
		"customPermissions":          {"name"},
		"customSettingAccesses":      {"name"},
		"externalDataSourceAccesses": {"externalDataSource"},
		"fieldPermissions":           {"field"},
		"flowAccesses":               {"flow"},
		"layoutAssignments":          {"layout", "recordType"},
		"objectPermissions":          {"object"},
		"pageAccesses":               {"apexPage"},
		"recordTypeVisibilities":     {"recordType"},
		"tabSettings":                {"tab"},
		"tabVisibilities":            {"tab"},
		"userPermissions":            {"name"},
	}
	byFullName := func(names ...string) map[string][]string {
		m := make(map[string][]string, len(names))
		for _, n := range names {
			m[n] = []string{"fullName"}
		}
		return m
	}
	return map[string]map[string][]string{
		"Profile":             permissions,
		"PermissionSet":       permissions,
		"MutingPermissionSet": permissions,
		"PermissionSetGroup":  {"permissionSets": {""}, "mutingPermissionSets": {""}},
		// Metadata API format keeps an object's children inside its file.
		"CustomObject": byFullName("businessProcesses", "compactLayouts", "fieldSets", "fields",
			"indexes", "listViews", "recordTypes", "sharingReasons", "validationRules", "webLinks"),
		"CustomLabels": byFullName("labels"),
		"Workflow": byFullName("alerts", "fieldUpdates", "flowActions", "knowledgePublishes",
			"outboundMessages", "rules", "tasks"),
		"SharingRules": byFullName("sharingCriteriaRules", "sharingGuestRules", "sharingOwnerRules",
			"sharingTerritoryRules"),
	}
}()

// reorder returns the tokens in canonical order: the reorderable children of
// each top-level element with rules sorted by (element name, identity), put
// back into the positions reorderable children held, so the whitespace,
// comments and unlisted elements between them stay where they were. moved
// reports whether anything changed place.
func reorder(data []byte, toks []xtoken) (order []span, moved bool) {
	add := func(s span) {
		if n := len(order); n > 0 && order[n-1].to == s.from {
			order[n-1].to = s.to
			return
		}
		order = append(order, s)
	}
	for i := 0; i < len(toks); {
		var rules map[string][]string
		if toks[i].kind == tokStart && toks[i].depth == 0 {
			rules = orderRules[string(toks[i].local(data))]
		}
		if rules == nil {
			add(span{i, i + 1})
			i++
			continue
		}
		end := closing(toks, i)
		add(span{i, i + 1})
		children, m := sortChildren(data, toks, i+1, end, rules)
		for _, c := range children {
			add(c)
		}
		moved = moved || m
		i = end
	}
	return order, moved
}

// closing returns the index just past the end tag of the element starting at
// toks[i].
// tokenizeXML's tokens are balanced, so the end tag is always there.
func closing(toks []xtoken, i int) int {
	for j := i + 1; ; j++ {
		if toks[j].kind == tokEnd && toks[j].depth == toks[i].depth {
			return j + 1
		}
	}
}

type sortable struct {
	span
	name, key []byte
}

func sortChildren(data []byte, toks []xtoken, from, to int, rules map[string][]string) ([]span, bool) {
	var children []span
	var movable []sortable
	var slots []int // indexes into children of the movable ones
	for i := from; i < to; {
		s := span{i, i + 1}
		if toks[i].kind == tokStart {
			s.to = closing(toks, i)
			name := toks[i].local(data)
			if parts, ok := rules[string(name)]; ok {
				slots = append(slots, len(children))
				movable = append(movable, sortable{s, name, identity(data, toks, s, parts)})
			}
		}
		children = append(children, s)
		i = s.to
	}
	sorted := slices.Clone(movable)
	slices.SortStableFunc(sorted, func(a, b sortable) int {
		if c := bytes.Compare(a.name, b.name); c != 0 {
			return c
		}
		return bytes.Compare(a.key, b.key)
	})
	moved := false
	for i, s := range sorted {
		moved = moved || s.span != movable[i].span
		children[slots[i]] = s.span
	}
	return children, moved
}

// identity is the key of the element toks[s.from:s.to]: the trimmed raw text
// of its child elements named in parts, or its own text for "". Raw text is
// enough: it only has to sort equal elements alike on both sides.
func identity(data []byte, toks []xtoken, s span, parts []string) []byte {
	keys := make([][]byte, len(parts))
	for k, part := range parts {
		if part == "" {
			keys[k] = bytes.TrimFunc(data[toks[s.from].end:toks[s.to-1].start], isSpaceRune)
			continue
		}
		for i := s.from + 1; i < s.to-1; i++ {
			if t := toks[i]; t.kind == tokStart && t.depth == toks[s.from].depth+1 && string(t.local(data)) == part {
				end := closing(toks, i) - 1
				keys[k] = bytes.TrimFunc(data[t.end:toks[end].start], isSpaceRune)
				break
			}
		}
	}
	if len(keys) == 1 {
		return keys[0]
	}
	return bytes.Join(keys, []byte{0})
}
