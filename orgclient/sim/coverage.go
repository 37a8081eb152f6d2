package sim

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The simulated code coverage model. A real org counts the lines each test
// executes; the simulator cannot run Apex, so it derives coverage from what
// the code names, deterministically:
//
//   - A class's executable lines are the lines of its method bodies that
//     hold a statement (a ";" or an if/for/while/switch/throw) plus its
//     field initialisers; a trigger's are those of its body.
//   - A test method reaches what its body calls: Class.method(…) and
//     new Class(…), its own class's helpers and @TestSetup methods,
//     obj.method(…) on any class the body names, and, through DML
//     (insert/update/upsert/delete/undelete or Database.x(…)), the
//     triggers of every sObject the body names. What a reached method
//     calls is reached too.
//   - A reached method covers all of its executable lines; a reached class
//     covers its field initialisers.
//
// So a fixture passes coverage by testing each method and fails it by
// leaving methods (or a trigger) untested. The 75 % rules are applied per
// test level as §2.7 and §2.9 describe (coverageWarnings).

// apexUnit is one non-test class or trigger, with what coverage needs.
type apexUnit struct {
	kind    string // "Class" or "Trigger"
	name    string
	object  string // a trigger's sObject, lower case
	methods map[string][]*apexMethod
	init    []int // a class's field-initialiser lines
	lines   []int // every executable line, sorted
}

// apexMethod is a method (or a trigger body): its executable lines and
// what it calls.
type apexMethod struct {
	unit      *apexUnit
	name      string // lower case
	lines     []int
	calls     []apexCall
	dml       bool
	names     map[string]bool // identifiers in the body, lower case
	testSetup bool
}

// apexCall is a call found in a method body, lower case: class is "" for
// an unqualified call (same class), the qualifier of X.method(…) otherwise
// — a class name, or a variable that callees resolves through the classes
// the body names; new X(…) calls method x of class x (the constructor).
type apexCall struct{ class, method string }

// statementKeywords start a line that counts as executable without a ";".
var statementKeywords = setOf("if", "for", "while", "switch", "throw", "do")

// notCalls are identifiers followed by "(" that are not method calls.
var notCalls = setOf("if", "for", "while", "switch", "catch", "when", "return", "new", "super", "this", "on")

var dmlVerbs = setOf("insert", "update", "upsert", "delete", "undelete", "merge")

// parseApexUnit reads a class (trigger == false) or trigger source.
func parseApexUnit(name, src string, trigger bool) *apexUnit {
	toks := apexTokens(src)
	u := &apexUnit{kind: "Class", name: name, methods: map[string][]*apexMethod{}}
	start := 0
	for start < len(toks) && !is(toks, start, "{") {
		if trigger && is(toks, start, "on") && start+1 < len(toks) {
			u.object = strings.ToLower(toks[start+1].text)
		}
		start++
	}
	if start >= len(toks) {
		return u
	}
	end := matching(toks, start, "{", "}")
	if trigger {
		u.kind = "Trigger"
		m := readMethod(u, "", toks[start+1:end])
		u.methods[""] = []*apexMethod{m}
		u.lines = slices.Clone(m.lines)
		return u
	}
	setup := false
	for i := start + 1; i < end; i++ {
		switch {
		case is(toks, i, "@") && is(toks, i+1, "TestSetup"):
			setup = true
		case is(toks, i, ";"):
			if hasToken(toks[lineStart(toks, i, start):i], "=") {
				u.init = appendLine(u.init, toks[i].line)
			}
			setup = false
		case toks[i].kind == 'i' && is(toks, i+1, "(") && !notCalls[strings.ToLower(toks[i].text)]:
			close := matching(toks, i+1, "(", ")")
			if !is(toks, close+1, "{") {
				continue
			}
			bodyEnd := matching(toks, close+1, "{", "}")
			m := readMethod(u, toks[i].text, toks[close+2:bodyEnd])
			m.testSetup = setup
			setup = false
			key := strings.ToLower(toks[i].text)
			u.methods[key] = append(u.methods[key], m)
			i = bodyEnd
		case is(toks, i, "{") || is(toks, i, "}"):
			setup = false // an inner class's or initialiser block's brace
		}
	}
	all := slices.Clone(u.init)
	for _, ms := range u.methods {
		for _, m := range ms {
			all = append(all, m.lines...)
		}
	}
	sort.Ints(all)
	u.lines = slices.Compact(all)
	return u
}

