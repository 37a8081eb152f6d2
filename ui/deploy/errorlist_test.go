package deploy

import (
	"testing"

	"relman/model"
)

// TestErrorListShowsCoverage: a job that failed on coverage alone lists the
// org's warning, the org-wide figure and each class below the bar, once
// however often the events repeat them.
func TestErrorListShowsCoverage(t *testing.T) {
	l := newErrorList()
	warning := "Average test coverage across all Apex Classes and Triggers is 64%, at least 75% test coverage is required."
	cov := &model.Coverage{Covered: 46, Lines: 71, OrgWide: true, Below: []model.ClassCoverage{{Type: "ApexClass", Name: "Untested", Lines: 20}}}
	for range 2 {
		l.add(nil, nil, []string{warning}, cov)
	}
	want := []fault{{"coverage", warning}, {"org-wide coverage", "64% (46 of 71 lines), 75% required"}, {"ApexClass Untested", "0% (0 of 20 lines)"}}
	if len(l.items) != len(want) {
		t.Fatalf("items %+v", l.items)
	}
	for i := range want {
		if l.items[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, l.items[i], want[i])
		}
	}
}
