package review

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"relman/diff"
	"relman/ui/theme"
)

// rows draws every row of text wrapped at w, plain.
func rows(text string, w int) []string {
	var out []string
	for part := range wrapRows(text, w) {
		var b strings.Builder
		lineText(&b, text, nil, nil, part, w, paint{}, paint{}, paint{})
		out = append(out, b.String())
	}
	return out
}

func TestLineTextWraps(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		w          int
		want       []string
	}{
		{"fits", "abc", 5, []string{"abc  "}},
		{"empty", "", 3, []string{"   "}},
		{"wraps", "abcdefg", 3, []string{"abc", "def", "g  "}},
		{"tab to the stop", "a\tb", 8, []string{"a   b   "}},
		{"tab split by the wrap", "abc\td", 3, []string{"abc", " d "}},
		{"control pictures", "a\x1b[2Jb\r", 8, []string{"a␛[2Jb␍ "}},
		{"wide rune moves to the next row", "a日本", 4, []string{"a日 ", "本  "}},
		{"wide rune never split", "ab日", 3, []string{"ab ", "日 "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rows(tc.text, tc.w)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("rows = %q, want %q", got, tc.want)
			}
			for _, r := range got {
				if ansi.StringWidth(r) != tc.w {
					t.Errorf("row %q is %d columns, want %d", r, ansi.StringWidth(r), tc.w)
				}
			}
			cells, wide := textCells(tc.text)
			if !wide && wrapRows(tc.text, tc.w) != max(1, (cells+tc.w-1)/tc.w) {
				t.Errorf("without wide runes, rows must be columns / width")
			}
		})
	}
}

// TestWordEmphasis draws a changed line in true colour: the changed word
// takes the theme's word style, the rest the line style, search hits the
// match style.
func TestWordEmphasis(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	p := newPaints(theme.Default())
	if p.addedWord.pre == "" || p.addedWord.pre == p.addedLine.pre {
		t.Fatal("word and line styles must differ in colour")
	}
	text := "<value>Paid in full on</value>"
	spans := []diff.Span{{Start: 0, End: 12}, {Start: 12, End: 20, Changed: true}, {Start: 20, End: len(text)}}
	var b strings.Builder
	lineText(&b, text, spans, nil, 0, 40, p.addedLine, p.addedWord, p.match)
	got := b.String()
	want := p.addedLine.pre + "<value>Paid " + p.addedLine.post + p.addedWord.pre + "in full " + p.addedWord.post +
		p.addedLine.pre + "on</value>" + strings.Repeat(" ", 10) + p.addedLine.post
	if got != want {
		t.Errorf("emphasis:\n got %q\nwant %q", got, want)
	}
	b.Reset()
	lineText(&b, text, spans, findHits(text, "full", true), 0, 40, p.addedLine, p.addedWord, p.match)
	if !strings.Contains(b.String(), p.match.pre+"full"+p.match.post) {
		t.Errorf("the search hit is not in the match style: %q", b.String())
	}
	if ansi.StringWidth(b.String()) != 40 {
		t.Errorf("styled row is %d columns", ansi.StringWidth(b.String()))
	}
}

// TestRowsAreExactWidth draws every row of a doc with wide runes, tabs and
// long lines, in both modes, and checks each is exactly the pane's width:
// the root joins panes line by line.
func TestRowsAreExactWidth(t *testing.T) {
	files := []diff.FileDiff{{Path: "labels/CustomLabels.labels-meta.xml", Added: 2, Removed: 1, Hunks: []diff.Hunk{{
		OldStart: 1, OldLines: 2, NewStart: 1, NewLines: 3, Lines: []diff.Line{
			{Kind: diff.Context, Text: "\t<labels>", OldNum: 1, NewNum: 1},
			{Kind: diff.Removed, Text: "\t\t<value>請求書は支払済みです</value>", OldNum: 2},
			{Kind: diff.Added, Text: "\t\t<value>請求書は全額支払済みです。ありがとうございました。</value>", NewNum: 2},
			{Kind: diff.Added, Text: strings.Repeat("x", 300), NewNum: 3},
		}}}}, {Path: "x.bin", Binary: true}}
	d := newDiffDoc(diffKey{}, files)
	for _, mode := range []viewMode{modeUnified, modeSplit} {
		for _, w := range []int{31, 53, 80, 157} {
			v := diffView{}
			v.show(newLayout(d, mode, w), 1000)
			var b strings.Builder
			v.draw(&b, drawCtx{p: &paints{}}, v.lay.total())
			for i, l := range strings.Split(b.String(), "\n") {
				if got := ansi.StringWidth(l); got != w {
					t.Errorf("mode %d width %d: line %d is %d columns: %q", mode, w, i, got, l)
				}
			}
		}
	}
}
