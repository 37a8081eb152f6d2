package review

import (
	"sort"
	"strings"

	"relman/diff"
)

// diffView is the diff pane's state: the doc shown, its layout, the cursor
// row and the first screen line shown.
type diffView struct {
	doc    *diffDoc
	lay    layout
	cursor int
	offset int
}

// show puts a new doc in the pane. A doc of the component already shown
// (another option, more context) keeps the cursor on the same line of the
// file; another component starts at its first hunk.
func (v *diffView) show(lay layout, h int) {
	prev, prevCursor, prevMode := v.doc, v.cursor, v.lay.mode
	v.doc, v.lay = lay.doc, lay
	v.cursor, v.offset = 0, 0
	if len(lay.rs.hunkRows) > 0 {
		v.cursor = int(lay.rs.hunkRows[0])
	}
	if prev != nil && prev.key.comp == lay.doc.key.comp {
		if r, ok := v.sameLine(prev, prevMode, prevCursor); ok {
			v.cursor = r
			v.offset = max(0, v.lay.start(r)-h/3)
		}
	}
	v.clamp(h)
}

// sameLine finds the row of v.doc showing the line prev's row showed (by
// file and line number), or the nearest one after it.
func (v *diffView) sameLine(prev *diffDoc, mode viewMode, prevRow int) (int, bool) {
	rs := &prev.views[mode]
	if prevRow >= len(rs.rows) {
		return 0, false
	}
	r := rs.rows[prevRow]
	if r.kind != rowLine {
		return 0, false
	}
	li := r.a
	if li < 0 {
		li = r.b
	}
	at := prev.lines[li]
	path := prev.files[r.file].Path
	for i, l := range v.doc.lines {
		nr := v.lay.rs.rows[v.lay.rs.lineRow[i]]
		if v.doc.files[nr.file].Path != path {
			continue
		}
		if (at.NewNum > 0 && l.NewNum >= at.NewNum) || (at.NewNum == 0 && l.OldNum >= at.OldNum) {
			return int(v.lay.rs.lineRow[i]), true
		}
	}
	return 0, false
}

// relayout swaps the layout (new width or mode), keeping the cursor on its
// row and that row where it was on screen.
func (v *diffView) relayout(lay layout, h int) {
	if v.doc == nil {
		return
	}
	row := v.cursor
	if v.lay.mode != lay.mode {
		// Rows differ between modes: follow the cursor's line.
		row = v.rowOfLine(lay, v.cursorLine())
	}
	screen := v.lay.start(v.cursor) - v.offset
	v.lay, v.cursor = lay, row
	v.offset = v.lay.start(row) - screen
	v.clamp(h)
}

// cursorLine is the line index under the cursor, or -1 on a header.
func (v *diffView) cursorLine() int32 {
	r := v.lay.rs.rows[v.cursor]
	if r.kind != rowLine {
		return -1
	}
	if r.a >= 0 {
		return r.a
	}
	return r.b
}

// rowOfLine is line's row in lay, or the row of the hunk header nearest
// before the cursor when the cursor is not on a line.
func (v *diffView) rowOfLine(lay layout, line int32) int {
	if line >= 0 {
		return int(lay.rs.lineRow[line])
	}
	old := v.lay.rs.rows[v.cursor]
	for i, r := range lay.rs.rows {
		if r.kind == old.kind && r.file == old.file && r.a == old.a {
			return i
		}
	}
	return 0
}

// clamp keeps the offset inside the diff and the cursor row on screen,
// scrolling as little as possible.
func (v *diffView) clamp(h int) {
	n := v.lay.rows()
	if n == 0 {
		v.cursor, v.offset = 0, 0
		return
	}
	h = max(h, 1)
	v.cursor = max(0, min(v.cursor, n-1))
	top, rh := v.lay.start(v.cursor), v.lay.height(v.cursor)
	if top < v.offset {
		v.offset = top
	}
	if top+min(rh, h) > v.offset+h {
		v.offset = top + min(rh, h) - h
	}
	v.offset = max(0, min(v.offset, v.lay.total()-h))
}

// move moves the cursor by delta rows.
func (v *diffView) move(delta, h int) {
	v.cursor += delta
	v.clamp(h)
}

