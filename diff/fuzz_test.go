package diff

import (
	"bytes"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false)),
	profile(fieldPerm("Account.B__c", false), "<!-- c -->", fieldPerm("Account.A__c", true), "<layoutAssignments><layout>L</layout></layoutAssignments>"),
	"<?xml version=\"1.0\"?>\n<CustomLabels>\n  <labels>\n    <fullName>B</fullName>\n  </labels>\n  <labels><fullName>A</fullName></labels>\n</CustomLabels>",
	"<PermissionSetGroup><permissionSets> B </permissionSets><permissionSets>A</permissionSets></PermissionSetGroup>",
	"<a x = 'y' >\r\n <![CDATA[ z ]]> t &amp; u\r\n</a >",
	"<a><b/></a>\n<c/>",
	"<!DOCTYPE a><?pi x?><a/>",
	"public class A {\n\tvoid x()  {  }\n\n}\n",
	"",
}

// FuzzNormalize feeds the XML normaliser arbitrary documents. It must never
// panic, must be idempotent, and IgnoreOrder alone must only move bytes.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), true, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, ws, order bool) {
		opts := Options{IgnoreWhitespace: ws, IgnoreOrder: order}
		for _, path := range []string{"profiles/P.profile-meta.xml", "classes/A.cls"} {
			out, err := Normalize(path, data, opts)
			if err != nil {
				continue
			}
			again, err := Normalize(path, out, opts)
			if err != nil {
				t.Fatalf("%s: normalised output does not parse: %v\nin:  %q\nout: %q", path, err, data, out)
			}
			if !bytes.Equal(again, out) {
				t.Fatalf("%s: not idempotent\nin:    %q\nout:   %q\nagain: %q", path, data, out, again)
			}
			if order && !ws && len(out) != len(data) {
				t.Fatalf("reordering changed the length: %q → %q", data, out)
			}
			if len(out) > len(data)+1 { // code gains at most a final newline
				t.Fatalf("normalising grew the file: %q → %q", data, out)
			}
		}
	})
}

// FuzzLines checks that plain diffs apply, that hunks, counts and spans are
// consistent with and without options, and that with options a diff never
// shows nothing when Normalize says the files differ.
func FuzzLines(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), []byte(fuzzSeeds[(i+1)%len(fuzzSeeds)]), uint8(i))
	}
	f.Add([]byte("a\nb\nc"), []byte("a\n\nB\nc\n"), uint8(3))
	// Big enough to be anchored before go-udiff sees it.
	big := numbered(1, 150)
	f.Add([]byte(big), []byte(strings.NewReplacer("line 7\n", "", "line 70\n", "x\ny\n", "line 140\n", "line 1\n").Replace(big)), uint8(0x31))
	f.Fuzz(func(t *testing.T, old, new []byte, mode uint8) {
		path := []string{"f.txt", "classes/A.cls", "profiles/P.profile-meta.xml"}[mode%3]
		opts := Options{IgnoreWhitespace: mode&4 != 0, IgnoreOrder: mode&8 != 0}
		d, err := Lines(path, old, new, int(mode>>4), opts)
		if err != nil {
			return // malformed XML with an option on
		}
		if d.Binary {
			return
		}
		added, removed := 0, 0
		for _, h := range d.Hunks {
			oldN, newN := 0, 0
			for _, l := range h.Lines {
				switch l.Kind {
				case Added:
					added++
					newN++
				case Removed:
					removed++
					oldN++
				default:
					oldN++
					newN++
				}
				if l.Spans != nil && (l.Spans[0].Start != 0 || l.Spans[len(l.Spans)-1].End != len(l.Text)) {
					t.Fatalf("spans %+v do not cover %q", l.Spans, l.Text)
				}
				for k := 1; k < len(l.Spans); k++ {
					if l.Spans[k].Start != l.Spans[k-1].End {
						t.Fatalf("spans %+v have a gap", l.Spans)
					}
				}
			}
			if oldN != h.OldLines || newN != h.NewLines {
				t.Fatalf("hunk %+v counts %d,%d lines", h, oldN, newN)
			}
		}
		if added != d.Added || removed != d.Removed {
			t.Fatalf("+%d -%d counted, FileDiff says +%d -%d", added, removed, d.Added, d.Removed)
		}
		if opts == (Options{}) {
			if got := applyHunks(t, string(old), d); got != string(new) {
				t.Fatalf("applying the hunks gives %q, want %q", got, new)
			}
			return
		}
		na, errA := Normalize(path, old, opts)
		nb, errB := Normalize(path, new, opts)
		if errA != nil || errB != nil {
			return
		}
		if !bytes.Equal(na, nb) && len(d.Hunks) == 0 {
			t.Fatalf("Normalize differs but the diff shows nothing:\n%q\n%q", na, nb)
		}
	})
}
