package review

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relman/model"
)

// TestWarningsCountedAndListed runs a comparison whose source holds a
// file of a type no registry knows and a labels file it cannot parse: the
// header counts the warnings, ! lists every one of them, and no label is
// proposed for deletion since the source's labels were not all read.
func TestWarningsCountedAndListed(t *testing.T) {
	w := newWorld(t)
	uat := filepath.Join(w.dir, "orgs", "uat", "force-app", "main", "default")
	for p, content := range map[string]string{
		"widgets/Sample.widget-meta.xml":      "<Widget/>\n",
		"labels/CustomLabels.labels-meta.xml": "<CustomLabels><labels>", // cut short
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(uat, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(uat, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := w.compare(model.CompareFilters{})
	if len(log.Warnings) != 3 {
		t.Fatalf("log warnings %+v; want the widget, the labels file and the left-out label deletions", log.Warnings)
	}
	for _, e := range log.Entries {
		if e.Component.Type == "CustomLabel" && e.Category == model.OnlyInTarget {
			t.Errorf("%s proposed for deletion although uat's labels could not be read", e.Component)
		}
	}
	m := w.open(log.ID, 160, 30)
	if v := m.View(); !strings.Contains(v, "⚠ 3 warnings (!)") {
		t.Fatalf("header does not count the warnings:\n%s", v)
	}
	m.press(t, "!")
	v := m.View()
	for _, want := range []string{"uat/force-app/main/default/widgets/Sample.widget-meta.xml", "uat/force-app/main/default/labels/CustomLabels.labels-meta.xml", "CustomLabel deletion(s) left out"} {
		if !strings.Contains(v, want) {
			t.Errorf("warnings list lacks %q:\n%s", want, v)
		}
	}
	m.press(t, "esc")
	if m.warnings != nil || strings.Contains(m.View(), "CustomLabel deletion(s) left out") {
		t.Errorf("esc did not close the warnings list")
	}
}
