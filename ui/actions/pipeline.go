package actions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient"
	"relman/store"
)

// Stage is one step of Deploy Changes, in the order they run.
type Stage string

// The stages of Deploy Changes.
const (
	StageRetrieve     Stage = "retrieve"
	StageDependencies Stage = "dependencies"
	StageValidate     Stage = "validate"
	StageDeploy       Stage = "deploy"
	StageVerify       Stage = "verify"
)

// Stages lists them in order.
var Stages = []Stage{StageRetrieve, StageDependencies, StageValidate, StageDeploy, StageVerify}

// Event reports progress of one stage: the CLI prints it (bar, line or
// NDJSON) and the UI draws it.
type Event struct {
	Deployment string          `json:"deployment"`
	Stage      Stage           `json:"stage"`
	Log        int64           `json:"log"`
	JobID      string          `json:"jobId,omitempty"`
	Status     model.LogStatus `json:"status"`
	Detail     string          `json:"detail,omitempty"`
	Done       bool            `json:"done"`
	// Counters, as the org reports them.
	ComponentsTotal    int `json:"componentsTotal"`
	ComponentsDeployed int `json:"componentsDeployed"`
	ComponentErrors    int `json:"componentErrors"`
	TestsTotal         int `json:"testsTotal"`
	TestsCompleted     int `json:"testsCompleted"`
	TestErrors         int `json:"testErrors"`
	// Failures seen so far; they stream as the org reports them.
	ComponentFailures []model.ComponentFailure `json:"componentFailures,omitempty"`
	TestFailures      []model.TestFailure      `json:"testFailures,omitempty"`
	// CoverageWarnings and Coverage say why coverage failed the job.
	CoverageWarnings []string        `json:"coverageWarnings,omitempty"`
	Coverage         *model.Coverage `json:"coverage,omitempty"`
	At               time.Time       `json:"at"`
}

// TestsRun is how many tests have run: the org counts only the passed
// ones as completed, and the failed ones as errors (§2.7).
func (e Event) TestsRun() int { return e.TestsCompleted + e.TestErrors }

// Progress receives events; nil ignores them.
type Progress func(Event)

func (p Progress) emit(e Event) {
	if p != nil {
		p(e)
	}
}

// pipeline is one run of a Deploy Changes step on a deployment record.
type pipeline struct {
	s        *Service
	d        model.DeploymentRecord
	cr       model.ChangeRequest
	progress Progress
}

// claim loads the record, checks that it may run a step of kind now and
// opens that step's log — in one transaction, so that of two relman
// started at once only one gets past the check. redeployReason is the
// release manager's reason to deploy a record that already reached its
// target ("" for every other step).
func (s *Service) claim(drID int64, kind model.LogKind, progress Progress, needPackage bool, redeployReason string) (*pipeline, model.DeploymentLog, error) {
	p := &pipeline{s: s, progress: progress}
	var l model.DeploymentLog
	now := s.now()
	err := s.update(model.RoleReleaseManager, func(tx *store.Tx) error {
		var err error
		if p.d, err = tx.Deployment(drID); err != nil {
			return err
		}
		if p.cr, err = tx.CR(p.d.CR); err != nil {
			return err
		}
		open, err := blockingLog(tx, drID)
		if err != nil {
			return err
		}
		if open != nil && open.OutcomeUnknown() {
			return unknownRefusal(p.d, *open)
		}
		// A removed target is reported when the step reaches the org.
		target, _ := tx.Environment(p.d.Target)
		if err := model.CanDeploy(p.d, p.cr, target.Kind, open != nil); err != nil {
			return err
		}
		if needPackage && p.d.Package == nil {
			return model.ErrNoPackage.With(p.d.Key() + " has no package yet")
		}
		if kind == model.LogDeploy || kind == model.LogQuickDeploy {
			if err := model.CheckRedeploy(p.d, redeployReason); err != nil {
				return err
			}
		}
		var changes []model.Change
		if l, changes, err = p.openLog(tx, kind, now); err != nil {
			return err
		}
		if redeployReason != "" {
			changes = append(changes, deployChange(p.d, "redeploy", map[string]string{"reason": redeployReason, "log": l.Key()}))
		}
		return s.record(tx, now, changes...)
	})
	return p, l, err
}

