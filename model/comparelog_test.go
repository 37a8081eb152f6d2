package model

import (
	"errors"
	"testing"

	"relman/model/metadata"
)

func TestViewMarksFollowContent(t *testing.T) {
	label := metadata.Component{Type: "CustomLabel", FullName: "Greeting"}
	log := CompareLog{ID: 1, Entries: []CompareEntry{{Component: label, Category: Different, SourceHash: "s1", TargetHash: "t1"}}}
	if log.Viewed(label) {
		t.Fatal("a fresh log has a viewed component")
	}
	viewed, ch, err := MarkViewed(log, label, true, "bob", t0)
	if err != nil || !viewed.Viewed(label) || ch.Action != "view" || ch.Details["sourceHash"] != "s1" {
		t.Fatalf("mark: %v %+v", err, ch)
	}
	unviewed, _, _ := MarkViewed(viewed, label, false, "bob", t0)
	if unviewed.Viewed(label) || len(unviewed.Marks) != 0 {
		t.Fatal("unmarking left the mark")
	}
	if _, _, err := MarkViewed(log, metadata.Component{Type: "ApexClass", FullName: "X"}, true, "bob", t0); !errors.Is(err, ErrInvalidComponent) {
		t.Fatalf("marking a component not in the log: %v", err)
	}

	// A later comparison keeps the mark only where neither side changed.
	other := metadata.Component{Type: "ApexClass", FullName: "Foo"}
	viewed.Entries = append(viewed.Entries, CompareEntry{Component: other, SourceHash: "a", TargetHash: "b"})
	viewed, _, _ = MarkViewed(viewed, other, true, "bob", t0)
	later := CompareLog{ID: 2, Entries: []CompareEntry{
		{Component: label, SourceHash: "s1", TargetHash: "t2"}, // target changed
		{Component: other, SourceHash: "a", TargetHash: "b"},   // unchanged
	}}
	later = CarryMarks(later, viewed)
	if later.Viewed(label) || !later.Viewed(other) {
		t.Fatalf("carried marks: label %v (want false), other %v (want true)", later.Viewed(label), later.Viewed(other))
	}
}
