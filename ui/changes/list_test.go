package changes

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/ui/changes/screentest"
	"relman/ui/common"
	"relman/ui/identity/identitytest"
)

// loadedList returns the list screen of deps, sized and with its first load
// applied.
func loadedList(t *testing.T, deps common.Deps, w, h int) *List {
	t.Helper()
	s := NewList(deps)
	s.SetSize(w, h)
	s, _ = s.Update(screentest.Await[listLoadedMsg](t, s.Init()))
	return s.(*List)
}

// press sends keys to a screen and returns the last command.
func press(s common.Screen, keys ...string) (common.Screen, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		s, cmd = s.Update(screentest.Key(k))
	}
	return s, cmd
}

// shownKeys lists the keys of the rows the list shows, in order.
func shownKeys(l *List) []string {
	var out []string
	for i := range l.visibleLen() {
		r, _ := l.visibleAt(i)
		out = append(out, r.key)
	}
	return out
}

func selectedKey(l *List) string {
	r, _ := l.visibleAt(l.cursor)
	if r == nil {
		return ""
	}
	return r.key
}

func TestListLoadsEveryChangeRequestByRecency(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 24)
	want := "CR-0008 CR-0007 CR-0006 CR-0003 CR-0001 CR-0005 CR-0004 CR-0002"
	if got := strings.Join(shownKeys(l), " "); got != want {
		t.Fatalf("rows = %s\nwant   %s", got, want)
	}
	counts := map[string]int{}
	for i, tab := range statusTabs {
		counts[tab.label] = l.tabCount(i)
	}
	wantCounts := map[string]int{"All": 8, "In Progress": 2, "Pending Approval": 2, "Approved": 1, "Rejected": 1, "Completed": 1, "Cancelled": 1}
	for label, n := range wantCounts {
		if counts[label] != n {
			t.Errorf("tab %s counts %d, want %d", label, counts[label], n)
		}
	}
}

func TestListMovesWithKeysAndWheel(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 6) // 3 rows under the chrome
	steps := []struct {
		key  string
		want string
	}{
		{"j", "CR-0007"}, {"down", "CR-0006"}, {"k", "CR-0007"}, {"up", "CR-0008"}, {"up", "CR-0008"},
		{"G", "CR-0002"}, {"g", "CR-0008"}, {"end", "CR-0002"}, {"home", "CR-0008"},
		{"pgdown", "CR-0003"}, {"pgdown", "CR-0004"}, {"pgup", "CR-0003"},
		{"ctrl+b", "CR-0008"}, {"ctrl+f", "CR-0003"},
	}
	var s common.Screen = l
	for _, st := range steps {
		s, _ = press(s, st.key)
		if got := selectedKey(l); got != st.want {
			t.Fatalf("after %s: cursor on %s, want %s", st.key, got, st.want)
		}
		if l.cursor < l.offset || l.cursor >= l.offset+l.pageRows() {
			t.Fatalf("after %s: cursor %d outside the window %d+%d", st.key, l.cursor, l.offset, l.pageRows())
		}
	}
	s.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if got := selectedKey(l); got != "CR-0004" {
		t.Errorf("wheel down from CR-0003: cursor on %s, want CR-0004, three rows down", got)
	}
	s.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if got := selectedKey(l); got != "CR-0002" {
		t.Errorf("wheel down again: cursor on %s, want the last row CR-0002", got)
	}
	s.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if got := selectedKey(l); got != "CR-0001" {
		t.Errorf("wheel up: cursor on %s, want CR-0001", got)
	}
}

func TestListTabsFilterByStatus(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 24)
	cases := []struct {
		key, tab, rows string
	}{
		{"]", "In Progress", "CR-0007 CR-0003"},
		{"]", "Pending Approval", "CR-0008 CR-0001"},
		{"]", "Approved", "CR-0006"},
		{"]", "Rejected", "CR-0004"},
		{"]", "Completed", "CR-0002"},
		{"]", "Cancelled", "CR-0005"},
		{"]", "All", "CR-0008 CR-0007 CR-0006 CR-0003 CR-0001 CR-0005 CR-0004 CR-0002"},
		{"[", "Cancelled", "CR-0005"},
		{"[", "Completed", "CR-0002"},
	}
	var s common.Screen = l
	for _, c := range cases {
		// A tab's rows are read from the store when it is shown.
		s, cmd := press(s, c.key)
		if l.data.tab == l.tab {
			t.Fatalf("%s showed tab %d with the window of the last one", c.key, l.tab)
		}
		s.Update(screentest.Await[listLoadedMsg](t, cmd))
		if got := statusTabs[l.tab].label; got != c.tab {
			t.Fatalf("after %s: tab %s, want %s", c.key, got, c.tab)
		}
		if got := strings.Join(shownKeys(l), " "); got != c.rows {
			t.Fatalf("tab %s shows %s, want %s", c.tab, got, c.rows)
		}
	}
}

