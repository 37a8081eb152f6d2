package compare

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relman/ui/actions"
)

// A saved comparison whose source held a file relman could not place
// shows its warning count in the list of saved comparisons (the review
// lists them).
func TestSavedComparisonCountsWarnings(t *testing.T) {
	w := newWorld(t)
	stray := filepath.Join(w.org("uat"), "force-app", "main", "default", "widgets", "Spinner.widget-meta.xml")
	if err := os.MkdirAll(filepath.Dir(stray), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte("<Widget/>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Compare(context.Background(), actions.CompareRequest{Source: "uat", Target: "production", Save: true}); err != nil {
		t.Fatal(err)
	}
	m, _ := w.screen(160, 24)
	if v := m.View(); !strings.Contains(v, "⚠ 1 warning") {
		t.Errorf("the saved comparison does not count its warning:\n%s", v)
	}
}
