package sim

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// asyncResult is AsyncResult, the answer of retrieve, deploy and
// checkStatus (§2.2).
type asyncResult struct {
	Done  bool   `xml:"done"`
	ID    string `xml:"id"`
	State string `xml:"state"`
}

// retrieveMessage is RetrieveMessage (§2.5).
type retrieveMessage struct {
	FileName string `xml:"fileName"`
	Problem  string `xml:"problem"`
}

// retrieveResult is RetrieveResult, fields in WSDL order (§2.5).
type retrieveResult struct {
	Done            bool              `xml:"done"`
	ErrorMessage    string            `xml:"errorMessage,omitempty"`
	ErrorStatusCode string            `xml:"errorStatusCode,omitempty"`
	FileProperties  []fileProperties  `xml:"fileProperties"`
	ID              string            `xml:"id"`
	Messages        []retrieveMessage `xml:"messages"`
	Status          string            `xml:"status"`
	Success         bool              `xml:"success"`
	ZipFile         string            `xml:"zipFile,omitempty"`
}

// retrieveJob is one retrieve: Pending → InProgress → Succeeded|Failed.
// Guarded by jobTable.mu.
type retrieveJob struct {
	res retrieveResult
	zip []byte
}

// startRetrieve answers retrieve with a queued AsyncResult and builds the
// zip in the background (§2.5).
func (s *Server) startRetrieve(w http.ResponseWriter, req *retrieveRequest) {
	ver := req.apiVersion
	if ver == "" {
		ver = fmt.Sprintf("%d.0", latestVersion)
	}
	ver, st := checkVersion(ver)
	if st != versionOK {
		writeSFFault(w, "UNSUPPORTED_API_VERSION", "apiVersion "+req.apiVersion+" of the RetrieveRequest is not served by this org")
		return
	}
	want, messages := requestedComponents(req.unpackaged)
	for _, p := range req.packageNames {
		messages = append(messages, retrieveMessage{FileName: p, Problem: "No package named '" + p + "' found"})
	}
	job := &retrieveJob{res: retrieveResult{ID: jobID("09S"), Status: "Pending"}}
	s.jobs.mu.Lock()
	s.jobs.addRetrieve(job)
	s.jobs.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runRetrieve(job, want, messages, ver, req.singlePackage)
	}()
	writeSOAP(w, "retrieve", asyncResult{ID: job.res.ID, State: "Queued"})
}

// requestedComponents reads the RetrieveRequest's unpackaged manifest.
// Unknown types are reported as messages, not failures.
func requestedComponents(pkg *xnode) ([]metadata.Component, []retrieveMessage) {
	var out []metadata.Component
	var msgs []retrieveMessage
	if pkg == nil {
		return nil, nil
	}
	for _, t := range pkg.all("types") {
		name := t.field("name")
		if _, ok := metadata.LookupType(name); !ok {
			msgs = append(msgs, retrieveMessage{FileName: "package.xml", Problem: "Unknown type name '" + name + "' specified in package.xml"})
			continue
		}
		for _, m := range t.all("members") {
			out = append(out, metadata.Component{Type: name, FullName: m.value()})
		}
	}
	return out, msgs
}

func (s *Server) runRetrieve(job *retrieveJob, want []metadata.Component, messages []retrieveMessage, ver string, single bool) {
	s.jobs.mu.Lock()
	job.res.Status = "InProgress"
	s.jobs.mu.Unlock()

	prefix := "unpackaged/"
	if single {
		prefix = ""
	}
	found, zipped, props, err := s.retrieveZip(want, ver, prefix)
	for i := range messages {
		if messages[i].FileName == "package.xml" {
			messages[i].FileName = prefix + "package.xml"
		}
	}
	for _, c := range missing(want, found) {
		messages = append(messages, retrieveMessage{FileName: prefix + "package.xml",
			Problem: "Entity of type '" + c.Type + "' named '" + c.FullName + "' cannot be found"})
	}

	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	job.res.Done = true
	if err != nil {
		job.res.Status, job.res.ErrorStatusCode, job.res.ErrorMessage = "Failed", "UNKNOWN_EXCEPTION", err.Error()
		return
	}
	job.res.Status, job.res.Success = "Succeeded", true
	job.res.FileProperties, job.res.Messages, job.zip = props, messages, zipped
}

