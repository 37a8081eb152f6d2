package diff

import (
	"slices"

	"github.com/aymanbagabas/go-udiff/lcs"
)

type opKind uint8

const (
	opEqual  opKind = iota // old lines a:a+n are new lines b:b+n
	opDelete               // old lines a:a+n are removed before new line b
	opInsert               // new lines b:b+n are added before old line a
)

// op is a run of lines the edit script treats alike.
type op struct {
	kind    opKind
	hidden  bool // a change the options hide
	a, b, n int
}

type ops []op

// add appends o, merging it into the previous op when they continue each
// other, so long equal runs stay one op.
func (s *ops) add(o op) {
	if o.n == 0 {
		return
	}
	if n := len(*s); n > 0 {
		p := &(*s)[n-1]
		if p.kind == o.kind && p.hidden == o.hidden &&
			(o.kind == opInsert || p.a+p.n == o.a) && (o.kind == opDelete || p.b+p.n == o.b) {
			p.n += o.n
			return
		}
	}
	*s = append(*s, o)
}

// diffSeq appends the edit script turning x into y, whose first lines are old
// line a0 and new line b0.
func (s *ops) diffSeq(x, y []string, a0, b0 int, hidden bool) {
	s.diff(x, y, a0, b0, hidden, 0)
}

const (
	// exactLCS is how many edits go-udiff's LCS finds a shortest script
	// for; past it the LCS gives up and returns a long one (measured: 200
	// one-line changes scattered over 20,000 lines came back as a
	// 15,000-line replacement). A script of at most this many edits is
	// shortest (checked against an exact LCS on 3,000 random inputs).
	exactLCS = 100
	// maxAnchorDepth bounds the recursion of anchoring, so that a
	// pathological input costs LCS time, not quadratic time.
	maxAnchorDepth = 32
)

// diff matches the common prefix and suffix first: a huge file with a few
// changes is then a handful of string comparisons and a small LCS.
func (s *ops) diff(x, y []string, a0, b0 int, hidden bool, depth int) {
	p := 0
	for p < len(x) && p < len(y) && x[p] == y[p] {
		p++
	}
	q := 0
	for q < len(x)-p && q < len(y)-p && x[len(x)-1-q] == y[len(y)-1-q] {
		q++
	}
	s.add(op{kind: opEqual, a: a0, b: b0, n: p})
	s.middle(x[p:len(x)-q], y[p:len(y)-q], a0+p, b0+p, hidden, depth)
	s.add(op{kind: opEqual, a: a0 + len(x) - q, b: b0 + len(y) - q, n: q})
}

// middle diffs what lies between the common prefix and suffix. When the LCS
// needs more edits than it can be trusted with, the lines are split at lines
// that occur once on each side (patience diff's anchors) and each piece is
// diffed on its own.
func (s *ops) middle(x, y []string, a0, b0 int, hidden bool, depth int) {
	if len(x) == 0 || len(y) == 0 { // a pure insertion or deletion needs no LCS
		s.add(op{kind: opDelete, hidden: hidden, a: a0, b: b0, n: len(x)})
		s.add(op{kind: opInsert, hidden: hidden, a: a0 + len(x), b: b0, n: len(y)})
		return
	}
	diffs := lcs.DiffLines(x, y)
	if edits(diffs) > exactLCS && depth < maxAnchorDepth {
		if anchors := uniqueAnchors(x, y); len(anchors) > 0 {
			i, j := 0, 0
			for _, an := range anchors {
				s.diff(x[i:an.i], y[j:an.j], a0+i, b0+j, hidden, depth+1)
				s.add(op{kind: opEqual, a: a0 + an.i, b: b0 + an.j, n: 1})
				i, j = an.i+1, an.j+1
			}
			s.diff(x[i:], y[j:], a0+i, b0+j, hidden, depth+1)
			return
		}
	}
	i, j := 0, 0 // next unmatched line of x and y
	for _, d := range diffs {
		s.add(op{kind: opEqual, a: a0 + i, b: b0 + j, n: d.Start - i})
		s.add(op{kind: opDelete, hidden: hidden, a: a0 + d.Start, b: b0 + d.ReplStart, n: d.End - d.Start})
		s.add(op{kind: opInsert, hidden: hidden, a: a0 + d.End, b: b0 + d.ReplStart, n: d.ReplEnd - d.ReplStart})
		i, j = d.End, d.ReplEnd
	}
	s.add(op{kind: opEqual, a: a0 + i, b: b0 + j, n: len(x) - i})
}

