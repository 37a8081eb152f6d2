package diff

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// minSimilarity is how alike a removed and an added line must be to be
	// shown as one line modified: the share of their non-blank bytes that
	// the token diff finds in common. Below it, emphasis would light up
	// most of both lines and help no one.
	minSimilarity = 0.4
	// pairWindow is how many added lines ahead a removed line looks for its
	// counterpart, so an inserted line does not shift every pairing after
	// it, while a block of thousands of lines stays linear.
	pairWindow = 8
	// maxEmphasisBytes bounds the lines worth a token diff; minified
	// JavaScript or a one-line XML blob gets plain line colours.
	maxEmphasisBytes = 4096
)

// emphasize pairs, in each run of removed lines followed by added lines, each
// removed line with the first sufficiently similar added line after the
// previous pair, and marks the words that differ. With ignoreSpace,
// whitespace is never marked: the options said it does not matter.
func emphasize(lines []Line, ignoreSpace bool) {
	for i := 0; i < len(lines); {
		if lines[i].Kind != Removed {
			i++
			continue
		}
		r := i
		for i < len(lines) && lines[i].Kind == Removed {
			i++
		}
		a := i
		for i < len(lines) && lines[i].Kind == Added {
			i++
		}
		removed, added := lines[r:a], lines[a:i]
		split := make([]*words, len(added)) // each added line's words, once needed
		next := 0                           // first added line not yet paired or passed
		for k := range removed {
			x := splitWords(removed[k].Text)
			for j := next; x != nil && j < min(next+pairWindow, len(added)); j++ {
				if split[j] == nil {
					split[j] = splitWords(added[j].Text)
				}
				if old, new, ok := wordSpans(x, split[j], ignoreSpace); ok {
					removed[k].Spans, added[j].Spans = old, new
					next = j + 1
					break
				}
			}
		}
	}
}

// words is a line split into tokens, with its non-blank tokens sorted: their
// common multiset bounds what a token diff can find in common, and is far
// cheaper to get.
type words struct {
	text   string
	tokens []string
	solid  []string // the non-blank tokens, sorted
	size   int      // their length
}

// splitWords returns nil for a line too long to emphasise.
func splitWords(text string) *words {
	if len(text) > maxEmphasisBytes {
		return nil
	}
	w := &words{text: text, tokens: tokenize(text)}
	for _, t := range w.tokens {
		if !isBlank(t) {
			w.solid = append(w.solid, t)
			w.size += len(t)
		}
	}
	slices.Sort(w.solid)
	return w
}

// common is the length of the non-blank tokens x and y have in common,
// counted as multisets.
func common(x, y *words) int {
	n := 0
	for i, j := 0, 0; i < len(x.solid) && j < len(y.solid); {
		switch c := strings.Compare(x.solid[i], y.solid[j]); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			n += len(x.solid[i])
			i++
			j++
		}
	}
	return n
}

// wordSpans diffs two lines token by token and returns the spans of each, or
// false when the lines are equal or too unlike to be shown as a modification
// of one another. Likeness counts only non-blank tokens, so indentation
// neither makes lines alike nor unlike.
func wordSpans(x, y *words, ignoreSpace bool) ([]Span, []Span, bool) {
	total := x.size + y.size
	if x.text == y.text || float64(2*common(x, y)) < minSimilarity*float64(total) {
		return nil, nil, false
	}
	var edits ops
	edits.diffSeq(x.tokens, y.tokens, 0, 0, false)
	cx, cy := make([]bool, len(x.tokens)), make([]bool, len(y.tokens)) // changed tokens
	changed := 0
	for _, o := range edits {
		switch o.kind {
		case opDelete:
			changed += mark(x.tokens[o.a:o.a+o.n], cx[o.a:o.a+o.n], ignoreSpace)
		case opInsert:
			changed += mark(y.tokens[o.b:o.b+o.n], cy[o.b:o.b+o.n], ignoreSpace)
		}
	}
	if total == 0 || float64(total-changed) < minSimilarity*float64(total) {
		return nil, nil, false
	}
	return spans(x.tokens, cx), spans(y.tokens, cy), true
}

// mark flags the changed tokens, except blank ones when ignoreSpace, and
// returns their non-blank length.
func mark(tokens []string, changed []bool, ignoreSpace bool) int {
	n := 0
	for i, t := range tokens {
		blank := isBlank(t)
		changed[i] = !blank || !ignoreSpace
		if !blank {
			n += len(t)
		}
	}
	return n
}

// spans merges runs of tokens into spans. Whitespace between two changed
// tokens counts as changed, so "foo bar" → "baz qux" is one emphasised
// piece, not two with a gap.
func spans(tokens []string, changed []bool) []Span {
	for i := 1; i+1 < len(tokens); i++ {
		if !changed[i] && changed[i-1] && changed[i+1] && isBlank(tokens[i]) {
			changed[i] = true
		}
	}
	var out []Span
	pos := 0
	for i, t := range tokens {
		if n := len(out); n > 0 && out[n-1].Changed == changed[i] {
			out[n-1].End += len(t)
		} else {
			out = append(out, Span{Start: pos, End: pos + len(t), Changed: changed[i]})
		}
		pos += len(t)
	}
	return out
}

// tokenize splits a line at word boundaries: runs of letters, digits and
// underscores (an API name such as Account.Region__c is three tokens), runs
// of whitespace, and every other character on its own.
func tokenize(s string) []string {
	var tokens []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		if class := runeClass(r); class != otherClass {
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if runeClass(r) != class {
					break
				}
				j += size
			}
		}
		tokens = append(tokens, s[i:j])
		i = j
	}
	return tokens
}

const (
	otherClass = iota
	wordClass
	spaceClass
)

func runeClass(r rune) int {
	switch {
	case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
		return wordClass
	case unicode.IsSpace(r):
		return spaceClass
	}
	return otherClass
}

func isBlank(token string) bool {
	r, _ := utf8.DecodeRuneInString(token)
	return runeClass(r) == spaceClass
}
