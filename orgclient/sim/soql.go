package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// soqlQuery is the subset of SOQL the Tooling API of the simulator answers
// (§4.1, §4.2): SELECT fields FROM object [WHERE expr] [LIMIT n], where
// expr combines conditions with AND, OR and parentheses, and a condition
// is field = 'v', field != 'v' or field [NOT] IN ('a', 'b'). That is what
// MetadataComponentDependency accepts (ORDER BY, COUNT() and LIKE are not).
type soqlQuery struct {
	fields []string
	object string
	where  *soqlExpr // nil: every row
	limit  int       // 0: none
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
		case strings.IndexByte(",()=", c) >= 0:
			out = append(out, soqlToken{string(c), false, i + 1})
			i++
		case isIdentStart(c) || isDigit(c):
			j := i
			for j < len(q) && (isIdentStart(q[j]) || isDigit(q[j]) || q[j] == '.') {
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
	for {
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
	if out.object, err = p.ident(); err != nil {
		return nil, err
	}
	if p.acceptKeyword("WHERE") {
		if out.where, err = p.expr(0); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("LIMIT") {
		t, ok := p.next()
		n, err := strconv.Atoi(t.text)
		if !ok || t.str || err != nil || n < 0 {
			return nil, p.unexpected(t, ok)
		}
		out.limit = n
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

var soqlKeywords = setOf("SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIMIT", "ORDER", "BY", "GROUP", "OFFSET", "HAVING")

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
	}
	return "", p.unexpected(t, ok)
}
