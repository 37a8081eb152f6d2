package model

import (
	"sort"
	"time"
)

// ComplianceReport summarises the changes detected in a period, for an
// auditor: how many per category and status, who made them, and how long
// non-compliant ones took to resolve.
type ComplianceReport struct {
	From, To   time.Time
	Total      int
	ByCategory []CategoryCount
	ByWho      []WhoCount
	// Resolved counts the changes resolved (in the period's changes);
	// MeanResolution and MaxResolution are from detection to resolution.
	Resolved       int
	MeanResolution time.Duration
	MaxResolution  time.Duration
	// Open lists the changes still non-compliant.
	Open []ChangeLog
}

// CategoryCount is one category's changes by status.
type CategoryCount struct {
	Category PolicyCategory           `json:"category"`
	Counts   map[ComplianceStatus]int `json:"counts"`
}

// WhoCount is how many changes one person (as the org names them) made,
// and how many of those are non-compliant.
type WhoCount struct {
	Who          string `json:"who"`
	Changes      int    `json:"changes"`
	NonCompliant int    `json:"nonCompliant"`
}

// BuildComplianceReport summarises the change logs detected in [from, to).
func BuildComplianceReport(cls []ChangeLog, from, to time.Time) ComplianceReport {
	r := ComplianceReport{From: from, To: to}
	byCat := map[PolicyCategory]map[ComplianceStatus]int{}
	byWho := map[string]*WhoCount{}
	var resolution time.Duration
	for _, c := range cls {
		if c.DetectedAt.Before(from) || !c.DetectedAt.Before(to) {
			continue
		}
		r.Total++
		if byCat[c.Category] == nil {
			byCat[c.Category] = map[ComplianceStatus]int{}
		}
		byCat[c.Category][c.Status]++
		who := c.Who
		if who == "" {
			who = "(unknown)"
		}
		if byWho[who] == nil {
			byWho[who] = &WhoCount{Who: who}
		}
		byWho[who].Changes++
		switch c.Status {
		case StatusNonCompliant:
			byWho[who].NonCompliant++
			r.Open = append(r.Open, c)
		case StatusResolved:
			byWho[who].NonCompliant++
			d := c.ResolvedAt.Sub(c.DetectedAt)
			r.Resolved++
			resolution += d
			r.MaxResolution = max(r.MaxResolution, d)
		}
	}
	for _, cat := range PolicyCategories {
		if byCat[cat] != nil {
			r.ByCategory = append(r.ByCategory, CategoryCount{Category: cat, Counts: byCat[cat]})
		}
	}
	for _, w := range byWho {
		r.ByWho = append(r.ByWho, *w)
	}
	sort.Slice(r.ByWho, func(i, j int) bool {
		if r.ByWho[i].Changes != r.ByWho[j].Changes {
			return r.ByWho[i].Changes > r.ByWho[j].Changes
		}
		return r.ByWho[i].Who < r.ByWho[j].Who
	})
	if r.Resolved > 0 {
		r.MeanResolution = resolution / time.Duration(r.Resolved)
	}
	return r
}
