package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// soqlQuery is the subset of SOQL the simulator answers (§4.1, §4.2):
// SELECT fields|COUNT() FROM object [WHERE expr] [ORDER BY f [ASC|DESC]
// [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n], where expr combines
// conditions with AND, OR and parentheses, and a condition is field
// =|!=|<|>|<=|>= value, field LIKE 'pattern' or field [NOT] IN (values).
// Fields may be one relationship deep (ApexClassOrTrigger.Name).
type soqlQuery struct {
	fields    []string
	count     bool // SELECT COUNT()
	object    string
	objectCol int       // where the object's name starts, for error carets
	where     *soqlExpr // nil: every row
	order     []soqlOrder
	limit     int // 0: none
	offset    int
}

// soqlOrder is one ORDER BY key.
type soqlOrder struct {
	field      string
	desc       bool
	nullsFirst bool
}

// soqlExpr is a WHERE expression: a condition (op "") or the AND/OR of kids.
type soqlExpr struct {
	op   string
	kids []*soqlExpr
	cond soqlCond
}

type soqlCond struct {
	field  string
	negate bool     // != or NOT IN
	op     string   // "" (=, !=, IN), "LIKE", "<", ">", "<=" or ">="
	values []string // one for =; "\x00" stands for null
}

// maxSOQLNesting bounds parentheses in a WHERE clause.
const maxSOQLNesting = 32

const soqlNull = "\x00"

// soqlError is a query the simulator refuses, as MALFORMED_QUERY.
type soqlError struct{ msg string }

func (e *soqlError) Error() string { return e.msg }

type soqlToken struct {
	text string
	str  bool // a quoted string literal, unquoted
	col  int  // 1-based
}

func soqlTokens(q string) ([]soqlToken, error) {
	var out []soqlToken
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != '\''; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, &soqlError{fmt.Sprintf("ERROR at Row:1:Column:%d\nunterminated string literal", i+1)}
			}
			out = append(out, soqlToken{b.String(), true, i + 1})
			i = j + 1
		case c == '!' && i+1 < len(q) && q[i+1] == '=', c == '<' && i+1 < len(q) && q[i+1] == '>':
			out = append(out, soqlToken{"!=", false, i + 1})
			i += 2
		case (c == '<' || c == '>') && i+1 < len(q) && q[i+1] == '=':
			out = append(out, soqlToken{q[i : i+2], false, i + 1})
			i += 2
		case c == '<' || c == '>':
			out = append(out, soqlToken{string(c), false, i + 1})
			i++
		case strings.IndexByte(",()=", c) >= 0:
			out = append(out, soqlToken{string(c), false, i + 1})
			i++
		case c == '-' && i+1 < len(q) && isDigit(q[i+1]), isIdentStart(c) || isDigit(c):
			j := i
			if c == '-' {
				j++
			}
			for j < len(q) && (isIdentStart(q[j]) || isDigit(q[j]) || q[j] == '.' || isDigit(c) && isDateTimeByte(q[j])) {
				j++
			}
			out = append(out, soqlToken{q[i:j], false, i + 1})
			i = j
		default:
			return nil, &soqlError{fmt.Sprintf("ERROR at Row:1:Column:%d\nunexpected token: '%c'", i+1, c)}
		}
	}
	return out, nil
}

// parseSOQL parses q; errors read like a real org's MALFORMED_QUERY text.
func parseSOQL(q string) (*soqlQuery, error) {
	toks, err := soqlTokens(q)
	if err != nil {
		return nil, err
	}
	p := &soqlParser{toks: toks, q: q}
	out := &soqlQuery{}
	if err := p.keyword("SELECT"); err != nil {
		return nil, err
	}
	if p.i+2 < len(p.toks) && strings.EqualFold(p.toks[p.i].text, "COUNT") && p.toks[p.i+1].text == "(" && p.toks[p.i+2].text == ")" {
		out.count, p.i = true, p.i+3
	}
	for !out.count {
		f, err := p.ident()
		if err != nil {
			return nil, err
		}
		out.fields = append(out.fields, f)
		if !p.accept(",") {
			break
		}
	}
	if err := p.keyword("FROM"); err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		out.objectCol = p.toks[p.i].col
	}
	if out.object, err = p.ident(); err != nil {
		return nil, err
	}
	if p.acceptKeyword("WHERE") {
		if out.where, err = p.expr(0); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("ORDER") {
		if err := p.keyword("BY"); err != nil {
			return nil, err
		}
		for {
			f, err := p.ident()
			if err != nil {
				return nil, err
			}
			o := soqlOrder{field: f}
			o.desc = p.acceptKeyword("DESC")
			if !o.desc {
				p.acceptKeyword("ASC")
			}
			o.nullsFirst = !o.desc // SOQL's default: nulls first ascending, last descending
			if p.acceptKeyword("NULLS") {
				switch {
				case p.acceptKeyword("FIRST"):
					o.nullsFirst = true
				case p.acceptKeyword("LAST"):
					o.nullsFirst = false
				default:
					t, ok := p.next()
					return nil, p.unexpected(t, ok)
				}
			}
			out.order = append(out.order, o)
			if !p.accept(",") {
				break
			}
		}
	}
	for _, clause := range []struct {
		kw string
		n  *int
	}{{"LIMIT", &out.limit}, {"OFFSET", &out.offset}} {
		if !p.acceptKeyword(clause.kw) {
			continue
		}
		t, ok := p.next()
		n, err := strconv.Atoi(t.text)
		if !ok || t.str || err != nil || n < 0 {
			return nil, p.unexpected(t, ok)
		}
		*clause.n = n
	}
	if t, ok := p.next(); ok {
		return nil, p.unexpected(t, ok)
	}
	return out, nil
}