// lineStart finds where the statement ending at i began: after the
// previous ";", "{" or "}" (not before from).
func lineStart(toks []apexToken, i, from int) int {
	for j := i - 1; j > from; j-- {
		if is(toks, j, ";") || is(toks, j, "{") || is(toks, j, "}") {
			return j + 1
		}
	}
	return from + 1
}

func hasToken(toks []apexToken, text string) bool {
	for i := range toks {
		if is(toks, i, text) {
			return true
		}
	}
	return false
}

func appendLine(lines []int, l int) []int {
	if len(lines) > 0 && lines[len(lines)-1] == l {
		return lines
	}
	return append(lines, l)
}

// readMethod reads a method body's executable lines and calls.
func readMethod(u *apexUnit, name string, body []apexToken) *apexMethod {
	m := &apexMethod{unit: u, name: strings.ToLower(name), names: map[string]bool{}}
	set := map[int]bool{}
	for i, t := range body {
		low := strings.ToLower(t.text)
		if t.kind == 'i' {
			m.names[low] = true
		}
		if is(body, i, ";") || (t.kind == 'i' && statementKeywords[low]) {
			set[t.line] = true
		}
		if t.kind != 'i' || is(body, i-1, ".") { // x.method( is read from x
			continue
		}
		switch {
		case dmlVerbs[low] && (i == 0 || is(body, i-1, ";") || is(body, i-1, "{") || is(body, i-1, "}")):
			m.dml = true
		case low == "database" && is(body, i+1, ".") && i+2 < len(body) && dmlVerbs[strings.ToLower(body[i+2].text)]:
			m.dml = true
		case is(body, i-1, "new") && is(body, i+1, "("):
			m.calls = append(m.calls, apexCall{class: low, method: low})
		case is(body, i+1, ".") && i+2 < len(body) && body[i+2].kind == 'i' && is(body, i+3, "(") && !is(body, i-1, "."):
			m.calls = append(m.calls, apexCall{class: low, method: strings.ToLower(body[i+2].text)})
		case is(body, i+1, "(") && !is(body, i-1, ".") && !notCalls[low]:
			m.calls = append(m.calls, apexCall{method: low})
		}
	}
	for l := range set {
		m.lines = append(m.lines, l)
	}
	sort.Ints(m.lines)
	return m
}

// coverageModel is the org's Apex as coverage sees it.
type coverageModel struct {
	units    map[string]*apexUnit // lower-case name → class or trigger (not tests)
	order    []*apexUnit          // by kind then name
	triggers map[string][]*apexUnit
	tests    map[string]*apexUnit // lower-case test class name → its parsed class
}

// apexSource is one class or trigger's name and source.
type apexSource struct {
	name, src string
	trigger   bool
}

func newCoverageModel(srcs []apexSource) *coverageModel {
	cm := &coverageModel{units: map[string]*apexUnit{}, triggers: map[string][]*apexUnit{}, tests: map[string]*apexUnit{}}
	for _, s := range srcs {
		u := parseApexUnit(s.name, s.src, s.trigger)
		key := strings.ToLower(s.name)
		switch {
		case !s.trigger && apexTestMethods(s.name, s.src) != nil:
			cm.tests[key] = u
			continue
		case s.trigger:
			cm.triggers[u.object] = append(cm.triggers[u.object], u)
			key = "trigger:" + key
		}
		if len(u.lines) > 0 {
			cm.units[key] = u
			cm.order = append(cm.order, u)
		}
	}
	slices.SortFunc(cm.order, func(a, b *apexUnit) int {
		if a.kind != b.kind {
			return strings.Compare(a.kind, b.kind)
		}
		return strings.Compare(a.name, b.name)
	})
	return cm
}

// coverage is the outcome of a test run: covered lines per unit.
type coverage struct {
	model   *coverageModel
	covered map[*apexUnit]map[int]bool
}