func TestListOpensAndCreates(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 24)
	s, _ := press(l, "j", "j")
	_, cmd := press(s, "enter")
	if got := screentest.Await[common.OpenMsg](t, cmd); got != (common.OpenMsg{Screen: common.ScreenChangeDetail, ID: 6}) {
		t.Errorf("enter on CR-0006 = %+v", got)
	}
	_, cmd = press(s, "n")
	if got := screentest.Await[common.OpenMsg](t, cmd); got != (common.OpenMsg{Screen: common.ScreenEditor}) {
		t.Errorf("n = %+v", got)
	}
}

// typeFilter types text into the open filter, applying every answer.
func typeFilter(t *testing.T, s common.Screen, text string) common.Screen {
	t.Helper()
	for _, r := range text {
		var cmd tea.Cmd
		s, cmd = press(s, string(r))
		s, _ = s.Update(screentest.Await[listFilteredMsg](t, cmd))
	}
	return s
}

func TestListFilterTypingApplyingAndClearing(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 24)
	s, cmd := press(l, "/")
	if !l.Capturing() || cmd == nil {
		t.Fatal("/ does not open the filter input")
	}
	// Component names are searched too: CR-0004 lists ListView…Legacy_Unpaid
	// and is the best match, though long overviews match loosely as well.
	s = typeFilter(t, s, "legunp")
	if got := shownKeys(l); len(got) == 0 || got[0] != "CR-0004" {
		t.Fatalf("filter legunp shows %v, want CR-0004 first", got)
	}
	for range len("legunp") {
		var cmd tea.Cmd
		if s, cmd = press(s, "backspace"); l.query != "" {
			s.Update(screentest.Await[listFilteredMsg](t, cmd))
		}
	}
	if got := len(shownKeys(l)); got != 8 {
		t.Fatalf("an emptied filter shows %d rows, want all 8", got)
	}
	s = typeFilter(t, s, "invdue")
	if got := shownKeys(l); len(got) < 2 || !slices.Contains(got[:2], "CR-0001") || !slices.Contains(got[:2], "CR-0003") {
		t.Fatalf("filter invdue shows %v, want CR-0001 and CR-0003 (by name) first", got)
	}
	_, pos := l.visibleAt(0)
	if len(pos) != len("invdue") {
		t.Errorf("matched positions %v for a 6-letter query", pos)
	}
	s, _ = press(s, "enter")
	if l.Capturing() || l.query != "invdue" {
		t.Fatalf("enter: capturing %v, query %q; want the filter applied and closed", l.Capturing(), l.query)
	}
	s, cmd = press(s, "esc")
	if cmd != nil || l.query != "" || len(shownKeys(l)) != 8 {
		t.Fatalf("esc: query %q, %d rows; want the filter cleared and all 8 rows", l.query, len(shownKeys(l)))
	}
	s, _ = press(s, "/")
	s = typeFilter(t, s, "tax")
	s, _ = press(s, "esc")
	if l.Capturing() || l.query != "" || len(shownKeys(l)) != 8 {
		t.Fatal("esc while typing does not clear and close the filter")
	}
	_ = s
}

func TestListFilterDropsStaleAnswers(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 24)
	s, _ := press(l, "/")
	s, first := press(s, "i")
	// The first filter finishes before the next key; its answer arrives late.
	stale := screentest.Await[listFilteredMsg](t, first)
	s, second := press(s, "n")
	s, _ = s.Update(stale)
	if l.result != nil {
		t.Fatalf("the answer for %q was applied while %q is typed", stale.result.query, l.query)
	}
	s.Update(screentest.Await[listFilteredMsg](t, second))
	if l.result == nil || l.result.query != "in" {
		t.Fatal("the current answer was not applied")
	}
}

func TestListFilterNarrowsToTheSameAnswerAsAFullSearch(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	typed := loadedList(t, deps, 80, 24)
	s, _ := press(typed, "/")
	typeFilter(t, s, "inv")
	atOnce := loadedList(t, deps, 80, 24)
	atOnce.Update(screentest.Await[listFilteredMsg](t, atOnce.setQuery("inv")))
	if a, b := strings.Join(shownKeys(typed), " "), strings.Join(shownKeys(atOnce), " "); a != b || a == "" {
		t.Fatalf("typed letter by letter: %s; searched at once: %s", a, b)
	}
}

