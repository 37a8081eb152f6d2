package diff

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"relman/model"
	"relman/model/metadata"
)

// compareBytes is Compare without hashes (Options.NoHashes): a component
// on both sides is the same when it has the same file paths and each file
// pair has the same bytes. Files are read in pairs, in chunks, and reading
// stops at the first difference; components on one side only are not read.
func compareBytes(ctx context.Context, source, target []metadata.Item, pairs []pair, workers int) (Result, error) {
	res := Result{Entries: make([]Entry, len(pairs)), Counts: make(map[model.Category]int, len(model.Categories))}
	var both []int
	for i, p := range pairs {
		e := Entry{Component: p.component}
		switch {
		case p.tgt < 0:
			e.Category, e.Files = model.OnlyInSource, sortedPaths(source[p.src])
		case p.src < 0:
			e.Category, e.Files = model.OnlyInTarget, sortedPaths(target[p.tgt])
		default:
			sp, tp := sortedPaths(source[p.src]), sortedPaths(target[p.tgt])
			e.Files = slices.Compact(slices.Sorted(slices.Values(append(slices.Clip(sp), tp...))))
			e.Category = model.Different
			if slices.Equal(sp, tp) {
				both = append(both, i)
			}
		}
		res.Entries[i] = e
	}
	bufs := make([][2][]byte, workers)
	for w := range bufs {
		bufs[w] = [2][]byte{make([]byte, 32<<10), make([]byte, 32<<10)}
	}
	err := parallel(ctx, len(both), workers, func(ctx context.Context, w, k int) error {
		e := &res.Entries[both[k]]
		p := pairs[both[k]]
		same, err := sameItems(ctx, source[p.src], target[p.tgt], bufs[w])
		if err != nil {
			return fmt.Errorf("diff: %s: %w; check that both sides can be read, then compare again", e.Component, err)
		}
		if same {
			e.Category = model.Same
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	for _, c := range model.Categories {
		res.Counts[c] = 0
	}
	for _, e := range res.Entries {
		res.Counts[e.Category]++
	}
	return res, nil
}

func sortedPaths(it metadata.Item) []string {
	out := make([]string, len(it.Files))
	for i, f := range it.Files {
		out[i] = f.Path
	}
	slices.Sort(out)
	return out
}

// sameItems compares two items with the same file paths, file by file.
func sameItems(ctx context.Context, a, b metadata.Item, buf [2][]byte) (bool, error) {
	af, bf := slices.Clone(a.Files), slices.Clone(b.Files)
	byPath := func(x, y metadata.File) int { return strings.Compare(x.Path, y.Path) }
	slices.SortFunc(af, byPath)
	slices.SortFunc(bf, byPath)
	for i := range af {
		same, err := sameFile(ctx, af[i], bf[i], buf)
		if err != nil || !same {
			return false, err
		}
	}
	return true, nil
}

// sameFile reads two files side by side until they differ or both end.
func sameFile(ctx context.Context, a, b metadata.File, buf [2][]byte) (bool, error) {
	ra, err := open(a)
	if err != nil {
		return false, err
	}
	defer ra.Close()
	rb, err := open(b)
	if err != nil {
		return false, err
	}
	defer rb.Close()
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		na, errA := io.ReadFull(ra, buf[0])
		nb, errB := io.ReadFull(rb, buf[1])
		if errA != nil && errA != io.EOF && errA != io.ErrUnexpectedEOF {
			return false, fmt.Errorf("reading %s: %w", a.Path, errA)
		}
		if errB != nil && errB != io.EOF && errB != io.ErrUnexpectedEOF {
			return false, fmt.Errorf("reading %s: %w", b.Path, errB)
		}
		if !bytes.Equal(buf[0][:na], buf[1][:nb]) {
			return false, nil
		}
		if na < len(buf[0]) { // both ended, equal
			return true, nil
		}
	}
}
