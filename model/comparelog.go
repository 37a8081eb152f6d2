package model

import (
	"time"

	"relman/model/metadata"
)

// Category is where a component falls in a comparison.
type Category string

// Compare categories, as the JSON of `relman compare` names them.
const (
	OnlyInSource Category = "onlyInSource"
	OnlyInTarget Category = "onlyInTarget"
	Different    Category = "different"
	Same         Category = "same"
)

// Categories lists the categories in display order.
var Categories = []Category{OnlyInSource, OnlyInTarget, Different, Same}

// CompareFilters are the filters a comparison ran with.
type CompareFilters struct {
	CR                int64                `json:"cr,omitempty"`
	Types             []string             `json:"types,omitempty"`
	Components        []metadata.Component `json:"components,omitempty"`
	ExcludeNamespaces []string             `json:"excludeNamespaces,omitempty"`
	IgnoreWhitespace  bool                 `json:"ignoreWhitespace,omitempty"`
	IgnoreOrder       bool                 `json:"ignoreOrder,omitempty"`
}

// CompareEntry is one component's result, with both sides' content hashes so
// a review ("viewed") can be bound to exactly what was seen.
type CompareEntry struct {
	Component  metadata.Component `json:"component"`
	Category   Category           `json:"category"`
	SourceHash string             `json:"sourceHash,omitempty"`
	TargetHash string             `json:"targetHash,omitempty"`
	Files      []string           `json:"files,omitempty"`
}

// CompareLog records one comparison so it can be reopened.
type CompareLog struct {
	ID      int64            `json:"id"`
	User    string           `json:"user"`
	At      time.Time        `json:"at"`
	Source  string           `json:"source"`
	Target  string           `json:"target"`
	Filters CompareFilters   `json:"filters"`
	CR      int64            `json:"cr,omitempty"`
	Counts  map[Category]int `json:"counts"`
	Entries []CompareEntry   `json:"entries"`
	// Marks are the reviewers' viewed marks.
	Marks []ViewMark `json:"marks,omitempty"`
	// Warnings are, in full, the files either side could not read or
	// classify and the deletions left out because of them.
	Warnings []metadata.Warning `json:"warnings,omitempty"`
}

// Key is the displayed id, e.g. "CL-0012".
func (c CompareLog) Key() string { return FormatID(PrefixCompareLog, c.ID) }

// LinkCompareLog records on a change request that a comparison was run for
// it, so the review can be reopened from the request.
func LinkCompareLog(cr ChangeRequest, logID int64) (ChangeRequest, Change) {
	out := cr
	out.CompareLogs = append(append([]int64{}, cr.CompareLogs...), logID)
	return out, crChange(out, "compare", map[string]string{"compareLog": FormatID(PrefixCompareLog, logID)})
}

// ViewMark records that a reviewer viewed one component's diff. It is bound
// to both sides' content hashes: once either side changes, the mark no
// longer matches and the component is unviewed again.
type ViewMark struct {
	Component  metadata.Component `json:"component"`
	SourceHash string             `json:"sourceHash"`
	TargetHash string             `json:"targetHash"`
	User       string             `json:"user"`
	At         time.Time          `json:"at"`
}

// Entry returns the log's entry for c.
func (c CompareLog) Entry(comp metadata.Component) (CompareEntry, bool) {
	for _, e := range c.Entries {
		if e.Component == comp {
			return e, true
		}
	}
	return CompareEntry{}, false
}

// Viewed reports whether comp was viewed with both sides as they are in
// this log.
func (c CompareLog) Viewed(comp metadata.Component) bool {
	e, ok := c.Entry(comp)
	if !ok {
		return false
	}
	for _, m := range c.Marks {
		if m.Component == comp && m.SourceHash == e.SourceHash && m.TargetHash == e.TargetHash {
			return true
		}
	}
	return false
}

// MarkViewed sets or clears the viewed mark of one component, bound to the
// entry's current hashes.
func MarkViewed(c CompareLog, comp metadata.Component, viewed bool, user string, now time.Time) (CompareLog, Change, error) {
	e, ok := c.Entry(comp)
	if !ok {
		return c, Change{}, ErrInvalidComponent.With(comp.String() + " is not in " + c.Key())
	}
	out := c
	out.Marks = nil
	for _, m := range c.Marks {
		if m.Component != comp {
			out.Marks = append(out.Marks, m)
		}
	}
	action := "unview"
	if viewed {
		out.Marks = append(out.Marks, ViewMark{Component: comp, SourceHash: e.SourceHash, TargetHash: e.TargetHash, User: user, At: now})
		action = "view"
	}
	return out, Change{Entity: EntityCompareLog, EntityID: c.Key(), Action: action,
		Details: map[string]string{"component": comp.String(), "sourceHash": e.SourceHash, "targetHash": e.TargetHash}}, nil
}

// CarryMarks copies the marks of an earlier comparison whose hashes still
// match this one's entries, so re-running a compare keeps what was already
// reviewed and unviews only what changed.
func CarryMarks(c CompareLog, earlier CompareLog) CompareLog {
	out := c
	for _, m := range earlier.Marks {
		if e, ok := c.Entry(m.Component); ok && e.SourceHash == m.SourceHash && e.TargetHash == m.TargetHash && !c.Viewed(m.Component) {
			out.Marks = append(out.Marks, m)
		}
	}
	return out
}
