package sim

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// DeployStatus values (§2.7).
const (
	statusPending    = "Pending"
	statusInProgress = "InProgress"
	statusSucceeded  = "Succeeded"
	statusPartial    = "SucceededPartial"
	statusFailed     = "Failed"
	statusCanceling  = "Canceling"
	statusCanceled   = "Canceled"
)

// quickDeployWindow is how long a validation can be quick-deployed (§2.9).
const quickDeployWindow = 10 * 24 * time.Hour

// maxJobs is how many deploys, and how many retrieves, the org remembers;
// beyond that the oldest finished ones are forgotten, as a real org
// deletes old results.
const maxJobs = 500

// jobTable holds the org's deploys and retrieves in memory.
type jobTable struct {
	mu                       sync.Mutex
	deploys                  map[string]*deployJob
	retrieves                map[string]*retrieveJob
	deployOrder, retrieveIDs []string // oldest first
	// lastWrite is when the last deploy that changed the org completed: a
	// validation older than that cannot be quick-deployed.
	lastWrite time.Time
}

// addDeploy registers a deploy; the caller holds mu.
func (t *jobTable) addDeploy(job *deployJob) {
	t.deploys[job.id] = job
	t.deployOrder = forget(append(t.deployOrder, job.id), func(id string) bool {
		if j := t.deploys[id]; j.done {
			delete(t.deploys, id)
			return true
		}
		return false
	})
}

// addRetrieve registers a retrieve; the caller holds mu.
func (t *jobTable) addRetrieve(job *retrieveJob) {
	t.retrieves[job.res.ID] = job
	t.retrieveIDs = forget(append(t.retrieveIDs, job.res.ID), func(id string) bool {
		if j := t.retrieves[id]; j.res.Done {
			delete(t.retrieves, id)
			return true
		}
		return false
	})
}

// forget drops the oldest ids beyond maxJobs that drop agrees to forget
// (finished jobs), keeping the order of the rest.
func forget(ids []string, drop func(string) bool) []string {
	excess := len(ids) - maxJobs
	if excess <= 0 {
		return ids
	}
	return slices.DeleteFunc(ids, func(id string) bool {
		if excess > 0 && drop(id) {
			excess--
			return true
		}
		return false
	})
}

// deployJob is one deploy, validation or quick deploy. Its fields are
// guarded by jobTable.mu; the job's goroutine (runDeploy) moves it along.
type deployJob struct {
	id       string
	opts     deployOptions // as in effect (rollbackOnError forced on in production)
	pkg      *deployPackage
	quick    bool   // a quick deploy: tests ran in its validation
	from     string // quick deploy: the validation it deploys
	quickJob string // validation: the quick deploy made from it
	ctx      context.Context
	cancel   context.CancelFunc

	created, started, completed, modified time.Time
	status, stateDetail                   string
	done, finalizing                      bool
	total, deployed, compErrors           int
	testsTotal, testsDone, testErrors     int
	runTests                              bool
	successes, failures                   []deployMessage
	testOK                                []runTestSuccess
	testFail                              []runTestFailure
	testTime                              float64 // ms
	coverage                              []codeCoverageResult
	coverageWarnings                      []codeCoverageWarning
	errMsg, errCode                       string
}

// validTestLevels are the TestLevel enum values (§2.6).
var validTestLevels = setOf("", "NoTestRun", "RunSpecifiedTests", "RunLocalTests", "RunAllTestsInOrg", "RunRelevantTests")

// newDeploy registers a Pending deploy; the caller holds jobs.mu and then
// calls launch.
func (s *Server) newDeploy(opts deployOptions, pkg *deployPackage) *deployJob {
	if s.cfg.Kind == KindProduction {
		opts.RollbackOnError = true // must be true in production (§2.6)
	}
	now := s.now()
	job := &deployJob{id: jobID("0Af"), opts: opts, pkg: pkg, created: now, modified: now, status: statusPending}
	job.ctx, job.cancel = context.WithCancel(s.ctx)
	s.jobs.addDeploy(job)
	return job
}

// launch runs job in the background.
func (s *Server) launch(job *deployJob) {
	s.wg.Add(1)
	go s.runDeploy(job)
}

// submitDeploy starts a deploy of a zip.
func (s *Server) submitDeploy(opts deployOptions, zip []byte) *deployJob {
	pkg := readPackage(zip, opts)
	s.jobs.mu.Lock()
	job := s.newDeploy(opts, pkg)
	s.jobs.mu.Unlock()
	s.launch(job)
	return job
}

