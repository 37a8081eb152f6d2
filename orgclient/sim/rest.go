package sim

import (
	"net/http"
	"strings"
)

// handleVersions is GET /services/data/: no authentication, not an API call,
// no Sforce-Limit-Info (§1.7, §5.3).
func (s *Server) handleVersions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, versions())
}

// handleREST serves /services/data/<version>/…; "latest" stands for the
// newest version (§1.7). Retired versions answer 410 (§ intro).
func (s *Server) handleREST(w http.ResponseWriter, r *http.Request) {
	ver := r.PathValue("ver")
	if ver == "latest" {
		ver = versions()[len(versions())-1].Version
	} else {
		v, st := checkVersion(strings.TrimPrefix(ver, "v"))
		switch {
		case !strings.HasPrefix(ver, "v") || st == versionUnknown:
			writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
			return
		case st == versionRetired:
			writeRESTError(w, http.StatusGone, "API_VERSION_RETIRED", "Version "+ver+" of the API is retired; use version 31.0 or later")
			return
		}
		ver = v
	}
	if !s.admitREST(w, r) {
		return
	}
	rest := strings.TrimSuffix(r.PathValue("rest"), "/")
	switch {
	case rest == "":
		if allow(w, r, http.MethodGet) {
			s.resources(w, ver)
		}
	case rest == "limits":
		if allow(w, r, http.MethodGet) {
			s.limits(w)
		}
	case rest == "query" || rest == "queryAll" || rest == "tooling/query":
		if allow(w, r, http.MethodGet) {
			s.query(w, r, ver, strings.HasPrefix(rest, "tooling/"))
		}
	case strings.HasPrefix(rest, "query/") || strings.HasPrefix(rest, "tooling/query/"):
		if allow(w, r, http.MethodGet) {
			tooling := strings.HasPrefix(rest, "tooling/")
			s.nextPage(w, ver, rest[strings.LastIndexByte(rest, '/')+1:], tooling)
		}
	case isRecordPath(rest):
		if allow(w, r, http.MethodGet) {
			parts := strings.Split(rest, "/")
			n := len(parts)
			s.getRecord(w, r, ver, parts[n-2], parts[n-1], parts[0] == "tooling")
		}
	case rest == "metadata/deployRequest":
		if allow(w, r, http.MethodPost) {
			s.restDeploy(w, r, ver)
		}
	case strings.HasPrefix(rest, "metadata/deployRequest/") && !strings.Contains(strings.TrimPrefix(rest, "metadata/deployRequest/"), "/"):
		s.restDeployRequest(w, r, ver, strings.TrimPrefix(rest, "metadata/deployRequest/"))
	default:
		writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

// isRecordPath matches sobjects/<Type>/<id> and tooling/sobjects/<Type>/<id>.
func isRecordPath(rest string) bool {
	parts := strings.Split(strings.TrimPrefix(rest, "tooling/"), "/")
	return len(parts) == 3 && parts[0] == "sobjects" && parts[1] != "" && parts[2] != ""
}

// allow answers 405 unless r uses one of methods.
func allow(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ","))
	writeRESTError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
		"HTTP Method '"+r.Method+"' not allowed. Allowed are "+strings.Join(methods, ","))
	return false
}

// resources is GET /services/data/vXX.X/: resource name → path (§1.7), and
// the absolute identity URL, which jsforce's identity() follows.
func (s *Server) resources(w http.ResponseWriter, ver string) {
	base := "/services/data/v" + ver + "/"
	out := map[string]string{"identity": s.identityURL()}
	for _, name := range []string{"tooling", "metadata", "query", "queryAll", "limits", "sobjects", "search", "recent", "composite", "connect", "analytics", "chatter"} {
		out[name] = base + name
	}
	writeJSON(w, http.StatusOK, out)
}

// limit is one entry of the limits resource.
type limit struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// limits is GET /services/data/vXX.X/limits/: DailyApiRequests comes from the
// call counter, the rest are a Developer Edition's allocations (§1.7).
func (s *Server) limits(w http.ResponseWriter) {
	used, allocation := s.usage.counts()
	writeJSON(w, http.StatusOK, map[string]limit{
		"DailyApiRequests":                       {allocation, max(allocation-used, 0)},
		"DailyAsyncApexExecutions":               {250000, 250000},
		"DailyBulkApiBatches":                    {15000, 15000},
		"DailyBulkV2QueryJobs":                   {10000, 10000},
		"DailyDurableStreamingApiEvents":         {10000, 10000},
		"DailyMetadataRetrievesWithDependencies": {25, 25},
		"DataStorageMB":                          {5, 5},
		"FileStorageMB":                          {20, 20},
		"HourlyTimeBasedWorkflow":                {50, 50},
		"SingleEmail":                            {15, 15},
	})
}
