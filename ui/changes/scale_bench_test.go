package changes

import (
	"runtime"
	"testing"

	"relman/store"
	"relman/ui/changes/screentest"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
	"relman/ui/uitest"
)

// scaleCRs is the size the list must open at within 300 ms and 100 MB.
const scaleCRs = 1_000_000

// scaleDeps is alice on the cached store of a million bulk change
// requests (built on the first run: minutes; uitest.BulkCRStore).
func scaleDeps(b *testing.B) common.Deps {
	st := uitest.BulkCRStore(b, scaleCRs)
	return common.Deps{Svc: identitytest.As(b, st, "alice"), Styles: theme.Default()}
}

// heapMB is the live heap after a collection, in megabytes.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// BenchmarkListOpen1M opens the change request list on a million change
// requests, as the app does: the screen's first load (tab counts and the
// window of rows, opening and closing the store) and its first frame at
// 200×60. Budget: 300 ms and 100 MB. live-MB is the heap the open screen
// holds; B/op what the open allocated on its way.
func BenchmarkListOpen1M(b *testing.B) {
	deps := scaleDeps(b)
	open := func() *List {
		l := NewList(deps).(*List)
		l.SetSize(200, 60)
		l.Update(screentest.Await[listLoadedMsg](b, l.Init()))
		if l.tabCount(0) != scaleCRs || l.View() == "" {
			b.Fatalf("opened with %d change requests", l.tabCount(0))
		}
		return l
	}
	before := heapMB()
	kept := open()
	live := heapMB() - before
	runtime.KeepAlive(kept)
	for b.Loop() {
		open()
	}
	b.ReportMetric(live, "live-MB")
}

// BenchmarkListNoticesChange1M is what noticing another process's write
// costs on top of the poll interval (1 s): the poll's read of the store's
// head, the reload it triggers and the next frame. Budget, with the
// interval: 2 s.
func BenchmarkListNoticesChange1M(b *testing.B) {
	deps := scaleDeps(b)
	l := NewList(deps).(*List)
	l.SetSize(200, 60)
	l.Update(screentest.Await[listLoadedMsg](b, l.Init()))
	for b.Loop() {
		var head uint64
		if err := deps.Svc.Store.View(func(tx *store.Tx) error { head, _ = tx.Head(); return nil }); err != nil {
			b.Fatal(err)
		}
		_, cmd := l.Update(common.StoreChangedMsg{Head: head})
		l.Update(screentest.Await[listLoadedMsg](b, cmd))
		_ = l.View()
	}
}

// BenchmarkListBottom1M jumps from the newest to the oldest of a million:
// the one window load that walks the whole recency index.
func BenchmarkListBottom1M(b *testing.B) {
	deps := scaleDeps(b)
	for b.Loop() {
		l := NewList(deps).(*List)
		l.SetSize(200, 60)
		l.Update(screentest.Await[listLoadedMsg](b, l.Init()))
		_, cmd := l.Update(screentest.Key("G"))
		l.Update(screentest.Await[listLoadedMsg](b, cmd))
		if r, _ := l.visibleAt(l.cursor); r == nil || r.id != 1 {
			b.Fatal("the bottom row is not CR-0001")
		}
	}
}

// BenchmarkListSearch1M filters a million change requests from the store:
// every one read and matched, a chunk per read transaction, the best
// 5,000 kept. It has no budget; it says what a search costs at this size.
func BenchmarkListSearch1M(b *testing.B) {
	deps := scaleDeps(b)
	for b.Loop() {
		res, ok, err := search(b.Context(), deps.Svc.Store, 0, "CR-999998", nil)
		if !ok || err != nil || len(res.hits) == 0 || res.rows[0].id != 999998 {
			b.Fatalf("search: ok %v, err %v", ok, err)
		}
	}
}
