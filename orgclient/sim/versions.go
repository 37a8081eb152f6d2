package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// The API versions the simulated org serves: 21.0–30.0 are retired (§ intro
// of salesforce-api.md); 68.0 is Winter '27, the newest release the docs list.
const (
	oldestVersion = 31
	latestVersion = 68
)

// versionInfo is one entry of GET /services/data/ (§1.7).
type versionInfo struct {
	Label   string `json:"label"`
	URL     string `json:"url"`
	Version string `json:"version"`
}

// releaseLabel names the release of an API version: 62.0 is Winter '25 and
// each version after it is the next of Spring, Summer, Winter.
func releaseLabel(v int) string {
	off := v - 62
	year := 25 + floorDiv(off, 3)
	season := [...]string{"Winter", "Spring", "Summer"}[off-3*floorDiv(off, 3)]
	return fmt.Sprintf("%s '%02d", season, year)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func versions() []versionInfo {
	out := make([]versionInfo, 0, latestVersion-oldestVersion+1)
	for v := oldestVersion; v <= latestVersion; v++ {
		out = append(out, versionInfo{Label: releaseLabel(v), URL: fmt.Sprintf("/services/data/v%d.0", v), Version: fmt.Sprintf("%d.0", v)})
	}
	return out
}

// versionStatus says whether an API version ("62.0") is served.
type versionStatus int

const (
	versionOK versionStatus = iota
	versionRetired
	versionUnknown
)

// checkVersion parses "62.0" and classifies it; the canonical form is
// returned for served versions.
func checkVersion(s string) (string, versionStatus) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "eE+-") || f != float64(int(f)) {
		return "", versionUnknown
	}
	v := int(f)
	switch {
	case v < oldestVersion && v >= 1:
		return "", versionRetired
	case v < 1 || v > latestVersion:
		return "", versionUnknown
	}
	return fmt.Sprintf("%d.0", v), versionOK
}
