package editor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/model/metadata"
	"relman/ui/changes/screentest"
	"relman/ui/common"
)

// syntheticComponents returns n components of a large org: fields,
// validation rules, list views, layouts, classes, flows and labels over a
// few hundred objects, deterministic for a given n.
func syntheticComponents(n int) []metadata.Component {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	words := []string{"Invoice", "Account", "Contract", "Line", "Region", "Tax", "Due", "Date", "Status",
		"Renewal", "Territory", "Discount", "Payment", "Order", "Quote", "Product", "Case", "Asset"}
	w := func() string { return words[rng.IntN(len(words))] }
	objects := make([]string, 400)
	for i := range objects {
		objects[i] = fmt.Sprintf("%s_%s_%d__c", w(), w(), i)
	}
	seen := map[metadata.Component]bool{}
	out := make([]metadata.Component, 0, n)
	for len(out) < n {
		obj := objects[rng.IntN(len(objects))]
		var c metadata.Component
		switch k := rng.IntN(10); {
		case k < 6:
			c = metadata.Component{Type: "CustomField", FullName: fmt.Sprintf("%s.%s_%s_%d__c", obj, w(), w(), rng.IntN(1000))}
		case k == 6:
			c = metadata.Component{Type: "ValidationRule", FullName: fmt.Sprintf("%s.%s_Must_Be_%s", obj, w(), w())}
		case k == 7:
			c = metadata.Component{Type: "ApexClass", FullName: fmt.Sprintf("%s%sService%d", w(), w(), rng.IntN(1000))}
		case k == 8:
			c = metadata.Component{Type: "ListView", FullName: fmt.Sprintf("%s.%s_%s", obj, w(), w())}
		default:
			c = metadata.Component{Type: "CustomLabel", FullName: fmt.Sprintf("%s_%s_Label_%d", w(), w(), rng.IntN(1000))}
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// filterAnswer runs the picker's filter command of a keystroke, if any,
// and returns its answer.
func filterAnswer(cmd tea.Cmd) (pickFilteredMsg, bool) {
	if cmd == nil {
		return pickFilteredMsg{}, false
	}
	switch msg := cmd().(type) {
	case pickFilteredMsg:
		return msg, true
	case tea.BatchMsg:
		for _, c := range msg {
			if a, ok := filterAnswer(c); ok {
				return a, true
			}
		}
	}
	return pickFilteredMsg{}, false
}

// BenchmarkPickerKeystroke types queries into the customization picker over
// 100,000 components, one keystroke per iteration (esc clears between
// queries), and reports two latencies per keystroke:
//
//   - frame: Update plus View, until the typed character is on screen. The
//     filter runs in a command meanwhile, so this is what typing feels like;
//     budget 16 ms (one frame at 60 Hz).
//   - results: until the frame showing the filtered results, with the filter
//     command run on the spot.
func BenchmarkPickerKeystroke(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	deps := fixture.Deps(b, "alice")
	s := New(deps)
	s.SetSize(160, 48)
	s, cmd := s.Update(common.ShowMsg{})
	e := s.(*Editor)
	e.Update(screentest.Await[editorLoadedMsg](b, cmd))
	e.Update(catalogueLoadedMsg{env: "production", cat: newCatalogue("production", syntheticComponents(100_000))})
	for e.focus != fieldSearch {
		e.Update(screentest.Key("tab"))
	}
	// A moving cursor restarts its blink timer, a command that waits 530 ms;
	// a program runs it alongside, this loop would wait for it.
	e.picker.input.Cursor.SetMode(cursor.CursorStatic)
	var script []string
	for _, q := range []string{"invoicestatus", "accregion", "taxservice", "contractlinedue", "paymentmust"} {
		for _, r := range q {
			script = append(script, string(r))
		}
		script = append(script, "esc")
	}
	var frames, results []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		_, cmd := e.Update(screentest.Key(script[i%len(script)]))
		_ = e.View()
		frames = append(frames, time.Since(start))
		if answer, ok := filterAnswer(cmd); ok {
			e.Update(answer)
			_ = e.View()
		}
		results = append(results, time.Since(start))
		i++
	}
	report := func(ds []time.Duration, name string) {
		slices.Sort(ds)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(ds[len(ds)/2]), name+"-ms-median")
		b.ReportMetric(ms(ds[len(ds)*95/100]), name+"-ms-p95")
	}
	report(frames, "frame")
	report(results, "results")
}