// scroll moves the view by delta screen lines and drags the cursor along
// only as far as it must stay on screen (the mouse wheel, page keys).
func (v *diffView) scroll(delta, h int) {
	if v.lay.rows() == 0 {
		return
	}
	v.offset = max(0, min(v.offset+delta, v.lay.total()-h))
	first, _ := v.lay.rowAt(v.offset)
	if v.lay.start(first) < v.offset {
		first++
	}
	last, _ := v.lay.rowAt(min(v.offset+h, v.lay.total()) - 1)
	if v.lay.start(last)+v.lay.height(last) > v.offset+h && last > first {
		last--
	}
	v.cursor = max(min(v.cursor, last), first)
	v.clamp(h)
}

// page moves the view and the cursor by delta screen lines (a page, half
// a page), the cursor keeping its place on screen.
func (v *diffView) page(delta, h int) {
	screen := v.lay.start(v.cursor) - v.offset
	v.offset = max(0, min(v.offset+delta, v.lay.total()-h))
	r, _ := v.lay.rowAt(min(v.offset+screen, max(v.lay.total()-1, 0)))
	v.cursor = r
	v.clamp(h)
}

// hunk moves to the next (dir 1) or previous (dir -1) hunk header and
// shows it at the top of the pane. It reports false at the last or first.
func (v *diffView) hunk(dir, h int) bool {
	hr := v.lay.rs.hunkRows
	i := sort.Search(len(hr), func(i int) bool { return int(hr[i]) > v.cursor })
	if dir < 0 {
		i = sort.Search(len(hr), func(i int) bool { return int(hr[i]) >= v.cursor }) - 1
	}
	if i < 0 || i >= len(hr) {
		return false
	}
	v.cursor = int(hr[i])
	v.offset = v.lay.start(v.cursor)
	v.clamp(h)
	return true
}

// hunkIndex is the hunk the cursor is in (0-based), -1 before the first.
func (v *diffView) hunkIndex() int {
	hr := v.lay.rs.hunkRows
	return sort.Search(len(hr), func(i int) bool { return int(hr[i]) > v.cursor }) - 1
}

// goTo puts the cursor on row r, a third down the pane.
func (v *diffView) goTo(r, h int) {
	v.cursor = r
	v.offset = v.lay.start(r) - h/3
	v.clamp(h)
}

// drawCtx is what drawing a frame of the diff needs besides the view.
type drawCtx struct {
	p       *paints
	focused bool
	query   string
	fold    bool
	opts    diff.Options
}

// draw writes the h screen lines from the offset, each exactly the
// layout's width. Only those lines are laid out and drawn.
func (v *diffView) draw(b *strings.Builder, c drawCtx, h int) {
	n := v.lay.rows()
	y := v.offset
	row, part := v.lay.rowAt(y)
	for line := 0; line < h; line++ {
		if line > 0 {
			b.WriteByte('\n')
		}
		if row >= n {
			b.WriteString(spaces(v.lay.width))
			continue
		}
		v.drawRow(b, c, row, part)
		part++
		if part >= v.lay.height(row) {
			row, part = row+1, 0
		}
	}
}

func (v *diffView) drawRow(b *strings.Builder, c drawCtx, i, part int) {
	d, lay := v.doc, &v.lay
	r := lay.rs.rows[i]
	if i == v.cursor {
		mark := c.p.cursor
		if !c.focused {
			mark = c.p.muted
		}
		mark.write(b, "▌")
	} else {
		b.WriteByte(' ')
	}
	w := lay.width - 1
	switch r.kind {
	case rowFile:
		v.drawFile(b, c, &d.files[r.file], w)
	case rowHunk:
		h := d.hunkAt(r.a)
		text := "@@ -" + hunkRange(h.OldStart, h.OldLines) + " +" + hunkRange(h.NewStart, h.NewLines) + " @@"
		c.p.hunk.write(b, truncate(text, w))
		b.WriteString(spaces(w - min(len(text), w)))
	case rowNote:
		text := truncate("  "+noteText(note(r.a), d, r.file, c.opts), w)
		c.p.muted.write(b, text)
		b.WriteString(spaces(w - cellsOf(text)))
	case rowLine:
		if lay.mode == modeSplit {
			half := splitHalf(lay.width)
			v.drawHalf(b, c, r.a, false, part, half)
			c.p.muted.write(b, "│")
			v.drawHalf(b, c, r.b, true, part, half)
			b.WriteString(spaces(w - 1 - 2*half))
			return
		}
		v.drawUnified(b, c, r.a, part)
	}
}

