package cli

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"

	"relman/ui/uitest"
)

// countingWriter counts what a listing writes, keeping none of it.
type countingWriter struct{ n, lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// crListOn runs `relman cr list args...` on the store at path, writing to out.
func crListOn(b *testing.B, path string, out io.Writer, args ...string) {
	getenv := func(name string) string {
		if name == "RELMAN_STORE" {
			return path
		}
		return ""
	}
	var errb bytes.Buffer
	if code := Run(context.Background(), append([]string{"cr", "list"}, args...), IO{Out: out, Err: &errb, Getenv: getenv}); code != exitOK {
		b.Fatalf("cr list %v: exit %d: %s", args, code, errb.String())
	}
}

// BenchmarkCRList1M is `relman cr list` (the 50 most recent) and `relman cr
// list --all` (streamed, table and JSON) on a million change requests
// (uitest.BulkCRStore). heap-sys-MB is the heap the process got from the
// system by the end of the run: a bound on its peak, which does not grow
// with the store as the listing holds a thousand at a time.
func BenchmarkCRList1M(b *testing.B) {
	st := uitest.BulkCRStore(b, 1_000_000)
	path := st.Path()
	for _, c := range []struct {
		name  string
		args  []string
		lines int
	}{
		{"default", nil, 52},
		{"all", []string{"--all"}, 1_000_001},
		{"all-json", []string{"--all", "--json"}, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				var w countingWriter
				crListOn(b, path, &w, c.args...)
				if c.lines > 0 && w.lines != c.lines {
					b.Fatalf("%d lines, want %d", w.lines, c.lines)
				}
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MB")
		})
	}
}
