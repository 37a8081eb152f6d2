package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind prefixes of the displayed ids: CR-0042, DR-0007, RB-0003, CL-0012.
const (
	PrefixChangeRequest = "CR"
	PrefixDeployment    = "DR"
	PrefixRollback      = "RB"
	PrefixCompareLog    = "CL"
)

// FormatID renders an id the way users see it, e.g. FormatID("CR", 42) = "CR-0042".
func FormatID(prefix string, id int64) string {
	return fmt.Sprintf("%s-%04d", prefix, id)
}

// ParseID accepts "42", "CR-0042" or "cr-42" for prefix "CR". A different
// prefix, a non-number or a non-positive number is an error naming the input.
func ParseID(prefix, s string) (int64, error) {
	raw := strings.TrimSpace(s)
	num := raw
	if p, rest, ok := strings.Cut(raw, "-"); ok {
		if !strings.EqualFold(p, prefix) {
			return 0, fmt.Errorf("id %q: expected a %s id such as %s or 42", s, prefix, FormatID(prefix, 42))
		}
		num = rest
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("id %q: expected a %s id such as %s or 42", s, prefix, FormatID(prefix, 42))
	}
	return id, nil
}
