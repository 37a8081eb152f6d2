package compare

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"relman/model"
	"relman/model/metadata"
	"relman/ui/common"
	"relman/ui/review"
)

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

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name          string
		width, height int
		setup         func(t *testing.T, w *world, m *Model)
	}{
		{name: "form_80x24", width: 80, height: 24},
		{name: "form_200x50", width: 200, height: 50},
		{name: "with_logs_80x24", width: 80, height: 24, setup: func(t *testing.T, w *world, m *Model) {
			m.press(t, "enter")
			m.press(t, "w", "enter", "tab", "j")
		}},
		{name: "source_picker_80x24", width: 80, height: 24, setup: func(t *testing.T, _ *world, m *Model) {
			m.press(t, "s")
		}},
		{name: "types_picker_80x24", width: 80, height: 24, setup: func(t *testing.T, _ *world, m *Model) {
			m.press(t, "m")
			m.typeText(t, "lay")
			m.press(t, "tab")
		}},
		{name: "components_picker_200x50", width: 200, height: 50, setup: func(t *testing.T, _ *world, m *Model) {
			m.press(t, "p")
			m.typeText(t, "invoice")
			m.press(t, "tab", "tab")
		}},
		{name: "filters_set_80x24", width: 80, height: 24, setup: func(t *testing.T, w *world, m *Model) {
			cr, err := w.svc.CreateCR("production", model.CRFields{Name: "Due dates and regions",
				Customizations: []metadata.Component{{Type: "CustomField", FullName: "Invoice__c.Due_Date__c"}}})
			if err != nil {
				t.Fatal(err)
			}
			drain(t, m, m.send(common.ShowMsg{ID: cr.ID}))
			m.press(t, "m")
			m.typeText(t, "flow")
			m.press(t, "enter", "x")
			m.typeText(t, "sbqq, et4ae5")
			m.press(t, "enter", "w", "o")
		}},
		{name: "running_80x24", width: 80, height: 24, setup: func(t *testing.T, _ *world, m *Model) {
			m.send(keyMsg("enter")) // the comparison is not run
		}},
		{name: "same_sides_80x24", width: 80, height: 24, setup: func(t *testing.T, _ *world, m *Model) {
			m.press(t, "t")
			m.typeText(t, "uat")
			m.press(t, "enter", "enter")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			m, _ := w.screen(tc.width, tc.height)
			if tc.setup != nil {
				tc.setup(t, w, m)
			}
			view := m.View()
			checkFrame(t, view, tc.width, tc.height)
			golden.RequireEqual(t, []byte(view))
		})
	}
}

func TestDefaultsToSandboxAgainstProduction(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	if m.source != "uat" || m.target != "production" {
		t.Errorf("sides = %q → %q", m.source, m.target)
	}
}

func TestRunSavesAndOpensReview(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	for _, k := range []string{"enter", "ctrl+r"} {
		out := m.press(t, k)
		pre, ok := out.Find(func(msg tea.Msg) bool { _, ok := msg.(review.Preload); return ok }).(review.Preload)
		if !ok || len(pre.Source) == 0 || pre.Result.Counts[model.Different] != 9 {
			t.Fatalf("%s: no preload of the result: %v", k, out.Msgs)
		}
		open, ok := out.Find(func(msg tea.Msg) bool { _, ok := msg.(common.OpenMsg); return ok }).(common.OpenMsg)
		if !ok || open.Screen != common.ScreenReview || open.ID != pre.Log.ID {
			t.Fatalf("%s: review not opened on the new log: %+v", k, open)
		}
		if i := slices.IndexFunc(out.Msgs, func(msg tea.Msg) bool { _, ok := msg.(common.OpenMsg); return ok }); i < slices.IndexFunc(out.Msgs, func(msg tea.Msg) bool { _, ok := msg.(review.Preload); return ok }) {
			t.Error("the review was opened before it got the preload")
		}
	}
	logs, err := w.svc.CompareLogs(0)
	if err != nil || len(logs) != 2 {
		t.Fatalf("logs: %d, %v", len(logs), err)
	}
	if len(m.logs) != 2 || m.logs[0].ID != 2 {
		t.Errorf("the list should show the new log first: %v", m.logs)
	}
}

func TestRunRefusesMissingOrSameSides(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.source = ""
	m.press(t, "enter")
	if m.running || m.runErr == nil || !strings.Contains(m.runErr.Error(), "choose a source") {
		t.Errorf("no source: running %v, err %v", m.running, m.runErr)
	}
	m.source, m.target = "uat", ""
	m.press(t, "enter")
	if m.runErr == nil || !strings.Contains(m.runErr.Error(), "choose a target") {
		t.Errorf("no target: err %v", m.runErr)
	}
	m.target = "uat"
	m.press(t, "enter")
	if m.runErr == nil || !strings.Contains(m.runErr.Error(), "the same") {
		t.Errorf("same sides: err %v", m.runErr)
	}
}

