package diff

import (
	"bytes"
	"path"
	"strings"
)

// Normalize returns data with what opts makes insignificant removed, so two
// files that differ only in that way normalise to equal bytes. path decides
// how the file is read:
//
//   - XML (a path ending in .xml, or content starting with "<?xml"):
//     IgnoreWhitespace drops whitespace between elements, leading and
//     trailing whitespace of text, whitespace inside tags (outside attribute
//     values) and the \r of \r\n in text. IgnoreOrder sorts only the children
//     listed in the order rules (profile and permission set permissions,
//     custom object fields, list views…, custom labels), each by its identity;
//     picklist values, layouts, flows and any element not listed keep their
//     order, because there order has meaning.
//   - code and markup (Apex .cls/.trigger, .js, .html, .css, Visualforce and
//     Aura markup): IgnoreWhitespace ignores indentation, trailing
//     whitespace, blank lines and line endings and collapses runs of spaces
//     and tabs; IgnoreOrder does not apply.
//   - anything else is returned unchanged.
//
// With no option that applies, data itself is returned. Malformed XML is an
// error naming the file and line.
func Normalize(path string, data []byte, opts Options) ([]byte, error) {
	c, err := canonicalize(path, data, opts)
	if err != nil {
		return nil, err
	}
	if c.norm != nil {
		return c.norm, nil
	}
	return c.text, nil
}

// canonical is one file prepared for comparison. Lines needs more than
// Normalize's bytes: it shows text and compares line i of it by the part of
// norm that came from that line, norm[ends[i-1]:ends[i]].
type canonical struct {
	text  []byte // the file, with reorderable elements sorted when IgnoreOrder applies
	norm  []byte // text without insignificant whitespace; nil when IgnoreWhitespace does not apply
	ends  []int  // ends[i] is len(norm) once line i of text is done; nil with norm
	moved bool   // IgnoreOrder moved an element: text is not the file as given
}

type fileKind int

const (
	kindOther fileKind = iota
	kindXML
	kindCode
)

// codeExts are the code and markup files whose whitespace the compiler or
// browser ignores, so reindenting them is noise. Other text (email
// templates, static resources, JSON) is compared as is: there whitespace can
// be content.
var codeExts = map[string]bool{
	".cls": true, ".trigger": true, // Apex
	".js": true, ".html": true, ".css": true, // Lightning web components, static markup
	".page": true, ".component": true, // Visualforce
	".cmp": true, ".app": true, ".evt": true, ".intf": true, ".design": true, // Aura
}

func kindOf(p string, data []byte) fileKind {
	switch ext := strings.ToLower(path.Ext(p)); {
	case ext == ".xml":
		return kindXML
	case codeExts[ext]:
		return kindCode
	case bytes.HasPrefix(data, []byte("<?xml")):
		// Metadata API format names XML files by type (.profile, .object…).
		return kindXML
	}
	return kindOther
}

func canonicalize(path string, data []byte, opts Options) (canonical, error) {
	switch kindOf(path, data) {
	case kindXML:
		if opts.IgnoreWhitespace || opts.IgnoreOrder {
			return canonicalXML(path, data, opts)
		}
	case kindCode:
		if opts.IgnoreWhitespace {
			return canonicalCode(data), nil
		}
	}
	return canonical{text: data}, nil
}

// canonicalCode normalises each line on its own: trimmed, inner runs of
// spaces and tabs collapsed to one space, blank lines dropped. Indentation is
// dropped too, not collapsed: wrapping code in a block reindents it, and
// that is the whitespace change reviewers most want hidden.
func canonicalCode(data []byte) canonical {
	c := canonical{text: data, norm: make([]byte, 0, len(data)), ends: make([]int, 0, bytes.Count(data, nl)+1)}
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimFunc(line, isSpaceRune)
		if len(line) > 0 {
			space := false
			for _, b := range line {
				if isSpace(b) {
					space = true
					continue
				}
				if space {
					c.norm = append(c.norm, ' ')
					space = false
				}
				c.norm = append(c.norm, b)
			}
			c.norm = append(c.norm, '\n')
		}
		c.ends = append(c.ends, len(c.norm))
	}
	return c
}

var nl = []byte{'\n'}

// isSpace is XML's whitespace plus the vertical tab and form feed editors
// leave in code.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

func isSpaceRune(r rune) bool { return r < 0x80 && isSpace(byte(r)) }
