package review

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"relman/diff"
	"relman/ui/theme"
)

// paint is a theme style's escape sequences. A frame of a wide diff has
// hundreds of styled pieces; taking each style's sequences once and
// concatenating them keeps a scroll frame far below a Style.Render per
// piece, while every colour still comes from the theme.
type paint struct{ pre, post string }

// paintOf takes s's sequences by rendering a probe: s must be an inline
// style (colours and attributes, no padding, width or border).
func paintOf(s lipgloss.Style) paint {
	const probe = "x"
	r := s.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 {
		return paint{}
	}
	return paint{pre: r[:i], post: r[i+len(probe):]}
}

// write writes text in p's style.
func (p paint) write(b *strings.Builder, text string) {
	if text == "" {
		return
	}
	b.WriteString(p.pre)
	b.WriteString(text)
	b.WriteString(p.post)
}

// paints are the diff pane's styles.
type paints struct {
	added, removed, addedLine, removedLine, addedWord, removedWord paint
	lineNum, hunk, file, muted, match, cursor, warn                paint
}

func newPaints(st *theme.Styles) paints {
	return paints{
		added: paintOf(st.Added), removed: paintOf(st.Removed),
		addedLine: paintOf(st.AddedLine), removedLine: paintOf(st.RemovedLine),
		addedWord: paintOf(st.AddedWord), removedWord: paintOf(st.RemovedWord),
		lineNum: paintOf(st.LineNumber), hunk: paintOf(st.HunkHeader), file: paintOf(st.Bold),
		muted: paintOf(st.Muted), match: paintOf(st.Match), cursor: paintOf(st.Accent), warn: paintOf(st.Warning),
	}
}

// textStyle is which paint a piece of a line takes.
type textStyle uint8

const (
	styleBase textStyle = iota // the line's own style
	styleEm                    // a changed word
	styleHit                   // a search match
)

// hit is a search match in a line: bytes [start, end).
type hit struct{ start, end int }

// lineText draws row part of a diff line wrapped at w columns: text in
// base, the changed spans in em and search hits in match, padded to w
// columns in base so a line's background reaches the pane's edge. Tabs
// become spaces to the next stop (split across rows like any column) and
// control characters their Unicode control pictures, so nothing written
// can move the terminal's cursor; a wide rune that does not fit at the end
// of a row starts the next one, as wrapRows counts.
func lineText(b *strings.Builder, text string, spans []diff.Span, hits []hit, part, w int, base, em, match paint) {
	row, col, abs := 0, 0, 0
	si, hi := 0, 0
	cur := textStyle(255)
	var cp paint
	open := func(s textStyle) {
		if s == cur {
			return
		}
		b.WriteString(cp.post)
		cur = s
		switch s {
		case styleEm:
			cp = em
		case styleHit:
			cp = match
		default:
			cp = base
		}
		b.WriteString(cp.pre)
	}
	drawn := 0 // columns written on row part
	for i, r := range text {
		cw := runeCells(r, abs)
		if r != '\t' && col+cw > w && col > 0 {
			row, col = row+1, 0
		}
		if row > part {
			break
		}
		for si < len(spans) && spans[si].End <= i {
			si++
		}
		for hi < len(hits) && hits[hi].end <= i {
			hi++
		}
		style := styleBase
		switch {
		case hi < len(hits) && hits[hi].start <= i:
			style = styleHit
		case si < len(spans) && spans[si].Start <= i && spans[si].Changed:
			style = styleEm
		}
		if r == '\t' {
			// Blank columns up to the stop, row by row.
			for left := cw; left > 0; {
				if col == w {
					row, col = row+1, 0
				}
				n := min(left, w-col)
				if row == part {
					open(style)
					b.WriteString(spaces(n))
					drawn += n
				}
				col, abs, left = col+n, abs+n, left-n
			}
			continue
		}
		if row == part {
			open(style)
			switch {
			case r < ' ':
				b.WriteRune(0x2400 + r)
			case r == 0x7f:
				b.WriteRune(0x2421)
			default:
				b.WriteRune(r)
			}
			drawn += cw
		}
		col, abs = col+cw, abs+cw
	}
	open(styleBase)
	b.WriteString(spaces(w - drawn))
	b.WriteString(cp.post)
}

// wrapRows is how many rows lineText wraps text to at w columns: the
// columns divided by w, unless wide runes moved to the next row.
func wrapRows(text string, w int) int {
	row, col, abs := 0, 0, 0
	for _, r := range text {
		cw := runeCells(r, abs)
		if r == '\t' {
			for left := cw; left > 0; {
				if col == w {
					row, col = row+1, 0
				}
				n := min(left, w-col)
				col, abs, left = col+n, abs+n, left-n
			}
			continue
		}
		if col+cw > w && col > 0 {
			row, col = row+1, 0
		}
		col, abs = col+cw, abs+cw
	}
	return row + 1
}

// blanks is a run of spaces to slice from.
var blanks = strings.Repeat(" ", 512)

// spaces returns n spaces.
func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// padLeft right-aligns s in w columns (s is ASCII: a line number).
func padLeft(s string, w int) string { return spaces(w-len(s)) + s }

// findHits returns where q occurs in text. Matching ignores ASCII case
// unless q has an upper-case letter (smart case), and compares bytes, so
// the offsets are the text's own.
func findHits(text, q string, fold bool) []hit {
	var hits []hit
	for from := 0; from+len(q) <= len(text); {
		i := indexFold(text[from:], q, fold)
		if i < 0 {
			break
		}
		hits = append(hits, hit{from + i, from + i + len(q)})
		from += i + len(q)
	}
	return hits
}

// indexFold is strings.Index, ignoring ASCII case when fold is set (q is
// then lower case).
func indexFold(s, q string, fold bool) int {
	if !fold {
		return strings.Index(s, q)
	}
	if q == "" {
		return 0
	}
	first := q[0]
	for i := 0; i+len(q) <= len(s); i++ {
		if lower(s[i]) != first {
			continue
		}
		j := 1
		for j < len(q) && lower(s[i+j]) == q[j] {
			j++
		}
		if j == len(q) {
			return i
		}
	}
	return -1
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldQuery reports whether q matches case-insensitively (it has no upper
// case letter) and returns the query to match with.
func foldQuery(q string) (string, bool) {
	if strings.ToLower(q) != q {
		return q, false
	}
	return q, true
}
