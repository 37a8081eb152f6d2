package salesforce

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
)

// Salesforce's limits for one deploy (§5.4).
const (
	// MaxDeployFiles is the most files a deploy zip may hold.
	MaxDeployFiles = 10_000
	// MaxDeployZipBytes is the largest compressed zip: its base64 form
	// (+~33%) must fit the 50 MB SOAP message.
	MaxDeployZipBytes = 39_000_000
	// MaxDeployUncompressedBytes is the uncompressed limit in current
	// Salesforce docs (600 MB; older docs said 400 MB).
	MaxDeployUncompressedBytes = 629_145_600
)

// CheckZipLimits checks a zip's compressed size and file count against
// Salesforce's deploy limits, so callers can refuse a package before
// building or sending it. The error is a *LimitError.
func CheckZipLimits(size int64, files int) error {
	if files > MaxDeployFiles {
		return &LimitError{What: "files", Actual: int64(files), Max: MaxDeployFiles}
	}
	if size > MaxDeployZipBytes {
		return &LimitError{What: "compressed bytes", Actual: size, Max: MaxDeployZipBytes}
	}
	return nil
}

// CheckZip reads a zip's central directory and checks it against every
// deploy limit: compressed size, file count and uncompressed size.
func CheckZip(r io.ReaderAt, size int64) error {
	if err := CheckZipLimits(size, 0); err != nil {
		return err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("the deploy package is not a zip file: %w", err)
	}
	files := 0
	var unzipped uint64
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() {
			files++
			unzipped += f.UncompressedSize64
		}
	}
	if err := CheckZipLimits(size, files); err != nil {
		return err
	}
	if unzipped > MaxDeployUncompressedBytes {
		return &LimitError{What: "uncompressed bytes", Actual: int64(min(unzipped, 1<<62)), Max: MaxDeployUncompressedBytes}
	}
	return nil
}

// zipSource makes the deploy zip re-readable from its start, which a retry
// after renewing the session needs. A reader that is also an io.ReaderAt and
// io.Seeker (*os.File, *bytes.Reader, *io.SectionReader) is used in place
// from its current offset, without moving it; any other reader is read into
// memory once.
func zipSource(r io.Reader) (*io.SectionReader, error) {
	if ra, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		cur, err := ra.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("reading the deploy package: %w", err)
		}
		end, err := ra.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, fmt.Errorf("reading the deploy package: %w", err)
		}
		if _, err := ra.Seek(cur, io.SeekStart); err != nil {
			return nil, fmt.Errorf("reading the deploy package: %w", err)
		}
		return io.NewSectionReader(ra, cur, end-cur), nil
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the deploy package: %w", err)
	}
	return io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b))), nil
}
