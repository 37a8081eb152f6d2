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
