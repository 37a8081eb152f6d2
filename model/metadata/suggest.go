package metadata

import (
	"fmt"
	"sort"
	"strings"
)

// UnknownTypeError reports a type name that is not in the registry, with the
// closest known names.
type UnknownTypeError struct {
	Type        string
	Suggestions []string
}

// Error names the type and suggests the closest known type names.
func (e *UnknownTypeError) Error() string {
	msg := fmt.Sprintf("unknown metadata type %q", e.Type)
	switch len(e.Suggestions) {
	case 0:
		return msg + "; type names are Metadata API names such as ApexClass or CustomField"
	case 1:
		return msg + "; did you mean " + e.Suggestions[0] + "?"
	default:
		return msg + "; did you mean " + strings.Join(e.Suggestions[:len(e.Suggestions)-1], ", ") + " or " + e.Suggestions[len(e.Suggestions)-1] + "?"
	}
}

func unknownTypeError(name string) error {
	return &UnknownTypeError{Type: name, Suggestions: SuggestTypes(name)}
}

// SuggestTypes returns up to three registered type names closest to name:
// a case-insensitive match first, then names within a small edit distance or
// containing name.
func SuggestTypes(name string) []string {
	lower := strings.ToLower(strings.TrimSpace(name))
	if lower == "" {
		return nil
	}
	if t, ok := typesByLower[lower]; ok {
		return []string{t.Name}
	}
	// A name containing what was typed ranks after every close spelling:
	// first those ending in it ("field" → CustomField), then the shorter.
	type cand struct {
		name      string
		dist      int
		contained int // 0 close spelling, 1 ends with the input, 2 contains it
	}
	var cands []cand
	limit := max(2, len(lower)/3)
	for _, t := range sortedTypes {
		tl := strings.ToLower(t.Name)
		d, contained := editDistance(lower, tl), 0
		if d > limit && len(lower) >= 4 && strings.Contains(tl, lower) {
			d, contained = limit, 2
			if strings.HasSuffix(tl, lower) {
				contained = 1
			}
		}
		if d <= limit {
			cands = append(cands, cand{t.Name, d, contained})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.contained != b.contained {
			return a.contained < b.contained
		}
		return len(a.name) < len(b.name)
	})
	var out []string
	for i := 0; i < len(cands) && i < 3; i++ {
		out = append(out, cands[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
