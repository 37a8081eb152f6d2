package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dataPage is a page of query results as the data API answers (§4.1).
type dataPage struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl,omitempty"`
	Records        []json.RawMessage `json:"records"`
}

// toolingPage is the Tooling API's page: the data API's plus size,
// queryLocator and entityTypeName, nulls written out.
type toolingPage struct {
	Size int `json:"size"`
	dataPage
	QueryLocator   *string `json:"queryLocator"`
	EntityTypeName *string `json:"entityTypeName"`
}

// answer is the page in the form of the API that was asked.
func (p toolingPage) answer(tooling bool) any {
	if tooling {
		return p
	}
	return p.dataPage
}

// invalidType is the INVALID_TYPE text of a real org.
func invalidType(object string) string {
	return "sObject type '" + object + "' is not supported. If you are attempting to use a custom object, be sure to append " +
		"the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
}

// noSuchColumn is the INVALID_FIELD text of a real org.
func noSuchColumn(field, object string) string {
	return "No such column '" + field + "' on entity '" + object + "'. If you are attempting to use a custom field, " +
		"be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
}

// query is GET …/query/?q= and …/tooling/query/?q= (§4.1): the setup
// objects of sobjects.go, filtered, ordered and paged by
// Config.QueryPageSize.
func (s *Server) query(w http.ResponseWriter, r *http.Request, ver string, tooling bool) {
	q, err := parseSOQL(r.URL.Query().Get("q"))
	if err != nil {
		writeRESTError(w, http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
		return
	}
	obj := s.lookupSObject(q.object, tooling)
	if obj == nil {
		// A real org quotes the query with a caret under the object.
		soql := r.URL.Query().Get("q")
		writeRESTError(w, http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("\n%s\n%s^\nERROR at Row:1:Column:%d\n%s",
			soql, strings.Repeat(" ", q.objectCol-1), q.objectCol, invalidType(q.object)))
		return
	}
	if obj.restricted && (q.count || len(q.order) > 0 || q.where.uses("LIKE")) {
		writeRESTError(w, http.StatusBadRequest, "MALFORMED_QUERY", obj.name+" does not support COUNT(), ORDER BY or LIKE")
		return
	}
	fields, err := obj.canonical(q)
	if err != nil {
		writeRESTError(w, http.StatusBadRequest, "INVALID_FIELD", err.Error())
		return
	}
	all, err := obj.records(s, r.Context())
	if err != nil {
		writeRESTError(w, http.StatusInternalServerError, "UNKNOWN_EXCEPTION", err.Error())
		return
	}
	var rows []*sobjectRecord
	for _, rec := range all {
		if q.where.matches(rec) {
			rows = append(rows, rec)
		}
	}
	sortRecords(rows, q.order)
	rows = rows[min(q.offset, len(rows)):]
	if q.limit > 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	if r.URL.Query().Get("columns") == "true" {
		writeJSON(w, http.StatusOK, columnsOf(obj, fields, q.count, all))
		return
	}
	if q.count {
		writeJSON(w, http.StatusOK, toolingPage{dataPage: dataPage{TotalSize: len(rows), Done: true, Records: []json.RawMessage{}}}.answer(tooling))
		return
	}
	records := make([]json.RawMessage, len(rows))
	for i, rec := range rows {
		records[i] = rec.encode(ver, tooling, fields)
	}
	c := queryCursor{records: records, entity: obj.name, tooling: tooling}
	writeJSON(w, http.StatusOK, s.page(ver, s.cursorFor(c), c, 0).answer(tooling))
}

// queryColumn is one entry of columnMetadata, the answer to a query with
// columns=true that the Salesforce CLI asks to lay out its table.
type queryColumn struct {
	Aggregate      bool          `json:"aggregate"`
	ApexType       *string       `json:"apexType"`
	BooleanType    bool          `json:"booleanType"`
	ColumnName     string        `json:"columnName"`
	Custom         bool          `json:"custom"`
	DisplayName    string        `json:"displayName"`
	ForeignKeyName *string       `json:"foreignKeyName"`
	Insertable     bool          `json:"insertable"`
	JoinColumns    []queryColumn `json:"joinColumns"`
	NumberType     bool          `json:"numberType"`
	TextType       bool          `json:"textType"`
	Updatable      bool          `json:"updatable"`
}

type queryColumns struct {
	ColumnMetadata []queryColumn `json:"columnMetadata"`
	EntityName     string        `json:"entityName"`
	GroupBy        bool          `json:"groupBy"`
	IDSelected     bool          `json:"idSelected"`
	KeyPrefix      *string       `json:"keyPrefix"`
}

// columnsOf describes the query's columns, typed from the records' values.
func columnsOf(obj *sobject, fields []string, count bool, all []*sobjectRecord) queryColumns {
	out := queryColumns{ColumnMetadata: []queryColumn{}, EntityName: obj.name}
	if len(all) > 0 && len(all[0].id) == 18 {
		out.KeyPrefix = ptr(all[0].id[:3])
	}
	column := func(name, display string, sample any) queryColumn {
		c := queryColumn{ColumnName: name, DisplayName: display, JoinColumns: []queryColumn{}}
		typ := "String"
		switch sample.(type) {
		case bool:
			typ, c.BooleanType = "Boolean", true
		case int:
			typ, c.NumberType = "Integer", true
		case float64, double:
			typ, c.NumberType = "Double", true
		default:
			c.TextType = true
			if name == "Id" || strings.HasSuffix(name, "Id") {
				typ, c.TextType = "Id", false
			}
		}
		c.ApexType = &typ
		return c
	}
	if count {
		out.ColumnMetadata = append(out.ColumnMetadata, queryColumn{Aggregate: true, ColumnName: "expr0", DisplayName: "COUNT()", JoinColumns: []queryColumn{}, NumberType: true, ApexType: ptr("Integer")})
		return out
	}
	byRel := map[string]int{}
	for _, f := range fields {
		var first any
		rel, sub, nested := strings.Cut(f, ".")
		if len(all) > 0 {
			first = all[0].values[f]
		}
		if !nested {
			out.IDSelected = out.IDSelected || f == "Id"
			out.ColumnMetadata = append(out.ColumnMetadata, column(f, f, first))
			continue
		}
		i, ok := byRel[rel]
		if !ok {
			i = len(out.ColumnMetadata)
			byRel[rel] = i
			out.ColumnMetadata = append(out.ColumnMetadata, queryColumn{ColumnName: rel, DisplayName: rel, JoinColumns: []queryColumn{}, ForeignKeyName: ptr(obj.rels[rel])})
		}
		out.ColumnMetadata[i].JoinColumns = append(out.ColumnMetadata[i].JoinColumns, column(sub, f, ""))
	}
	return out
}

// canonical checks the query's fields (case-insensitive, as SOQL is) and
// rewrites them, and those of WHERE and ORDER BY, in canonical case.
func (o *sobject) canonical(q *soqlQuery) ([]string, error) {
	canon := func(f string) (string, error) {
		rel, sub, nested := strings.Cut(f, ".")
		if nested {
			for name := range o.rels {
				if strings.EqualFold(name, rel) && (strings.EqualFold(sub, "Name") || strings.EqualFold(sub, "Id")) {
					return name + "." + strings.ToUpper(sub[:1]) + strings.ToLower(sub[1:]), nil
				}
			}
			return "", noSuchRelation(rel, o.name)
		}
		for _, c := range o.fields {
			if strings.EqualFold(c, f) {
				return c, nil
			}
		}
		return "", errorString(noSuchColumn(f, o.name))
	}
	var out []string
	for _, f := range q.fields {
		c, err := canon(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	for i := range q.order {
		c, err := canon(q.order[i].field)
		if err != nil {
			return nil, err
		}
		q.order[i].field = c
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

type errorString string

func (e errorString) Error() string { return string(e) }

func noSuchRelation(rel, object string) error {
	return errorString("Didn't understand relationship '" + rel + "' in field path. If you are attempting to use a custom " +
		"relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.")
}

// uses reports whether a condition of the expression uses op.
func (e *soqlExpr) uses(op string) bool {
	if e == nil {
		return false
	}
	if e.op == "" {
		return e.cond.op == op
	}
	return slices.ContainsFunc(e.kids, func(k *soqlExpr) bool { return k.uses(op) })
}

// matches evaluates the WHERE clause on a record (nil: every record).
// Text compares case-insensitively, as SOQL does.
func (e *soqlExpr) matches(rec *sobjectRecord) bool {
	switch {
	case e == nil:
		return true
	case e.op == "AND":
		for _, k := range e.kids {
			if !k.matches(rec) {
				return false
			}
		}
		return true
	case e.op == "OR":
		return slices.ContainsFunc(e.kids, func(k *soqlExpr) bool { return k.matches(rec) })
	}
	v, c := rec.value(e.cond.field), e.cond
	switch c.op {
	case "LIKE":
		return v != soqlNull && like(strings.ToLower(v), strings.ToLower(c.values[0]))
	case "<", ">", "<=", ">=":
		if v == soqlNull || c.values[0] == soqlNull {
			return false
		}
		n := compareValues(v, c.values[0])
		return map[string]bool{"<": n < 0, ">": n > 0, "<=": n <= 0, ">=": n >= 0}[c.op]
	}
	return slices.ContainsFunc(c.values, func(x string) bool { return sameValue(c.field, v, x) }) != c.negate
}

// sameValue compares a field's value with a literal: ids by their first 15
// characters (a 15-character id names the same record as its 18-character
// form), other text case-insensitively.
func sameValue(field, v, x string) bool {
	if strings.HasSuffix(field, "Id") && len(v) == 18 && len(x) == 15 {
		return v[:15] == x
	}
	return strings.EqualFold(v, x)
}

// like matches SOQL LIKE: % is any run of characters, _ one character.
func like(s, pattern string) bool {
	ok, _ := path.Match(strings.NewReplacer("%", "*", "_", "?", "*", "\\*", "?", "\\?", "[", "\\[", "\\", "\\\\").Replace(pattern), s)
	return ok
}

// compareValues orders two values: numerically when both are numbers, in
// time when both are datetimes (a record's 2024-05-01T10:00:00.000+0000
// against a literal 2024-05-01T10:00:00Z), else as text.
func compareValues(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	if s, okA := soqlTime(a); okA {
		if t, okB := soqlTime(b); okB {
			return s.Compare(t)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// soqlTime reads a datetime as records hold it or SOQL writes it.
func soqlTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// sortRecords applies ORDER BY.
func sortRecords(rows []*sobjectRecord, order []soqlOrder) {
	if len(order) == 0 {
		return
	}
	slices.SortStableFunc(rows, func(a, b *sobjectRecord) int {
		for _, o := range order {
			x, y := a.value(o.field), b.value(o.field)
			switch {
			case x == y:
				continue
			case x == soqlNull:
				return map[bool]int{true: -1, false: 1}[o.nullsFirst]
			case y == soqlNull:
				return map[bool]int{true: 1, false: -1}[o.nullsFirst]
			}
			n := compareValues(x, y)
			if o.desc {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return 0
	})
}

// page answers c.records[offset:] one page at a time; cursor is the
// locator holding them ("" when they fit one page).
func (s *Server) page(ver, cursor string, c queryCursor, offset int) toolingPage {
	end := min(offset+s.cfg.QueryPageSize, len(c.records))
	out := toolingPage{Size: end - offset, dataPage: dataPage{TotalSize: len(c.records), Done: end == len(c.records), Records: slices.Clone(c.records[offset:end])}}
	if len(out.Records) > 0 {
		out.EntityTypeName = &c.entity
	} else {
		out.Records = []json.RawMessage{}
	}
	if !out.Done {
		loc := cursor + "-" + strconv.Itoa(end)
		out.QueryLocator = &loc
		base := "/services/data/v" + ver + "/query/"
		if c.tooling {
			base = "/services/data/v" + ver + "/tooling/query/"
		}
		out.NextRecordsURL = base + loc
	} else if cursor != "" {
		s.cursors.drop(cursor)
	}
	return out
}

// nextPage is GET …/query/<locator>-<offset> (and the Tooling form).
func (s *Server) nextPage(w http.ResponseWriter, ver, locator string, tooling bool) {
	i := strings.LastIndexByte(locator, '-')
	var c queryCursor
	ok := false
	offset := -1
	if i > 0 {
		if n, err := strconv.Atoi(locator[i+1:]); err == nil {
			offset = n
			c, ok = s.cursors.get(locator[:i])
		}
	}
	if !ok || c.tooling != tooling || offset < 0 || offset > len(c.records) {
		writeRESTError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	writeJSON(w, http.StatusOK, s.page(ver, locator[:i], c, offset).answer(tooling))
}

// getRecord answers GET …/sobjects/<Type>/<id> (and the Tooling
// form): every field of the record, or NOT_FOUND. Ids match on their
// first 15 characters, as Salesforce's case-safe ids do.
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request, ver, typ, id string, tooling bool) {
	obj := s.lookupSObject(typ, tooling)
	if obj == nil {
		writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	all, err := obj.records(s, r.Context())
	if err != nil {
		writeRESTError(w, http.StatusInternalServerError, "UNKNOWN_EXCEPTION", err.Error())
		return
	}
	fields := obj.fields
	if f := r.URL.Query().Get("fields"); f != "" {
		q := &soqlQuery{fields: strings.Split(f, ",")}
		for i := range q.fields {
			q.fields[i] = strings.TrimSpace(q.fields[i])
		}
		if fields, err = obj.canonical(q); err != nil {
			writeRESTError(w, http.StatusBadRequest, "INVALID_FIELD", err.Error())
			return
		}
	}
	for _, rec := range all {
		if len(id) >= 15 && len(rec.id) >= 15 && rec.id[:15] == id[:15] {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			_, _ = w.Write(rec.encode(ver, tooling, fields))
			return
		}
	}
	writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
}
