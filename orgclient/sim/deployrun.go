package sim

import (
	"context"
	"fmt"
	"slices"
	"time"

	"relman/model/metadata"
)

// runDeploy moves a deploy through its states (§2.7): Pending while another
// deploy holds the org, InProgress through its components (stateDetail
// "Processing Type: X") and tests ("Running Test: Class.method"), then
// Succeeded, SucceededPartial, Failed or, when canceled, Canceled. Only a
// successful deploy that is not checkOnly is written to the directory.
func (s *Server) runDeploy(job *deployJob) {
	defer s.wg.Done()
	defer job.cancel()
	ctx := job.ctx
	select {
	case s.lane <- struct{}{}:
	case <-ctx.Done():
		s.endCanceled(job)
		return
	}
	defer func() { <-s.lane }()
	if !s.update(job, func() {
		job.status, job.started, job.stateDetail = statusInProgress, s.now(), "Preparing"
		// The manifest's entry is named "package.xml" whatever folder of
		// the zip held it, as real orgs name it.
		job.successes = append(job.successes, deployMessage{Changed: true, FileName: "package.xml",
			FullName: "package.xml", CreatedDate: sfTime(s.now()), Success: true, ForPackageManifestFile: true})
	}) {
		return
	}
	if job.pkg.fatal != "" {
		s.finish(job, statusFailed, func() {
			job.successes = nil
			job.failures = []deployMessage{{FileName: "package.xml", FullName: "package.xml",
				CreatedDate: sfTime(s.now()), Problem: ptr(job.pkg.fatal), ProblemType: ptr("Error")}}
		})
		return
	}
	plan, err := s.planDeploy(job)
	if err != nil && ctx.Err() != nil {
		s.endCanceled(job)
		return
	}
	if err != nil {
		s.finish(job, statusFailed, func() { job.errCode, job.errMsg = "UNKNOWN_EXCEPTION", err.Error() })
		return
	}
	if plan.testErr != "" {
		s.finish(job, statusFailed, func() { job.errCode, job.errMsg = "INVALID_OPERATION", plan.testErr })
		return
	}
	s.update(job, func() { job.total, job.runTests = len(plan.units), plan.runTests })
	if !s.deployComponents(ctx, job, plan) {
		return
	}
	s.jobs.mu.Lock()
	errs, total, rollback := job.compErrors, job.total, job.opts.RollbackOnError
	s.jobs.mu.Unlock()
	if errs > 0 && (rollback || errs == total) {
		s.finish(job, statusFailed, nil)
		return
	}
	if !s.runTests(ctx, job, plan.tests) {
		return
	}
	s.measureCoverage(job, plan)
	s.commit(job, plan)
}

// update changes job under the lock, unless it has ended (canceled while
// queued); it reports whether it did.
func (s *Server) update(job *deployJob, f func()) bool {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	if job.done {
		return false
	}
	f()
	job.modified = s.now()
	return true
}

// finish ends job with status, then runs f (may be nil) under the lock.
func (s *Server) finish(job *deployJob, status string, f func()) {
	s.update(job, func() {
		job.status, job.done, job.completed, job.stateDetail = status, true, s.now(), ""
		if f != nil {
			f()
		}
	})
}

func (s *Server) endCanceled(job *deployJob) {
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	s.finishCanceledLocked(job)
}

// wait sleeps d unless ctx ends first; it reports whether to go on.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// deployComponents reveals each component's outcome, a tenth of
// TestDuration apart, so numberComponentsDeployed climbs (§2.7).
func (s *Server) deployComponents(ctx context.Context, job *deployJob, plan *deployPlan) bool {
	step := s.cfg.TestDuration / 10
	for _, u := range plan.units {
		if !wait(ctx, step) {
			s.endCanceled(job)
			return false
		}
		s.update(job, func() {
			if u.msg.ComponentType != "" {
				job.stateDetail = "Processing Type: " + u.msg.ComponentType
			}
			switch {
			case u.failed:
				job.failures = append(job.failures, u.msg)
				job.compErrors++
			case u.msg.Success:
				job.successes = append(job.successes, u.msg)
				job.deployed++
			default: // a warning, ignored (ignoreWarnings)
				job.failures = append(job.failures, u.msg)
				job.deployed++
			}
		})
	}
	return true
}

