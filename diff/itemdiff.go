package diff

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"relman/model/metadata"
)

// ItemDiff diffs one component the way deploying the source over the target
// would change it: tgt is the old side (removed lines), src the new side
// (added lines); nil means the component is absent on that side. Files are
// paired by path and returned in path order, one FileDiff for each file whose
// bytes differ (with Hidden set even when the options leave no hunk), with
// NewFile or DeletedFile set for a file on one side only.
func ItemDiff(src, tgt *metadata.Item, context int, opts Options) ([]FileDiff, error) {
	news, err := readItem("source", src)
	if err != nil {
		return nil, err
	}
	olds, err := readItem("target", tgt)
	if err != nil {
		return nil, err
	}
	var paths []string
	for p := range news {
		paths = append(paths, p)
	}
	for p := range olds {
		if _, ok := news[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var diffs []FileDiff
	for _, p := range paths {
		old, inOld := olds[p]
		new, inNew := news[p]
		if inOld && inNew && bytes.Equal(old, new) {
			continue
		}
		d, err := Lines(p, old, new, context, opts)
		if err != nil {
			// Lines does not say which side is broken; only the error path
			// pays for finding out.
			side, item := "source", src
			if _, nerr := Normalize(p, new, opts); nerr == nil {
				side, item = "target", tgt
			}
			return nil, fmt.Errorf("diff: %s %s: %w; fix the file, or diff without ignoring whitespace or order", side, item.Component, err)
		}
		d.NewFile, d.DeletedFile = !inOld, !inNew
		diffs = append(diffs, d)
	}
	return diffs, nil
}

// readItem reads every file of item by path; a nil item has none.
func readItem(side string, item *metadata.Item) (map[string][]byte, error) {
	files := map[string][]byte{}
	if item == nil {
		return files, nil
	}
	for _, f := range item.Files {
		if _, dup := files[f.Path]; dup {
			return nil, fmt.Errorf("diff: %s %s: file %s is listed twice", side, item.Component, f.Path)
		}
		data, err := readFile(context.Background(), f)
		if err != nil {
			return nil, fmt.Errorf("diff: %s %s: %w; check that the %[1]s can be read, then try again", side, item.Component, err)
		}
		files[f.Path] = data
	}
	return files, nil
}
