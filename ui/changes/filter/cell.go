package filter

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Fit truncates s to w cells (with an ellipsis) and pads it to exactly w,
// so table columns line up whatever the text.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Paint is a style reduced to the escape sequences around its text. Table
// rows render many short cells per frame, and lipgloss.Style.Render works
// its sequences out again on every call (parsing colours, checking borders
// and margins), which made up most of a frame; a Paint does that once.
// Only for styles without padding, margins, borders or sizes.
type Paint struct{ prefix, suffix string }

// NewPaint works out the sequences of s for the current colour profile.
func NewPaint(s lipgloss.Style) Paint {
	const probe = "\x00"
	r := s.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 {
		return Paint{}
	}
	return Paint{prefix: r[:i], suffix: r[i+len(probe):]}
}

// Render paints text.
func (p Paint) Render(text string) string {
	if text == "" || p.prefix == "" && p.suffix == "" {
		return text
	}
	return p.prefix + text + p.suffix
}

// Cell fits s to w cells like Fit and paints it in base, with the
// characters whose byte offsets (shifted by start) are in pos painted in
// match. pos is a Hit's Pos: offsets into the whole matched text, of which
// s is the part beginning at start. Matches cut off by truncation are not
// shown.
func Cell(s string, w, start int, pos []int, base, match Paint) string {
	return cell(s, w, start, pos, base.Render, match.Render)
}

func cell(s string, w, start int, pos []int, base, match func(string) string) string {
	if w <= 0 {
		return ""
	}
	t := ansi.Truncate(s, w, "…")
	kept := len(t)
	if t != s {
		kept -= len("…")
	}
	pad := strings.Repeat(" ", max(0, w-ansi.StringWidth(t)))
	j := sort.SearchInts(pos, start)
	if j == len(pos) || pos[j]-start >= kept {
		return base(t + pad)
	}
	var b strings.Builder
	from := 0
	for j < len(pos) && pos[j]-start < kept {
		p := pos[j] - start
		end := p
		// Adjacent matched characters are styled as one run.
		for j < len(pos) && pos[j]-start == end && end < kept {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
			j++
		}
		if p > from {
			b.WriteString(base(s[from:p]))
		}
		b.WriteString(match(s[p:end]))
		from = end
	}
	b.WriteString(base(t[from:] + pad))
	return b.String()
}
