package diff

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"

	"relman/model/metadata"
)

// fileSum is the SHA-256 of one file's content.
type fileSum struct {
	path string
	file int // index in Item.Files
	sum  [sha256.Size]byte
}

// itemSum is a component's content hash and its files' sums, sorted by path.
type itemSum struct {
	hash  string
	files []fileSum
}

// hasher hashes items, streaming each file through a buffer it reuses: a
// worker never holds more than 32 KiB of any file.
type hasher struct {
	file, item hash.Hash
	buf        []byte
}

func newHasher() *hasher {
	return &hasher{file: sha256.New(), item: sha256.New(), buf: make([]byte, 32<<10)}
}

// sum hashes item: the SHA-256 over, for each file in path order, its path, a
// NUL byte and the SHA-256 of its content. Hashing each file first frames the
// contents without reading them twice or knowing their length in advance.
// Errors name the file; the caller adds the component.
func (h *hasher) sum(ctx context.Context, item metadata.Item) (itemSum, error) {
	files := make([]fileSum, len(item.Files))
	for i, f := range item.Files {
		files[i] = fileSum{path: f.Path, file: i}
	}
	slices.SortFunc(files, func(a, b fileSum) int { return strings.Compare(a.path, b.path) })
	h.item.Reset()
	for i := range files {
		f := &files[i]
		if i > 0 && files[i-1].path == f.path {
			return itemSum{}, fmt.Errorf("file %s is listed twice", f.path)
		}
		sum, err := h.hashFile(ctx, item.Files[f.file])
		if err != nil {
			return itemSum{}, err
		}
		f.sum = sum
		io.WriteString(h.item, f.path)
		h.item.Write([]byte{0})
		h.item.Write(f.sum[:])
	}
	return itemSum{hash: hex.EncodeToString(h.item.Sum(nil)), files: files}, nil
}

func (h *hasher) hashFile(ctx context.Context, f metadata.File) (sum [sha256.Size]byte, err error) {
	rc, err := open(f)
	if err != nil {
		return sum, err
	}
	h.file.Reset()
	_, err = io.CopyBuffer(h.file, ctxReader{ctx, rc}, h.buf)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return sum, fmt.Errorf("reading %s: %w", f.Path, err)
	}
	h.file.Sum(sum[:0])
	return sum, nil
}

func open(f metadata.File) (io.ReadCloser, error) {
	if f.Open == nil {
		return nil, fmt.Errorf("opening %s: the file has no content (Open is nil)", f.Path)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", f.Path, err)
	}
	return rc, nil
}

// readFile reads a whole file, for the normaliser, which needs all of it.
func readFile(ctx context.Context, f metadata.File) ([]byte, error) {
	rc, err := open(f)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	_, err = b.ReadFrom(ctxReader{ctx, rc})
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", f.Path, err)
	}
	return b.Bytes(), nil
}

// ctxReader stops a read between chunks once ctx is done, so cancelling a
// comparison does not wait for a large static resource to finish.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
