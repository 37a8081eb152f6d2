package sim

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The drop fault (Faults.Drop, `--fault drop=FRACTION`) loses the
// connection in the middle of an answer, the way a flaky network, a proxy
// timing out or a laptop changing Wi-Fi does while a client polls a
// deploy. The org does the work the call asked for — a deploy is started,
// a status is read — and only the answer is lost: the status line, the
// headers with the full Content-Length and the first half of the body
// reach the client, then the connection closes. A client sees an
// unexpected EOF, never a clean error it could mistake for the org's.
//
// Only API calls can be dropped (REST, Tooling and SOAP Metadata API
// calls, the ones admit counts); the token and version endpoints are not,
// so that the fault exercises recovery after a sign-in, not the sign-in.
// `drop=FRACTION@OP` drops only calls of that Metadata API operation (or
// REST resource), e.g. drop=0.5@checkDeployStatus for connections lost
// while a client polls a deploy; several are joined with "+".

// parseDrop parses the value of `drop=FRACTION[@OP[+OP…]]`.
func parseDrop(value string) (func(*Faults), error) {
	rate, only, _ := strings.Cut(value, "@")
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil || r < 0 || r > 1 {
		return nil, fmt.Errorf("fault drop: %q is not a fraction between 0 and 1 such as 0.1 (optionally @OPERATION, e.g. 0.5@checkDeployStatus)", value)
	}
	for _, op := range strings.Split(only, "+") {
		if strings.Contains(value, "@") && !isIdentifierLike(op) {
			return nil, fmt.Errorf("fault drop: %q: after @ name Metadata API operations or REST resources joined with +, e.g. 0.5@checkDeployStatus+checkRetrieveStatus", value)
		}
	}
	return func(f *Faults) { f.Drop, f.DropOnly = r, only }, nil
}

func isIdentifierLike(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

// operation names the call for Faults.DropOnly: the SOAP operation, or
// the REST path. The body is read and put back for the handler.
func operation(r *http.Request) string {
	if !strings.HasPrefix(r.URL.Path, "/services/Soap/") {
		return r.URL.Path
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSOAPBody+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	req, err := parseSOAPRequest(body)
	if err != nil {
		return ""
	}
	return req.op
}

// selected reports whether a call is one Faults.DropOnly names (all are
// when it is empty).
func (s *Server) selected(r *http.Request) bool {
	only := s.cfg.Faults.DropOnly
	if only == "" {
		return true
	}
	op := operation(r)
	for _, name := range strings.Split(only, "+") {
		if op == name || strings.Contains(op, "/"+name) {
			return true
		}
	}
	return false
}

// isAPICall reports whether a request is an API call the drop fault may
// hit: anything under a versioned REST path or the Metadata API endpoint,
// not the versions list.
func isAPICall(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/services/Soap/") {
		return true
	}
	// /services/data/ alone lists the versions; below it is the API.
	rest, ok := strings.CutPrefix(p, "/services/data/")
	return ok && strings.Trim(rest, "/") != ""
}

// dropping picks, with probability Faults.Drop, the calls whose answer is lost.
func (s *Server) dropping() bool {
	rate := s.cfg.Faults.Drop
	if rate <= 0 {
		return false
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < rate
}

// withDrops serves API calls picked by dropping into a buffer, then sends
// only the first half of the answer and closes the connection.
func (s *Server) withDrops(h http.Handler) http.Handler {
	if s.cfg.Faults.Drop <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPICall(r) || !s.selected(r) || !s.dropping() {
			h.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		s.dropped.Add(1)
		cut(w, rec)
	})
}

// cut writes rec's answer up to the middle of its body on the raw
// connection, then closes it.
func cut(w http.ResponseWriter, rec *recorder) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// No connection to cut (HTTP/2): the closest is an aborted handler,
		// which resets the stream.
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	body := rec.body.Bytes()
	out := bufio.NewWriter(conn)
	fmt.Fprintf(out, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	rec.header.Del("Content-Length")
	rec.header.Del("Transfer-Encoding")
	_ = rec.header.Write(out)
	// The full length is announced, so the client knows the body was cut.
	fmt.Fprintf(out, "Content-Length: %d\r\nConnection: close\r\n\r\n", max(len(body), 2))
	_, _ = out.Write(body[:len(body)/2])
	_ = out.Flush()
	_ = buf // unread request bytes are dropped with the connection
}

// recorder buffers a handler's answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// Dropped is how many answers the drop fault has cut so far.
func (s *Server) Dropped() int64 { return s.dropped.Load() }