func TestRunErrorShown(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.source = filepath.Join(w.dir, "nowhere")
	m.press(t, "enter")
	if view := m.View(); m.running || m.runErr == nil || !strings.Contains(view, "is neither a saved") || !strings.Contains(view, "of a metadata directory") {
		t.Errorf("error not shown: %v", m.runErr)
	}
}

func TestCancelRunning(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	cmd := m.send(keyMsg("enter"))
	if !m.running {
		t.Fatal("enter did not start the comparison")
	}
	out := m.press(t, "esc")
	if m.running || out.Find(func(msg tea.Msg) bool { _, ok := msg.(common.StatusMsg); return ok }) == nil {
		t.Fatal("esc did not cancel")
	}
	// The cancelled comparison's answer is dropped.
	out = drain(t, m, cmd)
	if out.Find(func(msg tea.Msg) bool { _, ok := msg.(common.OpenMsg); return ok }) != nil {
		t.Error("a cancelled comparison opened the review")
	}
}

func TestFormMovingKeys(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.press(t, "j", "j")
	if m.field != fieldCR {
		t.Errorf("j j: field %d", m.field)
	}
	m.press(t, "k")
	if m.field != fieldTarget {
		t.Errorf("k: field %d", m.field)
	}
	m.press(t, "G")
	if m.field != fieldOrder {
		t.Errorf("G: field %d", m.field)
	}
	m.press(t, "g")
	if m.field != fieldSource {
		t.Errorf("g: field %d", m.field)
	}
	if m.keys.Section.Enabled() {
		t.Error("tab is offered with no saved comparison")
	}
}

func TestLogsSection(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.press(t, "enter")
	m.press(t, "enter")
	m.press(t, "tab")
	if m.section != sectionLogs || !m.keys.Open.Enabled() || m.keys.Run.Enabled() {
		t.Fatal("tab did not move to the saved comparisons")
	}
	m.press(t, "j")
	if m.lcursor != 1 {
		t.Errorf("j: cursor %d", m.lcursor)
	}
	out := m.press(t, "enter")
	if open, _ := out.Find(func(msg tea.Msg) bool { _, ok := msg.(common.OpenMsg); return ok }).(common.OpenMsg); open.ID != 1 || open.Screen != common.ScreenReview {
		t.Errorf("enter opened %+v, want the review of CL-0001", open)
	}
	m.press(t, "k")
	if m.lcursor != 0 {
		t.Errorf("k: cursor %d", m.lcursor)
	}
	m.press(t, "tab")
	if m.section != sectionForm {
		t.Error("tab again did not go back to the form")
	}
}

func TestSidePickers(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.press(t, "s")
	if m.picker == nil || m.picker.kind != pickSource || !m.Capturing() {
		t.Fatal("s did not open the source picker")
	}
	m.typeText(t, "prod")
	m.press(t, "enter")
	if m.source != "production" || m.picker != nil {
		t.Errorf("source = %q", m.source)
	}
	// A folder: the last choice asks for its path.
	m.press(t, "t")
	m.press(t, "down", "down", "up", "down", "enter")
	if !m.dialog.Open() {
		t.Fatal("the folder choice did not ask for a path")
	}
	dir := w.org("uat")
	m.typeText(t, dir)
	m.press(t, "enter")
	if m.target != dir {
		t.Errorf("target = %q, want %q", m.target, dir)
	}
	// space on the field opens its picker too; esc leaves things as they were.
	m.press(t, "g", "space", "esc")
	if m.picker != nil || m.source != "production" {
		t.Error("esc changed the source")
	}
	// A folder compare runs like an environment's.
	out := m.press(t, "enter")
	if out.Find(func(msg tea.Msg) bool { _, ok := msg.(common.OpenMsg); return ok }) == nil {
		t.Errorf("comparing with a folder failed: %v", m.runErr)
	}
}

func TestCRPicker(t *testing.T) {
	w := newWorld(t)
	cr, err := w.svc.CreateCR("production", model.CRFields{Name: "Due dates",
		Customizations: []metadata.Component{{Type: "CustomField", FullName: "Invoice__c.Due_Date__c"}}})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := w.screen(80, 24)
	m.press(t, "c")
	if m.picker == nil || m.picker.kind != pickCR || len(m.picker.items) != 2 {
		t.Fatalf("c: picker %+v", m.picker)
	}
	m.press(t, "down", "enter")
	if m.cr == nil || m.cr.ID != cr.ID {
		t.Fatalf("cr = %v", m.cr)
	}
	if !m.keys.Clear.Enabled() {
		t.Error("⌫ not offered on a set filter")
	}
	m.press(t, "backspace")
	if m.cr != nil {
		t.Error("⌫ did not clear the filter")
	}
	m.press(t, "c", "down", "enter")
	out := m.press(t, "enter")
	pre, _ := out.Find(func(msg tea.Msg) bool { _, ok := msg.(review.Preload); return ok }).(review.Preload)
	if pre.Log.CR != cr.ID || len(pre.Log.Entries) != 1 {
		t.Errorf("the log is not the CR's: cr %d, %d entries", pre.Log.CR, len(pre.Log.Entries))
	}
	got, _ := w.svc.CR(cr.ID)
	if len(got.CompareLogs) != 1 {
		t.Error("the log is not linked to the CR")
	}
}

