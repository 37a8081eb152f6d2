package review

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/common"
	"relman/ui/uitest"
)

// openSample is a reviewer of uat against production at 80×24.
func openSample(t *testing.T) (*world, *Model) {
	t.Helper()
	w := newWorld(t)
	return w, w.open(w.compare(model.CompareFilters{}).ID, 80, 24)
}

func TestOpenShowsTreeAndFirstDiff(t *testing.T) {
	_, m := openSample(t)
	if m.current != comp(t, "CustomField:Account.Region__c") {
		t.Errorf("current = %s, want the first component to review", m.current)
	}
	if d := m.shownDoc(); d == nil || d.added != 32 || !d.files[0].NewFile {
		t.Fatalf("diff of Region__c not shown: %+v", d)
	}
	if got := m.stats.counts; got[model.OnlyInSource] != 4 || got[model.OnlyInTarget] != 2 || got[model.Different] != 9 || got[model.Same] != 30 {
		t.Errorf("counts = %v", got)
	}
	// Same is folded: its 30 components have no rows.
	for _, r := range m.rows {
		if r.kind != treeCat && r.cat == model.Same {
			t.Fatalf("Same is unfolded: %+v", r)
		}
	}
}

func TestShowSameLogKeepsState(t *testing.T) {
	w, m := openSample(t)
	m.goTo(t, "Flow:Invoice_Before_Save")
	drain(t, m, m.send(common.ShowMsg{ID: m.logID}))
	if m.current != comp(t, "Flow:Invoice_Before_Save") {
		t.Errorf("reopening the same log lost the place: %s", m.current)
	}
	other := w.compare(model.CompareFilters{Types: []string{"Layout"}})
	drain(t, m, m.send(common.ShowMsg{ID: other.ID}))
	if m.log.ID != other.ID || len(m.entries) != 2 || m.current.Type != "Layout" {
		t.Errorf("another log: id %d, %d entries, current %s", m.log.ID, len(m.entries), m.current)
	}
}

func TestPreloadSkipsReading(t *testing.T) {
	w := newWorld(t)
	out := w.compareOutcome()
	s := New(w.deps())
	s.SetSize(80, 24)
	m := s.(*Model)
	m.send(Preload{Log: out.Log, Result: out.Result, Source: out.SourceItems, Target: out.TargetItems})
	cmd := m.send(common.ShowMsg{ID: out.Log.ID})
	if m.log == nil || m.items == nil || m.loadingItems {
		t.Fatal("a preloaded comparison should open at once, without reading")
	}
	drain(t, m, cmd)
	if m.shownDoc() == nil {
		t.Error("no diff after a preload")
	}
}

func TestTreeKeys(t *testing.T) {
	_, m := openSample(t)
	start := m.tcursor
	m.press(t, "j")
	if m.tcursor != start+1 || m.current != comp(t, "CustomField:Invoice__c.Due_Date__c") {
		t.Errorf("j: cursor %d, current %s", m.tcursor, m.current)
	}
	m.press(t, "k")
	if m.tcursor != start {
		t.Errorf("k: cursor %d, want %d", m.tcursor, start)
	}
	m.press(t, "G")
	if m.tcursor != len(m.rows)-1 || m.rows[m.tcursor].cat != model.Same {
		t.Errorf("G: cursor %d of %d", m.tcursor, len(m.rows))
	}
	m.press(t, "g")
	if m.tcursor != 0 {
		t.Errorf("g: cursor %d", m.tcursor)
	}
	m.press(t, "pgdown")
	if m.tcursor != m.treeBodyHeight() {
		t.Errorf("pgdown: cursor %d, want %d", m.tcursor, m.treeBodyHeight())
	}
	m.press(t, "pgup")
	if m.tcursor != 0 {
		t.Errorf("pgup: cursor %d", m.tcursor)
	}
}

