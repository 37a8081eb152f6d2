package diff

import (
	"bytes"
	"context"
	"fmt"

	"relman/model/metadata"
)

// verdict is what the options make of a component whose bytes differ.
type verdict struct {
	same bool
	// With both options on: whether each one is needed for same, i.e. the
	// component would be different with only the other one.
	needsWhitespace, needsOrder bool
}

// judge normalises the files whose sums differ (src and tgt have the same
// paths) and compares them under opts.
func judge(ctx context.Context, src, tgt metadata.Item, ss, ts itemSum, opts Options) (verdict, error) {
	type changed struct {
		path     string
		old, new []byte
	}
	var files []changed
	for k := range ss.files {
		if ss.files[k].sum == ts.files[k].sum {
			continue
		}
		c := changed{path: ss.files[k].path}
		var err error
		if c.new, err = readFile(ctx, src.Files[ss.files[k].file]); err != nil {
			return verdict{}, fmt.Errorf("diff: source %s: %w; check that the source can be read, then compare again", src.Component, err)
		}
		if c.old, err = readFile(ctx, tgt.Files[ts.files[k].file]); err != nil {
			return verdict{}, fmt.Errorf("diff: target %s: %w; check that the target can be read, then compare again", tgt.Component, err)
		}
		files = append(files, c)
	}
	equal := func(o Options) (bool, error) {
		for _, f := range files {
			n, err := Normalize(f.path, f.new, o)
			if err != nil {
				return false, fmt.Errorf("diff: source %s: %w; fix the file, or compare without ignoring whitespace or order", src.Component, err)
			}
			t, err := Normalize(f.path, f.old, o)
			if err != nil {
				return false, fmt.Errorf("diff: target %s: %w; fix the file, or compare without ignoring whitespace or order", tgt.Component, err)
			}
			if !bytes.Equal(n, t) {
				return false, nil
			}
		}
		return true, nil
	}
	same, err := equal(opts)
	if err != nil || !same {
		return verdict{}, err
	}
	v := verdict{same: true, needsWhitespace: opts.IgnoreWhitespace, needsOrder: opts.IgnoreOrder}
	if opts.IgnoreWhitespace && opts.IgnoreOrder {
		orderOnly, err := equal(Options{IgnoreOrder: true})
		if err != nil {
			return verdict{}, err
		}
		whitespaceOnly, err := equal(Options{IgnoreWhitespace: true})
		if err != nil {
			return verdict{}, err
		}
		v.needsWhitespace, v.needsOrder = !orderOnly, !whitespaceOnly
	}
	return v, nil
}
