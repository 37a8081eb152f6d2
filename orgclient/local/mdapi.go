package local

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"relman/model/metadata"
)

// applyMDAPI writes put and deletes del in a Metadata API folder. Only the
// files of the families involved are rewritten (an object's .object file
// when one of its fields changes, the labels file when a label does):
// model/metadata converts those families before and after the change, files
// only the old version had are removed, and files whose content is the same
// are left as they are. package.xml gains the written components and loses
// the deleted ones.
func (o *Org) applyMDAPI(ctx context.Context, s *snapshot, put []metadata.Item, del map[metadata.Component]bool) error {
	m, err := o.readManifest()
	if err != nil {
		return err
	}
	families := map[metadata.Component]bool{}
	replaced := map[metadata.Component]bool{}
	for _, it := range put {
		families[familyOf(it.Component)] = true
		replaced[it.Component] = true
	}
	for c := range del {
		families[familyOf(c)] = true
	}
	var before, after []metadata.Item
	for _, l := range s.items {
		c := l.item.Component
		if !families[familyOf(c)] {
			continue
		}
		before = append(before, l.item)
		if !del[c] && !replaced[c] {
			after = append(after, l.item)
		}
	}
	after = append(after, put...)
	oldFiles, err := mdapiFiles(before, m.Version)
	if err != nil {
		return fmt.Errorf("local org %s: converting the current files: %w", o.dir, err)
	}
	newFiles, err := mdapiFiles(after, m.Version)
	if err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	if err := o.checkContext(ctx); err != nil {
		return err
	}

	dir := o.abs(o.mdapiDir)
	var gone []string
	for p := range oldFiles {
		if _, ok := newFiles[p]; !ok {
			gone = append(gone, p)
		}
	}
	if err := removeFiles(dir, gone); err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	for _, p := range sortedKeys(newFiles) {
		if old, ok := oldFiles[p]; ok && bytes.Equal(old, newFiles[p]) {
			continue
		}
		if err := writeFile(dir, p, newFiles[p]); err != nil {
			return fmt.Errorf("local org %s: %w", o.dir, err)
		}
	}

	for _, it := range put {
		members := m.Types[it.Component.Type]
		if !slices.Contains(members, metadata.Wildcard) && !slices.Contains(members, it.Component.FullName) {
			m.Types[it.Component.Type] = append(members, it.Component.FullName)
		}
	}
	for c := range del {
		members := slices.DeleteFunc(m.Types[c.Type], func(s string) bool { return s == c.FullName })
		if len(members) == 0 {
			delete(m.Types, c.Type)
		} else {
			m.Types[c.Type] = members
		}
	}
	var buf bytes.Buffer
	if err := m.WriteXML(&buf); err != nil {
		return fmt.Errorf("local org %s: package.xml: %w", o.dir, err)
	}
	if err := writeFile(dir, "package.xml", buf.Bytes()); err != nil {
		return fmt.Errorf("local org %s: %w", o.dir, err)
	}
	return nil
}

// mdapiFiles converts items to the Metadata API format, through the same
// code that builds deployment zips, and returns each file's content by path
// (package.xml left out).
func mdapiFiles(items []metadata.Item, version string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(items) == 0 {
		return out, nil
	}
	var buf bytes.Buffer
	if err := metadata.WriteMDAPIZip(&buf, items, nil, version); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if f.Name == "package.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = data
	}
	return out, nil
}

// readManifest parses the folder's package.xml.
func (o *Org) readManifest() (metadata.Manifest, error) {
	file := filepath.Join(o.abs(o.mdapiDir), "package.xml")
	f, err := os.Open(file)
	if err != nil {
		return metadata.Manifest{}, fmt.Errorf("local org %s: %w", o.dir, err)
	}
	defer f.Close()
	m, err := metadata.ReadManifestLenient(f)
	if err != nil {
		return metadata.Manifest{}, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}
