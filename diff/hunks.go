package diff

import (
	"slices"
	"strings"
)

// buildHunks groups the changes of s into hunks with context lines around
// them. Changes closer than 2×context lines share a hunk, as in git. A hunk
// made only of hidden changes is left out; one with a real change shows its
// hidden changes too, as git's --ignore-blank-lines does, so every hunk is
// contiguous text on both sides.
func buildHunks(a, b side, s ops, context int, ignoreSpace bool) (hunks []Hunk, added, removed int) {
	for k := 0; k < len(s); k++ {
		if s[k].kind == opEqual {
			continue
		}
		first, last := k, k
		for {
			for last+1 < len(s) && s[last+1].kind != opEqual {
				last++
			}
			// Equal ops are merged, so an equal op is followed by a change.
			if last+2 < len(s) && s[last+1].n <= 2*context {
				last += 2
				continue
			}
			break
		}
		k = last
		if !slices.ContainsFunc(s[first:last+1], func(o op) bool { return o.kind != opEqual && !o.hidden }) {
			continue
		}
		var lines []Line
		ha, hb := s[first].a, s[first].b // where the hunk starts on each side
		if p := first - 1; p >= 0 && s[p].kind == opEqual {
			m := min(context, s[p].n)
			ha, hb = s[p].a+s[p].n-m, s[p].b+s[p].n-m
			lines = appendContext(lines, a, b, ha, hb, m)
		}
		for _, o := range s[first : last+1] {
			switch o.kind {
			case opEqual:
				lines = appendContext(lines, a, b, o.a, o.b, o.n)
			case opDelete:
				removed += o.n
				for i := o.a; i < o.a+o.n; i++ {
					lines = append(lines, Line{Kind: Removed, Text: strings.TrimSuffix(a.lines[i], "\n"), OldNum: i + 1, NoNewline: a.lastWithoutEOL(i)})
				}
			case opInsert:
				added += o.n
				for j := o.b; j < o.b+o.n; j++ {
					lines = append(lines, Line{Kind: Added, Text: strings.TrimSuffix(b.lines[j], "\n"), NewNum: j + 1, NoNewline: b.lastWithoutEOL(j)})
				}
			}
		}
		if n := last + 1; n < len(s) && s[n].kind == opEqual {
			lines = appendContext(lines, a, b, s[n].a, s[n].b, min(context, s[n].n))
		}
		h := Hunk{OldStart: ha, NewStart: hb, Lines: lines}
		for _, l := range lines {
			if l.Kind != Added {
				h.OldLines++
			}
			if l.Kind != Removed {
				h.NewLines++
			}
		}
		if h.OldLines > 0 {
			h.OldStart++
		}
		if h.NewLines > 0 {
			h.NewStart++
		}
		emphasize(h.Lines, ignoreSpace)
		hunks = append(hunks, h)
	}
	return hunks, added, removed
}

func appendContext(lines []Line, a, b side, i, j, n int) []Line {
	for m := range n {
		lines = append(lines, Line{Kind: Context, Text: strings.TrimSuffix(b.lines[j+m], "\n"),
			OldNum: i + m + 1, NewNum: j + m + 1, NoNewline: b.lastWithoutEOL(j + m)})
	}
	return lines
}

func (s side) lastWithoutEOL(i int) bool { return !s.eol && i == len(s.lines)-1 }
