package sim

import (
	"strings"
)

// apexToken is one token of Apex source: comments and whitespace dropped.
type apexToken struct {
	text      string
	kind      byte // 'i' identifier, 's' string literal (unquoted), 'n' number, 'p' punctuation
	line, col int
}

// apexTokens splits Apex source into tokens. It is forgiving: unterminated
// comments and strings end at the end of the source.
func apexTokens(src string) []apexToken {
	var out []apexToken
	line, lineStart := 1, 0
	for i := 0; i < len(src); {
		c := src[i]
		col := i - lineStart + 1
		switch {
		case c == '\n':
			line, lineStart = line+1, i+1
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			stop := len(src)
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			for ; i < stop; i++ {
				if src[i] == '\n' {
					line, lineStart = line+1, i+1
				}
			}
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '\'' && src[j] != '\n'; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
			}
			out = append(out, apexToken{b.String(), 's', line, col})
			i = min(j+1, len(src))
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j])) {
				j++
			}
			out = append(out, apexToken{src[i:j], 'i', line, col})
			i = j
		case isDigit(c):
			j := i + 1
			for j < len(src) && (isDigit(src[j]) || src[j] == '.' || isIdentStart(src[j])) {
				j++
			}
			out = append(out, apexToken{src[i:j], 'n', line, col})
			i = j
		default:
			out = append(out, apexToken{string(c), 'p', line, col})
			i++
		}
	}
	return out
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// is reports whether token i is the identifier or punctuation text, ignoring
// case as Apex does.
func is(toks []apexToken, i int, text string) bool {
	return i >= 0 && i < len(toks) && toks[i].kind != 's' && strings.EqualFold(toks[i].text, text)
}

// apexTest is one test method of a test class, and how it turns out.
type apexTest struct {
	class, method string
	// failure is the assertion message when the method's body calls
	// System.assert(false …), which the simulator treats as failing.
	failure string
	line    int // of the failing assertion
}

// apexTestMethods lists the test methods of an @isTest class: methods
// annotated @isTest (not @TestSetup) or declared testMethod. It returns nil
// for a class that is not a test class.
func apexTestMethods(class, src string) []apexTest {
	toks := apexTokens(src)
	body := 0 // index of the class body's "{"
	for body < len(toks) && !is(toks, body, "{") {
		body++
	}
	testClass := false
	for i := 0; i < body; i++ {
		if is(toks, i, "@") && is(toks, i+1, "isTest") {
			testClass = true
		}
	}
	if !testClass {
		return nil
	}
	var out []apexTest
	depth, pending := 0, false
	for i := body; i < len(toks); i++ {
		switch {
		case is(toks, i, "{"):
			depth++
			continue
		case is(toks, i, "}"):
			depth--
			continue
		}
		if depth != 1 {
			continue
		}
		switch {
		case is(toks, i, "@"):
			pending = is(toks, i+1, "isTest")
			i++
			if is(toks, i+1, "(") { // annotation arguments: @IsTest(SeeAllData=true)
				i = matching(toks, i+1, "(", ")")
			}
		case is(toks, i, "testMethod"):
			pending = true
		case is(toks, i, ";"), is(toks, i, "class"), is(toks, i, "="):
			pending = false
		case pending && toks[i].kind == 'i' && is(toks, i+1, "("):
			close := matching(toks, i+1, "(", ")")
			open := close + 1
			for open < len(toks) && !is(toks, open, "{") && !is(toks, open, ";") {
				open++
			}
			end := matching(toks, open, "{", "}")
			t := apexTest{class: class, method: toks[i].text}
			t.failure, t.line = assertFalse(toks[open:end])
			out = append(out, t)
			pending = false
			i = end
		}
	}
	return out
}

// matching returns the index of the token closing the bracket opened at i
// (or the last token when unbalanced).
func matching(toks []apexToken, i int, open, close string) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch {
		case is(toks, i, open):
			depth++
		case is(toks, i, close):
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(toks) - 1
}

// assertFalse finds System.assert(false[, 'message']) and returns the
// AssertException message it raises and its line.
func assertFalse(toks []apexToken) (string, int) {
	for i := range toks {
		if !is(toks, i, "System") || !is(toks, i+1, ".") || !is(toks, i+2, "assert") || !is(toks, i+3, "(") || !is(toks, i+4, "false") {
			continue
		}
		msg := "System.AssertException: Assertion Failed"
		if is(toks, i+5, ",") && i+6 < len(toks) && toks[i+6].kind == 's' {
			msg += ": " + toks[i+6].text
		}
		return msg, toks[i].line
	}
	return "", 0
}

// apexUnknownType is a type an Apex class uses that is defined nowhere.
type apexUnknownType struct {
	name, problem string
	line, col     int
}

