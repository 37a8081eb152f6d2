//go:build !unix

package local

import (
	"io/fs"
	"os"
)

// openRaw opens a file for reading; only unix systems have the faster path.
func openRaw(full, name string) (fs.File, error) {
	f, err := os.Open(full)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f, nil
}
