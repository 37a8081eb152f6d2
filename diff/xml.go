package diff

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The XML normaliser works on the file's own bytes rather than on a
// re-encoded tree: with IgnoreOrder alone the output is the input with whole
// elements moved, so a reordered file still looks like the file, and nothing
// but order (no quoting, entity or empty-element style) is ever hidden.

type tokKind uint8

const (
	tokStart    tokKind = iota // start tag, or the whole of an empty-element tag
	tokEnd                     // end tag; zero-length after an empty-element tag
	tokProcInst                // <?target ...?>
	tokText                    // character data or a CDATA section
	tokVerbatim                // comment or directive: kept byte for byte
)

// xtoken is one token of an XML file: its byte span in the input and where
// it sits in the tree. A large profile has hundreds of thousands of tokens,
// so the token is kept small and a start tag's name is read from the input
// when needed.
type xtoken struct {
	kind       tokKind
	depth      int32 // elements open around the token
	start, end int
}

// local returns the local name of a start tag (the name without its prefix).
func (t xtoken) local(data []byte) []byte {
	name := data[t.start+1 : t.end]
	if i := bytes.IndexFunc(name, func(r rune) bool { return r == '/' || r == '>' || isSpaceRune(r) }); i >= 0 {
		name = name[:i]
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// tokenizeXML splits data into tokens covering every byte, checking that it is
// well-formed. encoding/xml's RawToken does not match end tags to start tags,
// so the stack here does.
func tokenizeXML(path string, data []byte) ([]xtoken, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, encodingError(charset)
	}
	// Every token but text and the end of an empty element starts with '<'.
	toks := make([]xtoken, 0, 2*bytes.Count(data, []byte("<"))+1)
	var open []xml.Name
	for prev := 0; ; {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(path, d, err)
		}
		t := xtoken{start: prev, end: int(d.InputOffset()), depth: int32(len(open))}
		prev = t.end
		switch tok := tok.(type) {
		case xml.StartElement:
			t.kind = tokStart
			open = append(open, tok.Name)
		case xml.EndElement:
			if len(open) == 0 {
				return nil, xmlError(path, d, fmt.Errorf("end tag </%s> closes no element", qname(tok.Name)))
			}
			if top := open[len(open)-1]; top != tok.Name {
				return nil, xmlError(path, d, fmt.Errorf("element <%s> is closed by </%s>", qname(top), qname(tok.Name)))
			}
			open = open[:len(open)-1]
			t.kind, t.depth = tokEnd, int32(len(open))
		case xml.ProcInst:
			t.kind = tokProcInst
		case xml.CharData:
			t.kind = tokText
		default: // xml.Comment, xml.Directive
			t.kind = tokVerbatim
		}
		toks = append(toks, t)
	}
	if len(open) > 0 {
		return nil, xmlError(path, d, fmt.Errorf("element <%s> is never closed", qname(open[len(open)-1])))
	}
	return toks, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// encodingError is a declared encoding other than UTF-8. Salesforce writes
// UTF-8 only; converting would hide what a deploy would send.
type encodingError string

func (e encodingError) Error() string {
	return fmt.Sprintf("the file declares encoding %q; save it as UTF-8", string(e))
}

func xmlError(path string, d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s line %d: malformed XML: %s", path, se.Line, se.Msg)
	}
	var ee encodingError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s: %w", path, ee)
	}
	line, _ := d.InputPos()
	return fmt.Errorf("%s line %d: malformed XML: %v", path, line, err)
}

// span is a run of tokens, toks[from:to], moved as one piece.
type span struct{ from, to int }

