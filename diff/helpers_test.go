package diff

import (
	"io"
	"strings"
	"testing"

	"relman/model/metadata"
)

// item builds an in-memory component from path, content pairs.
func item(typ, name string, pathContent ...string) metadata.Item {
	it := metadata.Item{Component: metadata.Component{Type: typ, FullName: name}}
	for i := 0; i+1 < len(pathContent); i += 2 {
		it.Files = append(it.Files, memFile(pathContent[i], pathContent[i+1]))
	}
	return it
}

func memFile(path, content string) metadata.File {
	return metadata.File{Path: path, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

// profile wraps body in a Profile document indented the way the CLI writes it.
func profile(body ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Profile xmlns="http://soap.sforce.com/2006/04/metadata">` + "\n" +
		strings.Join(body, "") + "</Profile>\n"
}

func fieldPerm(field string, edit bool) string {
	e := "false"
	if edit {
		e = "true"
	}
	return "    <fieldPermissions>\n        <editable>" + e + "</editable>\n        <field>" + field +
		"</field>\n        <readable>true</readable>\n    </fieldPermissions>\n"
}

// applyHunks rebuilds the new text from old and the hunks of a diff made
// without options, so a test can check that the hunks are exactly right.
func applyHunks(t testing.TB, old string, d FileDiff) string {
	t.Helper()
	lines := splitLines(old)
	var out strings.Builder
	next := 0 // next old line (0-based) not yet copied
	for _, h := range d.Hunks {
		start := h.OldStart - 1
		if h.OldLines == 0 {
			start = h.OldStart
		}
		if start < next || start > len(lines) {
			t.Fatalf("hunk @@ -%d,%d starts at old line %d, after %d lines already used", h.OldStart, h.OldLines, start, next)
		}
		for _, l := range lines[next:start] {
			out.WriteString(l)
		}
		next = start
		for _, l := range h.Lines {
			if l.Kind != Added {
				if next >= len(lines) || strings.TrimSuffix(lines[next], "\n") != l.Text {
					t.Fatalf("hunk line %+v does not match old line %d", l, next+1)
				}
				if l.OldNum != next+1 {
					t.Fatalf("line %+v: OldNum want %d", l, next+1)
				}
				next++
			}
			if l.Kind != Removed {
				out.WriteString(l.Text)
				if !l.NoNewline {
					out.WriteByte('\n')
				}
			}
		}
	}
	for _, l := range lines[next:] {
		out.WriteString(l)
	}
	return out.String()
}