// apiError is a refused Metadata API request: a SOAP fault or REST error
// with this code.
type apiError struct {
	code, message string
	status        int // REST status
}

func invalidID(format string, args ...any) *apiError {
	return &apiError{code: "INVALID_ID_FIELD", message: fmt.Sprintf(format, args...), status: http.StatusBadRequest}
}

// refuseTestLevel faults a deploy or validation that asks a production org
// to run no tests, with the text a real production org answers.
func (s *Server) refuseTestLevel(opts deployOptions) *apiError {
	if s.cfg.Kind == KindProduction && opts.TestLevel == "NoTestRun" {
		return &apiError{code: "INVALID_OPERATION", message: "testLevel of NoTestRun cannot be used in production organizations", status: http.StatusBadRequest}
	}
	return nil
}

// quickDeploy starts the quick deploy of a validation, if allowed: a
// succeeded checkOnly deploy that ran Apex tests (so they passed and, in
// production, met coverage), younger than 10 days, not quick-deployed
// yet, with no deploy to the org since (§2.9).
func (s *Server) quickDeploy(id string) (*deployJob, *apiError) {
	s.jobs.mu.Lock()
	v, ok := s.jobs.deploys[id]
	var err *apiError
	switch {
	case !ok:
		err = invalidID("no validation with id %s was found in this org", id)
	case !v.opts.CheckOnly:
		err = invalidID("%s is a deployment, not a validation (checkOnly); only validations can be quick-deployed", id)
	case v.status != statusSucceeded:
		err = invalidID("validation %s has not succeeded (status %s); only a succeeded validation can be quick-deployed", id, v.status)
	case !v.runTests:
		err = invalidID("validation %s ran no Apex tests; only a validation whose tests passed and met code coverage can be quick-deployed", id)
	case v.quickJob != "":
		err = invalidID("validation %s was already quick-deployed as %s", id, v.quickJob)
	case s.now().Sub(v.completed) > quickDeployWindow:
		err = invalidID("validation %s completed more than 10 days ago; validate again", id)
	case s.jobs.lastWrite.After(v.completed):
		err = invalidID("the org changed since validation %s: a deployment completed after it; validate again", id)
	}
	if err != nil {
		s.jobs.mu.Unlock()
		return nil, err
	}
	opts := v.opts
	opts.CheckOnly = false
	job := s.newDeploy(opts, v.pkg)
	job.quick, job.from = true, id
	v.quickJob = job.id
	s.jobs.mu.Unlock()
	s.launch(job)
	return job, nil
}

// cancelDeploy asks a deploy to stop: a queued one is canceled at once
// (done), a running one moves to Canceling and then Canceled (§2.8).
func (s *Server) cancelDeploy(id string) (done bool, _ *apiError) {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	job, ok := s.jobs.deploys[id]
	switch {
	case !ok:
		return false, invalidID("no deployment with id %s was found in this org", id)
	case job.done || job.finalizing:
		return false, invalidID("Deployment already completed")
	case job.status == statusPending:
		s.finishCanceledLocked(job)
		job.cancel()
		return true, nil
	}
	job.status, job.modified = statusCanceling, s.now()
	job.cancel()
	return false, nil
}

// finishCanceledLocked ends job as Canceled by the org's user; the caller
// holds jobs.mu.
func (s *Server) finishCanceledLocked(job *deployJob) {
	if job.done {
		return
	}
	now := s.now()
	job.status, job.done, job.stateDetail = statusCanceled, true, ""
	job.completed, job.modified = now, now
}