// unknownRefusal refuses a step while open, an attempt without a job id,
// stands: its answer was lost, or another run is sending it right now (or
// stopped before the answer came).
func unknownRefusal(d model.DeploymentRecord, open model.DeploymentLog) error {
	sent := d.Key() + ": " + string(open.Kind) + " " + open.Key() + " was sent at " + open.Started.UTC().Format(time.RFC3339)
	if open.Status == model.LogOutcomeUnknown {
		return model.ErrOutcomeUnknown.With(sent + " and its answer never came back")
	}
	return model.ErrDeployRunning.With(sent + " and has no job id yet: another run is sending it now, or stopped before its answer came")
}

// blockingLog is the deployment's open log that stops every other step: a
// job the org runs, or a deploy whose outcome is unknown.
func blockingLog(tx *store.Tx, drID int64) (*model.DeploymentLog, error) {
	logs, err := tx.ListLogs(drID)
	if err != nil {
		return nil, err
	}
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i].Blocking() {
			return &logs[i], nil
		}
	}
	return nil, nil
}

// startLog opens a log for kind, in its own transaction.
func (p *pipeline) startLog(kind model.LogKind) (model.DeploymentLog, error) {
	var l model.DeploymentLog
	now := p.s.now()
	err := p.s.update(model.RoleReleaseManager, func(tx *store.Tx) error {
		var changes []model.Change
		var err error
		if l, changes, err = p.openLog(tx, kind, now); err != nil {
			return err
		}
		return p.s.record(tx, now, changes...)
	})
	return l, err
}

// openLog opens a log for kind inside tx and lists it on the record.
func (p *pipeline) openLog(tx *store.Tx, kind model.LogKind, now time.Time) (model.DeploymentLog, []model.Change, error) {
	id, err := tx.NextLogID()
	if err != nil {
		return model.DeploymentLog{}, nil, err
	}
	l, ch := model.StartLog(id, p.d, kind, p.s.User, now)
	d, err := tx.Deployment(p.d.ID)
	if err != nil {
		return l, nil, err
	}
	d.Logs = append(d.Logs, id)
	if err := tx.PutDeployment(d); err != nil {
		return l, nil, err
	}
	p.d = d
	return l, []model.Change{ch}, tx.PutLog(l)
}

// finishLog closes a log, applying update to the deployment record in the
// same transaction so a record and its log never disagree.
func (p *pipeline) finishLog(l model.DeploymentLog, status model.LogStatus, message string, update func(*model.DeploymentRecord) []model.Change) (model.DeploymentLog, error) {
	now := p.s.now()
	err := p.s.update("", func(tx *store.Tx) error {
		var ch model.Change
		l, ch = model.FinishLog(l, status, message, now)
		if err := tx.PutLog(l); err != nil {
			return err
		}
		changes := []model.Change{ch}
		if update != nil {
			d, err := tx.Deployment(p.d.ID)
			if err != nil {
				return err
			}
			changes = append(changes, update(&d)...)
			d.UpdatedAt = now
			if err := tx.PutDeployment(d); err != nil {
				return err
			}
			p.d = d
		}
		return p.s.record(tx, now, changes...)
	})
	if err == nil {
		p.progress.emit(Event{Deployment: p.d.Key(), Stage: stageOf(l.Kind), Log: l.ID, JobID: l.JobID, Status: status,
			Detail: message, Done: true, ComponentsTotal: l.ComponentsTotal, ComponentsDeployed: l.ComponentsDeployed,
			ComponentErrors: l.ComponentErrors, TestsTotal: l.TestsTotal, TestsCompleted: l.TestsCompleted, TestErrors: l.TestErrors,
			ComponentFailures: l.ComponentFailures, TestFailures: l.TestFailures, At: now})
	}
	return l, err
}

func stageOf(k model.LogKind) Stage {
	switch k {
	case model.LogRetrieve:
		return StageRetrieve
	case model.LogDeps:
		return StageDependencies
	case model.LogValidate:
		return StageValidate
	case model.LogVerify:
		return StageVerify
	}
	return StageDeploy
}

