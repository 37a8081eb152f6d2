package metadata

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MetadataNamespace is the XML namespace of every Metadata API document.
const MetadataNamespace = "http://soap.sforce.com/2006/04/metadata"

// xmlDecl is the declaration the Salesforce CLI writes at the top of every
// metadata XML file; relman writes the same so converted files compare equal.
const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// node is one piece of a metadata XML document. Text keeps its raw, still
// escaped form (entities, CDATA) so that a file split and recomposed by relman
// keeps its text byte for byte, as the Salesforce CLI does.
type node struct {
	kind     nodeKind
	name     string     // element name as written, prefix included
	attrs    []xml.Attr // attributes as written, prefixes included
	children []*node
	raw      string // text or comment: the raw bytes between the markup
}

// utf8BOM starts files saved by some Windows editors; XML parsers ignore it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

type nodeKind int

const (
	elementNode nodeKind = iota
	textNode
	commentNode
)

// parseXML parses a metadata XML document and returns its root element.
// Errors name the line.
func parseXML(data []byte) (*node, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*node
	var root *node
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlSyntaxError(d, err)
		}
		end := d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{kind: elementNode, name: rawName(t.Name), attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					line, _ := d.InputPos()
					return nil, fmt.Errorf("line %d: second root element <%s>; a metadata file has exactly one", line, n.name)
				}
				root = n
			} else {
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			line, _ := d.InputPos()
			if len(stack) == 0 {
				return nil, fmt.Errorf("line %d: unexpected </%s>", line, rawName(t.Name))
			}
			if top := stack[len(stack)-1]; top.name != rawName(t.Name) {
				return nil, fmt.Errorf("line %d: </%s> closes <%s>", line, rawName(t.Name), top.name)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					line, _ := d.InputPos()
					return nil, fmt.Errorf("line %d: text outside the root element", line)
				}
				continue
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, &node{kind: textNode, raw: string(data[start:end])})
		case xml.Comment:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.children = append(top.children, &node{kind: commentNode, raw: string(t)})
			}
		case xml.Directive:
			line, _ := d.InputPos()
			return nil, fmt.Errorf("line %d: <!%s> directives are not allowed in metadata XML", line, firstWord(string(t)))
		}
	}
	if len(stack) > 0 {
		line, _ := d.InputPos()
		return nil, fmt.Errorf("line %d: <%s> is never closed", line, stack[len(stack)-1].name)
	}
	if root == nil {
		return nil, errors.New("no root element: the file is empty or not XML")
	}
	return root, nil
}

func xmlSyntaxError(d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: malformed XML: %s", se.Line, se.Msg)
	}
	line, _ := d.InputPos()
	return fmt.Errorf("line %d: malformed XML: %v", line, err)
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// localName strips a namespace prefix: the Metadata API namespace is usually
// the default one, but files written by other tools may prefix it.
func localName(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// elements returns the element children of n.
func (n *node) elements() []*node {
	var out []*node
	for _, c := range n.children {
		if c.kind == elementNode {
			out = append(out, c)
		}
	}
	return out
}

// childText returns the decoded text of n's first child element named name.
func (n *node) childText(name string) (string, bool) {
	for _, c := range n.children {
		if c.kind == elementNode && localName(c.name) == name {
			return c.text(), true
		}
	}
	return "", false
}

// text returns the decoded text content of n (entities resolved, CDATA
// unwrapped), ignoring child elements.
func (n *node) text() string {
	var b strings.Builder
	for _, c := range n.children {
		if c.kind == textNode {
			b.WriteString(c.raw)
		}
	}
	return decodeText(b.String())
}

// decodeText resolves entities and CDATA sections in raw XML character data.
func decodeText(raw string) string {
	if !strings.ContainsAny(raw, "&<") {
		return raw
	}
	d := xml.NewDecoder(strings.NewReader("<x>" + raw + "</x>"))
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return b.String()
		}
		if cd, ok := tok.(xml.CharData); ok {
			b.Write(cd)
		}
	}
}