// edits counts the lines an LCS script deletes and inserts.
func edits(diffs []lcs.Diff) int {
	n := 0
	for _, d := range diffs {
		n += d.End - d.Start + d.ReplEnd - d.ReplStart
	}
	return n
}

type anchor struct{ i, j int }

// uniqueAnchors returns the longest run, increasing on both sides, of lines
// that occur exactly once in x and once in y.
func uniqueAnchors(x, y []string) []anchor {
	type seen struct{ nx, ny, j int }
	lines := make(map[string]seen, len(x))
	for _, l := range x {
		o := lines[l]
		o.nx++
		lines[l] = o
	}
	for j, l := range y {
		if o, ok := lines[l]; ok {
			o.ny++
			o.j = j
			lines[l] = o
		}
	}
	var cands []anchor
	for i, l := range x {
		if o := lines[l]; o.nx == 1 && o.ny == 1 {
			cands = append(cands, anchor{i, o.j})
		}
	}
	return increasing(cands)
}

// increasing returns the longest subsequence of cands (sorted by i) whose j
// increase too, by patience sorting.
func increasing(cands []anchor) []anchor {
	if len(cands) == 0 {
		return nil
	}
	var tails []int                 // tails[k]: the candidate ending the best run of length k+1 so far
	prev := make([]int, len(cands)) // prev[c]: the candidate before cands[c] in its run
	for c, a := range cands {
		k, _ := slices.BinarySearchFunc(tails, a.j, func(t, j int) int { return cands[t].j - j })
		prev[c] = -1
		if k > 0 {
			prev[c] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, c)
		} else {
			tails[k] = c
		}
	}
	run := make([]anchor, len(tails))
	for k, c := len(tails)-1, tails[len(tails)-1]; k >= 0; k, c = k-1, prev[c] {
		run[k] = cands[c]
	}
	return run
}

// align returns the edit script from a to b. Without keys it is the plain
// line diff. With keys (IgnoreWhitespace), the significant lines are diffed by
// their keys; what lies between matched lines is only insignificant lines,
// diffed as text into hidden changes, and the regions around unmatched
// significant lines are diffed as text into visible ones.
func align(a, b side) ops {
	var s ops
	if a.keys == nil {
		s.diffSeq(a.lines, b.lines, 0, 0, false)
		return s
	}
	sa, ka := significant(a.keys)
	sb, kb := significant(b.keys)
	var sig ops
	sig.diffSeq(ka, kb, 0, 0, false)
	region := func(i0, i1, j0, j1 int, hidden bool) {
		if i0 < i1 || j0 < j1 {
			s.diffSeq(a.lines[i0:i1], b.lines[j0:j1], i0, j0, hidden)
		}
	}
	ci, cj := 0, 0 // lines of a and b not yet in s
	for k := 0; k < len(sig); k++ {
		if o := sig[k]; o.kind == opEqual {
			for m := range o.n {
				i, j := sa[o.a+m], sb[o.b+m]
				region(ci, i, cj, j, true)
				s.add(op{kind: opEqual, a: i, b: j, n: 1})
				ci, cj = i+1, j+1
			}
			continue
		}
		ei, ej := ci, cj // end of the changed region
		for ; k < len(sig) && sig[k].kind != opEqual; k++ {
			if o := sig[k]; o.kind == opDelete {
				ei = sa[o.a+o.n-1] + 1
			} else {
				ej = sb[o.b+o.n-1] + 1
			}
		}
		k--
		region(ci, ei, cj, ej, false)
		ci, cj = ei, ej
	}
	region(ci, len(a.lines), cj, len(b.lines), true)
	return s
}

// significant returns the indexes and keys of the lines whose key is not
// empty.
func significant(keys []string) ([]int, []string) {
	idx := make([]int, 0, len(keys))
	sig := make([]string, 0, len(keys))
	for i, k := range keys {
		if k != "" {
			idx = append(idx, i)
			sig = append(sig, k)
		}
	}
	return idx, sig
}

// changedLines is the number of added and removed lines of the plain diff.
func changedLines(x, y []string) int {
	var s ops
	s.diffSeq(x, y, 0, 0, false)
	n := 0
	for _, o := range s {
		if o.kind != opEqual {
			n += o.n
		}
	}
	return n
}
