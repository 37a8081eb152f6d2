package changes

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"relman/model"
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

// row is what the list needs of one change request. Rows are built once per
// load, in the load command, so a frame never looks at a ChangeRequest.
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
	// more is the overview and the component names, matched when the
	// title does not match: such rows rank after every title match, since
	// fuzzy scores drop with text length and a long overview would
	// otherwise bury the change request whose name was typed.
	more string
}

// nameStart is the byte offset of the name in title.
func (r row) nameStart() int { return len(r.key) + 1 }

// listData is one loaded snapshot. It is never changed after it is built, so
// filter commands can read it while Update moves on.
type listData struct {
	rows []row
	// byTab holds, per tab, the indexes of its rows in recency order.
	byTab [][]int32
	// Widest key, environment and requester, so columns fit their content.
	keyW, envW, reqW int
}

// newListData builds the snapshot from change requests in recency order.
func newListData(crs []model.ChangeRequest) *listData {
	d := &listData{rows: make([]row, len(crs)), byTab: make([][]int32, len(statusTabs))}
	tabOf := make(map[model.Status]int, len(statusTabs))
	for i, t := range statusTabs {
		tabOf[t.status] = i
	}
	d.byTab[0] = make([]int32, len(crs))
	var sb strings.Builder
	for i, cr := range crs {
		name := termsafe.Line(cr.Name)
		sb.Reset()
		sb.WriteString(cr.Overview)
		for _, c := range cr.Components() {
			sb.WriteByte(' ')
			sb.WriteString(c.String())
		}
		r := row{id: cr.ID, key: cr.Key(), status: cr.Status(), env: termsafe.Line(cr.Env), requester: termsafe.Line(cr.Requester),
			components: len(cr.Customizations) + len(cr.Proposed), updated: cr.UpdatedAt, name: name,
			title: cr.Key() + " " + name, more: sb.String()}
		d.rows[i] = r
		d.byTab[0][i] = int32(i)
		if t, ok := tabOf[r.status]; ok {
			d.byTab[t] = append(d.byTab[t], int32(i))
		}
		d.keyW = max(d.keyW, len(r.key))
		d.envW = max(d.envW, ansi.StringWidth(r.env))
		d.reqW = max(d.reqW, ansi.StringWidth(r.requester))
	}
	return d
}

// find filters the candidate rows for query: title matches first, best
// first, then the rows that match only in their overview or components.
// ok is false when ctx was cancelled.
func (d *listData) find(ctx context.Context, cands []int32, query string) (hits []filter.Hit, ok bool) {
	titled, ok := filter.Find(ctx, func(i int32) string { return d.rows[i].title }, cands, query)
	if !ok {
		return nil, false
	}
	inTitle := make(map[int32]bool, len(titled))
	for _, h := range titled {
		inTitle[h.Index] = true
	}
	rest := make([]int32, 0, len(cands)-len(titled))
	for _, c := range cands {
		if !inTitle[c] {
			rest = append(rest, c)
		}
	}
	others, ok := filter.Find(ctx, func(i int32) string { return d.rows[i].more }, rest, query)
	if !ok {
		return nil, false
	}
	for i := range others {
		others[i].Pos = nil // positions in text that is not on screen
	}
	return append(titled, others...), true
}
