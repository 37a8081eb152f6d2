package sim

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// dependencyEntity is the Tooling object the simulator answers (§4.2).
const dependencyEntity = "MetadataComponentDependency"

// dependencyFields are its fields, in canonical case.
var dependencyFields = []string{
	"MetadataComponentId", "MetadataComponentName", "MetadataComponentNamespace", "MetadataComponentType",
	"RefMetadataComponentId", "RefMetadataComponentName", "RefMetadataComponentNamespace", "RefMetadataComponentType",
}

// dependencies computes every MetadataComponentDependency row of the org:
// each reference (refs.go) whose target exists (§4.2).
func (s *Server) dependencies(ctx context.Context) ([]map[string]string, error) {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	items, err := s.readOrgLocked(ctx, local.Filter{})
	if err != nil {
		return nil, err
	}
	cs := make([]metadata.Component, len(items))
	for i, it := range items {
		cs[i] = it.Component
	}
	idx := newOrgIndex(cs)
	var rows []map[string]string
	for _, it := range items {
		files, err := readFiles(it)
		if err != nil {
			return nil, err
		}
		refs := references(it.Component, files, idx)
		slices.SortFunc(refs, func(a, b reference) int { return strings.Compare(a.to.String(), b.to.String()) })
		for _, ref := range refs {
			if !idx.has[ref.to] {
				continue
			}
			c := it.Component
			rows = append(rows, map[string]string{
				"MetadataComponentId": s.componentID(c), "MetadataComponentName": c.FullName, "MetadataComponentType": c.Type,
				"RefMetadataComponentId": s.componentID(ref.to), "RefMetadataComponentName": ref.to.FullName,
				"RefMetadataComponentType": ref.to.Type,
			})
		}
	}
	return rows, nil
}

// cursorTable keeps the rest of query results that did not fit one page,
// by query locator (§4.1 nextRecordsUrl).
type cursorTable struct {
	mu    sync.Mutex
	byID  map[string]queryCursor
	order []string // oldest first: the table keeps maxCursors
}

// queryCursor is the rest of a query's records, and what they are.
type queryCursor struct {
	records []json.RawMessage
	entity  string
	tooling bool
}

const maxCursors = 100

func (t *cursorTable) init() { t.byID = map[string]queryCursor{} }

// cursorFor keeps records for paging when they need more than one page
// and returns their locator ("" when one page holds them all).
func (s *Server) cursorFor(c queryCursor) string {
	if len(c.records) <= s.cfg.QueryPageSize {
		return ""
	}
	return s.cursors.add(c)
}

func (t *cursorTable) add(c queryCursor) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := sfID("01g", "8d0000"+randomBody(6))
	t.byID[id] = c
	t.order = append(t.order, id)
	if len(t.order) > maxCursors {
		delete(t.byID, t.order[0])
		t.order = t.order[1:]
	}
	return id
}

func (t *cursorTable) get(id string) (queryCursor, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.byID[id]
	return r, ok
}

func (t *cursorTable) drop(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.byID, id)
	t.order = slices.DeleteFunc(t.order, func(o string) bool { return o == id })
}