func TestEnterFoldsAndOpens(t *testing.T) {
	_, m := openSample(t)
	m.press(t, "g") // Only in Source
	n := len(m.rows)
	m.press(t, "enter")
	if !m.collapsed[catKey(model.OnlyInSource)] || len(m.rows) != n-7 {
		t.Errorf("enter on a category: folded %v, %d rows (was %d)", m.collapsed[catKey(model.OnlyInSource)], len(m.rows), n)
	}
	m.press(t, "enter")
	if len(m.rows) != n {
		t.Errorf("enter again: %d rows, want %d", len(m.rows), n)
	}
	m.press(t, "j", "enter") // the CustomField type
	if !m.collapsed[typeKey(model.OnlyInSource, "CustomField")] {
		t.Error("enter on a type did not fold it")
	}
	m.press(t, "j", "j", "enter") // a component
	if m.focus != focusDiff {
		t.Error("enter on a component should focus its diff")
	}
	m.press(t, "G", "tab", "G", "enter") // unfold Same
	if m.collapsed[catKey(model.Same)] || len(m.rows) <= n {
		t.Error("Same did not unfold")
	}
}

func TestFocusKeys(t *testing.T) {
	_, m := openSample(t)
	m.press(t, "tab")
	if m.focus != focusDiff {
		t.Fatal("tab: focus stays on the tree")
	}
	m.press(t, "tab")
	if m.focus != focusTree {
		t.Fatal("tab again: focus stays on the diff")
	}
	m.press(t, "l")
	if m.focus != focusDiff {
		t.Fatal("l: no focus on the diff")
	}
	m.press(t, "h")
	if m.focus != focusTree {
		t.Fatal("h: no focus on the tree")
	}
	m.press(t, "e")
	if m.showTree || m.diffWidth() != 80 {
		t.Fatalf("e: tree shown %v, diff width %d", m.showTree, m.diffWidth())
	}
	if m.keys.Focus.Enabled() || m.keys.FocusTree.Enabled() {
		t.Error("focus keys stay enabled with the tree hidden")
	}
	m.press(t, "e")
	if !m.showTree || m.diffWidth() >= 80 {
		t.Error("e again: tree not back")
	}
}

func TestDiffMovingKeys(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Flow:Invoice_Before_Save")
	m.press(t, "tab", "x") // the whole file: pages to turn
	h := m.diffBodyHeight()
	if m.dv.cursor != int(m.dv.lay.rs.hunkRows[0]) {
		t.Errorf("a diff opens on its first hunk, cursor %d", m.dv.cursor)
	}
	m.press(t, "j")
	if m.dv.cursor != 2 {
		t.Errorf("j: cursor %d", m.dv.cursor)
	}
	m.press(t, "k")
	if m.dv.cursor != 1 {
		t.Errorf("k: cursor %d", m.dv.cursor)
	}
	m.press(t, "G")
	if m.dv.cursor != m.dv.lay.rows()-1 || m.dv.offset != m.dv.lay.total()-h {
		t.Errorf("G: cursor %d offset %d", m.dv.cursor, m.dv.offset)
	}
	m.press(t, "g")
	if m.dv.cursor != 0 || m.dv.offset != 0 {
		t.Errorf("g: cursor %d offset %d", m.dv.cursor, m.dv.offset)
	}
	m.press(t, "pgdown")
	if m.dv.offset != h {
		t.Errorf("pgdown: offset %d, want %d", m.dv.offset, h)
	}
	m.press(t, "pgup")
	if m.dv.offset != 0 {
		t.Errorf("pgup: offset %d", m.dv.offset)
	}
	m.press(t, "ctrl+d")
	if m.dv.offset != h/2 {
		t.Errorf("ctrl+d: offset %d, want %d", m.dv.offset, h/2)
	}
	m.press(t, "ctrl+u")
	if m.dv.offset != 0 {
		t.Errorf("ctrl+u: offset %d", m.dv.offset)
	}
}

