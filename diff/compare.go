package diff

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"relman/model"
	"relman/model/metadata"
)

// Options are the noise controls of a comparison and of a diff.
type Options struct {
	// IgnoreWhitespace treats whitespace that cannot matter as absent; see
	// Normalize for what that is per kind of file.
	IgnoreWhitespace bool
	// IgnoreOrder treats listed XML collections (permissions, fields,
	// labels…) as sets; ordered lists such as picklist values never are.
	IgnoreOrder bool
	// Workers is how many files are read at once; 0 or less means
	// GOMAXPROCS.
	Workers int
	// NoHashes is for callers that keep no content hashes (a comparison
	// not saved): without the ignore options, components on both sides are
	// then told apart by comparing their files' bytes, stopping at the
	// first difference, and components on one side only are not read at
	// all. Entries then carry no hashes; categories are the same.
	NoHashes bool
}

// Entry is one component's result.
type Entry struct {
	Component metadata.Component
	Category  model.Category
	// SourceHash and TargetHash are the content hashes of each side, empty
	// where the component is absent: the SHA-256, in hex, over each file in
	// path order as its path, a NUL byte and the SHA-256 of its content. They
	// hash the bytes as given, whatever the options, so a review bound to a
	// hash is invalidated by any change at all.
	SourceHash, TargetHash string
	// Files are the source-format paths of the component's files on either
	// side, sorted.
	Files []string
}

// Hidden counts the components the options made `same` although their bytes
// differ. Each count is how many would turn `different` if that option alone
// were switched off, so it is what a "changes hidden" indicator should say
// per option. A component needing both options counts in both.
type Hidden struct {
	Whitespace, Order int
}

// Result is a whole comparison.
type Result struct {
	// Entries has one entry per component on either side, sorted by type,
	// then full name.
	Entries []Entry
	// Counts has every category, zero or not.
	Counts map[model.Category]int
	Hidden Hidden
}

// Compare compares the source's components with the target's. Components are
// matched by identity; each metadata.Item is one component (so each custom
// label, say, is compared on its own). Files are read in parallel, each
// streamed once through SHA-256. With options on, only components whose bytes
// differ are read again, whole, to be normalised; File.Open is therefore
// called up to twice and must return the same content each time.
//
// Compare stops at the first unreadable file or (with options on) malformed
// XML file, with an error naming the side, component and file, or when ctx is
// done.
func Compare(ctx context.Context, source, target []metadata.Item, opts Options) (Result, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pairs, err := pairItems(source, target)
	if err != nil {
		return Result{}, err
	}
	if opts.NoHashes && !opts.IgnoreWhitespace && !opts.IgnoreOrder {
		return compareBytes(ctx, source, target, pairs, workers)
	}
	sums, err := hashAll(ctx, source, target, workers)
	if err != nil {
		return Result{}, err
	}
	res := Result{Entries: make([]Entry, len(pairs)), Counts: make(map[model.Category]int, len(model.Categories))}
	var recheck []int // entries whose bytes differ, for the options to judge
	for i, p := range pairs {
		e := Entry{Component: p.component}
		var src, tgt *itemSum
		if p.src >= 0 {
			src = &sums[0][p.src]
			e.SourceHash = src.hash
		}
		if p.tgt >= 0 {
			tgt = &sums[1][p.tgt]
			e.TargetHash = tgt.hash
		}
		e.Files = unionPaths(src, tgt)
		switch {
		case tgt == nil:
			e.Category = model.OnlyInSource
		case src == nil:
			e.Category = model.OnlyInTarget
		case src.hash == tgt.hash:
			e.Category = model.Same
		default:
			e.Category = model.Different
			if (opts.IgnoreWhitespace || opts.IgnoreOrder) && samePaths(src, tgt) {
				recheck = append(recheck, i)
			}
		}
		res.Entries[i] = e
	}
	verdicts := make([]verdict, len(recheck))
	err = parallel(ctx, len(recheck), workers, func(ctx context.Context, _, k int) error {
		p := pairs[recheck[k]]
		v, err := judge(ctx, source[p.src], target[p.tgt], sums[0][p.src], sums[1][p.tgt], opts)
		verdicts[k] = v
		return err
	})
	if err != nil {
		return Result{}, err
	}
	for k, v := range verdicts {
		if !v.same {
			continue
		}
		res.Entries[recheck[k]].Category = model.Same
		if v.needsWhitespace {
			res.Hidden.Whitespace++
		}
		if v.needsOrder {
			res.Hidden.Order++
		}
	}
	for _, c := range model.Categories {
		res.Counts[c] = 0
	}
	for _, e := range res.Entries {
		res.Counts[e.Category]++
	}
	return res, nil
}