func canonicalXML(path string, data []byte, opts Options) (canonical, error) {
	toks, err := tokenizeXML(path, data)
	if err != nil {
		return canonical{}, err
	}
	order, moved := []span{{0, len(toks)}}, false
	if opts.IgnoreOrder {
		order, moved = reorder(data, toks)
	}
	if !opts.IgnoreWhitespace && !moved {
		return canonical{text: data}, nil
	}
	e := emitter{in: data, ws: opts.IgnoreWhitespace, moved: moved}
	e.c.text, e.c.moved = data, moved
	if moved {
		e.c.text = make([]byte, 0, len(data))
	}
	if !e.ws {
		for _, s := range order {
			e.copy(toks[s.from].start, toks[s.to-1].end, keep)
		}
		return e.c, nil
	}
	e.c.norm = make([]byte, 0, len(data))
	e.c.ends = make([]int, 0, bytes.Count(data, nl)+1)
	var text []xtoken // the pending run of character data
	for _, s := range order {
		for _, t := range toks[s.from:s.to] {
			if t.kind == tokText {
				text = append(text, t)
				continue
			}
			e.text(text)
			text = text[:0]
			if t.kind == tokVerbatim {
				e.copy(t.start, t.end, keep)
			} else {
				e.tag(t.start, t.end)
			}
		}
	}
	e.text(text)
	if n := len(e.c.text); n > 0 && e.c.text[n-1] != '\n' {
		e.c.ends = append(e.c.ends, len(e.c.norm))
	}
	return e.c, nil
}

type emitMode int

const (
	keep  emitMode = iota // the bytes are significant
	drop                  // the bytes are insignificant whitespace
	space                 // a run of whitespace that counts as one space
)

// emitter copies input bytes, in canonical order, to the text when elements
// moved and, when whitespace is ignored, what remains of them to norm, noting
// where each text line ends in norm.
type emitter struct {
	in        []byte
	ws, moved bool
	c         canonical
}

func (e *emitter) copy(s, t int, mode emitMode) {
	b := e.in[s:t]
	if e.moved {
		e.c.text = append(e.c.text, b...)
	}
	if !e.ws {
		return
	}
	if mode == space && len(b) > 0 {
		e.c.norm = append(e.c.norm, ' ')
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if mode == keep {
				e.c.norm = append(e.c.norm, b...)
			}
			return
		}
		if mode == keep {
			e.c.norm = append(e.c.norm, b[:i+1]...)
		}
		e.c.ends = append(e.c.ends, len(e.c.norm))
		b = b[i+1:]
	}
}

// tag emits a start, end or processing-instruction tag with the whitespace
// between its parts collapsed to one space, and dropped next to '=' and
// before the closing '>', '/>' or '?>'. Attribute values are kept as written.
func (e *emitter) tag(s, t int) {
	in := e.in
	var quote byte
	from := s
	for i := s; i < t; i++ {
		b := in[i]
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case isSpace(b):
			j := i + 1
			for j < t && isSpace(in[j]) {
				j++
			}
			e.copy(from, i, keep)
			mode := space
			if i == s || j == t || in[i-1] == '=' || strings.IndexByte("=>/?", in[j]) >= 0 {
				mode = drop
			}
			e.copy(i, j, mode)
			from, i = j, j-1
		}
	}
	e.copy(from, t, keep)
}

// text emits a run of character data and CDATA sections with its leading and
// trailing whitespace dropped, and the \r of each \r\n too (\r\r\n included),
// as XML parsers read \r\n as \n.
func (e *emitter) text(run []xtoken) {
	if len(run) == 0 {
		return
	}
	lo, hi := -1, -1 // the significant bytes are in[lo:hi]
	for _, t := range run {
		for i := t.start; i < t.end; i++ {
			if !isSpace(e.in[i]) {
				if lo < 0 {
					lo = i
				}
				hi = i + 1
			}
		}
	}
	for _, t := range run {
		if lo < 0 || t.end <= lo || t.start >= hi {
			e.copy(t.start, t.end, drop)
			continue
		}
		s, u := max(t.start, lo), min(t.end, hi)
		e.copy(t.start, s, drop)
		for s < u {
			i := bytes.IndexByte(e.in[s:u], '\r')
			if i < 0 {
				e.copy(s, u, keep)
				break
			}
			r, j := s+i, s+i+1 // in[r:j] is a run of \r
			for j < u && e.in[j] == '\r' {
				j++
			}
			e.copy(s, r, keep)
			if j < u && e.in[j] == '\n' {
				e.copy(r, j, drop)
			} else {
				e.copy(r, j, keep)
			}
			s = j
		}
		e.copy(u, t.end, drop)
	}
}
