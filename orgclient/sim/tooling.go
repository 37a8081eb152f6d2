package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
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

// toolingResult is a Tooling query page (§4.1).
type toolingResult struct {
	Size           int               `json:"size"`
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	QueryLocator   *string           `json:"queryLocator"`
	NextRecordsURL string            `json:"nextRecordsUrl,omitempty"`
	EntityTypeName *string           `json:"entityTypeName"`
	Records        []json.RawMessage `json:"records"`
}

// toolingQuery is GET …/tooling/query/?q=: MetadataComponentDependency rows
// computed from the org's metadata, paged by Config.QueryPageSize.
func (s *Server) toolingQuery(w http.ResponseWriter, r *http.Request, ver string) {
	q, err := parseSOQL(r.URL.Query().Get("q"))
	if err != nil {
		writeRESTError(w, http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
		return
	}
	if !strings.EqualFold(q.object, dependencyEntity) {
		writeRESTError(w, http.StatusBadRequest, "INVALID_TYPE", "sObject type '"+q.object+"' is not supported. "+
			"If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "+
			"Please reference your WSDL or the describe call for the appropriate names.")
		return
	}
	fields, err := canonicalFields(q)
	if err != nil {
		writeRESTError(w, http.StatusBadRequest, "INVALID_FIELD", err.Error())
		return
	}
	rows, err := s.dependencies(r)
	if err != nil {
		writeRESTError(w, http.StatusInternalServerError, "UNKNOWN_EXCEPTION", err.Error())
		return
	}
	var records []json.RawMessage
	for _, row := range rows {
		if q.where.matches(row) {
			records = append(records, encodeRecord(ver, row, fields))
		}
	}
	if q.limit > 0 && len(records) > q.limit {
		records = records[:q.limit]
	}
	writeJSON(w, http.StatusOK, s.page(ver, s.cursorFor(records), records, 0))
}

// canonicalFields checks the query's fields (case-insensitive, as SOQL is)
// and rewrites them in canonical case.
func canonicalFields(q *soqlQuery) ([]string, error) {
	canon := func(f string) (string, error) {
		for _, c := range dependencyFields {
			if strings.EqualFold(c, f) {
				return c, nil
			}
		}
		return "", errors.New("No such column '" + f + "' on entity '" + dependencyEntity + "'. If you are attempting to use a custom field, " +
			"be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.")
	}
	var out []string
	for _, f := range q.fields {
		c, err := canon(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	var fix func(e *soqlExpr) error
	fix = func(e *soqlExpr) error {
		if e == nil {
			return nil
		}
		if e.op == "" {
			f, err := canon(e.cond.field)
			e.cond.field = f
			return err
		}
		for _, k := range e.kids {
			if err := fix(k); err != nil {
				return err
			}
		}
		return nil
	}
	return out, fix(q.where)
}

// matches evaluates the WHERE clause on a row (nil: every row).
func (e *soqlExpr) matches(row map[string]string) bool {
	switch {
	case e == nil:
		return true
	case e.op == "AND":
		for _, k := range e.kids {
			if !k.matches(row) {
				return false
			}
		}
		return true
	case e.op == "OR":
		return slices.ContainsFunc(e.kids, func(k *soqlExpr) bool { return k.matches(row) })
	}
	v, ok := row[e.cond.field]
	if !ok {
		v = soqlNull
	}
	return slices.Contains(e.cond.values, v) != e.cond.negate
}

// encodeRecord writes one record: attributes first, then the selected
// fields in the order asked; namespaces are null.
func encodeRecord(ver string, row map[string]string, fields []string) json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"attributes":{"type":"` + dependencyEntity + `","url":"/services/data/v` + ver +
		`/tooling/sobjects/` + dependencyEntity + `/000000000000000AAA"}`)
	for _, f := range fields {
		b.WriteString(`,"` + f + `":`)
		if v, ok := row[f]; ok {
			enc, _ := json.Marshal(v)
			b.Write(enc)
		} else {
			b.WriteString("null")
		}
	}
	b.WriteString("}")
	return b.Bytes()
}

// dependencies computes every MetadataComponentDependency row of the org:
// each reference (refs.go) whose target exists (§4.2).
func (s *Server) dependencies(r *http.Request) ([]map[string]string, error) {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	items, err := s.readOrgLocked(r.Context(), local.Filter{})
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
	byID  map[string][]json.RawMessage
	order []string // oldest first: the table keeps maxCursors
}

const maxCursors = 100

func (t *cursorTable) init() { t.byID = map[string][]json.RawMessage{} }

// cursorFor keeps records for paging when they need more than one page
// and returns their locator ("" when one page holds them all).
func (s *Server) cursorFor(records []json.RawMessage) string {
	if len(records) <= s.cfg.QueryPageSize {
		return ""
	}
	return s.cursors.add(records)
}

func (t *cursorTable) add(records []json.RawMessage) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := sfID("01g", "8d0000"+randomBody(6))
	t.byID[id] = records
	t.order = append(t.order, id)
	if len(t.order) > maxCursors {
		delete(t.byID, t.order[0])
		t.order = t.order[1:]
	}
	return id
}

func (t *cursorTable) get(id string) ([]json.RawMessage, bool) {
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

// page answers records[offset:] one page at a time; cursor is the locator
// holding them ("" when they fit one page).
func (s *Server) page(ver, cursor string, records []json.RawMessage, offset int) toolingResult {
	end := min(offset+s.cfg.QueryPageSize, len(records))
	out := toolingResult{Size: end - offset, TotalSize: len(records), Done: end == len(records),
		EntityTypeName: ptr(dependencyEntity), Records: slices.Clone(records[offset:end])}
	if out.Records == nil {
		out.Records, out.EntityTypeName = []json.RawMessage{}, nil
	}
	if !out.Done {
		loc := cursor + "-" + strconv.Itoa(end)
		out.QueryLocator = &loc
		out.NextRecordsURL = "/services/data/v" + ver + "/tooling/query/" + loc
	} else if cursor != "" {
		s.cursors.drop(cursor)
	}
	return out
}

// toolingNextPage is GET …/tooling/query/<locator>-<offset>.
func (s *Server) toolingNextPage(w http.ResponseWriter, ver, locator string) {
	i := strings.LastIndexByte(locator, '-')
	offset, err := strconv.Atoi(locator[i+1:])
	var records []json.RawMessage
	ok := false
	if i > 0 && err == nil {
		records, ok = s.cursors.get(locator[:i])
	}
	if !ok || offset < 0 || offset > len(records) {
		writeRESTError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	writeJSON(w, http.StatusOK, s.page(ver, locator[:i], records, offset))
}
