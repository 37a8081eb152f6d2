package deploy

import (
	"fmt"
	"sort"
)

// Modal reports whether a question is open: the root's global keys wait.
func (m *Detail) Modal() bool { return m.dialog.Open() }

// Running names this session's steps still going ("DR-0004 Deploy"), so
// quitting can ask first and say what goes on without relman.
func (m *Detail) Running() []string {
	var out []string
	for _, r := range m.runs {
		if !r.done {
			out = append(out, fmt.Sprintf("%s %s", r.key, r.step))
		}
	}
	sort.Strings(out)
	return out
}
