package review

import (
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"relman/diff"
	"relman/model/metadata"
)

// fullContext is the context that shows a whole file: diff.Lines clamps it
// to the file's length.
const fullContext = 1 << 30

// defaultContext is the context lines around each change, as git shows.
const defaultContext = 3

// tabWidth is how many columns a tab stop spans when drawn.
const tabWidth = 4

// diffKey names one computed diff: which component, from which load of the
// items, with which noise options and context. A result whose key is not the
// one wanted any more is stale.
type diffKey struct {
	comp        metadata.Component
	gen         int // the items load it was computed from
	ws, order   bool
	fullContext bool
}

// rowKind is what one row of a drawn diff shows.
type rowKind uint8

const (
	rowFile rowKind = iota // a file's header: path, new/deleted, counts
	rowHunk                // a hunk header: @@ -a,b +c,d @@
	rowLine                // one line (unified) or a pair of lines (side by side)
	rowNote                // a sentence in place of lines (binary, hidden, identical)
)

// note is what a rowNote says.
type note uint8

const (
	noteIdentical note = iota // the component has no differing file
	noteBinary                // a binary file differs
	noteHidden                // every change of the file is hidden by the options
	noteNoLines               // the file differs but no line does (say, only its last newline)
)

// row is one row of a drawn diff, before wrapping. For rowLine, a and b are
// indexes into diffDoc.lines: unified rows use a; side-by-side rows put the
// old side's line in a and the new side's in b, -1 for a blank half. For
// rowHunk, a indexes diffDoc.hunks; for rowNote, a is the note.
type row struct {
	kind rowKind
	file int32
	a, b int32
}

// rowSet is a diff's rows in one view mode, with indexes to move by.
type rowSet struct {
	rows []row
	// hunkRows is the row of each hunk header, ascending.
	hunkRows []int32
	// lineRow is the row each line is drawn on.
	lineRow []int32
}

// hunkRef locates a hunk.
type hunkRef struct{ file, hunk int32 }

// diffDoc is one component's diff flattened for drawing. It is built once,
// in a command, and never changed afterwards, so View reads it freely while
// a newer one is being computed.
type diffDoc struct {
	key   diffKey
	files []diff.FileDiff
	// lines are every hunk's lines in file, then hunk order.
	lines []*diff.Line
	// cells is the display width of each line's text as drawn (tabs
	// expanded, control characters shown as symbols): layouts wrap by it
	// without measuring text again.
	cells []int32
	// wide marks the lines with a double-width rune, which wrap one rune
	// early rather than split it: their rows are counted from the text.
	wide  map[int32]bool
	hunks []hunkRef
	// added, removed and hidden sum the files' counts.
	added, removed, hidden int
	// numW is the width of the widest line number.
	numW int
	// views are the rows for each mode, indexed by viewMode.
	views [modeCount]rowSet
}

// newDiffDoc flattens files, the diff of key's component.
func newDiffDoc(key diffKey, files []diff.FileDiff) *diffDoc {
	d := &diffDoc{key: key, files: files}
	maxNum := 0
	for fi := range files {
		f := &files[fi]
		d.added += f.Added
		d.removed += f.Removed
		d.hidden += f.Hidden
		for hi := range f.Hunks {
			h := &f.Hunks[hi]
			d.hunks = append(d.hunks, hunkRef{int32(fi), int32(hi)})
			maxNum = max(maxNum, h.OldStart+h.OldLines, h.NewStart+h.NewLines)
			for li := range h.Lines {
				d.lines = append(d.lines, &h.Lines[li])
			}
		}
	}
	d.numW = max(3, len(itoa(maxNum)))
	d.cells = make([]int32, len(d.lines))
	for i, l := range d.lines {
		c, wide := textCells(l.Text)
		d.cells[i] = int32(c)
		if wide {
			if d.wide == nil {
				d.wide = map[int32]bool{}
			}
			d.wide[int32(i)] = true
		}
	}
	d.views[modeUnified] = d.unifiedRows()
	d.views[modeSplit] = d.splitRows()
	return d
}

