package metadata

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteSourceItems writes items as a source-format tree under the directory
// root, replacing those components' files. A component that owns a folder
// (a bundle, an expanded static resource, an object translation) has its old
// files removed first, so files it no longer has disappear. Fragments are
// merged back into their shared file: the other components in that file (the
// labels not being written, say) are kept, the written ones replaced or
// added, and the children sorted by type and name.
func WriteSourceItems(root string, items []Item) error {
	fragments := map[string][]fragmentWrite{}
	for _, it := range items {
		for _, f := range it.Files {
			if _, err := splitSourcePath(f.Path); err != nil {
				return fmt.Errorf("%s: %w", it.Component, err)
			}
			if f.Fragment {
				fragments[f.Path] = append(fragments[f.Path], fragmentWrite{c: it.Component, file: f})
			}
		}
	}
	for _, it := range items {
		if err := clearOwnedFiles(root, it.Component); err != nil {
			return err
		}
	}
	for _, it := range items {
		for _, f := range it.Files {
			if f.Fragment {
				continue
			}
			if err := writeSourceFile(root, f.Path, func(w io.Writer) error { return copyFile(w, f) }); err != nil {
				return fmt.Errorf("%s: %w", it.Component, err)
			}
		}
	}
	paths := make([]string, 0, len(fragments))
	for p := range fragments {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := mergeSharedFile(root, p, fragments[p]); err != nil {
			return err
		}
	}
	return nil
}

type fragmentWrite struct {
	c    Component
	file File
}

// clearOwnedFiles removes the files of a component that owns a folder, so
// that writing it leaves exactly its new files.
func clearOwnedFiles(root string, c Component) error {
	t := typesByName[c.Type]
	if t == nil || strings.ContainsAny(c.FullName, `/\`) || c.FullName == "." || c.FullName == ".." || c.FullName == "" {
		return nil // such names own no folder; their files are written by path
	}
	if !t.Bundle && t.Name != "CustomObjectTranslation" && t.Name != "StaticResource" {
		return nil
	}
	// Through os.Root: a folder linked out of root is never emptied.
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	dir := filepath.FromSlash(t.Directory)
	if err := removeAll(r, filepath.Join(dir, c.FullName)); err != nil || t.Name != "StaticResource" {
		return err
	}
	f, err := r.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), c.FullName+".") {
			if err := r.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// readIn reads the slash path p under root through os.Root.
func readIn(root, p string) ([]byte, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadFile(filepath.FromSlash(p))
}

func removeAll(r *os.Root, p string) error {
	if err := r.RemoveAll(p); err != nil {
		return fmt.Errorf("removing the old files of %s: %w", p, err)
	}
	return nil
}

// writeSourceFile writes the file at the slash path p under root through a
// temporary file, so a failure never leaves a half-written file behind.
func writeSourceFile(root, p string, write func(io.Writer) error) error {
	return WriteFileIn(root, p, write)
}

// WriteFileIn writes the file at the slash path p under root through a
// temporary file, so a failure never leaves a half-written file behind. It
// works through os.Root: no symbolic link or ".." takes the write out of
// root (a folder linked elsewhere is refused, not written through).
func WriteFileIn(root, p string, write func(io.Writer) error) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	rel := filepath.FromSlash(p)
	if err := r.MkdirAll(filepath.Dir(rel), 0o755); err != nil {
		return err
	}
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(rel), ".relman-"+hex.EncodeToString(suffix[:]))
	f, err := r.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer r.Remove(tmp)
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return r.Rename(tmp, rel)
}

// mergeSharedFile writes the fragments into the shared file at p, keeping
// the children already there that are not being written.
func mergeSharedFile(root, p string, writes []fragmentWrite) error {
	parent, err := ResolvePath(p)
	if err != nil {
		return err
	}
	t := typesByName[parent.Type]
	if !t.sharedFile() {
		return fmt.Errorf("%s: fragments belong in files shared by several components (labels, workflows, ...), not in a %s file", p, t.Name)
	}
	var base *node
	kids := map[Component]childElem{}
	existing, err := readIn(root, p)
	switch {
	case err == nil:
		r, ks, err := splitChildren(p, existing, t)
		if err != nil {
			return fmt.Errorf("merging into the existing file: %w", err)
		}
		base = r
		for _, k := range ks {
			kids[Component{Type: k.t.Name, FullName: childFullName(parent, k)}] = k
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	for _, fw := range writes {
		data, err := ReadFile(fw.file)
		if err != nil {
			return err
		}
		if fw.c == parent {
			r, _, err := splitChildren(p, data, t)
			if err != nil {
				return fmt.Errorf("%s: %w", parent, err)
			}
			base = r
			continue
		}
		ct := typesByName[fw.c.Type]
		if ct == nil || ct.Parent != t.Name {
			return fmt.Errorf("%s: %s is not a child of %s and cannot be written into %s", fw.c, fw.c.Type, t.Name, p)
		}
		el, err := parseXML(data)
		if err != nil {
			return fmt.Errorf("%s (%s): %w", p, fw.c, err)
		}
		if localName(el.name) != ct.ElementName {
			return fmt.Errorf("%s (%s): fragment element is <%s>, expected <%s>", p, fw.c, el.name, ct.ElementName)
		}
		name := fw.c.FullName
		if ct.Parent != "CustomLabels" {
			_, name, _ = strings.Cut(name, ".")
		}
		kids[fw.c] = childElem{t: ct, name: name, el: el}
	}
	if base == nil {
		base = newRoot(t.Name, nil)
	}
	list := make([]childElem, 0, len(kids))
	for _, k := range kids {
		list = append(list, k)
	}
	doc := document(recompose(base, t, list))
	return writeSourceFile(root, p, func(w io.Writer) error {
		_, err := w.Write(doc)
		return err
	})
}
