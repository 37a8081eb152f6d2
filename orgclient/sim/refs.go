package sim

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"

	"relman/model/metadata"
)

// reference is one component's use of another: the rows of
// MetadataComponentDependency (§4.2) and, when strict, a check of deploys.
type reference struct {
	to metadata.Component
	// element names where the reference sits ("field", "apexClass"), for
	// the failure message.
	element string
	// strict references must exist in the org or the package, else the
	// deploy fails: "In field: field - no CustomField named X found".
	strict    bool
	line, col int
}

// orgIndex looks up components by the names other metadata uses for them.
type orgIndex struct {
	has     map[metadata.Component]bool
	classes map[string]string               // lower-case name → ApexClass name
	objects map[string]string               // lower-case name → CustomObject name
	fields  map[string][]metadata.Component // lower-case field name (Amount__c) → CustomFields
	labels  map[string]string               // lower-case name → CustomLabel name
}

func newOrgIndex(cs []metadata.Component) *orgIndex {
	idx := &orgIndex{has: map[metadata.Component]bool{}, classes: map[string]string{}, objects: map[string]string{},
		fields: map[string][]metadata.Component{}, labels: map[string]string{}}
	for _, c := range cs {
		idx.has[c] = true
		low := strings.ToLower(c.FullName)
		switch c.Type {
		case "ApexClass":
			idx.classes[low] = c.FullName
		case "CustomObject":
			idx.objects[low] = c.FullName
		case "CustomLabel":
			idx.labels[low] = c.FullName
		case "CustomField":
			if _, f, ok := strings.Cut(low, "."); ok {
				idx.fields[f] = append(idx.fields[f], c)
			}
		}
	}
	return idx
}

// field returns the CustomField obj.name if the org has it.
func (idx *orgIndex) field(obj, name string) (metadata.Component, bool) {
	for _, c := range idx.fields[strings.ToLower(name)] {
		if o, _, _ := strings.Cut(c.FullName, "."); strings.EqualFold(o, obj) {
			return c, true
		}
	}
	return metadata.Component{}, false
}

func custom(name string) bool { return strings.Contains(name, "__") }

// references lists what component c (with its files' contents, keyed by
// source path) references. XML references are listed whether or not their
// target exists; references found in code and formulas only when it does.
func references(c metadata.Component, files map[string][]byte, idx *orgIndex) []reference {
	r := &refCollector{idx: idx, self: c}
	obj, child, _ := strings.Cut(c.FullName, ".")
	switch c.Type {
	case "CustomField", "ValidationRule", "ListView", "CompactLayout", "RecordType", "WebLink", "FieldSet", "BusinessProcess":
		r.add(metadata.Component{Type: "CustomObject", FullName: obj}, "fullName", custom(obj), 0, 0)
		for _, l := range leavesOf(files) {
			switch {
			case l.name == "referenceTo":
				r.add(metadata.Component{Type: "CustomObject", FullName: l.text}, "referenceTo", custom(l.text), l.line, l.col)
			case l.name == "valueSetName":
				r.add(metadata.Component{Type: "GlobalValueSet", FullName: l.text}, "valueSetName", false, l.line, l.col)
			case l.name == "formula" || l.name == "errorConditionFormula" || l.name == "columns" || l.name == "fields" || l.name == "field":
				r.sameObjectFields(obj, l.text, child)
			}
		}
	case "Layout":
		obj, _, _ = strings.Cut(c.FullName, "-")
		r.add(metadata.Component{Type: "CustomObject", FullName: obj}, "fullName", custom(obj), 0, 0)
		for _, l := range leavesOf(files) {
			if l.parent == "layoutItems" && l.name == "field" {
				r.add(metadata.Component{Type: "CustomField", FullName: obj + "." + l.text}, "field", custom(l.text), l.line, l.col)
			}
		}
	case "Profile", "PermissionSet":
		r.permissions(files)
	case "CustomTab":
		for _, l := range leavesOf(files) {
			if l.name == "customObject" && l.text == "true" {
				r.add(metadata.Component{Type: "CustomObject", FullName: c.FullName}, "customObject", false, l.line, l.col)
			}
		}
	case "CustomApplication":
		for _, l := range leavesOf(files) {
			if l.name == "tabs" {
				r.add(metadata.Component{Type: "CustomTab", FullName: l.text}, "tabs", false, l.line, l.col)
			}
		}
	case "Flow":
		r.flow(files)
	case "ApexClass", "ApexTrigger":
		r.apex(files)
	case "ApexPage":
		r.page(files)
	case "LightningComponentBundle":
		r.lwc(files)
	}
	return r.out
}