func TestShowFromCR(t *testing.T) {
	w := newWorld(t)
	cr, err := w.svc.CreateCR("production", model.CRFields{Name: "Due dates"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := w.screen(80, 24)
	m.source, m.target = "production", "uat"
	drain(t, m, m.send(common.ShowMsg{ID: cr.ID}))
	if m.cr == nil || m.cr.ID != cr.ID || m.target != "production" || m.source != "uat" {
		t.Errorf("after ShowMsg: cr %v, %s → %s", m.cr, m.source, m.target)
	}
}

func TestTypesPicker(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.press(t, "m")
	for _, it := range m.picker.items {
		if it.value == "CustomFieldTranslation" {
			t.Error("a type that is never a component is offered")
		}
	}
	m.typeText(t, "apexclass")
	m.press(t, "tab")
	m.press(t, "backspace", "backspace", "backspace", "backspace", "backspace")
	m.typeText(t, "trigger")
	m.press(t, "tab", "enter")
	if !slices.Equal(m.types, []string{"ApexClass", "ApexTrigger"}) {
		t.Errorf("types = %v", m.types)
	}
	// Reopened, the chosen types are marked.
	m.press(t, "m")
	if len(m.picker.marked) != 2 {
		t.Errorf("%d marked on reopening", len(m.picker.marked))
	}
	m.press(t, "esc", "backspace")
	if m.types != nil {
		t.Error("⌫ did not clear the types")
	}
}

func TestComponentsPicker(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.press(t, "p")
	if m.picker == nil || m.picker.loading || len(m.picker.items) < 40 {
		t.Fatalf("p: the catalogue of uat is not listed")
	}
	m.typeText(t, "region")
	if got := m.picker.items[m.picker.hits[0]].comp; got != (metadata.Component{Type: "CustomField", FullName: "Account.Region__c"}) {
		t.Errorf("best match %s", got)
	}
	m.press(t, "enter")
	if len(m.comps) != 1 {
		t.Fatalf("comps = %v", m.comps)
	}
	out := m.press(t, "enter")
	pre, _ := out.Find(func(msg tea.Msg) bool { _, ok := msg.(review.Preload); return ok }).(review.Preload)
	if len(pre.Log.Entries) != 1 || pre.Log.Entries[0].Component.FullName != "Account.Region__c" {
		t.Errorf("entries = %v", pre.Log.Entries)
	}
	// Another source forgets the picked components.
	m.press(t, "s")
	m.typeText(t, "production")
	m.press(t, "enter")
	if len(m.comps) != 0 {
		t.Error("components of the old source kept")
	}
}

func TestNamespacesAndToggles(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	m.press(t, "x")
	m.typeText(t, "sbqq, et4ae5 ,")
	m.press(t, "enter")
	if !slices.Equal(m.namespaces, []string{"sbqq", "et4ae5"}) {
		t.Errorf("namespaces = %q", m.namespaces)
	}
	m.press(t, "x") // the prompt starts from the current value
	m.press(t, "enter")
	if !slices.Equal(m.namespaces, []string{"sbqq", "et4ae5"}) {
		t.Errorf("namespaces after editing = %q", m.namespaces)
	}
	m.press(t, "w", "o")
	if !m.ignoreWS || !m.ignoreOrder {
		t.Fatal("w/o did not toggle")
	}
	req := m.request()
	if !req.Filters.IgnoreWhitespace || !req.Filters.IgnoreOrder || len(req.Filters.ExcludeNamespaces) != 2 || !req.Save {
		t.Errorf("request = %+v", req)
	}
	m.press(t, "w", "o")
	if m.ignoreWS || m.ignoreOrder {
		t.Error("w/o again did not toggle back")
	}
}

func TestBack(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	out := m.press(t, "esc")
	if out.Find(func(msg tea.Msg) bool { _, ok := msg.(common.BackMsg); return ok }) == nil {
		t.Error("esc did not go back")
	}
}

func TestStoreChangeReloads(t *testing.T) {
	w := newWorld(t)
	m, _ := w.screen(80, 24)
	if _, err := w.svc.AddEnvironment(model.Environment{Name: "dev", Kind: model.KindSandbox, Connection: model.ConnLocal, Dir: w.org("dev")}); err != nil {
		t.Fatal(err)
	}
	drain(t, m, m.send(common.StoreChangedMsg{Head: 9}))
	if len(m.envs) != 3 {
		t.Errorf("%d environments after the change", len(m.envs))
	}
}