func TestHunkKeys(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Flow:Invoice_Before_Save")
	hunks := m.dv.lay.rs.hunkRows
	if len(hunks) != 4 {
		t.Fatalf("the flow has %d hunks, want 4", len(hunks))
	}
	for i := 1; i < 4; i++ {
		m.press(t, "n")
		if m.dv.cursor != int(hunks[i]) || m.dv.hunkIndex() != i {
			t.Fatalf("n #%d: cursor %d, want hunk row %d", i, m.dv.cursor, hunks[i])
		}
	}
	m.press(t, "n")
	if m.dv.cursor != int(hunks[3]) {
		t.Error("n after the last hunk moved")
	}
	m.press(t, "p")
	if m.dv.cursor != int(hunks[2]) {
		t.Errorf("p: cursor %d, want %d", m.dv.cursor, hunks[2])
	}
	if !strings.Contains(m.View(), "hunk 3/4") {
		t.Error("the header does not say hunk 3/4")
	}
}

func TestComponentKeys(t *testing.T) {
	_, m := openSample(t)
	m.press(t, "tab") // works from the diff too
	m.press(t, "]")
	if m.current != comp(t, "CustomField:Invoice__c.Due_Date__c") {
		t.Errorf("]: current %s", m.current)
	}
	m.press(t, "]")
	if m.current != comp(t, "CustomLabel:Invoice_Overdue_Message") {
		t.Errorf("] skips the type header: current %s", m.current)
	}
	m.press(t, "[", "[")
	if m.current != comp(t, "CustomField:Account.Region__c") {
		t.Errorf("[ [: current %s", m.current)
	}
	m.press(t, "[")
	if m.current != comp(t, "CustomField:Account.Region__c") {
		t.Error("[ before the first component moved")
	}
}

func TestSplitKey(t *testing.T) {
	_, m := openSample(t)
	if m.mode() != modeUnified {
		t.Fatal("80 columns should start unified")
	}
	m.press(t, "s")
	if m.mode() != modeSplit || m.dv.lay.mode != modeSplit {
		t.Fatal("s: not side by side")
	}
	m.press(t, "s")
	if m.mode() != modeUnified || m.dv.lay.mode != modeUnified {
		t.Fatal("s again: not unified")
	}
	m.SetSize(200, 50)
	if m.mode() != modeUnified {
		t.Error("a chosen mode should survive a resize")
	}
	w := newWorld(t)
	wide := w.open(w.compare(model.CompareFilters{}).ID, 200, 50)
	if wide.mode() != modeSplit {
		t.Error("200 columns should start side by side")
	}
	wide.SetSize(80, 24)
	if wide.mode() != modeUnified || wide.dv.lay.mode != modeUnified {
		t.Error("narrowing should fall back to unified")
	}
}

func TestContextKey(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Profile:Admin")
	if got := len(m.dv.doc.hunks); got != 3 {
		t.Fatalf("Admin has %d hunks with 3 lines of context, want 3", got)
	}
	m.press(t, "tab", "n")
	m.press(t, "x")
	if !m.fullContext || len(m.dv.doc.hunks) != 1 || len(m.dv.doc.lines) < 140 {
		t.Fatalf("x: full %v, %d hunks, %d lines", m.fullContext, len(m.dv.doc.hunks), len(m.dv.doc.lines))
	}
	m.press(t, "x")
	if m.fullContext || len(m.dv.doc.hunks) != 3 {
		t.Fatal("x again: not back to changes only")
	}
}