// runTests runs each test method for TestDuration; a method that asserts
// false fails with its message and a stack trace (§2.7 RunTestFailure).
func (s *Server) runTests(ctx context.Context, job *deployJob, tests []apexTest) bool {
	s.update(job, func() { job.testsTotal = len(tests) })
	ms := float64(s.cfg.TestDuration) / float64(time.Millisecond)
	for _, t := range tests {
		s.update(job, func() { job.stateDetail = "Running Test: " + t.class + "." + t.method })
		if !wait(ctx, s.cfg.TestDuration) {
			s.endCanceled(job)
			return false
		}
		id := s.componentID(metadata.Component{Type: "ApexClass", FullName: t.class})
		s.update(job, func() {
			job.testsDone++
			job.testTime += ms
			if t.failure == "" {
				job.testOK = append(job.testOK, runTestSuccess{ID: id, MethodName: t.method, Name: t.class, Time: double(ms)})
				return
			}
			job.testErrors++
			job.testFail = append(job.testFail, runTestFailure{ID: id, Message: t.failure, MethodName: t.method, Name: t.class,
				PackageName: t.class, StackTrace: fmt.Sprintf("Class.%s.%s: line %d, column 1", t.class, t.method, t.line),
				Time: double(ms), Type: "Class"})
		})
	}
	return true
}

// measureCoverage records the coverage of the tests the deploy ran and,
// in production, the rules it breaks (coverage.go). A sandbox enforces no
// coverage, so it reports the numbers and no warnings.
func (s *Server) measureCoverage(job *deployJob, plan *deployPlan) {
	if !plan.runTests {
		return
	}
	cov := plan.apex.run(plan.tests)
	var results []codeCoverageResult
	for _, u := range plan.apex.order {
		uc := cov.of(u)
		r := codeCoverageResult{DMLInfo: []struct{}{}, MethodInfo: []struct{}{}, SOQLInfo: []struct{}{}, SOSLInfo: []struct{}{},
			ID: s.unitID(u), Name: u.name,
			NumLocations: uc.total, NumLocationsNotCovered: uc.uncovered, Type: u.kind, LocationsNotCovered: []codeLocation{}}
		for _, l := range uc.notCovered {
			r.LocationsNotCovered = append(r.LocationsNotCovered, codeLocation{Line: l, Time: -1})
		}
		results = append(results, r)
	}
	var warnings []codeCoverageWarning
	if s.cfg.Kind == KindProduction {
		warnings = cov.warnings(plan.level, plan.deployedApex, s.unitID, s.orgID)
	}
	s.update(job, func() { job.coverage, job.coverageWarnings = results, warnings })
}

// unitID is the id of an Apex class or trigger.
func (s *Server) unitID(u *apexUnit) string {
	return s.componentID(metadata.Component{Type: "Apex" + u.kind, FullName: u.name})
}

// commit decides the outcome and, for a deploy that succeeded and is not
// checkOnly, writes it into the directory: deletes, then the components
// that did not fail, then destructiveChangesPost (§3.2).
func (s *Server) commit(job *deployJob, plan *deployPlan) {
	s.jobs.mu.Lock()
	if job.ctx.Err() != nil {
		s.finishCanceledLocked(job)
		s.jobs.mu.Unlock()
		return
	}
	job.finalizing, job.stateDetail = true, "Finalizing"
	status := statusSucceeded
	switch {
	case job.testErrors > 0, len(job.coverageWarnings) > 0:
		status = statusFailed
	case job.compErrors > 0:
		status = statusPartial
	}
	write := status != statusFailed && !job.opts.CheckOnly
	s.jobs.mu.Unlock()

	var err error
	if write {
		err = s.writeOrg(plan)
	}
	s.finish(job, status, func() {
		switch {
		case err != nil:
			job.status, job.errCode, job.errMsg = statusFailed, "UNKNOWN_EXCEPTION", "The deploy could not be saved: "+err.Error()
		case write:
			s.jobs.lastWrite = s.now()
		}
	})
}

// writeOrg applies a plan to the directory under the write lock.
func (s *Server) writeOrg(plan *deployPlan) error {
	s.orgMu.Lock()
	defer s.orgMu.Unlock()
	ctx := context.Background() // a started write is finished, even when the server closes
	if err := s.org.Delete(ctx, plan.deletes); err != nil {
		return err
	}
	if err := s.org.Write(ctx, plan.write); err != nil {
		return err
	}
	if err := s.org.Delete(ctx, plan.deletesPost); err != nil {
		return err
	}
	now := s.now()
	s.modMu.Lock()
	defer s.modMu.Unlock()
	for _, it := range plan.write {
		s.changed[it.Component] = now
	}
	for _, c := range slices.Concat(plan.deletes, plan.deletesPost) {
		delete(s.changed, c)
	}
	s.deployed(plan.write, slices.Concat(plan.deletes, plan.deletesPost))
	return nil
}
