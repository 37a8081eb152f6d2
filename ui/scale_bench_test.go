package ui_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/actions"
	"relman/ui/identity/identitytest"
	"relman/ui/uitest"
)

// BenchmarkColdStart1M opens the whole UI (every screen's first load, as
// the program runs them) on a store of a million change requests
// (uitest.BulkCRStore) until the list shows the newest, as bob, for whom
// the 166,667 pending ones wait. Budget: 300 ms.
// heap-MB is the heap the open UI holds after a collection.
func BenchmarkColdStart1M(b *testing.B) {
	st := uitest.BulkCRStore(b, 1_000_000)
	open := func() tea.Model {
		svc := actions.New(st, identitytest.Actor("bob"))
		var m tea.Model = app(svc)
		m, _ = m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		if !runUntil(m, m.Init(), func(view string) bool { return strings.Contains(view, "CR-1000000") }, 30*time.Second) {
			b.Fatal("the list never showed the newest CR")
		}
		return m
	}
	for b.Loop() {
		open()
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m := open()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MB")
}