func TestViewedKeys(t *testing.T) {
	w, m := openSample(t)
	region := comp(t, "CustomField:Account.Region__c")
	m.press(t, "v")
	if !m.isViewed(region) || len(m.pending) != 0 {
		t.Fatalf("v: viewed %v, pending %d", m.isViewed(region), len(m.pending))
	}
	stored, err := w.svc.CompareLog(m.logID)
	if err != nil || !stored.Viewed(region) {
		t.Fatalf("v was not stored: %v", err)
	}
	m.press(t, "v")
	if m.isViewed(region) {
		t.Fatal("v again should unview")
	}
	m.press(t, "V")
	if !m.isViewed(region) || m.current != comp(t, "CustomField:Invoice__c.Due_Date__c") {
		t.Fatalf("V: viewed %v, current %s", m.isViewed(region), m.current)
	}
	// V on every other component: the last one says all are viewed.
	var s *uitest.Sent
	for range 14 {
		s = m.press(t, "V")
	}
	if !s.Has(func(msg tea.Msg) bool {
		st, ok := msg.(common.StatusMsg)
		return ok && strings.Contains(st.Text, "All 15 components to review are viewed")
	}) {
		t.Errorf("the last V did not say all were viewed: %v", s.Msgs)
	}
	stored, _ = w.svc.CompareLog(m.logID)
	for _, e := range stored.Entries {
		if e.Category != model.Same && !stored.Viewed(e.Component) {
			t.Errorf("%s not stored as viewed", e.Component)
		}
	}
}

