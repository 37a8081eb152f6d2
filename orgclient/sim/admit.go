package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// defaultAPIAllocation is DailyApiRequests.Max when no RequestLimit is set
// (a Developer Edition's allocation, §5.3).
const defaultAPIAllocation = 15000

// usage counts the org's API calls (§5.3).
type usage struct {
	mu    sync.Mutex
	used  int
	limit int // 0: defaultAPIAllocation, never enforced
}

// take counts one call, or reports that the allocation is used up.
func (u *usage) take() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.limit > 0 && u.used >= u.limit {
		return false
	}
	u.used++
	return true
}

// counts returns calls used and the allocation.
func (u *usage) counts() (used, max int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.limit > 0 {
		return u.used, u.limit
	}
	return u.used, defaultAPIAllocation
}

// refusal is why an API call is not served: each is rendered as a REST error
// or a SOAP fault with the same code (§5.1, §2.11).
type refusal struct {
	status  int // REST status; SOAP faults are always 500
	code    string
	message string // REST message
	fault   string // SOAP faultstring after "CODE: "
}

var (
	errSessionInvalid = &refusal{http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid",
		"Invalid Session ID found in SessionHeader: Illegal Session"}
	errLimitExceeded = &refusal{http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.",
		"TotalRequests Limit exceeded."}
)

// admit decides whether an API call with this token is served: the session
// must be live, the allocation not used up, and the call not picked by
// Faults.ErrorRate to fail. A served (or randomly failed) call is counted.
func (s *Server) admit(token string) *refusal {
	if !s.auth.valid(token, true) {
		return errSessionInvalid
	}
	if !s.usage.take() {
		return errLimitExceeded
	}
	if rate := s.cfg.Faults.ErrorRate; rate > 0 {
		s.rngMu.Lock()
		fail, a, b, c := s.rng.Float64() < rate, s.rng.IntN(1e9), s.rng.IntN(1e5), s.rng.IntN(1e9)
		s.rngMu.Unlock()
		if fail {
			msg := fmt.Sprintf("An unexpected error occurred. Please include this ErrorId if you contact support: %d-%d (%d)", a, b, -c)
			return &refusal{http.StatusInternalServerError, "UNKNOWN_EXCEPTION", msg, msg}
		}
	}
	return nil
}

// admitREST admits a REST call, writing the refusal as the JSON error array
// when it is refused, and the Sforce-Limit-Info header either way (§5.3).
func (s *Server) admitREST(w http.ResponseWriter, r *http.Request) bool {
	ref := s.admit(bearer(r))
	used, max := s.usage.counts()
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", used, max))
	if ref != nil {
		writeRESTError(w, ref.status, ref.code, ref.message)
		return false
	}
	return true
}

// writeJSON writes v as a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`[{"errorCode":"UNKNOWN_EXCEPTION","message":"the simulator could not encode its answer"}]`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// restError is one element of a REST error body (§5.1).
type restError struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

// writeRESTError writes the REST error array [{"message","errorCode"}].
func writeRESTError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, []restError{{Message: message, ErrorCode: code}})
}