// result renders job as a DeployResult; details adds the per-component and
// per-test lists (§2.7: without them, runTestResult carries counters only).
func (s *Server) result(job *deployJob, details bool) deployResult {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	r := deployResult{
		CheckOnly: job.opts.CheckOnly, CreatedBy: s.userID, CreatedByName: "Sim Admin", CreatedDate: sfTime(job.created),
		Done: job.done, ID: job.id, IgnoreWarnings: job.opts.IgnoreWarnings, LastModifiedDate: ptr(sfTime(job.modified)),
		NumberComponentErrors: job.compErrors, NumberComponentsDeployed: job.deployed, NumberComponentsTotal: job.total,
		// Completed counts the tests that passed: 5 completed and 1 error of 6.
		NumberTestErrors: job.testErrors, NumberTestsCompleted: job.testsDone - job.testErrors, NumberTestsTotal: job.testsTotal,
		RollbackOnError: job.opts.RollbackOnError, RunTestsEnabled: job.runTests, Status: job.status,
		Success: job.status == statusSucceeded || job.status == statusPartial,
	}
	if job.status == statusCanceled {
		r.CanceledBy, r.CanceledByName = ptr(s.userID), ptr("Sim Admin")
	}
	if job.done {
		r.CompletedDate = ptr(sfTime(job.completed))
	}
	if !job.started.IsZero() {
		r.StartDate = ptr(sfTime(job.started))
	}
	if job.stateDetail != "" {
		r.StateDetail = ptr(job.stateDetail)
	}
	if job.errMsg != "" {
		r.ErrorMessage, r.ErrorStatusCode = ptr(job.errMsg), ptr(job.errCode)
	}
	d := &r.Details
	d.ComponentFailures, d.ComponentSuccesses = []deployMessage{}, []deployMessage{}
	d.RunTestResult = runTestsResult{CodeCoverage: []codeCoverageResult{}, CodeCoverageWarnings: []codeCoverageWarning{},
		Failures: []runTestFailure{}, Successes: []runTestSuccess{},
		NumFailures: job.testErrors, NumTestsRun: job.testsDone, TotalTime: double(job.testTime)}
	if details {
		d.ComponentFailures = append(d.ComponentFailures, job.failures...)
		d.ComponentSuccesses = append(d.ComponentSuccesses, job.successes...)
		d.RunTestResult.Failures = append(d.RunTestResult.Failures, job.testFail...)
		d.RunTestResult.Successes = append(d.RunTestResult.Successes, job.testOK...)
		d.RunTestResult.CodeCoverage = append(d.RunTestResult.CodeCoverage, job.coverage...)
		d.RunTestResult.CodeCoverageWarnings = append(d.RunTestResult.CodeCoverageWarnings, job.coverageWarnings...)
	}
	d.AllComponentMessages = slices.Concat(d.ComponentSuccesses, d.ComponentFailures)
	return r
}

// decodeZip reads the base64 ZipFile of a deploy, line breaks tolerated.
func decodeZip(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

// soapDeploy answers deploy with a queued AsyncResult (§2.6).
func (s *Server) soapDeploy(w http.ResponseWriter, req *deployRequest) {
	zip, err := decodeZip(req.zip)
	if err != nil || len(zip) == 0 {
		writeFault(w, "soapenv:Client", "ZipFile must be a base64-encoded zip file")
		return
	}
	if !validTestLevels[req.opts.TestLevel] {
		writeFault(w, "soapenv:Client", "'"+req.opts.TestLevel+"' is not a valid value for the enum 'TestLevel'")
		return
	}
	if err := s.refuseTestLevel(req.opts); err != nil {
		writeSFFault(w, err.code, err.message)
		return
	}
	job := s.submitDeploy(req.opts, zip)
	writeSOAP(w, "deploy", asyncResult{ID: job.id, State: "Queued"})
}

// checkDeployStatus answers with the DeployResult (§2.7).
func (s *Server) checkDeployStatus(w http.ResponseWriter, req *statusRequest) {
	job := s.deployJob(req.id)
	if job == nil {
		writeSFFault(w, "INVALID_ID_FIELD", "no deployment with id "+req.id+" was found in this org")
		return
	}
	writeSOAP(w, "checkDeployStatus", s.result(job, req.detail))
}

func (s *Server) deployJob(id string) *deployJob {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	return s.jobs.deploys[id]
}

// soapCancelDeploy answers cancelDeploy with CancelDeployResult (§2.8).
func (s *Server) soapCancelDeploy(w http.ResponseWriter, id string) {
	done, err := s.cancelDeploy(id)
	if err != nil {
		writeSFFault(w, err.code, err.message)
		return
	}
	writeSOAP(w, "cancelDeploy", cancelDeployResult{Done: done, ID: id})
}

// soapQuickDeploy answers deployRecentValidation with the new deploy's id
// as a plain string result (§2.9).
func (s *Server) soapQuickDeploy(w http.ResponseWriter, id string) {
	job, err := s.quickDeploy(id)
	if err != nil {
		writeSFFault(w, err.code, err.message)
		return
	}
	writeSOAP(w, "deployRecentValidation", job.id)
}