// apexUnknownTypes finds uses of types that are not known: `new X(` and
// static calls `X.method(` where X is capitalised, not a system or
// standard type, not declared in the source itself, and not in known
// (lower-cased names of classes and objects in the org or package). It is
// deliberately narrow so that valid code is never refused.
func apexUnknownTypes(src string, known map[string]bool) []apexUnknownType {
	toks := apexTokens(src)
	declared := map[string]bool{}
	for i := range toks {
		if (is(toks, i, "class") || is(toks, i, "interface") || is(toks, i, "enum") || is(toks, i, "trigger")) && i+1 < len(toks) && toks[i+1].kind == 'i' {
			declared[strings.ToLower(toks[i+1].text)] = true
		}
	}
	var out []apexUnknownType
	seen := map[string]bool{}
	for i, t := range toks {
		if t.kind != 'i' || t.text[0] < 'A' || t.text[0] > 'Z' || is(toks, i-1, ".") {
			continue
		}
		var problem string
		switch {
		case is(toks, i-1, "new") && is(toks, i+1, "("):
			problem = "Invalid type: " + t.text
		case is(toks, i+1, ".") && i+2 < len(toks) && toks[i+2].kind == 'i' && is(toks, i+3, "("):
			problem = "Variable does not exist: " + t.text
		default:
			continue
		}
		low := strings.ToLower(t.text)
		if known[low] || declared[low] || apexSystemTypes[low] || standardObjects[low] || strings.Contains(low, "__") || seen[low] {
			continue
		}
		seen[low] = true
		out = append(out, apexUnknownType{name: t.text, problem: problem, line: t.line, col: t.col})
	}
	return out
}

// apexUnknownFields finds custom field names (X__c, or X__r for its
// relationship) used in Apex or its inline SOQL that no object of the org
// has: "Variable does not exist: X__c". Namespaced names are left alone.
func apexUnknownFields(src string, idx *orgIndex) []apexUnknownType {
	var out []apexUnknownType
	seen := map[string]bool{}
	for _, t := range apexTokens(src) {
		low := strings.ToLower(t.text)
		if t.kind != 'i' || strings.Count(low, "__") != 1 || seen[low] {
			continue
		}
		field := low
		if base, ok := strings.CutSuffix(low, "__r"); ok {
			field = base + "__c"
		}
		if !strings.HasSuffix(field, "__c") || idx.objects[low] != "" || len(idx.fields[field]) > 0 {
			continue
		}
		seen[low] = true
		out = append(out, apexUnknownType{name: t.text, problem: "Variable does not exist: " + t.text, line: t.line, col: t.col})
	}
	return out
}

// apexSystemTypes are the built-in Apex namespaces and classes a class may
// use without defining them (lower case).
var apexSystemTypes = setOf(
	"system", "database", "test", "schema", "string", "date", "datetime", "time", "decimal", "double", "integer",
	"long", "boolean", "blob", "id", "object", "math", "json", "jsongenerator", "jsonparser", "jsontoken", "limits",
	"userinfo", "label", "trigger", "triggeroperation", "apexpages", "pagereference", "messaging", "http",
	"httprequest", "httpresponse", "crypto", "encodingutil", "url", "type", "list", "set", "map", "search", "site",
	"auth", "connectapi", "approval", "network", "process", "flow", "roundingmode", "exception", "pattern",
	"matcher", "iterable", "iterator", "queueable", "schedulable", "logginglevel", "cache",
	"continuation", "dom", "xmlstreamreader", "xmlstreamwriter", "sobject", "sobjecttype", "sobjectfield",
	"describesobjectresult", "describefieldresult", "aggregateresult", "savepoint", "comparable", "callable",
	"queueablecontext", "schedulablecontext", "batchablecontext", "finalizer", "finalizercontext", "eventbus",
	"featuremanagement", "formula", "invocable", "quiddity", "request", "security", "accesslevel",
	"stubprovider", "httpcalloutmock", "webservicemock", "dmlexception", "queryexception", "nullpointerexception",
	"listexception", "mathexception", "typeexception", "stringexception", "jsonexception", "calloutexception",
	"assert", "accesstype", "sobjectaccessdecision", "address", "location", "selectoption", "componentsubscription",
	"standardcontroller", "standardsetcontroller", "visualforce", "metadata", "reflection", "lightning", "domain",
	"compression", "dataweave", "commercepayments", "functions", "slack", "context", "internal", "txnsecurity",
)

// standardObjects are standard sObjects an org has without defining them
// in its metadata (lower case).
var standardObjects = setOf(
	"account", "contact", "lead", "opportunity", "opportunitylineitem", "case", "casecomment", "user", "profile",
	"group", "groupmember", "task", "event", "campaign", "campaignmember", "contract", "order", "orderitem",
	"product2", "pricebook2", "pricebookentry", "asset", "quote", "quotelineitem", "recordtype", "organization",
	"contentversion", "contentdocument", "contentdocumentlink", "attachment", "note", "document", "emailmessage",
	"permissionset", "permissionsetassignment", "userrole", "apexclass", "apextrigger", "asyncapexjob",
	"crontrigger", "folder", "report", "dashboard", "feeditem", "topic", "entitysubscription", "businesshours",
	"holiday", "solution", "idea", "knowledgearticle", "entitlement", "servicecontract", "workorder",
	"customnotificationtype", "emailtemplate", "orgwideemailaddress", "staticresource", "individual",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