type refCollector struct {
	idx  *orgIndex
	self metadata.Component
	out  []reference
	seen map[metadata.Component]bool
}

func (r *refCollector) add(to metadata.Component, element string, strict bool, line, col int) {
	if to == r.self || to.FullName == "" {
		return
	}
	if r.seen == nil {
		r.seen = map[metadata.Component]bool{}
	}
	if r.seen[to] {
		return
	}
	r.seen[to] = true
	r.out = append(r.out, reference{to: to, element: element, strict: strict, line: line, col: col})
}

// customNames matches custom object and field API names in free text.
var customNames = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_]*__[cr]\b`)

// sameObjectFields adds the custom fields of obj that text (a formula, a
// column list) names, other than the component's own name.
func (r *refCollector) sameObjectFields(obj, text, own string) {
	for _, name := range customNames.FindAllString(text, -1) {
		if base, ok := strings.CutSuffix(name, "__r"); ok {
			name = base + "__c" // a relationship names its lookup field
		}
		if name == own {
			continue
		}
		if f, ok := r.idx.field(obj, name); ok {
			r.add(f, "formula", false, 0, 0)
		}
	}
}

// permissions reads a profile's or permission set's grants (§ process.md:
// permission sets/profiles → fields, classes, pages).
func (r *refCollector) permissions(files map[string][]byte) {
	for _, l := range leavesOf(files) {
		switch l.parent + "/" + l.name {
		case "fieldPermissions/field":
			_, f, _ := strings.Cut(l.text, ".")
			r.add(metadata.Component{Type: "CustomField", FullName: l.text}, "field", custom(f), l.line, l.col)
		case "objectPermissions/object":
			r.add(metadata.Component{Type: "CustomObject", FullName: l.text}, "object", custom(l.text), l.line, l.col)
		case "classAccesses/apexClass":
			r.add(metadata.Component{Type: "ApexClass", FullName: l.text}, "apexClass", true, l.line, l.col)
		case "pageAccesses/apexPage":
			r.add(metadata.Component{Type: "ApexPage", FullName: l.text}, "apexPage", true, l.line, l.col)
		case "tabSettings/tab", "tabVisibilities/tab":
			r.add(metadata.Component{Type: "CustomTab", FullName: l.text}, "tab", false, l.line, l.col)
		case "applicationVisibilities/application":
			r.add(metadata.Component{Type: "CustomApplication", FullName: l.text}, "application", false, l.line, l.col)
		case "recordTypeVisibilities/recordType":
			r.add(metadata.Component{Type: "RecordType", FullName: l.text}, "recordType", false, l.line, l.col)
		}
	}
}

// flow references the objects a flow works on and their custom fields it
// names ($Record.Status__c, recordUpdates fields).
func (r *refCollector) flow(files map[string][]byte) {
	leaves := leavesOf(files)
	var objects []string
	for _, l := range leaves {
		if l.name == "object" {
			r.add(metadata.Component{Type: "CustomObject", FullName: l.text}, "object", false, l.line, l.col)
			objects = append(objects, l.text)
		}
	}
	for _, l := range leaves {
		for _, o := range objects {
			r.sameObjectFields(o, l.text, "")
		}
	}
}

// apex references classes, objects, fields and labels named in Apex code.
func (r *refCollector) apex(files map[string][]byte) {
	for p, data := range files {
		if strings.HasSuffix(p, "-meta.xml") {
			continue
		}
		toks := apexTokens(string(data))
		var objects []string
		for i, t := range toks {
			if t.kind != 'i' {
				continue
			}
			low := strings.ToLower(t.text)
			if name, ok := r.idx.objects[low]; ok && !is(toks, i-1, ".") {
				r.add(metadata.Component{Type: "CustomObject", FullName: name}, "", false, 0, 0)
				objects = append(objects, name)
			}
			if name, ok := r.idx.classes[low]; ok {
				r.add(metadata.Component{Type: "ApexClass", FullName: name}, "", false, 0, 0)
			}
			if is(toks, i-2, "Label") && is(toks, i-1, ".") {
				if name, ok := r.idx.labels[low]; ok {
					r.add(metadata.Component{Type: "CustomLabel", FullName: name}, "", false, 0, 0)
				}
			}
		}
		for _, t := range toks {
			if t.kind != 'i' || !customNames.MatchString(t.text) {
				continue
			}
			for _, o := range objects {
				r.sameObjectFields(o, t.text, "")
			}
		}
	}
}

var (
	pageController = regexp.MustCompile(`(?i)\b(controller|extensions|standardController)\s*=\s*"([^"]*)"`)
	pageGlobal     = regexp.MustCompile(`\$(Resource|Label)\.([A-Za-z0-9_]+)`)
)