// hasContentOtherThan reports whether n has element children other than the
// ones named in skip (by local name).
func (n *node) hasContentOtherThan(skip ...string) bool {
	for _, c := range n.elements() {
		if !contains(skip, localName(c.name)) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// namespaceAttrs returns n's xmlns and xmlns:* attributes.
func (n *node) namespaceAttrs() []xml.Attr {
	var out []xml.Attr
	for _, a := range n.attrs {
		if (a.Name.Space == "" && a.Name.Local == "xmlns") || a.Name.Space == "xmlns" {
			out = append(out, a)
		}
	}
	return out
}

// newRoot returns an empty root element named name carrying the namespace
// declarations attrs, or the Metadata API namespace when attrs is empty.
func newRoot(name string, attrs []xml.Attr) *node {
	if len(attrs) == 0 {
		attrs = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: MetadataNamespace}}
	}
	return &node{kind: elementNode, name: name, attrs: append([]xml.Attr(nil), attrs...)}
}

// mergeNamespaces appends to dst the declarations of add that dst lacks.
func mergeNamespaces(dst, add []xml.Attr) []xml.Attr {
	for _, a := range add {
		found := false
		for _, d := range dst {
			if d.Name == a.Name {
				found = true
				break
			}
		}
		if !found {
			dst = append(dst, a)
		}
	}
	return dst
}

// document renders root as a complete file in the Salesforce CLI's style: the
// UTF-8 declaration, 4-space indentation, a trailing newline.
func document(root *node) []byte {
	var b bytes.Buffer
	b.WriteString(xmlDecl)
	writeNode(&b, root, 0)
	return b.Bytes()
}

// fragment renders one element on its own, indented from column 0, as the
// content of a Fragment file.
func fragment(n *node) []byte {
	var b bytes.Buffer
	writeNode(&b, n, 0)
	return b.Bytes()
}

func writeNode(b *bytes.Buffer, n *node, depth int) {
	indent(b, depth)
	switch n.kind {
	case commentNode:
		b.WriteString("<!--" + n.raw + "-->\n")
		return
	case textNode:
		b.WriteString(n.raw + "\n")
		return
	}
	if len(n.children) == 0 {
		writeOpenTag(b, n)
		b.WriteString("/>\n")
		return
	}
	writeStartTag(b, n)
	switch {
	case !n.hasElementChildren():
		// Text-only: keep the raw text exactly, whitespace included.
		writeInline(b, n.children)
		b.WriteString("</" + n.name + ">\n")
	case n.isMixed():
		// Text mixed with elements: reindenting would change the text.
		writeInline(b, n.children)
		b.WriteString("</" + n.name + ">\n")
	default:
		b.WriteByte('\n')
		for _, c := range n.children {
			if c.kind == textNode {
				continue // whitespace between elements
			}
			writeNode(b, c, depth+1)
		}
		indent(b, depth)
		b.WriteString("</" + n.name + ">\n")
	}
}

func writeStartTag(b *bytes.Buffer, n *node) {
	writeOpenTag(b, n)
	b.WriteByte('>')
}

// writeOpenTag writes "<name attrs" without closing the tag.
func writeOpenTag(b *bytes.Buffer, n *node) {
	b.WriteString("<" + n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + rawName(a.Name) + `="` + escapeAttr(a.Value) + `"`)
	}
}

func writeInline(b *bytes.Buffer, children []*node) {
	for _, c := range children {
		switch c.kind {
		case textNode:
			b.WriteString(c.raw)
		case commentNode:
			b.WriteString("<!--" + c.raw + "-->")
		default:
			if len(c.children) == 0 {
				writeOpenTag(b, c)
				b.WriteString("/>")
				continue
			}
			writeStartTag(b, c)
			writeInline(b, c.children)
			b.WriteString("</" + c.name + ">")
		}
	}
}

func (n *node) hasElementChildren() bool {
	for _, c := range n.children {
		if c.kind == elementNode {
			return true
		}
	}
	return false
}

func (n *node) isMixed() bool {
	for _, c := range n.children {
		if c.kind == textNode && strings.TrimSpace(c.raw) != "" {
			return true
		}
	}
	return false
}

func indent(b *bytes.Buffer, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("    ")
	}
}

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;")

func escapeAttr(s string) string { return attrEscaper.Replace(s) }

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeText escapes s for use as element text.
func escapeText(s string) string { return textEscaper.Replace(s) }
