package review

import (
	"fmt"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
	"relman/ui/theme"
)

// bigProfile is a generated profile of about n lines: field permissions,
// five lines each, as an org with many custom fields has.
func bigProfile(n int) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n")
	for i := range n / 5 {
		fmt.Fprintf(&b, "    <fieldPermissions>\n        <editable>%t</editable>\n        <field>Object%d__c.Field%d__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n",
			i%3 == 0, i/100, i%100)
	}
	b.WriteString("</Profile>\n")
	return b.String()
}

// changedProfile is p with five fields renamed, spread through the file.
func changedProfile(p string, n int) string {
	fields := n / 5
	for _, i := range []int{fields / 50, fields / 4, fields / 2, 3 * fields / 4, fields - 2} {
		f := fmt.Sprintf("<field>Object%d__c.Field%d__c</field>", i/100, i%100)
		p = strings.Replace(p, f, strings.Replace(f, "</field>", "_New</field>", 1), 1)
	}
	return p
}

func memItem(c metadata.Component, path, content string) metadata.Item {
	return metadata.Item{Component: c, Files: []metadata.File{{Path: path, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}}}
}

// bigPreload is a saved comparison of one profile of n lines that differs
// in five places.
func bigPreload(n int) Preload {
	c := metadata.Component{Type: "Profile", FullName: "Admin"}
	old := bigProfile(n)
	path := "profiles/Admin.profile-meta.xml"
	src, tgt := memItem(c, path, changedProfile(old, n)), memItem(c, path, old)
	log := model.CompareLog{ID: 1, User: "bench", At: t0, Source: "uat", Target: "production",
		Entries: []model.CompareEntry{{Component: c, Category: model.Different, SourceHash: "s", TargetHash: "t", Files: []string{path}}},
		Counts:  map[model.Category]int{model.Different: 1}}
	res := diff.Result{Entries: []diff.Entry{{Component: c, Category: model.Different, SourceHash: "s", TargetHash: "t"}},
		Counts: log.Counts}
	return Preload{Log: log, Result: res, Source: []metadata.Item{src}, Target: []metadata.Item{tgt}}
}

// colour draws in true colour for the benchmark's length: escape
// sequences are part of what a frame costs.
func colour(b *testing.B) common.Deps {
	lipgloss.SetColorProfile(termenv.TrueColor)
	b.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	svc := actions.New(nil, identitytest.Actor("bench"))
	return common.Deps{Svc: svc, Styles: theme.Default()}
}

// BenchmarkReviewFirstFrame opens the diff of a 100,000-line profile with
// five changes: ItemDiff, flattening, layout and the first View, at
// 200×60. Budget: 50 ms.
func BenchmarkReviewFirstFrame(b *testing.B) {
	deps := colour(b)
	pre := bigPreload(100_000)
	for b.Loop() {
		s := New(deps)
		s.SetSize(200, 60)
		m := s.(*Model)
		m.send(pre)
		msg := m.send(common.ShowMsg{ID: 1})()
		m.send(msg)
		if m.shownDoc() == nil || m.shownDoc().added != 5 {
			b.Fatal("the diff is not shown")
		}
		_ = m.View()
	}
}

// BenchmarkReviewScrollFrame scrolls the whole-file diff of a profile of
// 1,000 and 100,000 lines by a wheel notch and draws the frame, at
// 200×60, unified and side by side. Budget: 2 ms, whatever the length.
func BenchmarkReviewScrollFrame(b *testing.B) {
	deps := colour(b)
	for _, n := range []int{1_000, 100_000} {
		pre := bigPreload(n)
		for _, mode := range []string{"unified", "side-by-side"} {
			b.Run(fmt.Sprintf("lines=%d/%s", n, mode), func(b *testing.B) {
				s := New(deps)
				s.SetSize(200, 60)
				m := s.(*Model)
				m.send(pre)
				m.send(m.send(common.ShowMsg{ID: 1})())
				m.send(m.send(keyMsg("x"))()) // the whole file
				m.send(keyMsg("tab"))
				if mode == "unified" {
					m.send(keyMsg("s"))
				}
				if m.dv.lay.rows() < n {
					b.Fatalf("%d rows, want the whole file", m.dv.lay.rows())
				}
				wheel := tea.MouseMsg{X: 150, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress}
				bottom := m.dv.lay.total() - m.diffBodyHeight()
				for b.Loop() {
					if m.dv.offset >= bottom {
						m.send(keyMsg("g"))
					}
					m.send(wheel)
					_ = m.View()
				}
			})
		}
	}
}
