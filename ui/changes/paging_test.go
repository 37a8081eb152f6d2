package changes

import (
	"path/filepath"
	"strings"
	"testing"

	"relman/ui/changes/screentest"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
	"relman/ui/uitest"
)

// bulkList is the list over a store of n bulk change requests, loaded.
func bulkList(t *testing.T, n int) (*List, common.Deps) {
	t.Helper()
	st := uitest.BulkCRs(t, filepath.Join(t.TempDir(), "relman.db"), n)
	deps := common.Deps{Svc: identitytest.As(t, st, "alice"), Styles: theme.Default()}
	return loadedList(t, deps, 100, 30), deps
}

// TestListPagesFromTheStore: the list holds a window of rows, not every
// change request; moving past it reads the next window; the counts are
// the store's.
func TestListPagesFromTheStore(t *testing.T) {
	const n = 3000
	l, _ := bulkList(t, n)
	if l.tabCount(0) != n || l.visibleLen() != n {
		t.Fatalf("count %d, visible %d; want %d", l.tabCount(0), l.visibleLen(), n)
	}
	if len(l.data.rows) >= n || len(l.data.rows) < l.pageRows() {
		t.Fatalf("the first load read %d rows of %d", len(l.data.rows), n)
	}
	if got := selectedKey(l); got != "CR-3000" {
		t.Fatalf("first row %s, want the newest, CR-3000", got)
	}
	// The bottom: a row far outside the window.
	s, cmd := press(l, "G")
	if r, _ := l.visibleAt(l.cursor); r != nil {
		t.Fatalf("the last row was in hand before its load: %s", r.key)
	}
	if !strings.Contains(l.View(), "…") {
		t.Error("rows on their way are not shown as such")
	}
	s.Update(screentest.Await[listLoadedMsg](t, cmd))
	if got := selectedKey(l); got != "CR-0001" {
		t.Fatalf("bottom row %s, want the oldest, CR-0001", got)
	}
	// One status: counted and paged from the index alone.
	s, cmd = press(s, "]", "]") // Pending Approval: every sixth, from CR-0001
	s.Update(screentest.Await[listLoadedMsg](t, cmd))
	if l.visibleLen() != n/6 || selectedKey(l) != "CR-2995" {
		t.Fatalf("pending: %d rows from %s", l.visibleLen(), selectedKey(l))
	}
}

// TestListSearchesTheStore: a filter reads the tab from the store and
// keeps only the matches.
func TestListSearchesTheStore(t *testing.T) {
	l, _ := bulkList(t, 3000)
	l.Update(screentest.Await[listFilteredMsg](t, l.setQuery("CR-2999")))
	if got := selectedKey(l); got != "CR-2999" {
		t.Fatalf("best match %s, want CR-2999", got)
	}
	if r := l.shownResult(); r == nil || len(r.rows) != len(r.hits) || len(r.rows) >= 3000 {
		t.Fatalf("the answer holds %d rows", len(r.rows))
	}
}

// TestListSearchInChunksFindsTheSame: read a chunk per transaction, the
// search ranks the same matches as in one go, maxHits kept.
func TestListSearchInChunksFindsTheSame(t *testing.T) {
	_, deps := bulkList(t, 3000)
	whole, ok, err := search(t.Context(), deps.Svc.Store, 0, "invoice", nil)
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	defer func(n int) { searchChunk = n }(searchChunk)
	searchChunk = 250
	chunked, ok, err := search(t.Context(), deps.Svc.Store, 0, "invoice", nil)
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	if whole.total != chunked.total || len(whole.hits) != len(chunked.hits) || whole.total == 0 {
		t.Fatalf("whole: %d of %d; chunked: %d of %d", len(whole.hits), whole.total, len(chunked.hits), chunked.total)
	}
	for i := range whole.rows {
		if whole.rows[i].id != chunked.rows[i].id {
			t.Fatalf("match %d: %s in one go, %s in chunks", i, whole.rows[i].key, chunked.rows[i].key)
		}
	}
}

// TestListChangeDuringASearchFollowsIt: a store change while a search runs
// does not restart it (a long one would never end); the answer is shown,
// then searched again from the store.
func TestListChangeDuringASearchFollowsIt(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	l := loadedList(t, deps, 80, 24)
	running := l.setQuery("tax")
	seq := l.filterSeq
	_, cmd := l.Update(common.StoreChangedMsg{Head: 99})
	if l.filterSeq != seq {
		t.Fatal("a store change restarted the running search")
	}
	l.Update(screentest.Await[listLoadedMsg](t, cmd))
	_, again := l.Update(screentest.Await[listFilteredMsg](t, running))
	if l.result == nil || l.filterSeq == seq || again == nil {
		t.Fatal("the answer was not shown and followed by a search of the changed store")
	}
	l.Update(screentest.Await[listFilteredMsg](t, again))
	if l.stale || l.filtering {
		t.Errorf("after the follow-up: stale %v, filtering %v", l.stale, l.filtering)
	}
}
