package editor

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"relman/model/metadata"
	"relman/ui/actions"
	"relman/ui/changes/filter"
)

// catalogue is the component list of one environment, loaded once and then
// shared read-only with filter commands.
type catalogue struct {
	env   string
	comps []metadata.Component
	// names are the components as "Type:FullName", what the picker matches.
	names []string
	// all is every index, the candidates of a fresh search.
	all    []int32
	exists map[metadata.Component]bool
}

func (c *catalogue) name(i int32) string { return c.names[i] }

// catalogueLoadedMsg answers loadCatalogue. It is keyed by environment, not
// by sequence: a list that arrives late is still right for its environment.
type catalogueLoadedMsg struct {
	env string
	cat *catalogue
	err error
}

func loadCatalogue(svc *actions.Service, env string) tea.Cmd {
	return func() tea.Msg {
		comps, err := svc.Components(context.Background(), env)
		if err != nil {
			return catalogueLoadedMsg{env: env, err: err}
		}
		return catalogueLoadedMsg{env: env, cat: newCatalogue(env, comps)}
	}
}

// newCatalogue sorts a copy of comps and indexes it for the picker.
func newCatalogue(env string, comps []metadata.Component) *catalogue {
	comps = append([]metadata.Component(nil), comps...)
	metadata.SortComponents(comps)
	c := &catalogue{env: env, comps: comps, names: make([]string, len(comps)), all: make([]int32, len(comps)),
		exists: make(map[metadata.Component]bool, len(comps))}
	for i, comp := range comps {
		c.names[i] = comp.String()
		c.all[i] = int32(i)
		c.exists[comp] = true
	}
	return c
}

// pickAnswer is the picker's result for one query over one catalogue.
type pickAnswer struct {
	cat   *catalogue
	query string
	hits  []filter.Hit // unused when query is "": every component, in order
}

func (a *pickAnswer) len() int {
	if a.query == "" {
		return len(a.cat.names)
	}
	return len(a.hits)
}

// at returns the catalogue index of the i-th result and its matched positions.
func (a *pickAnswer) at(i int) (int32, []int) {
	if a.query == "" {
		return int32(i), nil
	}
	return a.hits[i].Index, a.hits[i].Pos
}

// pickFilteredMsg carries a filter answer.
type pickFilteredMsg struct {
	seq    int
	answer *pickAnswer
}

// picker searches the home environment's components. Its state lives in the
// editor; filtering runs in commands that get the immutable catalogue.
type picker struct {
	input      textinput.Model
	catalogues map[string]*catalogue
	loading    map[string]bool
	failed     map[string]error
	env        string
	// answers holds the answers for the current query and its prefixes,
	// newest last: the base to narrow from when typing on, and an instant
	// answer when deleting back.
	answers []*pickAnswer
	shown   *pickAnswer
	seq     int
	running bool
	cancel  context.CancelFunc
	cursor  int
	offset  int
}

func (p *picker) query() string { return strings.TrimSpace(p.input.Value()) }

// catalogue is the current environment's list, or nil until it is loaded.
func (p *picker) catalogue() *catalogue { return p.catalogues[p.env] }

// search answers the current query: at once when it is empty or was
// answered before, else in a command narrowing from the longest answered
// prefix. A filter still running is cancelled first.
func (p *picker) search() tea.Cmd {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.seq++
	p.running = false
	cat, q := p.catalogue(), p.query()
	if cat == nil {
		p.shown, p.answers = nil, nil
		return nil
	}
	kept := p.answers[:0]
	for _, a := range p.answers {
		if a.cat == cat && strings.HasPrefix(q, a.query) {
			kept = append(kept, a)
		}
	}
	p.answers = kept
	if q == "" {
		p.show(&pickAnswer{cat: cat})
		p.answers = nil
		return nil
	}
	cands, from := cat.all, []filter.Hit(nil)
	if n := len(p.answers); n > 0 {
		if last := p.answers[n-1]; last.query == q {
			p.show(last)
			return nil
		}
		from = p.answers[n-1].hits
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.running = cancel, true
	seq := p.seq
	return func() tea.Msg {
		if from != nil {
			cands = filter.Indexes(from)
		}
		hits, ok := filter.Find(ctx, cat.name, cands, q)
		if !ok {
			return nil // superseded by a newer keystroke
		}
		return pickFilteredMsg{seq: seq, answer: &pickAnswer{cat: cat, query: q, hits: hits}}
	}
}

// filtered takes a filter answer unless a newer search superseded it.
func (p *picker) filtered(msg pickFilteredMsg) {
	if msg.seq != p.seq {
		return
	}
	p.running, p.cancel = false, nil
	p.answers = append(p.answers, msg.answer)
	p.show(msg.answer)
}

func (p *picker) show(a *pickAnswer) {
	p.shown, p.cursor, p.offset = a, 0, 0
}

// selected is the component under the cursor.
func (p *picker) selected() (metadata.Component, bool) {
	if p.shown == nil || p.cursor >= p.shown.len() {
		return metadata.Component{}, false
	}
	i, _ := p.shown.at(p.cursor)
	return p.shown.cat.comps[i], true
}

// move moves the cursor, keeping it inside a window of rows lines.
func (p *picker) move(delta, rows int) {
	if p.shown == nil {
		return
	}
	p.cursor = max(0, min(p.cursor+delta, p.shown.len()-1))
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
}

// reset forgets the query and answers (a new form), keeping the cache.
func (p *picker) reset() {
	if p.cancel != nil {
		p.cancel()
	}
	p.input.Reset()
	p.answers, p.shown, p.cancel, p.running = nil, nil, nil, false
	p.cursor, p.offset = 0, 0
	p.seq++
}