// page references a Visualforce page's controller and extensions, its
// standard controller's object and the fields it shows, and the static
// resources and labels it names.
func (r *refCollector) page(files map[string][]byte) {
	for p, data := range files {
		if strings.HasSuffix(p, "-meta.xml") {
			continue
		}
		src := string(data)
		for _, m := range pageController.FindAllStringSubmatch(src, -1) {
			for _, name := range strings.Split(m[2], ",") {
				name = strings.TrimSpace(name)
				if strings.EqualFold(m[1], "standardController") {
					r.add(metadata.Component{Type: "CustomObject", FullName: name}, m[1], false, 0, 0)
					r.sameObjectFields(name, src, "")
				} else {
					r.add(metadata.Component{Type: "ApexClass", FullName: name}, m[1], true, 0, 0)
				}
			}
		}
		for _, m := range pageGlobal.FindAllStringSubmatch(src, -1) {
			t := "StaticResource"
			if m[1] == "Label" {
				t = "CustomLabel"
			}
			r.add(metadata.Component{Type: t, FullName: m[2]}, "", false, 0, 0)
		}
	}
}

var lwcImport = regexp.MustCompile(`@salesforce/(schema|apex|label)/([A-Za-z0-9_.]+)`)

// lwc references the schema, Apex and labels a Lightning web component
// imports.
func (r *refCollector) lwc(files map[string][]byte) {
	for _, data := range files {
		for _, m := range lwcImport.FindAllStringSubmatch(string(data), -1) {
			switch m[1] {
			case "schema":
				if strings.Contains(m[2], ".") {
					r.add(metadata.Component{Type: "CustomField", FullName: m[2]}, "", false, 0, 0)
				} else {
					r.add(metadata.Component{Type: "CustomObject", FullName: m[2]}, "", false, 0, 0)
				}
			case "apex":
				cls, _, _ := strings.Cut(m[2], ".")
				r.add(metadata.Component{Type: "ApexClass", FullName: cls}, "", false, 0, 0)
			case "label":
				r.add(metadata.Component{Type: "CustomLabel", FullName: strings.TrimPrefix(m[2], "c.")}, "", false, 0, 0)
			}
		}
	}
}

// leaf is an XML element holding only text.
type leaf struct {
	parent, name, text string
	line, col          int
}

// leavesOf returns the text elements of every XML file of a component.
// Malformed files give what could be read before the error.
func leavesOf(files map[string][]byte) []leaf {
	var out []leaf
	for p, data := range files {
		if strings.HasSuffix(p, ".xml") {
			out = append(out, leaves(data)...)
		}
	}
	return out
}

func leaves(data []byte) []leaf {
	type open struct {
		name      string
		text      strings.Builder
		kids      bool
		line, col int
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*open
	var out []leaf
	for {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if n := len(stack); n > 0 {
				stack[n-1].kids = true
			}
			line, col := d.InputPos()
			stack = append(stack, &open{name: t.Name.Local, line: line, col: col})
		case xml.CharData:
			if n := len(stack); n > 0 {
				stack[n-1].text.Write(t)
			}
		case xml.EndElement:
			n := len(stack)
			if n == 0 {
				return out
			}
			e := stack[n-1]
			stack = stack[:n-1]
			if !e.kids {
				l := leaf{name: e.name, text: strings.TrimSpace(e.text.String()), line: e.line, col: e.col}
				if n > 1 {
					l.parent = stack[n-2].name
				}
				out = append(out, l)
			}
		}
	}
}
