package diff

import (
	"bytes"
	"strings"
)

// LineKind says which side of a diff a line belongs to.
type LineKind int

// Line kinds, as a unified diff marks them with ' ', '+' and '-'.
const (
	Context LineKind = iota // on both sides
	Added                   // only on the new side
	Removed                 // only on the old side
)

// Span is a piece of a changed line, for word-level emphasis: Text[Start:End]
// with Changed set when that piece is what changed.
type Span struct {
	Start, End int  // byte offsets into Line.Text
	Changed    bool // emphasise this piece
}

// Line is one line of a hunk.
type Line struct {
	Kind LineKind
	// Text is the line without its '\n'. A context line shows the new side's
	// text: with IgnoreWhitespace the two sides may differ in whitespace.
	Text string
	// OldNum and NewNum are 1-based line numbers, 0 on the side the line is
	// not on.
	OldNum, NewNum int
	// Spans cover Text from start to end when a removed line and an added
	// line were paired as a modification; nil when there is nothing to
	// emphasise (a context line, or a line too unlike any other to pair).
	Spans []Span
	// NoNewline marks the last line of a file that does not end in '\n'.
	NoNewline bool
}

// Hunk is a run of changes with their surrounding context, as in a unified
// diff. A side with no lines in the hunk has Start set to the line before it.
type Hunk struct {
	OldStart, OldLines, NewStart, NewLines int
	Lines                                  []Line
}

// FileDiff is the diff of one file.
type FileDiff struct {
	// Path is the file's source-format path.
	Path  string
	Hunks []Hunk
	// Added and Removed count the changed lines shown in Hunks.
	Added, Removed int
	// Hidden is how many added and removed lines the options took out of
	// view: the changed lines of the plain diff minus those shown (never
	// below zero), so the UI can say that changes are hidden.
	Hidden int
	// Binary is set when either side looks binary (a NUL byte in its first
	// 8000 bytes, as git decides); such files have no hunks.
	Binary bool
	// NewFile and DeletedFile say the file is absent on the old or the new
	// side; they are set by ItemDiff.
	NewFile, DeletedFile bool
}

// Lines diffs two versions of the file at path, with context lines of
// context around each change, and pairs each removed line with the added
// line it became to emphasise the words that changed.
//
// The options hide changes but never rewrite a line. With IgnoreWhitespace,
// lines are compared by what Normalize keeps of them: a line that differs
// only in whitespace is context (showing the new text), changes of blank
// lines alone make no hunk (a hunk with a real change still shows those
// inside it, as git's --ignore-blank-lines does), and whitespace is never
// emphasised. With IgnoreOrder, XML files are diffed in canonical order, so
// line numbers refer to the reordered text; a file already in canonical
// order (the usual case) is unaffected. Malformed XML with an option on is an
// error naming the file and line.
func Lines(path string, old, new []byte, context int, opts Options) (FileDiff, error) {
	d := FileDiff{Path: path}
	if bytes.Equal(old, new) {
		return d, nil
	}
	if isBinary(old) || isBinary(new) {
		d.Binary = true
		return d, nil
	}
	if kindOf(path, old) != kindOf(path, new) {
		opts = Options{} // no single reading of the file fits both sides
	}
	a, b, err := prepareSides(path, old, new, opts)
	if err != nil {
		return FileDiff{}, err
	}
	ops := align(a, b)
	context = min(max(context, 0), len(a.lines)+len(b.lines))
	d.Hunks, d.Added, d.Removed = buildHunks(a, b, ops, context, a.keys != nil)
	if a.keys != nil || a.moved || b.moved {
		plain := changedLines(a.raw(old), b.raw(new))
		d.Hidden = max(0, plain-d.Added-d.Removed)
	}
	return d, nil
}

// raw returns the lines of data, the file s was prepared from.
func (s side) raw(data []byte) []string {
	if s.moved {
		return splitLines(string(data))
	}
	return s.lines
}

// isBinary reports whether data looks binary, by git's rule.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// side is one version of a file as Lines compares it.
type side struct {
	lines []string // the text, split after each '\n'
	keys  []string // what each line is compared by ("" = insignificant); nil = the line itself
	eol   bool     // the text ends in '\n' or is empty
	moved bool     // IgnoreOrder reordered the text
}

// prepareSides canonicalises both versions, in parallel: for a large XML file
// parsing is most of the work.
func prepareSides(path string, old, new []byte, opts Options) (side, side, error) {
	type result struct {
		s   side
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := prepareSide(path, old, opts)
		done <- result{s, err}
	}()
	b, errB := prepareSide(path, new, opts)
	r := <-done
	if r.err != nil {
		return side{}, side{}, r.err
	}
	return r.s, b, errB
}

func prepareSide(path string, data []byte, opts Options) (side, error) {
	c, err := canonicalize(path, data, opts)
	if err != nil {
		return side{}, err
	}
	text := string(c.text)
	s := side{lines: splitLines(text), eol: text == "" || text[len(text)-1] == '\n', moved: c.moved}
	if c.norm != nil {
		norm := string(c.norm)
		s.keys = make([]string, len(c.ends))
		prev := 0
		for i, e := range c.ends {
			s.keys[i] = norm[prev:e]
			prev = e
		}
	}
	return s, nil
}

// splitLines splits text after each '\n'; a last line without one is kept.
func splitLines(text string) []string {
	lines := make([]string, 0, strings.Count(text, "\n")+1)
	for text != "" {
		i := strings.IndexByte(text, '\n') + 1
		if i == 0 {
			i = len(text)
		}
		lines = append(lines, text[:i])
		text = text[i:]
	}
	return lines
}