type soqlParser struct {
	toks []soqlToken
	i    int
	q    string
}

func (p *soqlParser) next() (soqlToken, bool) {
	if p.i >= len(p.toks) {
		return soqlToken{}, false
	}
	p.i++
	return p.toks[p.i-1], true
}

func (p *soqlParser) unexpected(t soqlToken, ok bool) error {
	if !ok {
		return &soqlError{fmt.Sprintf("ERROR at Row:1:Column:%d\nunexpected end of query", len(p.q)+1)}
	}
	return &soqlError{fmt.Sprintf("ERROR at Row:1:Column:%d\nunexpected token: '%s'", t.col, t.text)}
}

func (p *soqlParser) accept(text string) bool {
	if p.i < len(p.toks) && !p.toks[p.i].str && p.toks[p.i].text == text {
		p.i++
		return true
	}
	return false
}

func (p *soqlParser) acceptKeyword(kw string) bool {
	if p.i < len(p.toks) && !p.toks[p.i].str && strings.EqualFold(p.toks[p.i].text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *soqlParser) keyword(kw string) error {
	if p.acceptKeyword(kw) {
		return nil
	}
	t, ok := p.next()
	return p.unexpected(t, ok)
}

func (p *soqlParser) ident() (string, error) {
	t, ok := p.next()
	if !ok || t.str || !isIdentStart(t.text[0]) || soqlKeywords[strings.ToUpper(t.text)] {
		return "", p.unexpected(t, ok)
	}
	return t.text, nil
}

var soqlKeywords = setOf("SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "LIMIT", "ORDER", "BY", "GROUP", "OFFSET", "HAVING", "NULLS")

// expr parses conditions joined by OR (lowest precedence) and AND.
func (p *soqlParser) expr(depth int) (*soqlExpr, error) {
	return p.joined(depth, "OR", func() (*soqlExpr, error) {
		return p.joined(depth, "AND", func() (*soqlExpr, error) { return p.factor(depth) })
	})
}

// joined parses one or more operands separated by the keyword op.
func (p *soqlParser) joined(depth int, op string, operand func() (*soqlExpr, error)) (*soqlExpr, error) {
	e, err := operand()
	if err != nil {
		return nil, err
	}
	if !p.acceptKeyword(op) {
		return e, nil
	}
	out := &soqlExpr{op: op, kids: []*soqlExpr{e}}
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		out.kids = append(out.kids, e)
		if !p.acceptKeyword(op) {
			return out, nil
		}
	}
}

// factor parses a condition or a parenthesised expression.
func (p *soqlParser) factor(depth int) (*soqlExpr, error) {
	if !p.accept("(") {
		c, err := p.cond()
		return &soqlExpr{cond: c}, err
	}
	if depth >= maxSOQLNesting {
		return nil, &soqlError{"ERROR at Row:1:Column:1\ntoo many nested parentheses"}
	}
	e, err := p.expr(depth + 1)
	if err != nil {
		return nil, err
	}
	return e, p.keyword(")")
}

// cond parses field = 'v' | field != 'v' | field [NOT] IN ('a', …).
func (p *soqlParser) cond() (soqlCond, error) {
	f, err := p.ident()
	if err != nil {
		return soqlCond{}, err
	}
	c := soqlCond{field: f}
	switch {
	case p.accept("="):
		return c, p.single(&c)
	case p.accept("!="):
		c.negate = true
		return c, p.single(&c)
	case p.acceptKeyword("LIKE"):
		c.op = "LIKE"
		return c, p.single(&c)
	case p.accept("<"), p.accept(">"), p.accept("<="), p.accept(">="):
		c.op = p.toks[p.i-1].text
		return c, p.single(&c)
	case p.acceptKeyword("NOT"):
		c.negate = true
		if err := p.keyword("IN"); err != nil {
			return c, err
		}
	case !p.acceptKeyword("IN"):
		t, ok := p.next()
		return c, p.unexpected(t, ok)
	}
	if err := p.keyword("("); err != nil {
		return c, err
	}
	for {
		v, err := p.value()
		if err != nil {
			return c, err
		}
		c.values = append(c.values, v)
		if !p.accept(",") {
			break
		}
	}
	return c, p.keyword(")")
}

func (p *soqlParser) single(c *soqlCond) error {
	v, err := p.value()
	c.values = []string{v}
	return err
}

func (p *soqlParser) value() (string, error) {
	t, ok := p.next()
	switch {
	case ok && t.str:
		return t.text, nil
	case ok && strings.EqualFold(t.text, "null"):
		return soqlNull, nil
	case ok && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
		return strings.ToLower(t.text), nil
	case ok && (isDigit(t.text[0]) || t.text[0] == '-'):
		if _, err := strconv.ParseFloat(t.text, 64); err == nil {
			return t.text, nil
		}
		if _, err := time.Parse(time.RFC3339Nano, t.text); err == nil {
			return t.text, nil
		}
	}
	return "", p.unexpected(t, ok)
}

// isDateTimeByte is a byte of a datetime literal beyond letters, digits
// and dots (2024-05-01T10:00:00Z, 2024-05-01T10:00:00+01:00): SOQL writes
// them unquoted.
func isDateTimeByte(c byte) bool { return c == '-' || c == ':' || c == '+' }