func (p *pipeline) org(env string) (orgclient.Org, error) {
	e, err := p.s.Environment(env)
	if err != nil {
		return nil, err
	}
	return p.s.Open(e)
}

func deployChange(d model.DeploymentRecord, action string, details map[string]string) model.Change {
	return model.Change{Entity: model.EntityDeployment, EntityID: d.Key(), Action: action, Details: details}
}

// Retrieve runs Retrieve Selected Customizations: the record's components
// from the source org as a Metadata API package, stored with its SHA-256.
// Proposed components that now exist are included; missing ones reported.
func (s *Service) Retrieve(ctx context.Context, drID int64, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	p, l, err := s.claim(drID, model.LogRetrieve, progress, false, "")
	if err != nil {
		return p.d, l, err
	}
	p.progress.emit(Event{Deployment: p.d.Key(), Stage: StageRetrieve, Log: l.ID, Status: l.Status,
		Detail: fmt.Sprintf("retrieving %d components from %s", len(p.d.Components), p.d.Source), At: s.now()})
	org, err := p.org(p.d.Source)
	var pkg orgclient.Package
	if err == nil {
		pkg, err = org.Retrieve(ctx, p.d.Components)
	}
	l.ComponentsTotal = len(p.d.Components)
	if err != nil {
		l, _ = p.finishLog(l, model.LogRetrieveFailed, err.Error(), nil)
		return p.d, l, err
	}
	l.ComponentsDeployed = len(pkg.Components)
	// The package is the approval: anything but the approved components
	// (an extra class, a destructive manifest) is refused before it is kept.
	pc, err := readPackage(ctx, pkg.Zip)
	if err == nil {
		err = checkScope(p.d, pc)
	}
	if err != nil {
		err = fmt.Errorf("%s: the package %s sent: %w", p.d.Key(), p.d.Source, err)
		l, _ = p.finishLog(l, model.LogRetrieveFailed, err.Error(), nil)
		return p.d, l, err
	}
	if len(pc.content) == 0 && len(p.d.Components) > 0 {
		err = fmt.Errorf("%s: %s sent none of the %d components; check that they exist there (`relman compare`)", p.d.Key(), p.d.Source, len(p.d.Components))
		l, _ = p.finishLog(l, model.LogRetrieveFailed, err.Error(), nil)
		return p.d, l, err
	}
	message := fmt.Sprintf("retrieved %d of %d components from %s", len(pkg.Components), len(p.d.Components), p.d.Source)
	if len(pkg.Missing) > 0 {
		message += "; not in " + p.d.Source + " yet: " + joinComponents(pkg.Missing)
	}
	now := s.now()
	var blob string
	var reviewed map[string]string
	if err := s.update("", func(tx *store.Tx) error {
		logs := make([]model.CompareLog, 0, len(p.cr.CompareLogs))
		for _, id := range p.cr.CompareLogs {
			cl, err := tx.CompareLog(id)
			if err != nil {
				return err
			}
			logs = append(logs, cl)
		}
		reviewed = model.ReviewedContent(p.d, logs)
		blob, err = tx.PutBlob(pkg.Zip)
		return err
	}); err != nil {
		return p.d, l, err
	}
	var changed []string
	l, err = p.finishLog(l, model.LogRetrieveCompleted, message, func(d *model.DeploymentRecord) []model.Change {
		d.Package = &model.Package{SHA256: blob, Size: int64(len(pkg.Zip)), Components: pkg.Components,
			Missing: pkg.Missing, Warnings: pkg.Warnings, Blob: blob, RetrievedAt: now}
		d.Dependencies = nil
		var bound []model.Change
		*d, changed, bound = model.BindContent(*d, reviewed, pc.content, now)
		return append([]model.Change{deployChange(*d, "retrieve", map[string]string{"sha256": blob,
			"components": fmt.Sprint(len(pkg.Components)), "missing": joinComponents(pkg.Missing)})}, bound...)
	})
	if err == nil && len(changed) > 0 {
		err = contentChanged(p.d, changed)
	}
	return p.d, l, err
}

