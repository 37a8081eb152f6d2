package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// restDeployResponse is the deployRequest resource's body (§2.10).
type restDeployResponse struct {
	ID                       string         `json:"id"`
	ValidatedDeployRequestID *string        `json:"validatedDeployRequestId"`
	DeployOptions            *deployOptions `json:"deployOptions"`
	DeployResult             deployResult   `json:"deployResult"`
	URL                      string         `json:"url"`
}

func (s *Server) restResponse(job *deployJob, ver string, details bool) restDeployResponse {
	r := s.result(job, details)
	s.jobs.mu.Lock()
	opts, from := job.opts, job.from
	s.jobs.mu.Unlock()
	if opts.RunTests == nil {
		opts.RunTests = []string{}
	}
	out := restDeployResponse{ID: job.id, DeployOptions: &opts, DeployResult: r,
		URL: "/services/data/v" + ver + "/metadata/deployRequest/" + job.id}
	if from != "" {
		out.ValidatedDeployRequestID = ptr(from)
	}
	return out
}

// restDeploy is POST …/metadata/deployRequest: a multipart deploy (a JSON
// part named "json" or jsforce's "entity_content", and the zip), or
// jsforce's quick deploy {"validatedDeployRequestId": "0Af…"} (§2.10).
func (s *Server) restDeploy(w http.ResponseWriter, r *http.Request, ver string) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var body struct {
			ValidatedDeployRequestID string `json:"validatedDeployRequestId"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || body.ValidatedDeployRequestID == "" {
			writeRESTError(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "a JSON body must be {\"validatedDeployRequestId\":\"0Af…\"}; deploys are multipart/form-data")
			return
		}
		s.restQuickDeploy(w, ver, body.ValidatedDeployRequestID)
		return
	}
	if mt != "multipart/form-data" || params["boundary"] == "" {
		writeRESTError(w, http.StatusBadRequest, "INVALID_MULTIPART_REQUEST", "a deployRequest is multipart/form-data with a JSON part and a zip part")
		return
	}
	opts, zip, err := readDeployParts(multipart.NewReader(http.MaxBytesReader(w, r.Body, maxSOAPBody), params["boundary"]))
	if err != nil {
		writeRESTError(w, http.StatusBadRequest, "INVALID_MULTIPART_REQUEST", err.Error())
		return
	}
	if !validTestLevels[opts.TestLevel] {
		writeRESTError(w, http.StatusBadRequest, "INVALID_FIELD", "'"+opts.TestLevel+"' is not a valid value for testLevel")
		return
	}
	if err := s.refuseTestLevel(opts); err != nil {
		writeRESTError(w, err.status, err.code, err.message)
		return
	}
	job := s.submitDeploy(opts, zip)
	w.Header().Set("Location", "/services/data/v"+ver+"/metadata/deployRequest/"+job.id)
	writeJSON(w, http.StatusCreated, s.restResponse(job, ver, false))
}

// readDeployParts reads the options part and the zip part of a REST deploy.
func readDeployParts(mr *multipart.Reader) (deployOptions, []byte, error) {
	var opts deployOptions
	var zip []byte
	gotOpts := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return opts, nil, fmt.Errorf("reading the multipart body: %w", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return opts, nil, fmt.Errorf("reading part %q: %w", p.FormName(), err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch {
		case p.FormName() == "json" || p.FormName() == "entity_content" || ct == "application/json":
			var body struct {
				DeployOptions deployOptions `json:"deployOptions"`
			}
			if err := json.Unmarshal(b, &body); err != nil {
				return opts, nil, fmt.Errorf("the %q part is not {\"deployOptions\":{…}}: %v", p.FormName(), err)
			}
			opts, gotOpts = body.DeployOptions, true
		case p.FormName() == "file" || ct == "application/zip" || ct == "application/octet-stream":
			zip = b
		}
	}
	switch {
	case !gotOpts:
		return opts, nil, fmt.Errorf("no JSON part (named json or entity_content) with the deployOptions")
	case len(zip) == 0:
		return opts, nil, fmt.Errorf("no zip part (named file, application/zip)")
	}
	return opts, zip, nil
}

// UnmarshalJSON reads deployOptions leniently: booleans as true/false or
// "true"/"false", runTests as an array or a comma-separated string.
func (o *deployOptions) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	flags := map[string]*bool{
		"allowMissingFiles": &o.AllowMissingFiles, "autoUpdatePackage": &o.AutoUpdatePackage, "checkOnly": &o.CheckOnly,
		"ignoreWarnings": &o.IgnoreWarnings, "performRetrieve": &o.PerformRetrieve, "purgeOnDelete": &o.PurgeOnDelete,
		"rollbackOnError": &o.RollbackOnError, "singlePackage": &o.SinglePackage,
	}
	for name, dst := range flags {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		val, err := parseBool(name, s)
		if err != nil {
			return err
		}
		*dst = val
	}
	if v, ok := raw["testLevel"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &o.TestLevel); err != nil {
			return fmt.Errorf("testLevel: %w", err)
		}
	}
	if v, ok := raw["runTests"]; ok && string(v) != "null" {
		var one string
		if json.Unmarshal(v, &one) == nil {
			o.RunTests = strings.FieldsFunc(one, func(r rune) bool { return r == ',' || r == ' ' })
		} else if err := json.Unmarshal(v, &o.RunTests); err != nil {
			return fmt.Errorf("runTests: %w", err)
		}
	}
	return nil
}

// restDeployRequest serves …/metadata/deployRequest/{id}: GET the status
// (?includeDetails=true), PATCH {"deployResult":{"status":"Canceling"}} to
// cancel (202), POST to quick-deploy the validation {id} (§2.10).
func (s *Server) restDeployRequest(w http.ResponseWriter, r *http.Request, ver, id string) {
	if r.Method == http.MethodPost {
		s.restQuickDeploy(w, ver, id)
		return
	}
	if !allow(w, r, http.MethodGet, http.MethodPatch) {
		return
	}
	job := s.deployJob(id)
	if job == nil {
		writeRESTError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	if r.Method == http.MethodPatch {
		var body struct {
			DeployResult struct {
				Status string `json:"status"`
			} `json:"deployResult"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil || body.DeployResult.Status != statusCanceling {
			writeRESTError(w, http.StatusBadRequest, "INVALID_FIELD", `the only change allowed is {"deployResult":{"status":"Canceling"}}`)
			return
		}
		if _, err := s.cancelDeploy(id); err != nil {
			writeRESTError(w, err.status, err.code, err.message)
			return
		}
		writeJSON(w, http.StatusAccepted, s.restResponse(job, ver, false))
		return
	}
	writeJSON(w, http.StatusOK, s.restResponse(job, ver, r.URL.Query().Get("includeDetails") == "true"))
}

func (s *Server) restQuickDeploy(w http.ResponseWriter, ver, id string) {
	job, err := s.quickDeploy(id)
	if err != nil {
		writeRESTError(w, err.status, err.code, err.message)
		return
	}
	writeJSON(w, http.StatusCreated, s.restResponse(job, ver, false))
}
