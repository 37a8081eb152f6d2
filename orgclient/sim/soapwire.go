package sim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on a SOAP request: a deploy's base64 zip fits the 50 MB SOAP
// message limit (§5.4); nesting and element counts guard the parser.
const (
	maxSOAPBody     = 64 << 20
	maxSOAPDepth    = 64
	maxSOAPElements = 200000
)

// xnode is one element of a SOAP request, reduced to what binding needs:
// local names only (prefixes and namespaces are ignored, §2.1, §5.6).
type xnode struct {
	name string
	text string // character data directly inside, untrimmed
	nil_ bool   // xsi:nil="true"
	kids []*xnode
}

// child returns the first child with local name, or nil (also on a nil
// node, so lookups can be chained through missing elements).
func (n *xnode) child(name string) *xnode {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// all returns every child with local name, in order.
func (n *xnode) all(name string) []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// value is the trimmed text of a scalar element ("" for nil or absent).
func (n *xnode) value() string {
	if n == nil || n.nil_ {
		return ""
	}
	return strings.TrimSpace(n.text)
}

// field is the trimmed text of the first child with local name.
func (n *xnode) field(name string) string { return n.child(name).value() }

// soapRequest is a parsed Metadata API call.
type soapRequest struct {
	session string   // SessionHeader/sessionId
	op      string   // the Body's element, e.g. "deploy"
	args    []*xnode // the operation's children, in order
}

// parseSOAPRequest reads a SOAP 1.1 envelope. Elements are matched by local
// name whatever their prefix or namespace, as real clients differ in both
// (§2.1, §5.6). It never panics: any input gives a request or an error.
func parseSOAPRequest(body []byte) (*soapRequest, error) {
	root, err := parseTree(body)
	if err != nil {
		return nil, err
	}
	if root.name != "Envelope" {
		return nil, fmt.Errorf("the root element is <%s>, not a SOAP <Envelope>", root.name)
	}
	req := &soapRequest{}
	if h := root.child("Header"); h != nil {
		req.session = h.child("SessionHeader").field("sessionId")
	}
	b := root.child("Body")
	if b == nil || len(b.kids) == 0 {
		return nil, errors.New("the SOAP envelope has no Body element holding an operation")
	}
	req.op, req.args = b.kids[0].name, b.kids[0].kids
	return req, nil
}

// parseTree parses an XML document into xnodes without recursion.
func parseTree(body []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var root *xnode
	var stack []*xnode
	count := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxSOAPElements || len(stack) >= maxSOAPDepth {
				return nil, errors.New("the SOAP message is too deeply nested or has too many elements")
			}
			n := &xnode{name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Local == "nil" && strings.TrimSpace(a.Value) == "true" {
					n.nil_ = true
				}
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("malformed XML: more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("malformed XML: text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("malformed XML: no root element")
	}
	return root, nil
}
