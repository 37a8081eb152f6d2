package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// request is one API call. body is rebuilt for every attempt because a
// retry after renewing the session needs the new session id inside the SOAP
// envelope (§5.2) and a streamed body can be read only once.
type request struct {
	op     string
	method string
	// path, with any query, is relative to the instance URL.
	path string
	soap bool
	// idempotent calls are retried after a 5xx or a timeout; deploy,
	// cancelDeploy and deployRecentValidation never are.
	idempotent bool
	body       func(t token) (io.ReadCloser, int64, error)
	// zip, when set, receives the answer's <zipFile>, decoded as it streams.
	zip *[]byte
}

// do sends r and hands a 2xx response to handle. It renews the session once
// on REST 401 or SOAP INVALID_SESSION_ID (§5.2) and retries idempotent calls
// after 5xx answers and timeouts with exponential backoff.
func (c *Client) do(ctx context.Context, r request, handle func(*http.Response) error) error {
	tok, err := c.session(ctx)
	if err != nil {
		return c.opErr(r.op, err)
	}
	renewed := false
	for attempt := 0; ; {
		resp, err := c.send(ctx, r, tok)
		if err != nil {
			var re *ResponseError
			var zre *zipReadError
			switch {
			case errors.As(err, &re):
				return c.opErr(r.op, re)
			case errors.As(err, &zre):
				return c.opErr(r.op, zre)
			}
			if r.idempotent && attempt < c.retries && ctx.Err() == nil && isTimeout(err) {
				attempt++
				if err := c.backoff(ctx, attempt); err != nil {
					return c.opErr(r.op, err)
				}
				continue
			}
			return c.opErr(r.op, describeNetErr(err))
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			body := capBody(resp.Body, answerLimit(r.op))
			resp.Body = body
			err := handle(resp)
			resp.Body.Close()
			if body.over {
				return c.opErr(r.op, body.tooLarge())
			}
			var re *ResponseError
			if err != nil && r.idempotent && attempt < c.retries && ctx.Err() == nil && errors.As(err, &re) && re.Truncated {
				// The answer was cut off: a call that is safe to repeat
				// is asked again.
				attempt++
				if err := c.backoff(ctx, attempt); err != nil {
					return c.opErr(r.op, err)
				}
				continue
			}
			if err != nil {
				return c.opErr(r.op, err)
			}
			return nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		apiErr := parseErrorBody(r.soap, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		if !renewed && sessionExpired(r.soap, resp.StatusCode, apiErr, body) {
			renewed = true
			if tok, err = c.renew(ctx, tok); err != nil {
				return c.opErr(r.op, err)
			}
			continue
		}
		if r.idempotent && resp.StatusCode >= 500 && attempt < c.retries && transient(apiErr) {
			attempt++
			if err := c.backoff(ctx, attempt); err != nil {
				return c.opErr(r.op, err)
			}
			continue
		}
		return c.opErr(r.op, apiErr)
	}
}

// transient reports whether a 5xx answer may succeed when asked again: any
// REST or HTTP-level failure, and the SOAP faults Salesforce gives for its
// own passing trouble (UNKNOWN_EXCEPTION, SERVER_UNAVAILABLE). Other faults
// answer the request itself (INVALID_ID_FIELD, …) and would answer it the
// same way again.
func transient(err error) bool {
	var fault *SOAPFault
	if !errors.As(err, &fault) {
		return true
	}
	switch fault.Code {
	case "UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE":
		return true
	}
	return false
}

func (c *Client) send(ctx context.Context, r request, tok token) (*http.Response, error) {
	var body io.ReadCloser
	var n int64
	if r.body != nil {
		var err error
		if body, n, err = r.body(tok); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, tok.instance+r.path, body)
	if err != nil {
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	// An exact Content-Length even for streamed deploys: jsforce computes it
	// too (§5.2), and no chunked upload is asked of the org.
	req.ContentLength = n
	req.Header.Set("User-Agent", "relman")
	if r.soap {
		req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
		// The value is ignored by the org, but the header must be present (§2.1).
		req.Header.Set("SOAPAction", `"`+r.op+`"`)
	} else {
		req.Header.Set("Authorization", "Bearer "+tok.access)
		req.Header.Set("Accept", "application/json")
	}
	return c.hc.Do(req)
}

// backoff waits 500 ms, 1 s, 2 s, … (at most 8 s) before retry attempt n.
func (c *Client) backoff(ctx context.Context, attempt int) error {
	d := 500 * time.Millisecond << min(attempt-1, 4)
	select {
	case <-c.clock.After(d):
		return nil
	case <-ctx.Done():
		return describeNetErr(ctx.Err())
	}
}

// sessionExpired says whether to renew the session: REST 401 except the
// bodies jsforce excludes to avoid loops, or a SOAP fault ending in
// INVALID_SESSION_ID (§5.1, §5.2).
func sessionExpired(soap bool, status int, err error, body []byte) bool {
	if soap {
		var f *SOAPFault
		return status == http.StatusInternalServerError && errors.As(err, &f) && f.Code == "INVALID_SESSION_ID"
	}
	return status == http.StatusUnauthorized &&
		!bytes.Contains(body, []byte("This session is not valid for use with the REST API")) &&
		!bytes.Contains(body, []byte("Connected app is not attached to Agent"))
}

// parseErrorBody types a non-2xx answer: a SOAP fault, a REST error list, or
// a ResponseError when the body is neither.
func parseErrorBody(soap bool, status int, contentType string, body []byte) error {
	if soap {
		_, err := decodeSOAP[struct{}](bytes.NewReader(body), "")
		var f *SOAPFault
		if errors.As(err, &f) {
			return f
		}
	}
	return parseRESTError(status, contentType, body)
}

// restError is one entry of a REST error body (§5.1).
type restError struct {
	Message   string `json:"message" xml:"message"`
	ErrorCode string `json:"errorCode" xml:"errorCode"`
}

// parseRESTError reads [{"message","errorCode"}], a single such object, or
// <Errors><Error>…</Error></Errors> (§5.1). Anything else becomes an
// APIError naming only the status: unknown bodies are not quoted.
func parseRESTError(status int, contentType string, body []byte) error {
	b := bytes.TrimSpace(body)
	var list []restError
	switch {
	case len(b) > 0 && b[0] == '[':
		if json.Unmarshal(b, &list) != nil {
			list = nil
		}
	case len(b) > 0 && b[0] == '{':
		var one restError
		if json.Unmarshal(b, &one) == nil && (one.ErrorCode != "" || one.Message != "") {
			list = []restError{one}
		}
	case len(b) > 0 && b[0] == '<':
		var x struct {
			Errors []restError `xml:"Error"`
		}
		if xml.Unmarshal(b, &x) == nil {
			list = x.Errors
		}
	}
	e := &APIError{StatusCode: status}
	var msgs []string
	for _, r := range list {
		if e.Code == "" {
			e.Code = r.ErrorCode
		}
		if r.Message != "" {
			msgs = append(msgs, r.Message)
		}
	}
	e.Message = strings.Join(msgs, "; ")
	if e.Code == "" && e.Message == "" {
		e.Message = statusHint(status, contentType)
	}
	return e
}

func statusHint(status int, contentType string) string {
	switch {
	case status == http.StatusGone:
		return "this API version is retired on the org: remove the pinned API version"
	case status == http.StatusNotFound:
		return "not found: check that the URL is the org's instance or My Domain URL"
	case status >= 500:
		return "Salesforce is unavailable or failed; try again later"
	}
	ct, _, _ := mime.ParseMediaType(contentType)
	if ct == "" {
		ct = "no content type"
	}
	return "the answer (" + ct + ") is not a Salesforce error body"
}

// htmlGuard turns HTML answers below 500 into ErrNotSalesforce: no
// Salesforce API answers with a page, so the URL is wrong (§5.1). 5xx pages
// pass through, since a real instance shows one during maintenance.
type htmlGuard struct{ base http.RoundTripper }

func (g htmlGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	base := g.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil || resp.StatusCode >= 500 {
		return resp, err
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "text/html" && ct != "application/xhtml+xml" {
		return resp, nil
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil, &ResponseError{StatusCode: resp.StatusCode, ContentType: ct, HTML: true, Problem: pageTitle(page)}
}

var titlePattern = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// pageTitle describes an HTML page by its title, cut short.
func pageTitle(page []byte) string {
	m := titlePattern.FindSubmatch(page)
	if m == nil {
		return "no title"
	}
	t := strings.Join(strings.Fields(string(m[1])), " ")
	if r := []rune(t); len(r) > 80 {
		t = string(r[:80]) + "…"
	}
	return "title " + `"` + t + `"`
}
