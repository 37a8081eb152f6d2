package changes

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/store"
	"relman/ui/changes/filter"
	"relman/ui/termsafe"
)

// statusTab is one tab of the list: every change request, or one status.
type statusTab struct {
	label, short string
	status       model.Status // "" for All
}

// statusTabs are the list's tabs in process order. The short labels are used
// when the full ones do not fit the width.
var statusTabs = []statusTab{
	{"All", "All", ""},
	{string(model.StatusInProgress), "In Prog.", model.StatusInProgress},
	{string(model.StatusPending), "Pending", model.StatusPending},
	{string(model.StatusApproved), "Approved", model.StatusApproved},
	{string(model.StatusRejected), "Rejected", model.StatusRejected},
	{string(model.StatusCompleted), "Completed", model.StatusCompleted},
	{string(model.StatusCancelled), "Cancelled", model.StatusCancelled},
}

// row is what the list needs of one change request. Rows are built in the
// load and search commands, so a frame never looks at a ChangeRequest.
type row struct {
	id         int64
	key        string
	status     model.Status
	env        string
	requester  string
	components int
	updated    time.Time
	name       string
	// title is "key name": the filter matches it first, and its matches
	// are highlighted in the key and name columns.
	title string
	// deployments are the request's deployment records; rolledBack is the
	// key of the rollback that undid one of them, "" when none did, found
	// by markRolledBack for the rows a page or a search keeps.
	deployments []int64
	rolledBack  string
	// more is the overview and the component names, matched when the
	// title does not match: such rows rank after every title match, since
	// fuzzy scores drop with text length and a long overview would
	// otherwise bury the change request whose name was typed.
	more string
}

// nameStart is the byte offset of the name in title.
func (r row) nameStart() int { return len(r.key) + 1 }

func newRow(cr model.ChangeRequest) row {
	name := termsafe.Line(cr.Name)
	var sb strings.Builder
	sb.WriteString(cr.Overview)
	for _, c := range cr.Components() {
		sb.WriteByte(' ')
		sb.WriteString(c.String())
	}
	return row{id: cr.ID, key: cr.Key(), status: cr.Status(), env: termsafe.Line(cr.Env), requester: termsafe.Line(cr.Requester),
		components: len(cr.Customizations) + len(cr.Proposed), updated: cr.UpdatedAt, name: name, deployments: cr.Deployments,
		title: cr.Key() + " " + name, more: sb.String()}
}

// listData is one load: how many change requests each tab holds, and a
// window of one tab's rows read from the store's recency index. The list
// never holds every change request: with a million of them it shows the
// rows on screen from a window of a few hundred. It is never changed after
// it is built.
type listData struct {
	counts []int
	tab    int
	// start is the position in the tab (0 = most recent) of rows[0].
	start int
	rows  []row
	// Widest key, status, environment and requester of the window, so
	// columns fit their content.
	keyW, statusW, envW, reqW int
}

// statusText is the row's status, and the rollback that undid one of its
// deployments, as the change request detail says it.
func (r *row) statusText() string {
	if r.rolledBack != "" {
		return string(r.status) + " · rolled back (" + r.rolledBack + ")"
	}
	return string(r.status)
}

// markRolledBack finds, for rows with deployment records, the completed
// rollback of one of them. Only a deployment whose status says it was
// rolled back has its rollbacks read, so a page costs a read per
// deployment record on it, not a decode of every rollback.
func markRolledBack(tx *store.Tx, rows []row) error {
	for i := range rows {
		for _, id := range rows[i].deployments {
			dr, err := tx.Deployment(id)
			if err != nil {
				return err
			}
			if dr.Status != model.DeployRolledBack {
				continue
			}
			rbs, err := tx.ListRollbacks(id)
			if err != nil {
				return err
			}
			if rb, ok := model.CompletedRollback(rbs); ok {
				rows[i].rolledBack = rb.Key()
				break
			}
		}
	}
	return nil
}

// covers reports whether the window holds positions [from, to) of tab.
func (d *listData) covers(tab, from, to int) bool {
	if d == nil || d.tab != tab {
		return false
	}
	to = min(to, d.counts[tab])
	return from >= d.start && to <= d.start+len(d.rows)
}

// at is the row at position i of the window's tab, nil outside it.
func (d *listData) at(i int) *row {
	if i < d.start || i >= d.start+len(d.rows) {
		return nil
	}
	return &d.rows[i-d.start]
}

