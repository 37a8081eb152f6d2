package review

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/common"
)

// checkFrame fails unless the view is exactly h lines of at most w columns.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	if got := lipgloss.Height(view); got != h {
		t.Errorf("view is %d lines, want %d", got, h)
	}
	for i, l := range strings.Split(view, "\n") {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %d is %d columns, want ≤ %d: %q", i+1, got, w, l)
		}
	}
}

// TestGolden renders the reviewer over the sample orgs at 80×24 and
// 200×50, unified and side by side, and in its other states.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name          string
		width, height int
		comp          string
		keys          []string
	}{
		{name: "first_open_80x24", width: 80, height: 24},
		{name: "label_unified_80x24", width: 80, height: 24, comp: "CustomLabel:Invoice_Paid_Message"},
		{name: "label_side_by_side_80x24", width: 80, height: 24, comp: "CustomLabel:Invoice_Paid_Message", keys: []string{"s"}},
		{name: "class_unified_80x24", width: 80, height: 24, comp: "ApexClass:InvoiceService", keys: []string{"tab", "n"}},
		{name: "flow_side_by_side_200x50", width: 200, height: 50, comp: "Flow:Invoice_Before_Save"},
		{name: "flow_unified_200x50", width: 200, height: 50, comp: "Flow:Invoice_Before_Save", keys: []string{"s"}},
		{name: "layout_tree_hidden_80x24", width: 80, height: 24, comp: "Layout:Invoice__c-Invoice Layout", keys: []string{"e"}},
		{name: "profile_order_ignored_200x50", width: 200, height: 50, comp: "Profile:Finance User", keys: []string{"o"}},
		{name: "profile_whole_file_200x50", width: 200, height: 50, comp: "Profile:Admin", keys: []string{"x", "tab", "n", "n"}},
		{name: "viewed_and_selected_80x24", width: 80, height: 24, comp: "ApexClass:InvoiceService", keys: []string{"v", "space", "]", "space", "V"}},
		{name: "unviewed_only_80x24", width: 80, height: 24, keys: []string{"V", "V", "V", "u"}},
		{name: "search_80x24", width: 80, height: 24, comp: "Profile:Admin", keys: []string{"tab", "/", "D", "u", "e", "_", "D", "a", "t", "e", "enter"}},
		{name: "jump_80x24", width: 80, height: 24, keys: []string{"/", "l", "a", "y"}},
		{name: "cr_picker_80x24", width: 80, height: 24, comp: "Layout:Account-Account Layout", keys: []string{"c"}},
		{name: "cr_name_prompt_80x24", width: 80, height: 24, comp: "Layout:Account-Account Layout", keys: []string{"c", "enter"}},
		{name: "same_expanded_80x24", width: 80, height: 24, keys: []string{"G", "enter", "j"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A world each: viewed marks are stored, and carried over to
			// the next comparison of the same sides.
			w := newWorld(t)
			m := w.open(w.compare(model.CompareFilters{}).ID, tc.width, tc.height)
			if tc.comp != "" {
				m.goTo(t, tc.comp)
			}
			m.press(t, tc.keys...)
			view := m.View()
			checkFrame(t, view, tc.width, tc.height)
			golden.RequireEqual(t, []byte(view))
		})
	}
}

// TestGoldenStates renders the screen before and while it loads.
func TestGoldenStates(t *testing.T) {
	w := newWorld(t)
	id := w.compare(model.CompareFilters{}).ID

	t.Run("nothing_open_80x24", func(t *testing.T) {
		s := New(w.deps())
		s.SetSize(80, 24)
		golden.RequireEqual(t, []byte(s.View()))
	})
	t.Run("reading_log_80x24", func(t *testing.T) {
		s := New(w.deps())
		s.SetSize(80, 24)
		m := s.(*Model)
		m.send(common.ShowMsg{ID: id}) // the read is not run
		golden.RequireEqual(t, []byte(m.View()))
	})
	t.Run("reading_items_80x24", func(t *testing.T) {
		s := New(w.deps())
		s.SetSize(80, 24)
		m := s.(*Model)
		msgs := runAll(t, []tea.Cmd{m.send(common.ShowMsg{ID: id})})
		m.send(msgs[0]) // the log, but not the items
		view := m.View()
		checkFrame(t, view, 80, 24)
		golden.RequireEqual(t, []byte(view))
	})
}
