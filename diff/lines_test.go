package diff

import (
	"fmt"
	"strings"
	"testing"
)

// render shows a diff compactly: one line per hunk header and per line, with
// the emphasised pieces in [brackets].
func render(d FileDiff) string {
	var b strings.Builder
	for _, h := range d.Hunks {
		fmt.Fprintf(&b, "@@ -%d,%d +%d,%d\n", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
		for _, l := range h.Lines {
			b.WriteByte(" +-"[l.Kind])
			fmt.Fprintf(&b, "%d,%d ", l.OldNum, l.NewNum)
			if l.Spans == nil {
				b.WriteString(l.Text)
			}
			for _, s := range l.Spans {
				if s.Changed {
					b.WriteString("[" + l.Text[s.Start:s.End] + "]")
				} else {
					b.WriteString(l.Text[s.Start:s.End])
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func numbered(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

func TestLines(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		context  int
		want     string
	}{
		{name: "modified word", context: 1,
			old:  "<fieldPermissions>\n<field>Account.Region__c</field>\n</fieldPermissions>\n",
			new:  "<fieldPermissions>\n<field>Account.Area__c</field>\n</fieldPermissions>\n",
			want: "@@ -1,3 +1,3\n 1,1 <fieldPermissions>\n-2,0 <field>Account.[Region__c]</field>\n+0,2 <field>Account.[Area__c]</field>\n 3,3 </fieldPermissions>\n"},
		{name: "neighbouring words emphasised as one", context: 0,
			old: "String greeting = 'hello there';\n", new: "String greeting = 'good morning';\n",
			want: "@@ -1,1 +1,1\n-1,0 String greeting = '[hello there]';\n+0,1 String greeting = '[good morning]';\n"},
		{name: "dissimilar lines not emphasised", context: 0,
			old: "return x;\n", new: "System.debug(LoggingLevel.ERROR, message);\n",
			want: "@@ -1,1 +1,1\n-1,0 return x;\n+0,1 System.debug(LoggingLevel.ERROR, message);\n"},
		{name: "pairs skip an inserted line", context: 0,
			old:  "<a>one</a>\n<b>two</b>\n",
			new:  "<a>uno</a>\n<zzz>completely different text here</zzz>\n<b>dos</b>\n",
			want: "@@ -1,2 +1,3\n-1,0 <a>[one]</a>\n-2,0 <b>[two]</b>\n+0,1 <a>[uno]</a>\n+0,2 <zzz>completely different text here</zzz>\n+0,3 <b>[dos]</b>\n"},
		{name: "insertion without context", context: 0,
			old: numbered(1, 5), new: strings.Replace(numbered(1, 5), "line 3\n", "line 3\nnew\n", 1),
			want: "@@ -3,0 +4,1\n+0,4 new\n"},
		{name: "new file", context: 3, old: "", new: "a\nb\n",
			want: "@@ -0,0 +1,2\n+0,1 a\n+0,2 b\n"},
		{name: "deleted file", context: 3, old: "a\n", new: "",
			want: "@@ -1,1 +0,0\n-1,0 a\n"},
		{name: "close changes share a hunk", context: 2,
			old: numbered(1, 10), new: strings.NewReplacer("line 3\n", "line three\n", "line 7\n", "line seven\n").Replace(numbered(1, 10)),
			want: "@@ -1,9 +1,9\n 1,1 line 1\n 2,2 line 2\n-3,0 line [3]\n+0,3 line [three]\n 4,4 line 4\n 5,5 line 5\n 6,6 line 6\n" +
				"-7,0 line [7]\n+0,7 line [seven]\n 8,8 line 8\n 9,9 line 9\n"},
		{name: "distant changes get their own hunks", context: 1,
			old: numbered(1, 10), new: strings.NewReplacer("line 2\n", "line two\n", "line 9\n", "line nine\n").Replace(numbered(1, 10)),
			want: "@@ -1,3 +1,3\n 1,1 line 1\n-2,0 line [2]\n+0,2 line [two]\n 3,3 line 3\n" +
				"@@ -8,3 +8,3\n 8,8 line 8\n-9,0 line [9]\n+0,9 line [nine]\n 10,10 line 10\n"},
		{name: "negative context is none", context: -5,
			old: "a\nb\nc\n", new: "a\nx\nc\n", want: "@@ -2,1 +2,1\n-2,0 b\n+0,2 x\n"},
		{name: "huge context is the whole file", context: 1 << 62,
			old: "a\nb\nc\n", new: "a\nx\nc\n", want: "@@ -1,3 +1,3\n 1,1 a\n-2,0 b\n+0,2 x\n 3,3 c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Lines("f.txt", []byte(tt.old), []byte(tt.new), tt.context, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := render(d); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if got := applyHunks(t, tt.old, d); got != tt.new {
				t.Errorf("applying the hunks gives %q, want %q", got, tt.new)
			}
		})
	}
}

func TestLinesCounts(t *testing.T) {
	old, new := numbered(1, 100), strings.NewReplacer("line 10\n", "", "line 50\n", "line 50\nextra\nextra\n", "line 90\n", "ninety\n").Replace(numbered(1, 100))
	d, err := Lines("f.txt", []byte(old), []byte(new), 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Added != 3 || d.Removed != 2 || d.Hidden != 0 || len(d.Hunks) != 3 {
		t.Errorf("+%d -%d hidden %d hunks %d, want +3 -2 hidden 0 hunks 3", d.Added, d.Removed, d.Hidden, len(d.Hunks))
	}
	if got := applyHunks(t, old, d); got != new {
		t.Errorf("applying the hunks gives %q", got)
	}
}

func TestLinesNoNewline(t *testing.T) {
	d, err := Lines("f.txt", []byte("a\nb"), []byte("a\nb\n"), 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Hunks); n != 1 {
		t.Fatalf("%d hunks", n)
	}
	l := d.Hunks[0].Lines
	if len(l) != 3 || l[1].Kind != Removed || !l[1].NoNewline || l[2].Kind != Added || l[2].NoNewline {
		t.Errorf("lines %+v: want b removed without newline, b added with one", l)
	}
	if got := applyHunks(t, "a\nb", d); got != "a\nb\n" {
		t.Errorf("applying gives %q", got)
	}
}

func TestLinesBinary(t *testing.T) {
	d, err := Lines("staticresources/logo.png", []byte("\x89PNG\x00\x01"), []byte("\x89PNG\x00\x02"), 3, both)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Binary || d.Hunks != nil {
		t.Errorf("binary %v hunks %v", d.Binary, d.Hunks)
	}
	d, err = Lines("same.png", []byte("\x00"), []byte("\x00"), 3, Options{})
	if err != nil || d.Binary {
		t.Errorf("identical binaries: %+v %v", d, err)
	}
}

func TestLinesIgnoreWhitespace(t *testing.T) {
	tests := []struct {
		name, path string
		old, new   string
		want       string
		hidden     int
	}{
		{name: "reindented apex is hidden", path: "classes/A.cls",
			old:    "class A {\n    void x() {\n        y();\n    }\n}\n",
			new:    "class A {\n  void x() {\n    y();\n  }\n}\n",
			hidden: 6},
		{name: "real change among reindented lines, context shows the new text", path: "classes/A.cls",
			old:    "class A {\n    void x() {\n        y();\n    }\n}\n",
			new:    "class A {\n  void x() {\n    z();\n  }\n}\n",
			want:   "@@ -1,5 +1,5\n 1,1 class A {\n 2,2   void x() {\n-3,0         [y]();\n+0,3     [z]();\n 4,4   }\n 5,5 }\n",
			hidden: 4},
		{name: "blank lines within a hunk with a real change are shown", path: "classes/A.cls",
			old: "a;\nb;\nc;\nd;\n", new: "a;\nB;\n\nc;\nd;\n",
			want:   "@@ -1,4 +1,5\n 1,1 a;\n-2,0 [b];\n+0,2 [B];\n+0,3 \n 3,4 c;\n 4,5 d;\n",
			hidden: 0},
		{name: "blank lines alone make no hunk", path: "classes/A.cls",
			old: "a;\nb;\nc;\nd;\ne;\nf;\ng;\nh;\ni;\nj;\n", new: "a;\nB;\nc;\nd;\ne;\nf;\ng;\nh;\ni;\n\nj;\n",
			want:   "@@ -1,5 +1,5\n 1,1 a;\n-2,0 [b];\n+0,2 [B];\n 3,3 c;\n 4,4 d;\n 5,5 e;\n",
			hidden: 1},
		{name: "xml indentation is hidden", path: "profiles/A.profile-meta.xml",
			old: profile(fieldPerm("Account.A__c", true)), new: strings.ReplaceAll(profile(fieldPerm("Account.A__c", true)), "    ", "\t"),
			hidden: 10},
		{name: "xml text inside an element rewrapped counts", path: "x.xml",
			old: "<a>\n<b>one two</b>\n</a>\n", new: "<a>\n<b>one\ntwo</b>\n</a>\n",
			want: "@@ -1,3 +1,4\n 1,1 <a>\n-2,0 <b>one [two</b>]\n+0,2 <b>one\n+0,3 two</b>\n 3,4 </a>\n"},
		{name: "other text keeps its whitespace", path: "email/T.email",
			old: "Hi\n", new: "  Hi\n",
			want: "@@ -1,1 +1,1\n-1,0 Hi\n+0,1 [  ]Hi\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Lines(tt.path, []byte(tt.old), []byte(tt.new), 3, wsOnly)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(d); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if d.Hidden != tt.hidden {
				t.Errorf("hidden %d, want %d", d.Hidden, tt.hidden)
			}
			na, _ := Normalize(tt.path, []byte(tt.old), wsOnly)
			nb, _ := Normalize(tt.path, []byte(tt.new), wsOnly)
			if (string(na) == string(nb)) != (len(d.Hunks) == 0) {
				t.Errorf("Normalize equal = %v but %d hunks", string(na) == string(nb), len(d.Hunks))
			}
		})
	}
}

func TestLinesIgnoreOrder(t *testing.T) {
	old := profile(fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false), fieldPerm("Account.C__c", true))
	reordered := profile(fieldPerm("Account.C__c", true), fieldPerm("Account.A__c", true), fieldPerm("Account.B__c", false))
	d, err := Lines("profiles/A.profile-meta.xml", []byte(old), []byte(reordered), 3, orderOnly)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Hunks) != 0 || d.Hidden == 0 {
		t.Errorf("reordered only: hunks\n%s hidden %d", render(d), d.Hidden)
	}
	changed := strings.Replace(reordered, "<editable>false</editable>", "<editable>true</editable>", 1)
	d, err = Lines("profiles/A.profile-meta.xml", []byte(old), []byte(changed), 0, orderOnly)
	if err != nil {
		t.Fatal(err)
	}
	want := "@@ -9,1 +9,1\n-9,0         <editable>[false]</editable>\n+0,9         <editable>[true]</editable>\n"
	if got := render(d); got != want {
		t.Errorf("reordered and changed: got\n%s\nwant\n%s", got, want)
	}
	plain, _ := Lines("profiles/A.profile-meta.xml", []byte(old), []byte(changed), 0, Options{})
	if d.Hidden != plain.Added+plain.Removed-2 {
		t.Errorf("hidden %d, want %d", d.Hidden, plain.Added+plain.Removed-2)
	}
}

func TestLinesMalformed(t *testing.T) {
	_, err := Lines("profiles/A.profile-meta.xml", []byte("<Profile>\n</Profile>"), []byte("<Profile>\n</Profle>"), 3, wsOnly)
	if err == nil || !strings.Contains(err.Error(), "profiles/A.profile-meta.xml line 2: malformed XML") {
		t.Errorf("error %v", err)
	}
	// Without options the file is only text.
	if _, err := Lines("profiles/A.profile-meta.xml", []byte("<Profile>\n</Profile>"), []byte("<Profile>\n</Profle>"), 3, Options{}); err != nil {
		t.Error(err)
	}
}

// TestLinesManyScatteredChanges guards the anchoring in front of go-udiff,
// whose LCS alone turned 200 scattered one-line changes in 20,000 lines into
// a 15,000-line replacement.
func TestLinesManyScatteredChanges(t *testing.T) {
	var old, new strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&old, "line %d\n", i)
		if i%100 == 0 {
			fmt.Fprintf(&new, "changed %d\n", i)
		} else {
			fmt.Fprintf(&new, "line %d\n", i)
		}
	}
	d, err := Lines("f.txt", []byte(old.String()), []byte(new.String()), 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Added != 200 || d.Removed != 200 {
		t.Errorf("+%d -%d, want +200 -200", d.Added, d.Removed)
	}
	if got := applyHunks(t, old.String(), d); got != new.String() {
		t.Error("the hunks do not apply")
	}
}