// run computes what the given test methods cover.
func (cm *coverageModel) run(tests []apexTest) *coverage {
	cov := &coverage{model: cm, covered: map[*apexUnit]map[int]bool{}}
	seen := map[*apexMethod]bool{}
	var reach func(m *apexMethod)
	reachUnit := func(u *apexUnit) {
		if cov.covered[u] == nil {
			cov.covered[u] = map[int]bool{}
		}
		for _, l := range u.init {
			cov.covered[u][l] = true
		}
	}
	reach = func(m *apexMethod) {
		if seen[m] {
			return
		}
		seen[m] = true
		if _, ok := cm.units[unitKey(m.unit)]; ok {
			reachUnit(m.unit)
			for _, l := range m.lines {
				cov.covered[m.unit][l] = true
			}
		}
		for _, c := range m.calls {
			for _, callee := range cm.callees(m, c) {
				reach(callee)
			}
			if u := cm.units[c.class]; u != nil && c.class == c.method {
				reachUnit(u) // new X(): its initialisers run even without a constructor
			}
		}
		if m.dml {
			for obj := range m.names {
				for _, t := range cm.triggers[obj] {
					for _, tm := range t.methods[""] {
						reach(tm)
					}
				}
			}
		}
	}
	for _, t := range tests {
		tc := cm.tests[strings.ToLower(t.class)]
		if tc == nil {
			continue
		}
		for _, ms := range tc.methods {
			for _, m := range ms {
				if m.testSetup || m.name == strings.ToLower(t.method) {
					reach(m)
				}
			}
		}
	}
	return cov
}

func unitKey(u *apexUnit) string {
	if u.kind == "Trigger" {
		return "trigger:" + strings.ToLower(u.name)
	}
	return strings.ToLower(u.name)
}

// callees resolves a call made in from.
func (cm *coverageModel) callees(from *apexMethod, c apexCall) []*apexMethod {
	if c.class == "" { // same class (a test class's helper included)
		return from.unit.methods[c.method]
	}
	if u := cm.units[c.class]; u != nil {
		return u.methods[c.method]
	}
	if u := cm.tests[c.class]; u != nil {
		return u.methods[c.method]
	}
	// obj.method(): any class the caller names that has the method.
	var out []*apexMethod
	for n := range from.names {
		if u := cm.units[n]; u != nil {
			out = append(out, u.methods[c.method]...)
		}
	}
	return out
}

// unitCoverage is one class or trigger's numbers.
type unitCoverage struct {
	unit             *apexUnit
	total, uncovered int
	notCovered       []int
}

func (c *coverage) of(u *apexUnit) unitCoverage {
	out := unitCoverage{unit: u, total: len(u.lines)}
	for _, l := range u.lines {
		if !c.covered[u][l] {
			out.uncovered++
			out.notCovered = append(out.notCovered, l)
		}
	}
	return out
}

// percent is the covered share in whole percent, rounded down so that a
// failing 74.9 % never reads as 75 %.
func percent(covered, total int) int {
	if total == 0 {
		return 100
	}
	return covered * 100 / total
}

// meets reports covered/total ≥ 75 %.
func meets(covered, total int) bool { return total == 0 || covered*100 >= 75*total }

// orgWide sums every class and trigger.
func (c *coverage) orgWide() (covered, total int) {
	for _, u := range c.model.order {
		uc := c.of(u)
		covered += uc.total - uc.uncovered
		total += uc.total
	}
	return covered, total
}

// warnings applies the coverage rules of a test level (§2.7): org-wide
// 75 % and some coverage of every trigger for RunLocalTests and
// RunAllTestsInOrg; 75 % of each deployed class and trigger for
// RunSpecifiedTests. deployed holds the package's classes and triggers
// ("ApexClass:name", lower-case name); idOf gives a class's or trigger's
// id and orgID is the org-wide warning's.
func (c *coverage) warnings(level string, deployed map[string]bool, idOf func(*apexUnit) string, orgID string) []codeCoverageWarning {
	var out []codeCoverageWarning
	if level == "RunSpecifiedTests" {
		for _, u := range c.model.order {
			if !deployed["Apex"+u.kind+":"+strings.ToLower(u.name)] {
				continue
			}
			uc := c.of(u)
			if !meets(uc.total-uc.uncovered, uc.total) {
				out = append(out, codeCoverageWarning{ID: idOf(u), Name: nillableID(u.name), Message: "Test coverage of selected Apex " + u.kind + " is " +
					strconv.Itoa(percent(uc.total-uc.uncovered, uc.total)) + "%, at least 75% test coverage is required"})
			}
		}
		return out
	}
	for _, u := range c.model.order {
		if uc := c.of(u); u.kind == "Trigger" && uc.uncovered == uc.total {
			out = append(out, codeCoverageWarning{ID: idOf(u), Name: nillableID(u.name), Message: "Test coverage of selected Apex Trigger is 0%, at least 1% test coverage is required"})
		}
	}
	if covered, total := c.orgWide(); !meets(covered, total) {
		out = append(out, codeCoverageWarning{ID: orgID, Message: "Average test coverage across all Apex Classes and Triggers is " +
			strconv.Itoa(percent(covered, total)) + "%, at least 75% test coverage is required."})
	}
	return out
}
