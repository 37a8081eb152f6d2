package metadata

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Reference is one component's use of another, found in its metadata.
// Strict references name custom metadata that must exist for a deploy to
// succeed (a field on a layout); loose ones are identifiers in code that
// may name a class or may be a built-in, so callers keep them only when
// the named component exists somewhere they look.
type Reference struct {
	From   Component `json:"from"`
	To     Component `json:"to"`
	Strict bool      `json:"strict"`
}

// References scans an item's files for the components it refers to: a
// field's object and lookup target, what layouts, permission sets and
// profiles grant or show (fields, objects, classes, pages, record types,
// layouts, tabs), what Apex classes and triggers name (classes, objects,
// fields), and what flows read and write (objects, fields).
func References(it Item) ([]Reference, error) {
	r := &refScan{from: it.Component, seen: map[Component]bool{}}
	for _, f := range it.Files {
		data, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		switch {
		case strings.HasSuffix(f.Path, ".cls"), strings.HasSuffix(f.Path, ".trigger"):
			r.apex(string(data))
		case strings.HasSuffix(f.Path, ".xml"):
			if err := r.xml(data); err != nil {
				return nil, err
			}
		}
	}
	r.parent()
	sort.Slice(r.out, func(i, j int) bool { return r.out[i].To.Less(r.out[j].To) })
	return r.out, nil
}

type refScan struct {
	from Component
	out  []Reference
	seen map[Component]bool
}

func (r *refScan) add(to Component, strict bool) {
	if to.FullName == "" || to == r.from || r.seen[to] {
		return
	}
	r.seen[to] = true
	r.out = append(r.out, Reference{From: r.from, To: to, Strict: strict})
}

// isCustom reports whether an object or field name is custom metadata
// (Invoice__c, Setting__mdt, acme__Thing__c): standard ones always exist.
func isCustom(name string) bool { return strings.Contains(name, "__") }

func (r *refScan) object(name string) {
	if isCustom(name) {
		r.add(Component{Type: "CustomObject", FullName: name}, true)
	}
}

func (r *refScan) field(obj, name string) {
	if obj == "" || name == "" {
		return
	}
	if isCustom(name) {
		r.add(Component{Type: "CustomField", FullName: obj + "." + name}, true)
	}
	r.object(obj)
}

// qualifiedField handles "Object.Field" as permission sets write it.
func (r *refScan) qualifiedField(s string) {
	if obj, f, ok := strings.Cut(s, "."); ok {
		r.field(obj, f)
	}
}

// parent adds the object a child component or a layout belongs to.
func (r *refScan) parent() {
	t, ok := LookupType(r.from.Type)
	switch {
	case ok && t.Parent == "CustomObject":
		if obj, _, ok := strings.Cut(r.from.FullName, "."); ok {
			r.object(obj)
		}
	case r.from.Type == "Layout":
		if obj, _, ok := strings.Cut(r.from.FullName, "-"); ok {
			r.object(obj)
		}
	}
}

// xml walks the element tree, reading the leaves that name components.
func (r *refScan) xml(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	// One frame per open element: its own text, the values of its leaf
	// children, and the field names found below it that wait for the
	// object a flow's record operation names (after them, in flow XML).
	type frame struct {
		name    string
		text    strings.Builder
		kids    map[string]string
		pending []string
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, &frame{name: t.Name.Local, kids: map[string]string{}})
		case xml.CharData:
			if n := len(stack); n > 0 {
				stack[n-1].text.Write(t)
			}
		case xml.EndElement:
			n := len(stack)
			f := stack[n-1]
			stack = stack[:n-1]
			value := strings.TrimSpace(f.text.String())
			var parent *frame
			if n >= 2 {
				parent = stack[n-2]
				if value != "" {
					parent.kids[f.name] = value
				}
				r.leaf(parent.name, f.name, value)
			}
			switch f.name {
			case "recordUpdates", "recordCreates", "recordLookups", "recordDeletes", "start":
				obj := f.kids["object"]
				r.object(obj)
				for _, field := range f.pending {
					r.field(obj, field)
				}
			case "filters", "inputAssignments", "outputAssignments", "queriedFields":
				if parent != nil {
					if field := f.kids["field"]; field != "" {
						parent.pending = append(parent.pending, field)
					} else if f.name == "queriedFields" && value != "" {
						parent.pending = append(parent.pending, value)
					}
				}
			}
		}
	}
}

