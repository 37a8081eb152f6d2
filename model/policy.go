package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"relman/model/metadata"
)

// EntityPolicy names policies in audit events; a policy's id is
// DefaultPolicy or the name of the environment it applies to.
const EntityPolicy = "policy"

// DefaultPolicy is the name of the policy that applies to every
// environment without its own.
const DefaultPolicy = "default"

// PolicyCategory groups metadata types by the kind of risk a change to them
// carries; a policy sets a change level per category.
type PolicyCategory string

// PolicyCategories.
const (
	CatCodeData      PolicyCategory = "Code and Data Model"
	CatAutomation    PolicyCategory = "Automation"
	CatSharing       PolicyCategory = "Sharing and Visibility"
	CatIntegration   PolicyCategory = "Integration"
	CatConfiguration PolicyCategory = "Configuration"
	CatDisplay       PolicyCategory = "Display and UI"
	CatAnalytics     PolicyCategory = "Analytics"
	CatControl       PolicyCategory = "Control"
	CatUncategorized PolicyCategory = "Uncategorized"
)

// PolicyCategories lists every category in the order lists show them.
var PolicyCategories = []PolicyCategory{CatCodeData, CatAutomation, CatSharing, CatIntegration, CatConfiguration,
	CatDisplay, CatAnalytics, CatControl, CatUncategorized}

// ParseCategory accepts a category by its name in any case, or by a
// hyphenated short form ("code-and-data-model", "automation").
func ParseCategory(s string) (PolicyCategory, error) {
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", " "))
	for _, c := range PolicyCategories {
		if strings.ToLower(string(c)) == norm {
			return c, nil
		}
	}
	names := make([]string, len(PolicyCategories))
	for i, c := range PolicyCategories {
		names[i] = fmt.Sprintf("%q", c)
	}
	return "", fmt.Errorf("category %q: want one of %s", s, strings.Join(names, ", "))
}

// Level is how much proof a policy asks for before a change to production
// counts as compliant.
type Level string

// Levels, weakest first.
const (
	// LevelLogOnly: any change is compliant; it is only logged.
	LevelLogOnly Level = "log-only"
	// LevelChangeRequest: an approved change request contains the component.
	LevelChangeRequest Level = "change-request"
	// LevelSandbox: an approved change request contains the component and
	// went through a sandbox copy (synced to a sandbox and pushed back).
	LevelSandbox Level = "sandbox"
	// LevelFull: an approved, deployed deployment record contains it.
	LevelFull Level = "full"
)

// Levels lists every level, weakest first.
var Levels = []Level{LevelLogOnly, LevelChangeRequest, LevelSandbox, LevelFull}

// ParseLevel accepts a level name in any case.
func ParseLevel(s string) (Level, error) {
	return parseName(s, Levels, "level", "log-only, change-request, sandbox or full")
}

// parseName finds s (in any case, spaces trimmed) among names, or says
// which it may be.
func parseName[T ~string](s string, names []T, what, want string) (T, error) {
	for _, n := range names {
		if strings.EqualFold(string(n), strings.TrimSpace(s)) {
			return n, nil
		}
	}
	return "", fmt.Errorf("%s %q: want %s", what, s, want)
}

// CategoryRule is what a policy asks of one category.
type CategoryRule struct {
	Level Level `json:"level"`
	// Approvers are added to a change request that contains components of
	// the category.
	Approvers []string `json:"approvers,omitempty"`
}

// Policy is a default or per-environment compliance policy.
type Policy struct {
	// Name is DefaultPolicy or an environment name.
	Name  string                          `json:"name"`
	Rules map[PolicyCategory]CategoryRule `json:"rules"`
	// Types overrides the default category of single metadata types.
	Types     map[string]PolicyCategory `json:"types,omitempty"`
	UpdatedAt time.Time                 `json:"updatedAt"`
	UpdatedBy string                    `json:"updatedBy,omitempty"`
}

// NewDefaultPolicy is the policy a store starts with: every category at
// change-request, except Uncategorized (log-only) and Code and Data Model,
// Sharing and Visibility and Control (full).
func NewDefaultPolicy() Policy {
	p := Policy{Name: DefaultPolicy, Rules: map[PolicyCategory]CategoryRule{}}
	for _, c := range PolicyCategories {
		p.Rules[c] = CategoryRule{Level: LevelChangeRequest}
	}
	p.Rules[CatUncategorized] = CategoryRule{Level: LevelLogOnly}
	for _, c := range []PolicyCategory{CatCodeData, CatSharing, CatControl} {
		p.Rules[c] = CategoryRule{Level: LevelFull}
	}
	return p
}

// CategoryOf is the category of a metadata type under this policy: its
// override if any, else the default mapping.
func (p Policy) CategoryOf(typeName string) PolicyCategory {
	if c, ok := p.Types[typeName]; ok {
		return c
	}
	return DefaultCategory(typeName)
}