func (v *diffView) drawFile(b *strings.Builder, c drawCtx, f *diff.FileDiff, w int) {
	var tag string
	switch {
	case f.NewFile:
		tag = "new file"
	case f.DeletedFile:
		tag = "deleted"
	case f.Binary:
		tag = "binary"
	}
	counts := "+" + itoa(f.Added) + " −" + itoa(f.Removed)
	if tag != "" {
		counts = tag + " · " + counts
	}
	path := truncate(f.Path, max(w-cellsOf(counts)-4, 8))
	rest := w - cellsOf(path) - 1
	c.p.file.write(b, path)
	b.WriteByte(' ')
	if rest >= cellsOf(counts)+2 {
		c.p.muted.write(b, counts+" "+strings.Repeat("─", rest-cellsOf(counts)-1))
		return
	}
	b.WriteString(spaces(rest))
}

// lineStyles are the paints of a line of kind k: the sign's, the line's
// and its changed words'.
func (c drawCtx) lineStyles(k diff.LineKind) (sign string, sp, base, em paint) {
	switch k {
	case diff.Added:
		return "+", c.p.added, c.p.addedLine, c.p.addedWord
	case diff.Removed:
		return "-", c.p.removed, c.p.removedLine, c.p.removedWord
	}
	return " ", paint{}, paint{}, paint{}
}

func (v *diffView) drawUnified(b *strings.Builder, c drawCtx, li int32, part int) {
	d := v.doc
	l := d.lines[li]
	sign, sp, base, em := c.lineStyles(l.Kind)
	if part == 0 {
		c.p.lineNum.write(b, padLeft(num(l.OldNum), d.numW)+" "+padLeft(num(l.NewNum), d.numW))
		b.WriteByte(' ')
		sp.write(b, sign)
	} else {
		b.WriteString(spaces(2*d.numW + 2))
		c.p.muted.write(b, "↪")
	}
	b.WriteByte(' ')
	lineText(b, l.Text, l.Spans, c.hits(l.Text), part, v.lay.textW, base, em, c.p.match)
}

// drawHalf draws one half of a side-by-side line: line li as the new side
// (right) or the old one, or blank when li is -1.
func (v *diffView) drawHalf(b *strings.Builder, c drawCtx, li int32, right bool, part, half int) {
	d := v.doc
	tw := v.lay.textW
	if li < 0 || part >= v.lay.lineHeight(li) {
		b.WriteString(spaces(half))
		return
	}
	l := d.lines[li]
	n := l.OldNum
	if right {
		n = l.NewNum
	}
	sign, sp, base, em := c.lineStyles(l.Kind)
	if part == 0 {
		c.p.lineNum.write(b, padLeft(num(n), d.numW))
		b.WriteByte(' ')
		sp.write(b, sign)
	} else {
		b.WriteString(spaces(d.numW + 1))
		c.p.muted.write(b, "↪")
	}
	b.WriteByte(' ')
	lineText(b, l.Text, l.Spans, c.hits(l.Text), part, tw, base, em, c.p.match)
	b.WriteString(spaces(half - splitGutter(d.numW) - tw))
}

// hits are the search matches in text.
func (c drawCtx) hits(text string) []hit {
	if c.query == "" {
		return nil
	}
	return findHits(text, c.query, c.fold)
}

// num is a line number, blank for 0 (the side a line is not on).
func num(n int) string {
	if n == 0 {
		return ""
	}
	return itoa(n)
}

// hunkRange formats a hunk's start and length as a unified diff does.
func hunkRange(start, n int) string {
	if n == 1 {
		return itoa(start)
	}
	return itoa(start) + "," + itoa(n)
}

// noteText is what a note row says.
func noteText(n note, d *diffDoc, file int32, opts diff.Options) string {
	switch n {
	case noteIdentical:
		return "No differences: both sides are identical."
	case noteBinary:
		return "Binary file differs; it has no lines to show."
	case noteHidden:
		return itoa(d.files[file].Hidden) + " changed lines hidden by " + optionsText(opts) + "."
	}
	return "The bytes differ but no line does (line endings or the last newline)."
}

// optionsText names the noise options in use.
func optionsText(o diff.Options) string {
	switch {
	case o.IgnoreWhitespace && o.IgnoreOrder:
		return "ignoring whitespace and XML order"
	case o.IgnoreWhitespace:
		return "ignoring whitespace"
	case o.IgnoreOrder:
		return "ignoring XML order"
	}
	return "no option"
}
