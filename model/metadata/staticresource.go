package metadata

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"
)

// resourceExtensions maps a static resource's contentType to the extension of
// its content file in source format, as the Salesforce CLI names them.
var resourceExtensions = map[string]string{
	"application/javascript":   "js",
	"application/json":         "json",
	"application/octet-stream": "bin",
	"application/pdf":          "pdf",
	"application/xml":          "xml",
	"application/zip":          "zip",
	"font/woff":                "woff",
	"font/woff2":               "woff2",
	"image/gif":                "gif",
	"image/jpeg":               "jpeg",
	"image/png":                "png",
	"image/svg+xml":            "svg",
	"text/css":                 "css",
	"text/csv":                 "csv",
	"text/html":                "html",
	"text/javascript":          "js",
	"text/plain":               "txt",
	"text/xml":                 "xml",
}

func isZipContentType(ct string) bool {
	switch ct {
	case "application/zip", "application/x-zip-compressed":
		return true
	}
	return false
}

// zipEpoch is the modification time of every entry relman zips, so equal
// content gives equal bytes.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// staticResourceToSource converts staticresources/X.resource (+ -meta.xml):
// a zip resource is expanded into staticresources/X/…, anything else becomes
// staticresources/X.<ext for its contentType>.
func staticResourceToSource(set itemSet, fsys fs.FS, c Component, files []mdapiFile) error {
	dir := "staticresources/"
	metaPath := dir + c.FullName + ".resource" + metaXML
	contentPath := dir + c.FullName + ".resource"
	var haveMeta, haveContent bool
	for _, f := range files {
		switch f.path {
		case metaPath:
			haveMeta = true
		case contentPath:
			haveContent = true
		}
	}
	if !haveMeta {
		return fmt.Errorf("%s: static resource without %s; retrieve it again or add the meta file with its contentType", contentPath, metaPath)
	}
	meta, err := fs.ReadFile(fsys, metaPath)
	if err != nil {
		return fmt.Errorf("reading %s: %w", metaPath, err)
	}
	set.add(c, fsFile(fsys, metaPath, metaPath))
	if !haveContent {
		return nil
	}
	root, err := parseXML(meta)
	if err != nil {
		return fmt.Errorf("%s: %w", metaPath, err)
	}
	ct, _ := root.childText("contentType")
	ct = strings.ToLower(strings.TrimSpace(ct))
	if isZipContentType(ct) {
		data, err := fs.ReadFile(fsys, contentPath)
		if err != nil {
			return fmt.Errorf("reading %s: %w", contentPath, err)
		}
		if files, ok := unzipResource(dir+c.FullName+"/", data); ok {
			set.add(c, files...)
			return nil
		}
	}
	ext, ok := resourceExtensions[ct]
	if !ok {
		ext = "bin"
	}
	set.add(c, fsFile(fsys, dir+c.FullName+"."+ext, contentPath))
	return nil
}

// unzipResource expands a zip static resource into files under prefix. It
// reports false when data is not a zip that can be expanded safely (then the
// resource is kept as one file).
func unzipResource(prefix string, data []byte) ([]File, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(zr.File) > MaxZipFiles {
		return nil, false
	}
	var files []File
	var total uint64
	seen := map[string]bool{}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue // directory entry
		}
		if _, err := splitSourcePath(zf.Name); err != nil || seen[zf.Name] || ignoredInResource(zf.Name) {
			return nil, false
		}
		seen[zf.Name] = true
		total += zf.UncompressedSize64
		if total > MaxZipUncompressed {
			return nil, false
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, false
		}
		content, err := io.ReadAll(io.LimitReader(rc, MaxZipUncompressed))
		rc.Close()
		if err != nil {
			return nil, false
		}
		files = append(files, memFile(prefix+zf.Name, content, false))
	}
	if len(files) == 0 {
		return nil, false
	}
	return files, true
}

// ignoredInResource reports entries ReadSourceTree would skip; such a zip is
// kept whole so that the round trip through source format loses nothing.
func ignoredInResource(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if ignoredDir(seg) || ignoredFile(seg) {
			return true
		}
	}
	return false
}

// writeResourceZip zips the expanded folder files (paths under prefix) into w,
// sorted by path with fixed timestamps.
func writeResourceZip(w io.Writer, prefix string, files []File) error {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	zw := zip.NewWriter(w)
	for _, f := range sorted {
		hdr := &zip.FileHeader{Name: strings.TrimPrefix(f.Path, prefix), Method: zip.Deflate, Modified: zipEpoch}
		ew, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if err := copyFile(ew, f); err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyFile streams f's content into w.
func copyFile(w io.Writer, f File) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer rc.Close()
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	return nil
}
