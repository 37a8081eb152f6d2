package rollback

import (
	"fmt"
	"sort"

	"relman/model"
)

// Modal reports whether a question is open: the root's global keys wait.
func (m *Model) Modal() bool { return m.dialog.Open() }

// Running names this session's rollbacks still going ("RB-0002 in
// production"), so quitting can ask first.
func (m *Model) Running() []string {
	var out []string
	for id, r := range m.runs {
		if !r.done {
			out = append(out, fmt.Sprintf("%s in %s", model.FormatID(model.PrefixRollback, id), r.target))
		}
	}
	sort.Strings(out)
	return out
}