// unifiedRows lays out one row per line, under its file and hunk headers.
func (d *diffDoc) unifiedRows() rowSet {
	rs := rowSet{rows: make([]row, 0, len(d.lines)+2*len(d.hunks)+len(d.files)+1), lineRow: make([]int32, len(d.lines))}
	line, hunk := 0, 0
	d.eachFile(&rs, func(fi int32, f *diff.FileDiff) {
		for hi := range f.Hunks {
			rs.hunkRows = append(rs.hunkRows, int32(len(rs.rows)))
			rs.rows = append(rs.rows, row{kind: rowHunk, file: fi, a: int32(hunk)})
			for range f.Hunks[hi].Lines {
				rs.lineRow[line] = int32(len(rs.rows))
				rs.rows = append(rs.rows, row{kind: rowLine, file: fi, a: int32(line), b: -1})
				line++
			}
			hunk++
		}
	})
	return rs
}

// splitRows lays out context lines across both halves and pairs each block
// of removed lines with the added lines that follow it, row by row, as
// side-by-side reviewers do.
func (d *diffDoc) splitRows() rowSet {
	rs := rowSet{rows: make([]row, 0, len(d.lines)+2*len(d.hunks)+len(d.files)+1), lineRow: make([]int32, len(d.lines))}
	line, hunk := 0, 0
	var olds, news []int32
	flush := func(fi int32) {
		for i := range max(len(olds), len(news)) {
			r := row{kind: rowLine, file: fi, a: -1, b: -1}
			if i < len(olds) {
				r.a = olds[i]
				rs.lineRow[r.a] = int32(len(rs.rows))
			}
			if i < len(news) {
				r.b = news[i]
				rs.lineRow[r.b] = int32(len(rs.rows))
			}
			rs.rows = append(rs.rows, r)
		}
		olds, news = olds[:0], news[:0]
	}
	d.eachFile(&rs, func(fi int32, f *diff.FileDiff) {
		for hi := range f.Hunks {
			rs.hunkRows = append(rs.hunkRows, int32(len(rs.rows)))
			rs.rows = append(rs.rows, row{kind: rowHunk, file: fi, a: int32(hunk)})
			for _, l := range f.Hunks[hi].Lines {
				switch l.Kind {
				case diff.Removed:
					olds = append(olds, int32(line))
				case diff.Added:
					news = append(news, int32(line))
				default:
					flush(fi)
					rs.lineRow[line] = int32(len(rs.rows))
					rs.rows = append(rs.rows, row{kind: rowLine, file: fi, a: int32(line), b: int32(line)})
				}
				line++
			}
			flush(fi)
			hunk++
		}
	})
	return rs
}

// eachFile appends each file's header and notes to rs and calls hunks for
// its hunks; a diff without files gets the identical note.
func (d *diffDoc) eachFile(rs *rowSet, hunks func(fi int32, f *diff.FileDiff)) {
	if len(d.files) == 0 {
		rs.rows = append(rs.rows, row{kind: rowNote, a: int32(noteIdentical)})
		return
	}
	for fi := range d.files {
		f := &d.files[fi]
		rs.rows = append(rs.rows, row{kind: rowFile, file: int32(fi)})
		switch {
		case f.Binary:
			rs.rows = append(rs.rows, row{kind: rowNote, file: int32(fi), a: int32(noteBinary)})
		case len(f.Hunks) == 0 && f.Hidden > 0:
			rs.rows = append(rs.rows, row{kind: rowNote, file: int32(fi), a: int32(noteHidden)})
		case len(f.Hunks) == 0:
			rs.rows = append(rs.rows, row{kind: rowNote, file: int32(fi), a: int32(noteNoLines)})
		}
		hunks(int32(fi), f)
	}
}

// hunkAt is the hunk a hunk-header row shows.
func (d *diffDoc) hunkAt(i int32) *diff.Hunk {
	r := d.hunks[i]
	return &d.files[r.file].Hunks[r.hunk]
}

// textCells is the display width of s as lineText draws it, and whether
// it has a double-width rune.
func textCells(s string) (int, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < ' ' || c == 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		return len(s), false
	}
	w, wide := 0, false
	for _, r := range s {
		cw := runeCells(r, w)
		w += cw
		wide = wide || (cw > 1 && r != '\t')
	}
	return w, wide
}

// runeCells is how many columns r takes when drawn at column col.
func runeCells(r rune, col int) int {
	switch {
	case r == '\t':
		return tabWidth - col%tabWidth
	case r < ' ' || r == 0x7f:
		return 1 // drawn as its control picture
	}
	return runewidth.RuneWidth(r)
}

// itoa formats a non-negative int without fmt, for the hot drawing path.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
