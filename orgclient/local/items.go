package local

import (
	"context"
	"fmt"
	"strings"

	"relman/model/metadata"
)

// Filter selects components. Each non-empty criterion narrows the result;
// the zero Filter selects everything.
type Filter struct {
	// Types keeps components of exactly these Metadata API types. A parent
	// type does not bring its children: "CustomObject" keeps the objects'
	// own definitions, not their CustomFields, which need "CustomField".
	// That is how package.xml names types too.
	Types []string
	// Components keeps exactly these components.
	Components []metadata.Component
	// ExcludeNamespaces drops components of these namespaces, given as
	// "acme" or "acme__": a component belongs to namespace acme when its
	// own name (after the object or folder part) starts with "acme__", as
	// in acme__Thing__c or Account.acme__Score__c.
	ExcludeNamespaces []string
}

// matcher is a Filter checked and indexed for lookups.
type matcher struct {
	types      map[string]bool
	components map[metadata.Component]bool
	namespaces map[string]bool // lower case: namespaces are case-insensitive
	// dirs are the type directories that can hold what the filter keeps,
	// or nil for all: a filtered read skips the other directories.
	dirs map[string]bool
}

func (f Filter) compile() (matcher, error) {
	var m matcher
	for _, t := range f.Types {
		if _, ok := metadata.LookupType(t); !ok {
			return m, fmt.Errorf("filter: %w", &metadata.UnknownTypeError{Type: t, Suggestions: metadata.SuggestTypes(t)})
		}
		if m.types == nil {
			m.types = map[string]bool{}
		}
		m.types[t] = true
	}
	for _, c := range f.Components {
		if m.components == nil {
			m.components = map[metadata.Component]bool{}
		}
		m.components[c] = true
	}
	switch {
	case m.types != nil:
		m.dirs = typeDirs(m.types)
	case m.components != nil:
		types := map[string]bool{}
		for c := range m.components {
			types[c.Type] = true
		}
		m.dirs = typeDirs(types)
	}
	for _, ns := range f.ExcludeNamespaces {
		ns = strings.TrimSuffix(strings.TrimSpace(ns), "__")
		if ns == "" || strings.Contains(ns, "__") {
			return m, fmt.Errorf("filter: %q is not a namespace prefix; give it as acme or acme__", ns)
		}
		if m.namespaces == nil {
			m.namespaces = map[string]bool{}
		}
		m.namespaces[strings.ToLower(ns)] = true
	}
	return m, nil
}

// typeDirs returns the directories the components of types live in: a
// child's is its parent's (fields are in objects/). Unknown types (possible
// in a component filter) have none.
func typeDirs(types map[string]bool) map[string]bool {
	dirs := map[string]bool{}
	for name := range types {
		t, ok := metadata.LookupType(name)
		if !ok {
			continue
		}
		if t.Parent != "" {
			t, _ = metadata.LookupType(t.Parent)
		}
		dirs[t.Directory] = true
	}
	return dirs
}

func (m matcher) keep(c metadata.Component) bool {
	if m.types != nil && !m.types[c.Type] {
		return false
	}
	if m.components != nil && !m.components[c] {
		return false
	}
	if m.namespaces != nil {
		if ns := metadata.Namespace(c); ns != "" && m.namespaces[strings.ToLower(ns)] {
			return false
		}
	}
	return true
}

// Items returns the org's components selected by f, with their files in
// source format (Metadata API folders are converted), sorted by component.
// Every custom label is an Item of its own.
//
// Files that are not metadata relman knows are reported in a
// *metadata.UnresolvedError returned together with the complete list of all
// other components, so a caller may warn and go on. A filter naming types
// or components reads only the type directories they live in, and so
// reports only the unknown files there.
func (o *Org) Items(ctx context.Context, f Filter) ([]metadata.Item, error) {
	m, err := f.compile()
	if err != nil {
		return nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	s, err := o.read(ctx, m.dirs)
	if err != nil {
		return nil, err
	}
	out := make([]metadata.Item, 0, len(s.items))
	for _, l := range s.items {
		if m.keep(l.item.Component) {
			out = append(out, l.item)
		}
	}
	return out, s.unresolvedError()
}

// Components lists every component of the org, sorted. Unknown files are
// reported as by Items.
func (o *Org) Components(ctx context.Context) ([]metadata.Component, error) {
	items, err := o.Items(ctx, Filter{})
	if items == nil {
		return nil, err
	}
	out := make([]metadata.Component, len(items))
	for i, it := range items {
		out[i] = it.Component
	}
	return out, err
}