func joinComponents(cs []metadata.Component) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// packageZip reads the record's retrieved package from the store.
func (p *pipeline) packageZip() ([]byte, error) {
	var zip []byte
	err := p.s.Store.View(func(tx *store.Tx) error {
		var err error
		zip, err = tx.Blob(p.d.Package.Blob)
		return err
	})
	if err == nil && hashBytes(zip) != p.d.Package.SHA256 {
		err = fmt.Errorf("%s: the stored package does not match its SHA-256; retrieve it again", p.d.Key())
	}
	return zip, err
}

func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Validate runs a check-only deploy of the package to the target with the
// record's test level. A successful validation is kept for quick deploy.
func (s *Service) Validate(ctx context.Context, drID int64, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	// The log opens before the first org call, so every attempt that
	// reaches an org is on record, however early it fails.
	p, l, err := s.claim(drID, model.LogValidate, progress, true, "")
	if err != nil {
		return p.d, l, err
	}
	zip, err := p.packageZip()
	if err != nil {
		return p.failed(l, err)
	}
	target, err := p.org(p.d.Target)
	if err != nil {
		return p.failed(l, err)
	}
	targetHash, err := copiesHash(ctx, target, p.d.Package.Components)
	if err != nil {
		return p.failed(l, fmt.Errorf("%s: reading %s's copies before validating: %w", p.d.Key(), p.d.Target, err))
	}
	st, err := target.Deploy(ctx, zip, orgclient.DeployOptions{CheckOnly: true, TestLevel: p.d.TestLevel, Tests: p.d.Tests})
	return p.follow(ctx, target, l, st, err, func(d *model.DeploymentRecord, final orgclient.DeployState) []model.Change {
		if !final.Success {
			return nil
		}
		d.ValidationID, d.ValidatedAt, d.ValidatedPackage, d.ValidatedTarget = final.JobID, s.now(), d.Package.SHA256, targetHash
		return []model.Change{deployChange(*d, "validated", map[string]string{"validationId": final.JobID})}
	})
}

// failed closes a log whose attempt stopped before its job started.
func (p *pipeline) failed(l model.DeploymentLog, err error) (model.DeploymentRecord, model.DeploymentLog, error) {
	l, _ = p.finishLog(l, model.FinishStatus(l.Kind, model.LogFailed, false), err.Error(), nil)
	return p.d, l, err
}

