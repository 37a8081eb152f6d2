package metadata

import (
	"encoding/xml"
	"fmt"
	"sort"
)

// childElem is one child component's element cut out of its parent's XML.
type childElem struct {
	t    *Type
	name string // the bare child name from its ID element, e.g. "Region__c"
	el   *node  // the element, named after t.ElementName
}

// splitChildren parses a parent document of type t and separates the child
// elements from the rest. The returned root keeps everything that is not a
// child (the parent's own content). path names the file in errors.
func splitChildren(path string, data []byte, t *Type) (*node, []childElem, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if localName(root.name) != t.Name {
		return nil, nil, fmt.Errorf("%s: root element is <%s>, expected <%s>", path, root.name, t.Name)
	}
	var kids []childElem
	keep := root.children[:0:0]
	for _, c := range root.children {
		if c.kind != elementNode {
			keep = append(keep, c)
			continue
		}
		ct := childByElement(t, localName(c.name))
		if ct == nil {
			keep = append(keep, c)
			continue
		}
		name, ok := c.childText(ct.IDElement)
		if !ok || name == "" {
			return nil, nil, fmt.Errorf("%s: a <%s> element (%s) has no <%s>; every child needs its name", path, c.name, ct.Name, ct.IDElement)
		}
		kids = append(kids, childElem{t: ct, name: name, el: c})
	}
	root.children = keep
	return root, kids, nil
}

// hasOwnContent reports whether a parent root (children removed) carries
// anything besides its fullName: only then is the parent a component of its
// own next to its children.
func hasOwnContent(root *node) bool { return root.hasContentOtherThan("fullName") }

// childDocument renders a decomposed child as a file of its own: root element
// named after the child type, the parent's namespace declarations, the child
// element's content.
func childDocument(c childElem, ns []xml.Attr) []byte {
	return document(&node{kind: elementNode, name: c.t.Name, attrs: ns, children: c.el.children})
}

// childFromDocument turns a decomposed child file back into the element its
// parent holds it under, returning the file's namespace declarations too.
func childFromDocument(path string, data []byte, ct *Type) (*node, []xml.Attr, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if localName(root.name) != ct.Name {
		return nil, nil, fmt.Errorf("%s: root element is <%s>, expected <%s>", path, root.name, ct.Name)
	}
	return &node{kind: elementNode, name: ct.ElementName, children: root.children}, root.namespaceAttrs(), nil
}

// recompose appends the children to the parent root: after the parent's own
// content, grouped in the parent's child order, each group sorted by name.
// Splitting the result gives back the same root and children.
func recompose(root *node, t *Type, kids []childElem) *node {
	order := map[string]int{}
	for i, n := range t.Children {
		order[n] = i
	}
	sort.SliceStable(kids, func(i, j int) bool {
		a, b := kids[i], kids[j]
		if a.t != b.t {
			return order[a.t.Name] < order[b.t.Name]
		}
		return a.name < b.name
	})
	out := *root
	out.children = append([]*node(nil), root.children...)
	for _, k := range kids {
		out.children = append(out.children, k.el)
	}
	return &out
}
