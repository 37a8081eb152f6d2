package filter

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// Hit is one candidate that matches: its index, its fuzzy score and the
// byte offsets of the matched characters in its text (for highlighting).
type Hit struct {
	Index int32
	Score int
	Pos   []int
}

// chunkSize is how many candidates a worker matches between two looks at
// the context, so a filter superseded by the next keystroke stops within a
// fraction of a millisecond.
const chunkSize = 2048

// Find returns the candidates whose text fuzzy-matches query (sahilm/fuzzy),
// best score first and, among equal scores, in index order — the order the
// caller's data has (recency, or alphabetical). It uses every core and
// reports ok=false when ctx was cancelled before it finished.
//
// Fuzzy matching is subsequence matching, so a query that extends the
// previous one matches only among the previous hits: callers pass those
// (Indexes) as cands and the work shrinks with every keystroke.
func Find(ctx context.Context, text func(int32) string, cands []int32, query string) (hits []Hit, ok bool) {
	chunks := (len(cands) + chunkSize - 1) / chunkSize
	parts := make([][]Hit, chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return
				}
				parts[c] = matchChunk(text, cands[c*chunkSize:min((c+1)*chunkSize, len(cands))], query)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, false
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	hits = make([]Hit, 0, n)
	for _, p := range parts {
		hits = append(hits, p...)
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Index, b.Index)
	})
	return hits, true
}

// Indexes returns the hits' candidate indexes, in hit order: the candidates
// of a query that extends this one.
func Indexes(hits []Hit) []int32 {
	out := make([]int32, len(hits))
	for i, h := range hits {
		out[i] = h.Index
	}
	return out
}

// matchChunk scores one chunk of candidates. A byte-level subsequence test
// rejects most candidates before the much slower fuzzy scorer sees them.
func matchChunk(text func(int32) string, cands []int32, query string) []Hit {
	folded, ascii := foldASCII(query)
	survivors := cands
	if ascii {
		survivors = make([]int32, 0, len(cands))
		for _, c := range cands {
			if mayMatch(folded, text(c)) {
				survivors = append(survivors, c)
			}
		}
	}
	matches := fuzzy.FindFromNoSort(query, source{text, survivors})
	out := make([]Hit, len(matches))
	for i, m := range matches {
		out[i] = Hit{Index: survivors[m.Index], Score: m.Score, Pos: m.MatchedIndexes}
	}
	return out
}

// source adapts a candidate list to fuzzy.Source.
type source struct {
	text  func(int32) string
	cands []int32
}

func (s source) String(i int) string { return s.text(s.cands[i]) }
func (s source) Len() int            { return len(s.cands) }

// foldASCII lower-cases an ASCII query; ok is false for an empty query or
// one with other characters, which then skips the byte-level pre-filter.
func foldASCII(q string) (string, bool) {
	b := []byte(q)
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b), len(b) > 0
}

// mayMatch reports whether the bytes of the folded pattern occur in s in
// order, ignoring ASCII case. Text with non-ASCII characters passes, because
// fuzzy folds Unicode case in ways this byte loop does not.
func mayMatch(pattern, s string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == pattern[j] {
			if j++; j == len(pattern) {
				return true
			}
		}
	}
	return false
}