// copiesHash hashes the org's current copies of the components, so a
// validation can tell later whether the target changed under it.
func copiesHash(ctx context.Context, org orgclient.Org, cs []metadata.Component) (string, error) {
	items, err := org.Items(ctx, orgclient.Filter{Components: cs})
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return "", err
	}
	h := sha256.New()
	for _, it := range items {
		for _, f := range it.Files {
			b, err := metadata.ReadFile(f)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s\x00%s\x00%d\x00", it.Component, f.Path, len(b))
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// follow saves a started job's id before waiting on it, streams its
// progress into the log, and closes the log with the final state.
func (p *pipeline) follow(ctx context.Context, org orgclient.Org, l model.DeploymentLog, st orgclient.DeployState, startErr error,
	onDone func(*model.DeploymentRecord, orgclient.DeployState) []model.Change) (model.DeploymentRecord, model.DeploymentLog, error) {
	if startErr != nil {
		l, _ = p.finishLog(l, model.FinishStatus(l.Kind, model.LogFailed, false), startErr.Error(), nil)
		return p.d, l, startErr
	}
	if err := p.s.update("", func(tx *store.Tx) error {
		var ch model.Change
		l, ch = model.JobStarted(l, st.JobID)
		if err := tx.PutLog(l); err != nil {
			return err
		}
		return p.s.record(tx, p.s.now(), ch)
	}); err != nil {
		return p.d, l, err
	}
	final, err := org.WaitDeploy(ctx, st.JobID, func(s orgclient.DeployState) {
		l = applyState(l, s)
		// A progress write that loses to a busy store is retried by the
		// next poll; the job id is already safe.
		_ = p.s.Store.Update(func(tx *store.Tx) error { return tx.PutLog(l) })
		p.progress.emit(p.event(l, s, false))
	})
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		// The caller's --wait ran out: the job goes on in the org.
		return p.d, l, &StillRunningError{Deployment: p.d.Key(), JobID: st.JobID}
	}
	if err != nil {
		// The job may still run in the org: leave the log open so that
		// `deploy resume` (or the next UI start) re-attaches to it.
		return p.d, l, fmt.Errorf("%s: lost track of job %s (%v); it may still be running — resume with `relman deploy resume %s`", p.d.Key(), st.JobID, err, p.d.Key())
	}
	l = applyState(l, final)
	status := model.FinishStatus(l.Kind, final.Status, final.Success)
	l, err = p.finishLog(l, status, summary(final), func(d *model.DeploymentRecord) []model.Change {
		return onDone(d, final)
	})
	if err == nil && !final.Success {
		err = &JobFailedError{Deployment: p.d.Key(), Status: status, Summary: summary(final)}
	}
	return p.d, l, err
}

// StillRunningError says the caller stopped waiting while the org's job
// goes on; resume re-attaches to it.
type StillRunningError struct {
	Deployment, JobID string
}

func (e *StillRunningError) Error() string {
	return fmt.Sprintf("%s: job %s is still running in the org; follow it with `relman deploy resume %s`", e.Deployment, e.JobID, e.Deployment)
}

// JobFailedError is a validate or deploy the org failed or cancelled.
type JobFailedError struct {
	Deployment string
	Status     model.LogStatus
	Summary    string
}

func (e *JobFailedError) Error() string {
	return fmt.Sprintf("%s: %s: %s; see `relman deploy log %s`", e.Deployment, e.Status, e.Summary, e.Deployment)
}

func applyState(l model.DeploymentLog, s orgclient.DeployState) model.DeploymentLog {
	l.StateDetail = s.StateDetail
	l.ComponentsTotal, l.ComponentsDeployed, l.ComponentErrors = s.ComponentsTotal, s.ComponentsDeployed, s.ComponentErrors
	l.TestsTotal, l.TestsCompleted, l.TestErrors = s.TestsTotal, s.TestsCompleted, s.TestErrors
	// What the org reports is kept bounded: each message cut, noted.
	cf, tf := model.BoundFailures(s.ComponentFailures, s.TestFailures)
	if len(cf) > 0 {
		l.ComponentFailures = cf
	}
	if len(tf) > 0 {
		l.TestFailures = tf
	}
	if len(s.CoverageWarnings) > 0 {
		l.CoverageWarnings, l.Coverage = s.CoverageWarnings, s.Coverage
	}
	if !s.Done && s.Status != "" {
		switch l.Kind {
		case model.LogDeploy, model.LogQuickDeploy:
			l.Status = s.Status
		}
	}
	return l
}

func (p *pipeline) event(l model.DeploymentLog, s orgclient.DeployState, done bool) Event {
	return Event{Deployment: p.d.Key(), Stage: stageOf(l.Kind), Log: l.ID, JobID: l.JobID, Status: l.Status,
		Detail: s.StateDetail, Done: done, ComponentsTotal: s.ComponentsTotal, ComponentsDeployed: s.ComponentsDeployed,
		ComponentErrors: s.ComponentErrors, TestsTotal: s.TestsTotal, TestsCompleted: s.TestsCompleted, TestErrors: s.TestErrors,
		ComponentFailures: s.ComponentFailures, TestFailures: s.TestFailures, CoverageWarnings: s.CoverageWarnings,
		Coverage: s.Coverage, At: p.s.now()}
}

// summary says in one line how a job ended.
func summary(s orgclient.DeployState) string {
	parts := []string{fmt.Sprintf("%d/%d components", s.ComponentsDeployed, s.ComponentsTotal)}
	if s.ComponentErrors > 0 {
		parts = append(parts, fmt.Sprintf("%d component errors", s.ComponentErrors))
	}
	if s.TestsTotal > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d tests", s.TestsCompleted, s.TestsTotal))
	}
	if s.TestErrors > 0 {
		parts = append(parts, fmt.Sprintf("%d test failures", s.TestErrors))
	}
	if c := model.CoverageSummary(s.CoverageWarnings, s.Coverage); c != "" {
		parts = append(parts, c)
	}
	if s.ErrorMessage != "" {
		parts = append(parts, s.ErrorMessage)
	}
	return strings.Join(parts, ", ")
}