// retrieveZip reads the wanted components (wildcards: every component of
// the type; a parent brings the children in its file) and zips them in the Metadata API format under prefix, with
// their FileProperties and the package.xml entry a real org adds (§2.5).
func (s *Server) retrieveZip(want []metadata.Component, ver, prefix string) ([]metadata.Component, []byte, []fileProperties, error) {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	items, err := s.readOrgLocked(s.ctx, local.Filter{})
	if err != nil {
		return nil, nil, nil, err
	}
	listed := newListedSet(want)
	var picked []metadata.Item
	var found []metadata.Component
	var props []fileProperties
	for _, it := range items {
		c := it.Component
		if !listed.has(c) {
			continue
		}
		picked = append(picked, it) // a listed object's file carries its fields
		if listed.self(c) {
			found = append(found, c)
			props = append(props, s.properties(c, prefix+mdapiFileName(c), s.componentID(c), s.modified(c)))
		}
	}
	var buf bytes.Buffer
	if err := metadata.WriteMDAPIZip(&buf, picked, nil, ver); err != nil {
		return nil, nil, nil, err
	}
	zipped := buf.Bytes()
	if prefix != "" {
		if zipped, err = prefixZip(zipped, prefix); err != nil {
			return nil, nil, nil, err
		}
	}
	manifest := prefix + "package.xml"
	props = append(props, fileProperties{
		CreatedByID: s.userID, CreatedByName: "Sim Admin", CreatedDate: sfTime(time.Now()),
		FileName: manifest, FullName: manifest, LastModifiedByID: s.userID, LastModifiedByName: "Sim Admin",
		LastModifiedDate: sfTime(time.Now()), ManageableState: "unmanaged", Type: "Package",
	})
	return found, zipped, props, nil
}

// missing returns the named (non-wildcard) components of want not in found.
func missing(want, found []metadata.Component) []metadata.Component {
	have := map[metadata.Component]bool{}
	for _, c := range found {
		have[c] = true
	}
	var out []metadata.Component
	for _, c := range want {
		if c.FullName != metadata.Wildcard && !have[c] {
			have[c] = true // report each once
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// prefixZip moves every entry of a zip under prefix (the unpackaged/
// layout, §2.5), copying compressed data as is.
func prefixZip(src []byte, prefix string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		h := f.FileHeader
		h.Name = prefix + h.Name
		raw, err := f.OpenRaw()
		if err != nil {
			return nil, err
		}
		dst, err := zw.CreateRaw(&h)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(dst, raw); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkRetrieveStatus answers with the RetrieveResult; the zip only once
// done and when includeZip is not false (§2.5).
func (s *Server) checkRetrieveStatus(w http.ResponseWriter, req *statusRequest) {
	s.jobs.mu.Lock()
	job, ok := s.jobs.retrieves[req.id]
	var res retrieveResult
	var zipped []byte
	if ok {
		res, zipped = job.res, job.zip
	}
	s.jobs.mu.Unlock()
	if !ok {
		writeSFFault(w, "INVALID_ID_FIELD", "Invalid retrieve id: "+req.id)
		return
	}
	if res.Done && req.detail {
		res.ZipFile = base64.StdEncoding.EncodeToString(zipped)
	}
	writeSOAP(w, "checkRetrieveStatus", res)
}

// checkStatus is the older AsyncResult poll, still used by ForceCLI for
// retrieves (§2.2); it answers for deploys too.
func (s *Server) checkStatus(w http.ResponseWriter, ids []string) {
	var out []any
	s.jobs.mu.Lock()
	for _, id := range ids {
		if r, ok := s.jobs.retrieves[id]; ok {
			out = append(out, asyncResult{Done: r.res.Done, ID: id, State: asyncState(r.res.Done, r.res.Status == "Pending")})
			continue
		}
		if d, ok := s.jobs.deploys[id]; ok {
			out = append(out, asyncResult{Done: d.done, ID: id, State: asyncState(d.done, d.status == statusPending)})
			continue
		}
		s.jobs.mu.Unlock()
		writeSFFault(w, "INVALID_ID_FIELD", "Invalid id: "+id)
		return
	}
	s.jobs.mu.Unlock()
	writeSOAP(w, "checkStatus", out...)
}

func asyncState(done, queued bool) string {
	switch {
	case done:
		return "Completed"
	case queued:
		return "Queued"
	}
	return "InProgress"
}