// loadWindow reads, in one read transaction, every tab's count and the n
// rows of tab from position start.
func loadWindow(st *store.Store, tab, start, n int) (*listData, error) {
	d := &listData{counts: make([]int, len(statusTabs)), tab: tab, start: start}
	err := st.View(func(tx *store.Tx) error {
		c, err := tx.CountCRsByStatus()
		if err != nil {
			return err
		}
		d.counts[0] = c.Total
		for i, t := range statusTabs[1:] {
			d.counts[i+1] = c.ByStatus[t.status]
		}
		// A window past the end (the tab shrank) slides back to its last page.
		d.start = max(0, min(start, d.counts[tab]-n))
		err = tx.EachCR(store.CRQuery{Status: statusTabs[tab].status, Offset: d.start, Limit: n}, func(cr model.ChangeRequest) error {
			d.rows = append(d.rows, newRow(cr))
			return nil
		})
		if err != nil {
			return err
		}
		return markRolledBack(tx, d.rows)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range d.rows {
		d.keyW = max(d.keyW, len(r.key))
		d.statusW = max(d.statusW, ansi.StringWidth(r.statusText()))
		d.envW = max(d.envW, ansi.StringWidth(r.env))
		d.reqW = max(d.reqW, ansi.StringWidth(r.requester))
	}
	return d, nil
}

// maxHits bounds the matches a search keeps: the best ones, so a query
// that matches most of a million change requests costs little memory.
const maxHits = 5000

// searchChunk is how many change requests are read (in one read
// transaction) and matched at a time; tests make it smaller.
var searchChunk = 8192

// filterResult is one search answer: the matching rows, best first.
type filterResult struct {
	tab   int
	query string
	// rows are the kept matches; hits index them, best first.
	rows []row
	hits []filter.Hit
	// total is how many matched; more than len(hits) when only the best
	// maxHits were kept.
	total int
}

// complete reports whether every match is kept, so a longer query can be
// answered from these rows alone.
func (r *filterResult) complete() bool { return r.total == len(r.hits) }

// match is one kept match while a search runs.
type match struct {
	r      row
	pos    []int
	score  int
	inMore bool // matched in the overview or components, not the title
	seq    int  // recency position, for ties
}

func better(a, b match) int {
	if a.inMore != b.inMore {
		if a.inMore {
			return 1
		}
		return -1
	}
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// search finds query in tab's change requests: in from's rows when given
// (a narrowing of a complete earlier answer), else read from the store a
// chunk at a time. Title matches come first, best first, then the rows that
// match only in their overview or components. ok is false when ctx was
// cancelled.
func search(ctx context.Context, st *store.Store, tab int, query string, from *filterResult) (*filterResult, bool, error) {
	var kept []match
	total, seq := 0, 0
	var chunk []row
	flush := func() bool {
		ms, ok := findIn(ctx, chunk, query)
		if !ok {
			return false
		}
		for i := range ms {
			ms[i].seq += seq
		}
		seq += len(chunk)
		total += len(ms)
		kept = append(kept, ms...)
		if len(kept) > 2*maxHits {
			slices.SortFunc(kept, better)
			kept = kept[:maxHits]
		}
		chunk = chunk[:0]
		return true
	}
	if from != nil {
		for _, h := range from.hits {
			chunk = append(chunk, from.rows[h.Index])
		}
		// Back in the store's order, so ties break as in a full search.
		slices.SortFunc(chunk, func(a, b row) int {
			if c := b.updated.Compare(a.updated); c != 0 {
				return c
			}
			return cmp.Compare(b.id, a.id)
		})
		if !flush() {
			return nil, false, nil
		}
	} else {
		// A read transaction per chunk, continuing from the last one read:
		// the store stays free for writers while a long search runs.
		q := store.CRQuery{Status: statusTabs[tab].status, Limit: searchChunk}
		for {
			var last model.ChangeRequest
			err := st.View(func(tx *store.Tx) error {
				return tx.EachCR(q, func(cr model.ChangeRequest) error {
					chunk, last = append(chunk, newRow(cr)), cr
					return nil
				})
			})
			if err != nil {
				return nil, true, err
			}
			done := len(chunk) < searchChunk
			if !flush() {
				return nil, false, nil
			}
			if done {
				break
			}
			q.After = store.CRCursorOf(last)
		}
	}
	slices.SortFunc(kept, better)
	kept = kept[:min(len(kept), maxHits)]
	res := &filterResult{tab: tab, query: query, total: total, rows: make([]row, len(kept)), hits: make([]filter.Hit, len(kept))}
	for i, m := range kept {
		res.rows[i] = m.r
		res.hits[i] = filter.Hit{Index: int32(i), Score: m.score, Pos: m.pos}
	}
	if from == nil { // rows narrowed from an earlier answer are marked already
		if err := st.View(func(tx *store.Tx) error { return markRolledBack(tx, res.rows) }); err != nil {
			return nil, true, err
		}
	}
	return res, true, nil
}

// findIn matches query against rows: their titles, then the overview and
// components of the rows whose title did not match.
func findIn(ctx context.Context, rows []row, query string) ([]match, bool) {
	all := make([]int32, len(rows))
	for i := range all {
		all[i] = int32(i)
	}
	titled, ok := filter.Find(ctx, func(i int32) string { return rows[i].title }, all, query)
	if !ok {
		return nil, false
	}
	inTitle := make(map[int32]bool, len(titled))
	out := make([]match, 0, len(titled))
	for _, h := range titled {
		inTitle[h.Index] = true
		out = append(out, match{r: rows[h.Index], pos: h.Pos, score: h.Score, seq: int(h.Index)})
	}
	rest := make([]int32, 0, len(rows)-len(titled))
	for _, c := range all {
		if !inTitle[c] {
			rest = append(rest, c)
		}
	}
	others, ok := filter.Find(ctx, func(i int32) string { return rows[i].more }, rest, query)
	if !ok {
		return nil, false
	}
	for _, h := range others {
		// No positions: they are in text that is not on screen.
		out = append(out, match{r: rows[h.Index], score: h.Score, inMore: true, seq: int(h.Index)})
	}
	return out, true
}