func TestListReloadKeepsTheCursorOnTheSameChangeRequest(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	l := loadedList(t, deps, 80, 24)
	s, _ := press(l, "j", "j") // CR-0006, third row
	// Another user's change makes CR-0004 the most recent one.
	bob := identitytest.As(t, deps.Svc.Store, "bob")
	bob.Now = deps.Svc.Now
	name := "Retire the legacy invoice export"
	if _, err := bob.EditCR(4, model.CREdit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	s, cmd := s.Update(common.StoreChangedMsg{Head: 99})
	s.Update(screentest.Await[listLoadedMsg](t, cmd))
	if got := strings.Join(shownKeys(l), " "); !strings.HasPrefix(got, "CR-0004 CR-0008") {
		t.Fatalf("after the edit rows are %s, want CR-0004 first", got)
	}
	if got := selectedKey(l); got != "CR-0006" {
		t.Fatalf("cursor moved to %s; want it kept on CR-0006", got)
	}
}

func TestListDropsStaleLoads(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	s := NewList(deps)
	s.SetSize(80, 24)
	first := s.Init()
	s, second := s.Update(common.StoreChangedMsg{})
	old := screentest.Await[listLoadedMsg](t, first)
	s, _ = s.Update(old)
	if l := s.(*List); l.data != nil {
		t.Fatal("the answer to a superseded load was applied")
	}
	s.Update(screentest.Await[listLoadedMsg](t, second))
	if l := s.(*List); l.data == nil {
		t.Fatal("the current load was not applied")
	}
}

func TestListHelpIsTrue(t *testing.T) {
	l := loadedList(t, fixture.Deps(t, "alice"), 80, 24)
	has := func(keys ...string) map[string]bool {
		out := map[string]bool{}
		for _, b := range l.ShortHelp() {
			if b.Enabled() {
				out[b.Help().Key] = true
			}
		}
		return out
	}
	if h := has(); !h["enter"] || !h["n"] || !h["/"] || h["esc"] {
		t.Errorf("idle help %v: want enter, n, / and no esc", h)
	}
	s, _ := press(l, "/")
	if h := has(); h["n"] || h["/"] || !h["esc"] || !h["↑"] {
		t.Errorf("typing help %v: want esc and ↑, no n or /", h)
	}
	_ = s
}

func TestListGoldens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			deps := fixture.Deps(t, "alice")
			t.Run("all", func(t *testing.T) {
				golden.RequireEqual(t, loadedList(t, deps, size[0], size[1]).View())
			})
			t.Run("filtered", func(t *testing.T) {
				s, _ := press(loadedList(t, deps, size[0], size[1]), "/")
				s = typeFilter(t, s, "inv")
				golden.RequireEqual(t, s.View())
			})
			t.Run("pending tab", func(t *testing.T) {
				s, cmd := press(loadedList(t, deps, size[0], size[1]), "]", "]")
				s, _ = s.Update(screentest.Await[listLoadedMsg](t, cmd))
				s, _ = press(s, "j")
				golden.RequireEqual(t, s.View())
			})
			t.Run("empty", func(t *testing.T) {
				golden.RequireEqual(t, loadedList(t, fixture.EmptyDeps(t, "alice"), size[0], size[1]).View())
			})
			t.Run("loading", func(t *testing.T) {
				s := NewList(deps)
				s.SetSize(size[0], size[1])
				s.Init()
				golden.RequireEqual(t, s.View())
			})
		})
	}
}

// rowLine is the list's line for the change request key, "" if not shown.
func rowLine(l *List, key string) string {
	for _, line := range strings.Split(ansi.Strip(l.View()), "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " ▸"), key+" ") {
			return line
		}
	}
	return ""
}

// A change request whose deployment was rolled back says so in the list,
// as its detail does, on a loaded page and in a filter's answer.
func TestListSaysRolledBack(t *testing.T) {
	deps := fixture.Deps(t, "alice")
	if line := rowLine(loadedList(t, deps, 120, 24), "CR-0001"); line == "" || strings.Contains(line, "rolled back") {
		t.Fatalf("CR-0001 before any rollback: %q", line)
	}
	screentest.RolledBack(t, deps.Svc.Store, 1)
	l := loadedList(t, deps, 120, 24)
	if line := rowLine(l, "CR-0001"); !strings.Contains(line, "Pending Approval · rolled back (RB-0001)") {
		t.Fatalf("CR-0001's row %q does not say it was rolled back", line)
	}
	if line := rowLine(l, "CR-0003"); line == "" || strings.Contains(line, "rolled back") {
		t.Fatalf("CR-0003 (no rolled-back deployment) reads %q", line)
	}
	s, _ := press(l, "/")
	typeFilter(t, s, "CR-0001")
	if line := rowLine(l, "CR-0001"); !strings.Contains(line, "rolled back (RB-0001)") {
		t.Fatalf("filtered, CR-0001's row %q does not say it was rolled back", line)
	}
}
