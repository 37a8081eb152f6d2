package metadata

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Wildcard is the manifest member that stands for every component of a type.
const Wildcard = "*"

// maxManifestBytes bounds what ParseManifest reads: real manifests are at most
// a few megabytes, and the bound keeps a hostile input from exhausting memory.
const maxManifestBytes = 64 << 20

// Manifest is a package.xml or destructiveChanges.xml: members by type, and
// the API version. Folder components are keyed by their folder type
// (ReportFolder), although the file lists them under the content type.
type Manifest struct {
	Types   map[string][]string // type name → sorted, distinct members
	Version string              // e.g. "62.0"; empty when the file has none
}

// packageFields are the other elements of the Metadata API Package type; a
// manifest may carry them, relman ignores them.
var packageFields = map[string]bool{
	"apiAccessLevel": true, "description": true, "fullName": true, "namespacePrefix": true,
	"objectPermissions": true, "packageType": true, "postInstallClass": true,
	"setupWeblink": true, "uninstallClass": true,
}

var versionPattern = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]$`)

// ParseManifest reads a package.xml or destructiveChanges.xml. It is strict:
// the root must be <Package> (in any namespace), only Package's elements may
// appear, every type must be registered and every member well-formed for its
// type; errors name the line. Duplicate members are merged. A member listed
// without a folder under an in-folder type (a folder name under Report) is the
// folder itself and is keyed by the folder type (ReportFolder), as the
// Metadata API reads it.
func ParseManifest(r io.Reader) (Manifest, error) { return parseManifest(r, false) }

// ReadManifestLenient reads the package.xml of a Metadata API folder relman
// lists, rather than one it was handed to deploy: types it does not know
// and members its name rules would refuse (%%%NAMESPACE%%% tokens, names
// of types newer than relman) are kept as written, as the Salesforce CLI
// keeps them. Only malformed XML is an error.
func ReadManifestLenient(r io.Reader) (Manifest, error) { return parseManifest(r, true) }

func parseManifest(r io.Reader, lenient bool) (Manifest, error) {
	br := bufio.NewReader(io.LimitReader(r, maxManifestBytes))
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	d := xml.NewDecoder(br)
	d.Strict = true
	m := Manifest{Types: map[string][]string{}}
	sawRoot := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Manifest{}, manifestSyntaxError(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if sawRoot || t.Name.Local != "Package" {
				return Manifest{}, fmt.Errorf("line %d: root element is <%s>; a manifest's root is <Package xmlns=%q>", line(d), t.Name.Local, MetadataNamespace)
			}
			sawRoot = true
			if err := parsePackage(d, &m, lenient); err != nil {
				return Manifest{}, err
			}
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return Manifest{}, fmt.Errorf("line %d: text outside <Package>", line(d))
			}
		case xml.Directive:
			return Manifest{}, fmt.Errorf("line %d: <!%s> directives are not allowed in a manifest", line(d), firstWord(string(t)))
		}
	}
	if !sawRoot {
		return Manifest{}, errors.New("no <Package> element: the manifest is empty or not XML")
	}
	for typ, members := range m.Types {
		m.Types[typ] = sortedDistinct(members)
	}
	return m, nil
}

func line(d *xml.Decoder) int {
	l, _ := d.InputPos()
	return l
}

func manifestSyntaxError(d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: malformed XML: %s", se.Line, se.Msg)
	}
	return fmt.Errorf("line %d: malformed XML: %v", line(d), err)
}

func parsePackage(d *xml.Decoder, m *Manifest, lenient bool) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return manifestSyntaxError(d, err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return fmt.Errorf("line %d: unexpected text %q in <Package>", line(d), strings.TrimSpace(string(t)))
			}
		case xml.StartElement:
			switch name := t.Name.Local; {
			case name == "types":
				if err := parseTypes(d, m, lenient); err != nil {
					return err
				}
			case name == "version":
				at := line(d)
				v, err := elementText(d, "version")
				if err != nil {
					return err
				}
				if !versionPattern.MatchString(v) {
					return fmt.Errorf("line %d: version %q is not an API version such as 62.0", at, v)
				}
				m.Version = v
			case packageFields[name]:
				if err := d.Skip(); err != nil {
					return manifestSyntaxError(d, err)
				}
			default:
				return fmt.Errorf("line %d: unknown element <%s> in <Package>; expected <types> or <version>", line(d), name)
			}
		}
	}
}

type member struct {
	name string
	line int
}

func parseTypes(d *xml.Decoder, m *Manifest, lenient bool) error {
	start := line(d)
	var members []member
	typeName, nameLine := "", 0
	for {
		tok, err := d.Token()
		if err != nil {
			return manifestSyntaxError(d, err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return addTypes(m, typeName, nameLine, start, members, lenient)
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return fmt.Errorf("line %d: unexpected text %q in <types>", line(d), strings.TrimSpace(string(t)))
			}
		case xml.StartElement:
			at := line(d)
			switch t.Name.Local {
			case "members":
				s, err := elementText(d, "members")
				if err != nil {
					return err
				}
				members = append(members, member{s, at})
			case "name":
				if typeName != "" {
					return fmt.Errorf("line %d: second <name> in one <types> (first was %s)", at, typeName)
				}
				s, err := elementText(d, "name")
				if err != nil {
					return err
				}
				typeName, nameLine = s, at
			default:
				return fmt.Errorf("line %d: unknown element <%s> in <types>; expected <members> or <name>", at, t.Name.Local)
			}
		}
	}
}

func addTypes(m *Manifest, typeName string, nameLine, start int, members []member, lenient bool) error {
	if typeName == "" {
		return fmt.Errorf("line %d: <types> without <name>", start)
	}
	t, ok := typesByName[typeName]
	if !ok && lenient {
		for _, mb := range members {
			m.Types[typeName] = append(m.Types[typeName], mb.name)
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("line %d: %w", nameLine, unknownTypeError(typeName))
	}
	for _, mb := range members {
		typ := t.Name
		if mb.name == Wildcard {
			m.Types[typ] = append(m.Types[typ], mb.name)
			continue
		}
		if t.InFolder && !strings.Contains(mb.name, "/") {
			typ = t.FolderType
		}
		if err := Validate(Component{Type: typ, FullName: mb.name}); err != nil && !lenient {
			return fmt.Errorf("line %d: %w", mb.line, err)
		}
		m.Types[typ] = append(m.Types[typ], mb.name)
	}
	return nil
}

// elementText reads the text of a simple element whose start tag was just
// read, failing on child elements.
func elementText(d *xml.Decoder, name string) (string, error) {
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", manifestSyntaxError(d, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.EndElement:
			s := strings.TrimSpace(b.String())
			if s == "" {
				return "", fmt.Errorf("line %d: empty <%s>", line(d), name)
			}
			return s, nil
		case xml.StartElement:
			return "", fmt.Errorf("line %d: unexpected <%s> inside <%s>; it holds text only", line(d), t.Name.Local, name)
		}
	}
}

func sortedDistinct(ss []string) []string {
	if len(ss) == 0 {
		return ss
	}
	sort.Strings(ss)
	out := ss[:1]
	for _, s := range ss[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

// Components returns the manifest's members as components, sorted. A
// wildcard member is kept as a component with FullName "*".
func (m Manifest) Components() []Component {
	var out []Component
	for typ, members := range m.Types {
		for _, mb := range members {
			out = append(out, Component{Type: typ, FullName: mb})
		}
	}
	SortComponents(out)
	return out
}

// NewManifest builds a manifest listing cs (duplicates merged) for API
// version version.
func NewManifest(cs []Component, version string) Manifest {
	m := Manifest{Types: map[string][]string{}, Version: version}
	for _, c := range cs {
		m.Types[c.Type] = append(m.Types[c.Type], c.FullName)
	}
	for typ, members := range m.Types {
		m.Types[typ] = sortedDistinct(members)
	}
	return m
}

// WriteXML writes m in the Salesforce CLI's layout: XML declaration, the
// Metadata API namespace, <types> sorted by name with sorted members,
// <version> last, 4-space indentation. Folder types are written under their
// content type (ReportFolder members under Report), as the Metadata API
// expects.
func (m Manifest) WriteXML(w io.Writer) error {
	byName := map[string][]string{}
	for typ, members := range m.Types {
		name := typ
		if t, ok := typesByName[typ]; ok && t.FolderContentType != "" {
			name = t.FolderContentType
		}
		byName[name] = append(byName[name], members...)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	bw := bufio.NewWriter(w)
	bw.WriteString(xmlDecl)
	bw.WriteString(`<Package xmlns="` + MetadataNamespace + `">` + "\n")
	for _, n := range names {
		bw.WriteString("    <types>\n")
		for _, mb := range sortedDistinct(byName[n]) {
			bw.WriteString("        <members>" + escapeText(mb) + "</members>\n")
		}
		bw.WriteString("        <name>" + escapeText(n) + "</name>\n")
		bw.WriteString("    </types>\n")
	}
	if m.Version != "" {
		bw.WriteString("    <version>" + escapeText(m.Version) + "</version>\n")
	}
	bw.WriteString("</Package>\n")
	return bw.Flush()
}

// WriteDestructive writes a destructiveChanges.xml listing cs. Wildcards are
// refused: the Metadata API deletes only named components.
func WriteDestructive(w io.Writer, cs []Component, version string) error {
	for _, c := range cs {
		if c.FullName == Wildcard {
			return fmt.Errorf("destructive changes cannot use the wildcard %s; list each component to delete by name", c)
		}
	}
	return NewManifest(cs, version).WriteXML(w)
}
