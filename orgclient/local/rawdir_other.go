//go:build !linux

package local

import "io/fs"

// readDirRaw has a fast path on Linux only; elsewhere the caller's
// os.ReadDir lists the folder.
func readDirRaw(string) ([]fs.DirEntry, bool, error) { return nil, false, nil }
