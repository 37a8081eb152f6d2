package metadata

import (
	"fmt"
	"io"
	"io/fs"
)

// MaxXMLFile bounds each XML file read whole to build a tree (a decomposed
// .object, a shared labels or workflow file): Salesforce's own largest are
// a few MB, and a tree costs several times its file's size in memory, so a
// 596 KB zip entry that expands to 390 MB is refused before it is parsed.
const MaxXMLFile = 16 << 20

// readXMLFile reads one XML file of fsys whole, refusing one larger than
// MaxXMLFile, whatever size its zip header or directory entry claims.
func readXMLFile(fsys fs.FS, path string) ([]byte, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxXMLFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxXMLFile {
		return nil, fmt.Errorf("%s is larger than %d MB, more than any metadata file relman reads whole; check where it came from", path, MaxXMLFile>>20)
	}
	return data, nil
}