// Rule is the rule for category c (log-only when the policy has none).
func (p Policy) Rule(c PolicyCategory) CategoryRule {
	if r, ok := p.Rules[c]; ok {
		return r
	}
	return CategoryRule{Level: LevelLogOnly}
}

// SetLevel returns the policy with category c at level l and approvers,
// changed by actor at now, and the audit change. Only admins change
// policies.
func SetLevel(p Policy, users Users, actor string, c PolicyCategory, l Level, approvers []string, now time.Time) (Policy, Change, error) {
	if err := users.mustBeAdmin(actor, "policy "+p.Name); err != nil {
		return Policy{}, Change{}, err
	}
	if !slices.Contains(Levels, l) || !slices.Contains(PolicyCategories, c) {
		return Policy{}, Change{}, fmt.Errorf("policy %s: unknown category %q or level %q", p.Name, c, l)
	}
	p = p.clone()
	p.Rules[c] = CategoryRule{Level: l, Approvers: slices.Clone(approvers)}
	p.UpdatedAt, p.UpdatedBy = now, actor
	return p, Change{Entity: EntityPolicy, EntityID: p.Name, Action: "set-level",
		Details: map[string]string{"category": string(c), "level": string(l), "approvers": strings.Join(approvers, ",")}}, nil
}

// SetTypeCategory returns the policy with metadata type typeName moved to
// category c, changed by actor (an admin) at now, and the audit change.
func SetTypeCategory(p Policy, users Users, actor string, typeName string, c PolicyCategory, now time.Time) (Policy, Change, error) {
	if err := users.mustBeAdmin(actor, "policy "+p.Name); err != nil {
		return Policy{}, Change{}, err
	}
	if _, ok := metadata.LookupType(typeName); !ok {
		return Policy{}, Change{}, metadata.Validate(metadata.Component{Type: typeName, FullName: "x"})
	}
	if !slices.Contains(PolicyCategories, c) {
		return Policy{}, Change{}, fmt.Errorf("policy %s: unknown category %q", p.Name, c)
	}
	p = p.clone()
	if p.Types == nil {
		p.Types = map[string]PolicyCategory{}
	}
	p.Types[typeName] = c
	p.UpdatedAt, p.UpdatedBy = now, actor
	return p, Change{Entity: EntityPolicy, EntityID: p.Name, Action: "set-type",
		Details: map[string]string{"type": typeName, "category": string(c)}}, nil
}

func (p Policy) clone() Policy {
	out := p
	out.Rules = make(map[PolicyCategory]CategoryRule, len(p.Rules))
	for c, r := range p.Rules {
		r.Approvers = slices.Clone(r.Approvers)
		out.Rules[c] = r
	}
	if p.Types != nil {
		out.Types = make(map[string]PolicyCategory, len(p.Types))
		for t, c := range p.Types {
			out.Types[t] = c
		}
	}
	return out
}

// WithRequiredApprovers is have followed by the approvers the policy
// requires for components that have lacks; the requester, who may not
// approve their own request, is never added.
func (p Policy) WithRequiredApprovers(have []string, components []metadata.Component, requester string) []string {
	out := slices.Clone(have)
	for _, a := range p.RequiredApprovers(components) {
		if !SameUser(a, requester) && !slices.ContainsFunc(out, func(o string) bool { return SameUser(o, a) }) {
			out = append(out, a)
		}
	}
	return out
}

// RequiredApprovers are the approvers the policy adds to a change request
// holding components, in the order of PolicyCategories, without repeats.
func (p Policy) RequiredApprovers(components []metadata.Component) []string {
	var out []string
	for _, c := range p.categoriesOf(components) {
		for _, a := range p.Rule(c).Approvers {
			if !slices.ContainsFunc(out, func(o string) bool { return SameUser(o, a) }) {
				out = append(out, a)
			}
		}
	}
	return out
}

// RequiringCategories are the categories, among those of components, whose
// rule requires user as an approver, in the order of PolicyCategories;
// none when the policy does not require user for these components.
func (p Policy) RequiringCategories(user string, components []metadata.Component) []PolicyCategory {
	var out []PolicyCategory
	for _, c := range p.categoriesOf(components) {
		if slices.ContainsFunc(p.Rule(c).Approvers, func(a string) bool { return SameUser(a, user) }) {
			out = append(out, c)
		}
	}
	return out
}

// RequiredBy names, comma-separated, the categories that require user as an
// approver of components, as screens show it; "" when none does.
func (p Policy) RequiredBy(user string, components []metadata.Component) string {
	cats := p.RequiringCategories(user, components)
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// categoriesOf are the categories of components, in the order of
// PolicyCategories, without repeats.
func (p Policy) categoriesOf(components []metadata.Component) []PolicyCategory {
	has := map[PolicyCategory]bool{}
	for _, c := range components {
		has[p.CategoryOf(c.Type)] = true
	}
	var out []PolicyCategory
	for _, c := range PolicyCategories {
		if has[c] {
			out = append(out, c)
		}
	}
	return out
}
