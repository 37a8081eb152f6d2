package compare

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/sahilm/fuzzy"

	"relman/model/metadata"
)

// pickKind is what a picker chooses.
type pickKind uint8

const (
	pickSource pickKind = iota
	pickTarget
	pickCR
	pickTypes
	pickComponents
)

// pickItem is one choice: what is shown, and what choosing it means.
type pickItem struct {
	label, detail string
	// value is an environment or type name, a change request id as text,
	// or "" for the special first choice (a directory, no request).
	value string
	comp  metadata.Component
}

// picker is a list with a fuzzy filter, single or multiple choice, drawn as
// a box over the screen. The filter runs in a command over an immutable
// copy of the items' names, so a catalogue of 100,000 components stays
// responsive.
type picker struct {
	kind  pickKind
	title string
	multi bool
	// async filters in a command.
	async bool
	items []pickItem
	// names are what the filter matches; alts, when set, a second text
	// per item (a component's full name).
	names  []string
	alts   []string
	input  textinput.Model
	hits   []int
	marked map[int]bool
	cursor int
	offset int
	// seq counts queries; shown is the query the hits answer.
	seq, shown int
	loading    bool
}

// filteredMsg answers a filter of a picker's items.
type filteredMsg struct {
	kind pickKind
	seq  int
	hits []int
}

func newPicker(kind pickKind, title string, multi bool, items []pickItem) *picker {
	in := textinput.New()
	in.Prompt = "› "
	in.Placeholder = "type to filter"
	// A steady cursor: a blinking one redraws the whole screen twice a second.
	in.Cursor.SetMode(cursor.CursorStatic)
	p := &picker{kind: kind, title: title, multi: multi, input: in, marked: map[int]bool{}}
	p.setItems(items)
	return p
}

// setItems replaces the items (a catalogue that has arrived) and shows
// them all.
func (p *picker) setItems(items []pickItem) {
	p.items = items
	p.names = make([]string, len(items))
	p.alts = nil
	for i, it := range items {
		p.names[i] = it.label
		if it.comp.FullName != "" {
			if p.alts == nil {
				p.alts = make([]string, len(items))
			}
			p.alts[i] = it.comp.FullName
		}
	}
	p.seq++
	p.show(p.seq, allIndexes(len(items)))
}

// replaceItems puts items (a list that has arrived) in the picker and
// filters them by what was typed meanwhile.
func (p *picker) replaceItems(items []pickItem) tea.Cmd {
	p.setItems(items)
	if strings.TrimSpace(p.input.Value()) == "" {
		return nil
	}
	return p.filter()
}

func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// match returns the indexes of names matching q, best first; an empty
// query keeps the original order. Where alts is given, an item also
// matches by its alternative text (a component's full name without its
// type), with the better of the two scores: "acc" should find
// Account.Region__c before ApexClass:InvoiceService.
func match(names, alts []string, q string) []int {
	// Spaces separate words the user remembers ("account layout"); the
	// letters still have to come in order.
	q = strings.ReplaceAll(q, " ", "")
	if q == "" {
		return allIndexes(len(names))
	}
	best := map[int]int{}
	for _, set := range [][]string{names, alts} {
		for _, mt := range fuzzy.Find(q, set) {
			if s, ok := best[mt.Index]; !ok || mt.Score > s {
				best[mt.Index] = mt.Score
			}
		}
	}
	hits := make([]int, 0, len(best))
	for i := range best {
		hits = append(hits, i)
	}
	slices.SortFunc(hits, func(a, b int) int {
		if d := best[b] - best[a]; d != 0 {
			return d
		}
		return a - b
	})
	return hits
}

// filterCmd matches q against names in a command.
func filterCmd(kind pickKind, names, alts []string, q string, seq int) tea.Cmd {
	return func() tea.Msg {
		return filteredMsg{kind: kind, seq: seq, hits: match(names, alts, q)}
	}
}

// filter answers the input's query: at once for the short lists
// (environments, types, change requests), in a command for a catalogue,
// which can hold a hundred thousand components.
func (p *picker) filter() tea.Cmd {
	p.seq++
	if !p.async {
		p.show(p.seq, match(p.names, p.alts, p.input.Value()))
		return nil
	}
	return filterCmd(p.kind, p.names, p.alts, p.input.Value(), p.seq)
}

func (p *picker) filtered(msg filteredMsg) {
	if msg.kind == p.kind && msg.seq == p.seq {
		p.show(msg.seq, msg.hits)
	}
}

func (p *picker) show(seq int, hits []int) {
	p.hits, p.shown, p.cursor, p.offset = hits, seq, 0, 0
}

// settle makes the hits answer the current query before a choice, should
// the user have pressed enter before a command's answer arrived.
func (p *picker) settle() {
	if p.shown != p.seq {
		p.show(p.seq, match(p.names, p.alts, p.input.Value()))
	}
}

// move moves the cursor, keeping it inside a window of rows lines.
func (p *picker) move(delta, rows int) {
	p.cursor = max(0, min(p.cursor+delta, len(p.hits)-1))
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
}

// chosen is what enter picks: the marked items, else the one under the
// cursor.
func (p *picker) chosen() []pickItem {
	var out []pickItem
	for i, it := range p.items {
		if p.marked[i] {
			out = append(out, it)
		}
	}
	if len(out) == 0 && p.cursor < len(p.hits) {
		out = append(out, p.items[p.hits[p.cursor]])
	}
	return out
}

// update handles a key; done is set when the picker closes, with ok when
// the user chose.
func (p *picker) update(msg tea.KeyMsg, k keyMap, rows int) (cmd tea.Cmd, done, ok bool) {
	switch {
	case key.Matches(msg, k.Dismiss):
		return nil, true, false
	case key.Matches(msg, k.Accept):
		p.settle()
		return nil, true, len(p.hits) > 0
	case key.Matches(msg, k.ItemUp):
		p.move(-1, rows)
	case key.Matches(msg, k.ItemDown):
		p.move(1, rows)
	case key.Matches(msg, k.Mark):
		if p.cursor < len(p.hits) {
			i := p.hits[p.cursor]
			if p.marked[i] {
				delete(p.marked, i)
			} else {
				p.marked[i] = true
			}
			p.move(1, rows)
		}
	default:
		before := p.input.Value()
		p.input, cmd = p.input.Update(msg)
		if p.input.Value() != before {
			cmd = tea.Batch(cmd, p.filter())
		}
	}
	return cmd, false, false
}
