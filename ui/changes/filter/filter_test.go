package filter

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/sahilm/fuzzy"
)

var names = []string{
	"ApexClass:InvoiceService",
	"ApexClass:InvoiceServiceTest",
	"CustomField:Invoice__c.Due_Date__c",
	"CustomField:Account.Region__c",
	"Flow:Invoice_Before_Save",
	"CustomLabel:Ünïcode_Label",
	"Layout:Account-Account Layout",
}

func text(i int32) string { return names[i] }

func all(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	return out
}

// TestFindMatchesSahilmFuzzy checks Find against sahilm/fuzzy itself: the
// same matches with the same scores and positions, best first, ties in
// index order. The byte pre-filter must never drop a real match.
func TestFindMatchesSahilmFuzzy(t *testing.T) {
	for _, q := range []string{"inv", "INVSERV", "due", "acc lay", "ü", "nïc", "zzz", "c.r", "__c"} {
		got, ok := Find(context.Background(), text, all(len(names)), q)
		if !ok {
			t.Fatalf("%q: cancelled without a cancel", q)
		}
		want := fuzzy.Find(q, names) // sorted by score, stable
		if len(got) != len(want) {
			t.Fatalf("%q: %d hits, fuzzy finds %d", q, len(got), len(want))
		}
		for i := range want {
			if got[i].Index != int32(want[i].Index) || got[i].Score != want[i].Score || !slices.Equal(got[i].Pos, want[i].MatchedIndexes) {
				t.Errorf("%q hit %d: got %+v, fuzzy %+v", q, i, got[i], want[i])
			}
		}
	}
}

// TestNarrowingEqualsFullSearch: filtering the previous hits for an
// extended query gives exactly what a full search gives.
func TestNarrowingEqualsFullSearch(t *testing.T) {
	big := make([]string, 5000)
	for i := range big {
		big[i] = fmt.Sprintf("CustomField:Object_%d__c.Field_%d__c", i%97, i)
	}
	tx := func(i int32) string { return big[i] }
	ctx := context.Background()
	prev, _ := Find(ctx, tx, all(len(big)), "obj")
	for _, q := range []string{"obj1", "obj12", "obj12f", "obj12f9"} {
		narrowed, _ := Find(ctx, tx, Indexes(prev), q)
		full, _ := Find(ctx, tx, all(len(big)), q)
		if len(narrowed) != len(full) {
			t.Fatalf("%q: narrowed %d hits, full %d", q, len(narrowed), len(full))
		}
		for i := range full {
			if narrowed[i].Index != full[i].Index || narrowed[i].Score != full[i].Score {
				t.Fatalf("%q hit %d: narrowed %+v, full %+v", q, i, narrowed[i], full[i])
			}
		}
		prev = narrowed
	}
}

func TestFindStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if hits, ok := Find(ctx, text, all(len(names)), "inv"); ok || hits != nil {
		t.Fatalf("cancelled find = %v, %v; want nil, false", hits, ok)
	}
}

func TestCellHighlightsVisibleMatches(t *testing.T) {
	// Brackets stand in for the match style, which is invisible as text.
	mark := func(s string) string { return "[" + s + "]" }
	cases := []struct {
		s     string
		w     int
		start int
		pos   []int
		want  string
	}{
		{"Invoice", 10, 0, []int{0, 1, 4}, "[In]vo[i]ce   "},
		{"Invoice", 10, 8, []int{0, 9, 10}, "I[nv]oice   "},
		{"Invoice service", 8, 0, []int{0, 8, 9}, "[I]nvoice…"},
		{"Ünïcode", 7, 0, []int{0, 3}, "[Ü]n[ï]code"},
		{"abc", 5, 0, nil, "abc  "},
	}
	for _, c := range cases {
		got := cell(c.s, c.w, c.start, c.pos, func(s string) string { return s }, mark)
		if got != c.want {
			t.Errorf("Cell(%q, %d, %d, %v) = %q, want %q", c.s, c.w, c.start, c.pos, got, c.want)
		}
	}
	if plain := NewPaint(lipgloss.NewStyle()); Cell("Invoice", 8, 0, []int{0}, plain, plain) != "Invoice " {
		t.Error("Cell with plain styles does not render the text as is")
	}
}

func TestPaintRendersLikeItsStyle(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	for _, st := range []lipgloss.Style{
		lipgloss.NewStyle().Foreground(lipgloss.Color("#58a6ff")),
		lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#58a6ff")).Background(lipgloss.Color("#1f2a3a")),
		lipgloss.NewStyle(),
	} {
		if got, want := NewPaint(st).Render("Invoice"), st.Render("Invoice"); got != want {
			t.Errorf("Paint renders %q, the style %q", got, want)
		}
	}
}
