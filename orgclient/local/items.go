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
// Files relman read in part or left out, and duplicates it resolved, are
// reported in a *metadata.UnresolvedError returned together with the
// components, so a caller warns and goes on. The warnings are those of the
// whole directory, whatever the filter: a deletion is safe only if the
// whole source was read.
func (o *Org) Items(ctx context.Context, f Filter) ([]metadata.Item, error) {
	m, err := f.compile()
	if err != nil {
		return nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	s, err := o.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]metadata.Item, 0, len(s.items))
	for _, l := range s.items {
		if m.keep(l.item.Component) {
			out = append(out, l.item)
		}
	}
	return out, s.warningsError()
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
