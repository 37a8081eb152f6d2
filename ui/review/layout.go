package review

import "sort"

// viewMode is how a diff is drawn.
type viewMode uint8

const (
	modeUnified viewMode = iota // one column, removed lines above added ones
	modeSplit                   // old side left, new side right
	modeCount
)

// splitMinWidth is the narrowest diff pane that shows side by side unless
// the reviewer asks for it: below it each half is too cramped to read.
const splitMinWidth = 120

// layout maps a diff's rows to screen lines for one pane width and mode.
// Long lines wrap, so a row may take several lines; building a layout is
// integer arithmetic over the doc's precomputed widths, never text.
type layout struct {
	doc   *diffDoc
	mode  viewMode
	width int
	rs    *rowSet
	// textW is the columns of text per line (per half, side by side).
	textW int
	// starts[i] is the first screen line of row i and starts[len(rows)]
	// the total; nil when every row takes one line.
	starts []int32
}

// unifiedGutter is the columns before a unified line's text: the cursor
// mark, both line numbers and the sign, with spaces between.
func unifiedGutter(numW int) int { return 1 + numW + 1 + numW + 1 + 1 + 1 }

// splitHalf is the columns of each half of a side-by-side line, after the
// cursor mark and before the separator between the halves.
func splitHalf(width int) int { return max(0, (width-2)/2) }

// splitGutter is the columns of a half before its text: number and sign.
func splitGutter(numW int) int { return numW + 1 + 1 + 1 }

func newLayout(d *diffDoc, mode viewMode, width int) layout {
	l := layout{doc: d, mode: mode, width: width}
	if d == nil {
		return l
	}
	l.rs = &d.views[mode]
	if mode == modeSplit {
		l.textW = splitHalf(width) - splitGutter(d.numW)
	} else {
		l.textW = width - unifiedGutter(d.numW)
	}
	// Two columns at least: a double-width rune must fit a row.
	l.textW = max(l.textW, 2)
	wraps := false
	for _, c := range d.cells {
		if int(c) > l.textW {
			wraps = true
			break
		}
	}
	if !wraps {
		return l
	}
	l.starts = make([]int32, len(l.rs.rows)+1)
	var at int32
	for i, r := range l.rs.rows {
		l.starts[i] = at
		at += int32(l.rowHeight(r))
	}
	l.starts[len(l.rs.rows)] = at
	return l
}

// rowHeight is how many lines r wraps to.
func (l *layout) rowHeight(r row) int {
	if r.kind != rowLine {
		return 1
	}
	h := l.lineHeight(r.a)
	if l.mode == modeSplit {
		h = max(h, l.lineHeight(r.b))
	}
	return h
}

func (l *layout) lineHeight(i int32) int {
	switch {
	case i < 0:
		return 1
	case l.doc.wide[i]:
		return wrapRows(l.doc.lines[i].Text, l.textW)
	}
	return max(1, (int(l.doc.cells[i])+l.textW-1)/l.textW)
}

// rows is the number of rows.
func (l *layout) rows() int {
	if l.rs == nil {
		return 0
	}
	return len(l.rs.rows)
}

// total is the number of screen lines of the whole diff.
func (l *layout) total() int {
	if l.starts == nil {
		return l.rows()
	}
	return int(l.starts[len(l.starts)-1])
}

// start is the first screen line of row i.
func (l *layout) start(i int) int {
	if l.starts == nil {
		return i
	}
	return int(l.starts[i])
}

// height is how many screen lines row i takes.
func (l *layout) height(i int) int {
	if l.starts == nil {
		return 1
	}
	return int(l.starts[i+1] - l.starts[i])
}

// rowAt is the row drawn on screen line y, and which of its wrapped lines.
func (l *layout) rowAt(y int) (int, int) {
	if l.starts == nil {
		return y, 0
	}
	i := sort.Search(len(l.starts)-1, func(i int) bool { return int(l.starts[i+1]) > y })
	return i, y - int(l.starts[i])
}