// pair is one component and where it is in the source and target (-1:
// absent).
type pair struct {
	component metadata.Component
	src, tgt  int
}

// pairItems matches the two sides' items by component, sorted by component.
// Sides that come sorted (as readers return them) are merged in one pass.
func pairItems(source, target []metadata.Item) ([]pair, error) {
	byComp := func(a, b metadata.Item) int { return a.Component.Compare(b.Component) }
	if slices.IsSortedFunc(source, byComp) && slices.IsSortedFunc(target, byComp) {
		return mergeSorted(source, target)
	}
	at := make(map[metadata.Component]int, len(source)+len(target))
	pairs := make([]pair, 0, len(source)+len(target))
	for s, items := range [2][]metadata.Item{source, target} {
		for i, item := range items {
			k, ok := at[item.Component]
			if !ok {
				k = len(pairs)
				at[item.Component] = k
				pairs = append(pairs, pair{component: item.Component, src: -1, tgt: -1})
			}
			idx := &pairs[k].src
			if s == 1 {
				idx = &pairs[k].tgt
			}
			if *idx >= 0 {
				return nil, fmt.Errorf("diff: the %s lists %s twice; each component must be given once (a bug in whatever read the %[1]s)", sideName[s], item.Component)
			}
			*idx = i
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return a.component.Compare(b.component) })
	return pairs, nil
}

// mergeSorted pairs two sorted sides.
func mergeSorted(source, target []metadata.Item) ([]pair, error) {
	pairs := make([]pair, 0, max(len(source), len(target)))
	i, j := 0, 0
	for i < len(source) || j < len(target) {
		var c int
		switch {
		case i == len(source):
			c = 1
		case j == len(target):
			c = -1
		default:
			c = source[i].Component.Compare(target[j].Component)
		}
		p := pair{src: -1, tgt: -1}
		if c <= 0 {
			p.component, p.src = source[i].Component, i
			i++
		}
		if c >= 0 {
			p.component, p.tgt = target[j].Component, j
			j++
		}
		if n := len(pairs); n > 0 && pairs[n-1].component == p.component {
			side := 0
			if p.src < 0 {
				side = 1
			}
			return nil, fmt.Errorf("diff: the %s lists %s twice; each component must be given once (a bug in whatever read the %[1]s)", sideName[side], p.component)
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

var sideName = [2]string{"source", "target"}

// hashAll hashes every item of both sides on one pool of workers.
func hashAll(ctx context.Context, source, target []metadata.Item, workers int) ([2][]itemSum, error) {
	sums := [2][]itemSum{make([]itemSum, len(source)), make([]itemSum, len(target))}
	hashers := make([]*hasher, workers)
	for w := range hashers {
		hashers[w] = newHasher()
	}
	err := parallel(ctx, len(source)+len(target), workers, func(ctx context.Context, w, i int) error {
		s, items := 0, source
		if i >= len(source) {
			s, items, i = 1, target, i-len(source)
		}
		sum, err := hashers[w].sum(ctx, items[i])
		if err != nil {
			return fmt.Errorf("diff: %s %s: %w; check that the %[1]s can be read, then compare again", sideName[s], items[i].Component, err)
		}
		sums[s][i] = sum
		return nil
	})
	return sums, err
}

func unionPaths(a, b *itemSum) []string {
	var paths []string
	for _, s := range []*itemSum{a, b} {
		if s != nil {
			for _, f := range s.files {
				paths = append(paths, f.path)
			}
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

func samePaths(a, b *itemSum) bool {
	return slices.EqualFunc(a.files, b.files, func(x, y fileSum) bool { return x.path == y.path })
}
