package review

import (
	"slices"
	"sort"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"relman/ui/theme"
)

// searchState is the search in the diff: the query, the lines of the shown
// doc that match it, and those lines' rows in the shown layout.
type searchState struct {
	input   textinput.Model
	editing bool
	query   string
	fold    bool
	seq     int
	// origin is the cursor row when the search was opened: matches are
	// looked for from there while typing, and cancelling returns to it.
	origin int
	doc    *diffDoc
	lines  []int32
	rows   []int32
}

// searchedMsg answers a search of one doc.
type searchedMsg struct {
	seq   int
	doc   *diffDoc
	lines []int32
}

func newSearch(st *theme.Styles) searchState {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search the diff"
	in.PlaceholderStyle = st.Placeholder
	// A steady cursor: a blinking one redraws the whole screen twice a second.
	in.Cursor.SetMode(cursor.CursorStatic)
	return searchState{input: in}
}

// active reports whether a query is applied.
func (s *searchState) active() bool { return s.query != "" }

func (s *searchState) clear() {
	s.query, s.lines, s.rows, s.doc = "", nil, nil, nil
	s.editing = false
	s.input.Blur()
	s.seq++
}

// searchCmd finds the lines of d whose text contains q.
func searchCmd(d *diffDoc, q string, fold bool, seq int) tea.Cmd {
	return func() tea.Msg {
		var lines []int32
		for i, l := range d.lines {
			if indexFold(l.Text, q, fold) >= 0 {
				lines = append(lines, int32(i))
			}
		}
		return searchedMsg{seq: seq, doc: d, lines: lines}
	}
}

// run searches d for the input's text.
func (s *searchState) run(d *diffDoc) tea.Cmd {
	s.seq++
	s.query, s.fold = foldQuery(s.input.Value())
	s.lines, s.rows = nil, nil
	if s.query == "" || d == nil {
		return nil
	}
	return searchCmd(d, s.query, s.fold, s.seq)
}

// rerun searches a newly shown doc for the applied query.
func (s *searchState) rerun(d *diffDoc) tea.Cmd {
	if s.query == "" {
		return nil
	}
	s.seq++
	s.lines, s.rows = nil, nil
	return searchCmd(d, s.query, s.fold, s.seq)
}

// remap finds the matching lines' rows in the view's layout.
func (s *searchState) remap(v *diffView) {
	s.rows = s.rows[:0]
	if s.doc != v.doc || v.doc == nil {
		return
	}
	lineRow := v.lay.rs.lineRow
	for _, l := range s.lines {
		s.rows = append(s.rows, lineRow[l])
	}
	slices.Sort(s.rows)
	s.rows = slices.Compact(s.rows)
}

// position is the 1-based number of the match at or before the cursor.
func (s *searchState) position(cursor int) int {
	return sort.Search(len(s.rows), func(i int) bool { return int(s.rows[i]) > cursor })
}

// open starts typing a query, from the one applied.
func (s *searchState) open(cursor int) tea.Cmd {
	s.editing, s.origin = true, cursor
	s.input.SetValue(s.query)
	s.input.CursorEnd()
	return s.input.Focus()
}

func (m *Model) searchKey(msg tea.KeyMsg) tea.Cmd {
	s, k := &m.search, m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		origin := s.origin
		s.clear()
		m.dv.cursor = origin
		m.dv.clamp(m.diffBodyHeight())
	case key.Matches(msg, k.Accept):
		s.editing = false
		s.input.Blur()
		if s.input.Value() == "" {
			s.clear()
		}
	default:
		before := s.input.Value()
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		if s.input.Value() == before {
			return cmd
		}
		return tea.Batch(cmd, s.run(m.dv.doc))
	}
	return nil
}

func (m *Model) searched(msg searchedMsg) {
	s := &m.search
	if msg.seq != s.seq {
		return
	}
	s.doc, s.lines = msg.doc, msg.lines
	s.remap(&m.dv)
	if s.editing && len(s.rows) > 0 {
		// Typing moves to the first match from where the search began.
		i := sort.Search(len(s.rows), func(i int) bool { return int(s.rows[i]) >= s.origin })
		m.dv.goTo(int(s.rows[i%len(s.rows)]), m.diffBodyHeight())
	}
}

// stepMatch moves to the next (dir 1) or previous match, wrapping around.
func (m *Model) stepMatch(dir int) {
	rows := m.search.rows
	if len(rows) == 0 {
		return
	}
	cur := m.dv.cursor
	var i int
	if dir > 0 {
		i = sort.Search(len(rows), func(i int) bool { return int(rows[i]) > cur }) % len(rows)
	} else {
		i = sort.Search(len(rows), func(i int) bool { return int(rows[i]) >= cur }) - 1
		if i < 0 {
			i = len(rows) - 1
		}
	}
	m.dv.goTo(int(rows[i]), m.diffBodyHeight())
}