// TestLinesNoUniqueLines covers a large change without a single unique line
// to anchor on: go-udiff's LCS then does all the work.
func TestLinesNoUniqueLines(t *testing.T) {
	old := strings.Repeat("x\ny\n", 200)
	new := strings.Repeat("x\ny\ny\n", 100) + strings.Repeat("x\n", 50)
	d, err := Lines("f.txt", []byte(old), []byte(new), 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := applyHunks(t, old, d); got != new {
		t.Error("the hunks do not apply")
	}
}

// TestLinesKindsDiffer: a file XML on one side only (sniffed by its
// declaration) cannot be normalised alike, so it is diffed as text.
func TestLinesKindsDiffer(t *testing.T) {
	old, new := "<?xml version=\"1.0\"?>\n<a>\n  <b/>\n</a>\n", "<a>\n<b/>\n</a>\n"
	d, err := Lines("profiles/A.profile", []byte(old), []byte(new), 3, both)
	if err != nil {
		t.Fatal(err)
	}
	if got := applyHunks(t, old, d); got != new || d.Hidden != 0 {
		t.Errorf("not a plain diff: hidden %d\n%s", d.Hidden, render(d))
	}
}

func TestIncreasing(t *testing.T) {
	got := increasing([]anchor{{0, 5}, {1, 1}, {2, 2}, {3, 9}, {4, 3}, {5, 4}, {6, 0}})
	want := []anchor{{1, 1}, {2, 2}, {4, 3}, {5, 4}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if increasing(nil) != nil {
		t.Error("anchors from nothing")
	}
}
