package compare

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/ui/common"
	"relman/ui/review"
	"relman/ui/theme"
)

// BenchmarkCompareToResults runs the Compare screen on copies of the sample
// uat and production orgs, from enter to the reviewer's first frame with
// the tree and the first diff: reading both folders, comparing, saving the
// Compare Log, handing it over and drawing. Budget: 300 ms.
func BenchmarkCompareToResults(b *testing.B) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	b.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	w := newWorld(b)
	deps := common.Deps{Svc: w.svc, Styles: theme.Default()}
	s := New(deps)
	s.SetSize(200, 50)
	m := s.(*Model)
	drain(b, m, m.Init())
	r := review.New(deps)
	r.SetSize(200, 50)
	for b.Loop() {
		out := drain(b, m, m.send(keyMsg("enter")))
		var cmds []tea.Cmd
		for _, msg := range out.Msgs {
			switch msg := msg.(type) {
			case review.Preload:
				r.Update(msg)
			case common.OpenMsg:
				_, cmd := r.Update(common.ShowMsg{ID: msg.ID})
				cmds = append(cmds, cmd)
			}
		}
		for len(cmds) > 0 {
			var next []tea.Cmd
			for _, msg := range runAll(b, cmds) {
				if batch, ok := msg.(tea.BatchMsg); ok {
					next = append(next, batch...)
					continue
				}
				_, cmd := r.Update(msg)
				next = append(next, cmd)
			}
			cmds = next
		}
		if view := r.View(); !strings.Contains(view, "Only in Source") || !strings.Contains(view, "@@ -0,0 +1,32 @@") {
			b.Fatalf("no results on screen:\n%s", view)
		}
	}
}