func TestViewedResetsWhenASideChanges(t *testing.T) {
	w, m := openSample(t)
	m.press(t, "v")
	// Change Region__c in uat, then compare again: the mark lapses, the
	// other marks carry over.
	path := filepath.Join(w.dir, "orgs", "uat", "force-app", "main", "default", "objects", "Account", "fields", "Region__c.field-meta.xml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), "Sales region", "Sales territory", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	m2 := w.open(w.compare(model.CompareFilters{}).ID, 80, 24)
	if m2.isViewed(comp(t, "CustomField:Account.Region__c")) {
		t.Error("the mark survived a change of the source")
	}
}

func TestStaleWhenChangedSinceCompared(t *testing.T) {
	w := newWorld(t)
	id := w.compare(model.CompareFilters{}).ID
	path := filepath.Join(w.dir, "orgs", "uat", "force-app", "main", "default", "objects", "Account", "fields", "Region__c.field-meta.xml")
	if err := os.WriteFile(path, []byte("<changed/>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := w.open(id, 80, 24)
	e, _ := m.currentEntry()
	if !e.stale || !strings.Contains(m.View(), "changed since compared") {
		t.Error("a component changed since the comparison is not flagged")
	}
}

func TestUnviewedFilter(t *testing.T) {
	_, m := openSample(t)
	m.press(t, "V", "V")
	m.press(t, "u")
	if !m.unviewedOnly {
		t.Fatal("u: filter off")
	}
	for _, r := range m.rows {
		if r.kind == treeComp && (m.isViewed(r.comp) || r.cat == model.Same) {
			t.Errorf("%s shown with the unviewed filter", r.comp)
		}
		if r.cat == model.Same {
			t.Error("Same shown with the unviewed filter")
		}
	}
	m.press(t, "u")
	if m.unviewedOnly {
		t.Fatal("u again: filter still on")
	}
}

func TestSelectKey(t *testing.T) {
	_, m := openSample(t)
	m.press(t, "space")
	if !m.selected[comp(t, "CustomField:Account.Region__c")] {
		t.Fatal("space did not select the component")
	}
	m.press(t, "space")
	if len(m.selected) != 0 {
		t.Fatal("space again did not unselect")
	}
	m.press(t, "k", "space") // the CustomField header: both fields
	if len(m.selected) != 2 {
		t.Errorf("space on a type header selected %d, want 2", len(m.selected))
	}
	m.press(t, "space")
	if len(m.selected) != 0 {
		t.Errorf("space again on the header left %d selected", len(m.selected))
	}
	m.press(t, "tab", "space") // from the diff: the current component
	if !m.selected[m.current] {
		t.Error("space in the diff did not select the current component")
	}
}

func TestWhitespaceAndOrderKeys(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Profile:Finance User")
	if d := m.shownDoc(); d == nil || d.added == 0 {
		t.Fatal("Finance User should differ by order")
	}
	m.press(t, "o")
	e, _ := m.currentEntry()
	if !m.opts.IgnoreOrder || e.cat != model.Same || m.hidden.Order != 1 {
		t.Fatalf("o: ignore %v, category %s, hidden %+v", m.opts.IgnoreOrder, e.cat, m.hidden)
	}
	if d := m.shownDoc(); d == nil || d.added != 0 || d.hidden == 0 {
		t.Fatalf("o: the diff should hide the reordering: %+v", d)
	}
	view := m.View()
	if !strings.Contains(view, "order: 1 hidden · 26 lines here") {
		t.Errorf("no hidden indicator:\n%s", view)
	}
	if m.current != e.comp || m.rows[m.tcursor].comp != e.comp {
		t.Error("the tree's cursor left the component when it became the same")
	}
	m.press(t, "o")
	if m.opts.IgnoreOrder || m.shownDoc().added == 0 {
		t.Fatal("o again: order still ignored")
	}
	m.press(t, "w")
	if !m.opts.IgnoreWhitespace || !strings.Contains(m.View(), "whitespace ignored: 0 components hidden") {
		t.Fatal("w: whitespace not ignored, or no indicator")
	}
	m.press(t, "w")
	if m.opts.IgnoreWhitespace || strings.Contains(m.View(), "whitespace") {
		t.Fatal("w again: whitespace still ignored")
	}
}

func TestSearchKeys(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Flow:Invoice_Before_Save")
	m.press(t, "tab", "/")
	if !m.search.editing || !m.Capturing() {
		t.Fatal("/ did not open the search input")
	}
	m.typeText(t, "due date")
	if len(m.search.rows) == 0 || m.search.fold != true {
		t.Fatalf("typing found %d rows (fold %v)", len(m.search.rows), m.search.fold)
	}
	first := m.dv.cursor
	if l := m.dv.doc.lines[m.dv.cursorLine()]; !strings.Contains(strings.ToLower(l.Text), "due date") {
		t.Errorf("the cursor is not on a match: %q", l.Text)
	}
	m.press(t, "enter")
	if m.search.editing || !m.search.active() {
		t.Fatal("enter should keep the query and close the input")
	}
	m.press(t, "ctrl+n")
	if m.dv.cursor <= first {
		t.Errorf("ctrl+n: cursor %d, was %d", m.dv.cursor, first)
	}
	m.press(t, "ctrl+p")
	if m.dv.cursor != first {
		t.Errorf("ctrl+p: cursor %d, want %d", m.dv.cursor, first)
	}
	m.press(t, "ctrl+p") // wraps to the last match
	if m.dv.cursor != int(m.search.rows[len(m.search.rows)-1]) {
		t.Errorf("ctrl+p from the first match should wrap, cursor %d", m.dv.cursor)
	}
	// A search stays applied on another component.
	m.press(t, "]")
	if !m.search.active() {
		t.Error("moving on lost the search")
	}
	m.press(t, "esc")
	if m.search.active() {
		t.Error("esc did not clear the search")
	}
	// esc while typing cancels and goes back.
	m.press(t, "/")
	before := m.dv.cursor
	m.typeText(t, "Layout")
	m.press(t, "esc")
	if m.search.active() || m.dv.cursor != before {
		t.Error("esc while typing should cancel the search")
	}
}

func TestSmartCase(t *testing.T) {
	if got := findHits("Due_Date due_date DUE_DATE", "due_date", true); len(got) != 3 {
		t.Errorf("lower case matches every case: %v", got)
	}
	if got := findHits("Due_Date due_date", "Due_Date", false); len(got) != 1 || got[0].start != 0 {
		t.Errorf("upper case matches exactly: %v", got)
	}
	if _, fold := foldQuery("Due"); fold {
		t.Error("a query with upper case should not fold")
	}
}

func TestJumpKeys(t *testing.T) {
	_, m := openSample(t)
	m.press(t, "/")
	if m.jump == nil || !m.Capturing() {
		t.Fatal("/ in the tree did not open the jump")
	}
	m.typeText(t, "trigger")
	if len(m.jump.hits) == 0 || !strings.Contains(m.names[m.jump.hits[0]], "Trigger") {
		t.Fatalf("jump hits: %v", m.jump.hits)
	}
	m.press(t, "down")
	if m.jump.cursor != 1 {
		t.Errorf("down: cursor %d", m.jump.cursor)
	}
	m.press(t, "up")
	if m.jump.cursor != 0 {
		t.Errorf("up: cursor %d", m.jump.cursor)
	}
	want := m.entries[m.jump.hits[0]].comp
	m.press(t, "enter")
	if m.jump != nil || m.current != want || m.rows[m.tcursor].comp != want {
		t.Errorf("enter: current %s, want %s", m.current, want)
	}
	if m.collapsed[catKey(model.Same)] {
		t.Error("jumping to a component that is the same should unfold Same")
	}
	m.press(t, "/", "esc")
	if m.jump != nil {
		t.Error("esc did not close the jump")
	}
}

func TestAddToNewCR(t *testing.T) {
	w, m := openSample(t)
	m.press(t, "space", "]", "space", "c")
	if m.picker == nil || m.picker.loading {
		t.Fatal("c did not open the picker")
	}
	m.press(t, "enter") // the first row: a new CR
	if !m.dialog.Open() {
		t.Fatal("choosing a new CR did not ask its name")
	}
	m.typeText(t, "Due dates and regions")
	s := m.press(t, "enter")
	if !s.Has(func(msg tea.Msg) bool {
		st, ok := msg.(common.StatusMsg)
		return ok && strings.Contains(st.Text, "Created CR-0001")
	}) {
		t.Fatalf("no status for the new CR: %v", s.Msgs)
	}
	cr, err := w.svc.CR(1)
	if err != nil {
		t.Fatal(err)
	}
	want := []metadata.Component{comp(t, "CustomField:Account.Region__c"), comp(t, "CustomField:Invoice__c.Due_Date__c")}
	if cr.Name != "Due dates and regions" || cr.Env != "production" || !slices.Equal(cr.Customizations, want) {
		t.Errorf("CR = %s in %s with %v", cr.Name, cr.Env, cr.Customizations)
	}
	if len(m.selected) != 0 {
		t.Error("the selection should clear once used")
	}

	// c again: the CR is offered; adding the current component to it.
	m.press(t, "]", "c")
	if len(m.picker.crs) != 1 {
		t.Fatalf("picker offers %d CRs, want 1", len(m.picker.crs))
	}
	m.press(t, "down", "up", "j", "enter")
	cr, _ = w.svc.CR(1)
	if len(cr.Customizations) != 3 {
		t.Errorf("after adding: %v", cr.Customizations)
	}
	m.press(t, "c", "esc")
	if m.picker != nil {
		t.Error("esc did not close the picker")
	}
}

func TestPackageKey(t *testing.T) {
	_, m := openSample(t)
	dir := filepath.Join(t.TempDir(), "pkg")
	m.press(t, "P")
	if !m.dialog.Open() {
		t.Fatal("P did not ask for a folder")
	}
	m.typeText(t, dir)
	s := m.press(t, "enter")
	if !s.Has(func(msg tea.Msg) bool {
		st, ok := msg.(common.StatusMsg)
		return ok && strings.Contains(st.Text, "package.xml (13 members)")
	}) {
		t.Fatalf("status: %v", s.Msgs)
	}
	pkg, err := os.ReadFile(filepath.Join(dir, "package.xml"))
	if err != nil {
		t.Fatal(err)
	}
	destructive, err := os.ReadFile(filepath.Join(dir, "destructiveChanges.xml"))
	if err != nil {
		t.Fatal(err)
	}
	// The real differences, whatever the options hide: Finance User differs
	// only in order and is still deployed.
	if !strings.Contains(string(pkg), "<members>Finance User</members>") || !strings.Contains(string(destructive), "<members>InvoiceLegacyExport</members>") {
		t.Errorf("package.xml:\n%s\ndestructiveChanges.xml:\n%s", pkg, destructive)
	}
}

func TestBackKey(t *testing.T) {
	_, m := openSample(t)
	s := m.press(t, "esc")
	if !s.Has(func(msg tea.Msg) bool { _, ok := msg.(common.BackMsg); return ok }) {
		t.Error("esc did not go back")
	}
}

func TestReloadAfterFailure(t *testing.T) {
	w := newWorld(t)
	id := w.compare(model.CompareFilters{}).ID
	uat := filepath.Join(w.dir, "orgs", "uat")
	hidden := uat + ".away"
	if err := os.Rename(uat, hidden); err != nil {
		t.Fatal(err)
	}
	m := w.open(id, 80, 24)
	if m.itemsErr == nil || !m.keys.Reload.Enabled() || !strings.Contains(m.View(), "Could not read") {
		t.Fatal("a missing side should fail the load, with r offered")
	}
	if err := os.Rename(hidden, uat); err != nil {
		t.Fatal(err)
	}
	m.press(t, "r")
	if m.itemsErr != nil || m.shownDoc() == nil {
		t.Errorf("r did not load again: %v", m.itemsErr)
	}
}

func TestMouseWheel(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Flow:Invoice_Before_Save")
	m.send(tea.MouseMsg{X: 60, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if m.dv.offset != wheelLines {
		t.Errorf("wheel over the diff: offset %d", m.dv.offset)
	}
	m.send(tea.MouseMsg{X: 60, Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if m.dv.offset != 0 {
		t.Errorf("wheel up: offset %d", m.dv.offset)
	}
	m.send(tea.MouseMsg{X: 5, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if m.toffset != wheelLines {
		t.Errorf("wheel over the tree: offset %d", m.toffset)
	}
}

func TestStoreChangeRereadsMarks(t *testing.T) {
	w, m := openSample(t)
	if _, err := w.svc.MarkViewed(m.logID, comp(t, "ApexClass:InvoiceService"), true); err != nil {
		t.Fatal(err)
	}
	drain(t, m, m.send(common.StoreChangedMsg{Head: 99}))
	if !m.isViewed(comp(t, "ApexClass:InvoiceService")) {
		t.Error("a mark made elsewhere was not picked up")
	}
}

func TestStaleDiffDropped(t *testing.T) {
	_, m := openSample(t)
	m.goTo(t, "Flow:Invoice_Before_Save")
	flow := m.dv.doc
	// A late answer for another component must not replace the shown one.
	late := diffedMsg{key: diffKey{comp: comp(t, "Profile:Admin"), gen: m.gen}, lay: newLayout(newDiffDoc(diffKey{}, nil), modeUnified, 50)}
	m.send(late)
	if m.dv.doc != flow {
		t.Error("a diff nobody waits for replaced the shown one")
	}
	old := diffedMsg{key: diffKey{comp: m.current, gen: m.gen - 1}, err: errors.New("old")}
	m.send(old)
	if m.diffErr != nil {
		t.Error("an answer from an earlier load was taken")
	}
}

func TestHelpIsTrue(t *testing.T) {
	_, m := openSample(t)
	for _, focus := range []string{"tree", "diff"} {
		for _, b := range m.ShortHelp() {
			if !b.Enabled() {
				continue
			}
			if b.Help().Key == "" || b.Help().Desc == "" {
				t.Errorf("%s: a binding without help: %v", focus, b.Keys())
			}
		}
		m.press(t, "tab")
	}
	if m.keys.NextMatch.Enabled() {
		t.Error("ctrl+n is offered with no search")
	}
	if m.keys.Jump.Enabled() == m.keys.Search.Enabled() {
		t.Error("/ must mean exactly one thing at a time")
	}
}