// leaf handles one element's text by its parent's and its own name.
func (r *refScan) leaf(parent, name, v string) {
	if v == "" {
		return
	}
	switch parent + "/" + name {
	case "fieldPermissions/field":
		r.qualifiedField(v)
	case "objectPermissions/object":
		r.object(v)
	case "classAccesses/apexClass":
		r.add(Component{Type: "ApexClass", FullName: v}, true)
	case "pageAccesses/apexPage", "layoutItems/page":
		r.add(Component{Type: "ApexPage", FullName: v}, true)
	case "recordTypeVisibilities/recordType":
		r.add(Component{Type: "RecordType", FullName: v}, true)
	case "layoutAssignments/layout":
		r.add(Component{Type: "Layout", FullName: v}, true)
	case "tabVisibilities/tab", "tabSettings/tab":
		if isCustom(v) {
			r.add(Component{Type: "CustomTab", FullName: v}, true)
		}
	case "CustomField/referenceTo":
		r.object(v)
	case "layoutItems/field":
		if obj, _, ok := strings.Cut(r.from.FullName, "-"); ok && r.from.Type == "Layout" {
			r.field(obj, v)
		}
	case "actionCalls/actionName", "apexPluginCalls/apexClass":
		r.add(Component{Type: "ApexClass", FullName: v}, false)
	}
}

var (
	apexTrigger  = regexp.MustCompile(`(?i)\btrigger\s+\w+\s+on\s+(\w+)`)
	apexTypeUse  = regexp.MustCompile(`(?i)(?:\bnew\s+|\bfrom\s+|<\s*|\binstanceof\s+)([A-Za-z]\w*)`)
	apexDecl     = regexp.MustCompile(`\b([A-Za-z]\w*)\s+[a-z]\w*\s*[=;,)]`)
	apexWord     = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9_]*\b`)
	apexComment  = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	apexString   = regexp.MustCompile(`'(?:\\.|[^'\\])*'`)
	apexFieldRef = regexp.MustCompile(`\b(\w+__(?:c|mdt|e|b|x))\.(\w+__c)\b`)
	apexSOQL     = regexp.MustCompile(`(?is)\[\s*select\b(.*?)\]`)
	soqlFrom     = regexp.MustCompile(`(?i)\bfrom\s+(\w+)`)
	customWord   = regexp.MustCompile(`\b\w+__c\b`)
)

// apex scans code for the objects, fields and classes it names. Objects
// are the names in type positions (new X(, List<X>, FROM X, X var,
// trigger … on X); a custom name elsewhere is a field of one of those
// objects, and since the code does not say which, each candidate is a
// loose reference kept only where such a field exists. Capitalised names
// that are not objects may be classes, loosely too (String is no class of
// the org).
func (r *refScan) apex(code string) {
	code = apexComment.ReplaceAllString(code, " ")
	code = apexString.ReplaceAllString(code, "''")
	objects := map[string]bool{}
	if m := apexTrigger.FindStringSubmatch(code); m != nil {
		objects[m[1]] = true
	}
	// A SOQL query names its object after FROM and that object's fields
	// before it; its aliases (SUM(Amount__c) total) would read as
	// declarations, so queries are taken out of the code first.
	code = apexSOQL.ReplaceAllStringFunc(code, func(q string) string {
		if m := soqlFrom.FindStringSubmatch(q); m != nil {
			obj := m[1]
			r.object(obj)
			for _, f := range customWord.FindAllString(q, -1) {
				if f != obj && !strings.Contains(q, f+".") {
					r.field(obj, f)
				}
			}
		}
		return " "
	})
	for _, re := range []*regexp.Regexp{apexTypeUse, apexDecl} {
		for _, m := range re.FindAllStringSubmatch(code, -1) {
			if isCustom(m[1]) || isStandardObjectName(m[1]) {
				objects[m[1]] = true
			}
		}
	}
	for obj := range objects {
		r.object(obj)
	}
	for _, m := range apexFieldRef.FindAllStringSubmatch(code, -1) {
		r.field(m[1], m[2])
	}
	for _, loc := range apexWord.FindAllStringIndex(code, -1) {
		word := code[loc[0]:loc[1]]
		member := loc[0] > 0 && code[loc[0]-1] == '.'
		switch {
		case objects[word]:
		case isCustom(word) && strings.HasSuffix(strings.ToLower(word), "__c"):
			for obj := range objects {
				r.add(Component{Type: "CustomField", FullName: obj + "." + word}, false)
			}
		case !member && word[0] >= 'A' && word[0] <= 'Z' && !isCustom(word):
			r.add(Component{Type: "ApexClass", FullName: word}, false)
		}
	}
}

// isStandardObjectName reports whether a capitalised Apex type name may be
// a standard object (Account, Contact, Opportunity, …): it is not one of
// Apex's own types. Only fields are looked up on it, so a wrong guess
// costs nothing: such fields exist nowhere and are dropped.
func isStandardObjectName(name string) bool {
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	switch name {
	case "String", "Integer", "Decimal", "Double", "Long", "Boolean", "Date", "Datetime", "Time", "Id", "Blob",
		"Object", "List", "Set", "Map", "SObject", "Database", "System", "Exception", "Math", "Test", "JSON":
		return false
	}
	return true
}
