package salesforce

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"relman/model"
)

// ErrRequestLimit matches (with errors.Is) an org refusing a call because its
// rolling 24-hour API allocation or its limit of concurrent long-running
// requests is used up: REST 403 or a SOAP fault REQUEST_LIMIT_EXCEEDED (§5.3).
var ErrRequestLimit = errors.New("the org's API request limit is exceeded")

// ErrNotSalesforce matches an answer that cannot come from a Salesforce API,
// such as an HTML page: the URL points at the wrong host (§5.1).
var ErrNotSalesforce = errors.New("this URL is not a Salesforce instance")

// OpError ties an error to the org and the operation it came from. Every
// error a Client method returns is an *OpError; errors.As still reaches the
// typed cause (*SOAPFault, *APIError, *AuthError, *ResponseError, *LimitError).
type OpError struct {
	// Org is the instance URL, or the login URL before the first sign-in.
	Org string
	// Op names the operation, e.g. "checkDeployStatus" or "tooling query".
	Op  string
	Err error
	// scrub removes the client's secrets from the message.
	scrub func(string) string
}

// Error reads "<op> on <org>: <cause>", with any secret the client knows
// replaced by [redacted] in case the org echoed one back.
func (e *OpError) Error() string {
	s := e.Op + " on " + e.Org + ": " + e.Err.Error()
	if e.scrub != nil {
		s = e.scrub(s)
	}
	return s
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// SOAPFault is a Metadata API SOAP fault (HTTP 500, §2.11).
type SOAPFault struct {
	// Code is the fault code without its namespace prefix, e.g.
	// INVALID_ID_FIELD; for generic soapenv:Client/Server faults it is the
	// detail's exceptionCode when one is given.
	Code string
	// Message is the faultstring.
	Message string
}

// Error gives the code, the org's message and, for known codes, what to do.
func (f *SOAPFault) Error() string {
	return withHint("Salesforce fault "+f.Code+": "+f.Message, f.Code, f.Message)
}

// Is makes errors.Is(err, ErrRequestLimit) true for limit faults.
func (f *SOAPFault) Is(target error) bool {
	return target == ErrRequestLimit && isLimitCode(f.Code, f.Message)
}

// APIError is an error answer from the REST or Tooling API: a JSON array
// [{"message","errorCode"}] or its XML twin <Errors><Error> (§5.1).
type APIError struct {
	StatusCode int
	// Code is the first errorCode, e.g. MALFORMED_QUERY; empty if the body
	// had none.
	Code string
	// Message joins the messages of every error in the body.
	Message string
}

// Error gives the status, code, messages and, for known codes, what to do.
func (e *APIError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return withHint(s, e.Code, e.Message)
}

// Is makes errors.Is(err, ErrRequestLimit) true for limit errors.
func (e *APIError) Is(target error) bool {
	return target == ErrRequestLimit && isLimitCode(e.Code, e.Message)
}

// AuthError is a failed sign-in: the token endpoint's {"error",
// "error_description"} answer (§1.2), an access token that expired, or a
// Salesforce CLI login that could not be used. It never holds a secret.
type AuthError struct {
	// URL is the login URL, the instance URL for access-token, or the
	// alias for sf-alias.
	URL    string
	Method model.AuthMethod
	// Code and Description are the token endpoint's error and
	// error_description, when it answered with them.
	Code, Description string
	// Fix says what the admin should do.
	Fix string
}

// Error names the method, the URL, the org's answer and the fix.
func (e *AuthError) Error() string {
	s := "sign-in with " + string(e.Method) + " at " + e.URL + " failed"
	if e.Method == model.AuthSfAlias {
		s = "sign-in through the Salesforce CLI login " + e.URL + " failed"
	}
	switch {
	case e.Code != "" && e.Description != "":
		s += ": " + e.Code + " (" + e.Description + ")"
	case e.Code != "" || e.Description != "":
		s += ": " + e.Code + e.Description
	}
	if e.Fix != "" {
		s += ": " + e.Fix
	}
	return s
}

// ResponseError is an answer that could not be understood: an HTML page, a
// body that is not the expected XML or JSON, or an unexpected status.
type ResponseError struct {
	StatusCode  int
	ContentType string
	// HTML is true when the body was an HTML page, which no Salesforce API
	// returns: the URL is wrong (§5.1).
	HTML bool
	// Problem says what was wrong with the body.
	Problem string
	// Truncated is true when the body ended early: the connection broke
	// off mid-answer, which asking again may cure.
	Truncated bool
}

// Error says what was wrong with the answer and what to check.
func (e *ResponseError) Error() string {
	if e.HTML {
		return fmt.Sprintf("%v: it answered HTTP %d with an HTML page (%s); check the URL: use the org's login URL (https://login.salesforce.com, https://test.salesforce.com or https://<MyDomain>.my.salesforce.com)",
			ErrNotSalesforce, e.StatusCode, e.Problem)
	}
	if e.Truncated {
		return fmt.Sprintf("the connection broke off in the middle of the org's answer (HTTP %d); check the network and try again", e.StatusCode)
	}
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("unreadable answer (HTTP %d, %s): %s", e.StatusCode, ct, e.Problem)
}

// Is makes errors.Is(err, ErrNotSalesforce) true for HTML answers.
func (e *ResponseError) Is(target error) bool { return target == ErrNotSalesforce && e.HTML }

// LimitError says which Salesforce deploy limit a zip exceeds (§5.4).
type LimitError struct {
	// What names the limit: "files", "compressed bytes" or "uncompressed bytes".
	What   string
	Actual int64
	Max    int64
}

// Error names the limit, the actual size and what to do.
func (e *LimitError) Error() string {
	return fmt.Sprintf("the deploy package has %s %s; Salesforce accepts at most %s per deploy%s: split the change into smaller deployments",
		group(e.Actual), e.What, group(e.Max), limitWhy[e.What])
}

var limitWhy = map[string]string{
	"compressed bytes": " (39 MB, because the base64 zip must fit the 50 MB SOAP message)",
}

// group writes n with thousands separators: limits read better that way.
func group(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// isLimitCode recognises REQUEST_LIMIT_EXCEEDED and the concurrency variant
// clients match by its text ConcurrentPerOrgLongTxn (§5.3).
func isLimitCode(code, msg string) bool {
	return code == "REQUEST_LIMIT_EXCEEDED" || strings.Contains(msg, "ConcurrentPerOrgLongTxn")
}

// codeHints says what to do about the error codes an admin can act on.
var codeHints = map[string]string{
	"INVALID_SESSION_ID":      "the org rejected the session even after signing in again: check that the user has the API Enabled permission and the connected app has the api scope",
	"UNSUPPORTED_API_VERSION": "this API version is retired on the org: remove the pinned API version so relman picks the org's newest one",
	"API_DISABLED_FOR_ORG":    "the org's edition or the user's profile does not allow API access",
	"API_CURRENTLY_DISABLED":  "API access is switched off for this user: grant the API Enabled permission",
	"INSUFFICIENT_ACCESS":     "the user lacks a permission this call needs (Modify Metadata, Modify All Data or Author Apex)",
	"INVALID_TYPE":            "the org does not know this metadata type or object at this API version",
}

// restOnlyHints are what to do when the org refuses a session for the REST
// API: relman does not sign in again then (§5.1), so the INVALID_SESSION_ID
// hint, which says it did, would be wrong.
var restOnlyHints = map[string]string{
	"This session is not valid for use with the REST API": "the org does not accept this session for the REST API (e.g. a session id taken from a browser page or a connected app without the api scope); sign in through OAuth with the api scope, e.g. `relman env add` with a refresh token or the Salesforce CLI",
	"Connected app is not attached to Agent":              "the connected app behind this session is not attached to an Agent; use a connected app with the api scope",
}

// withHint appends what to do for known codes, including the request limit.
func withHint(s, code, msg string) string {
	for text, hint := range restOnlyHints {
		if code == "INVALID_SESSION_ID" && strings.Contains(msg, text) {
			return s + ": " + hint
		}
	}
	if isLimitCode(code, msg) {
		return s + ": the org's API request allocation (rolling 24 h) or its limit of concurrent long-running requests is used up; wait and try again, and see Setup > Company Information > API Requests"
	}
	if h := codeHints[code]; h != "" {
		return s + ": " + h
	}
	return s
}

// describeNetErr turns a transport error into a sentence that keeps the
// cause reachable with errors.Is (context.DeadlineExceeded, context.Canceled).
func describeNetErr(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("the org did not answer in time; check the network and try again (%w)", err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("canceled (%w)", err)
	}
	return fmt.Errorf("could not reach the org; check the URL and the network (%w)", err)
}

// isTimeout reports a net.Error timeout (e.g. http.Client.Timeout).
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
