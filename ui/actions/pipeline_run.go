package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"relman/model"
	"relman/orgclient"
	"relman/store"
)

// Deploy runs Deploy Retrieved Customizations: it snapshots the target's
// current copies of the package's components (for rollback) unless an
// earlier attempt already did, checks that the package is exactly the
// approved components with the reviewed content, deploys it (or, with
// quick, the kept validation when it still holds — else it says why not),
// then verifies by comparing source and target. A record that already
// reached its target is deployed again only through Redeploy.
func (s *Service) Deploy(ctx context.Context, drID int64, quick bool, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	return s.deploy(ctx, drID, quick, "", progress)
}

// Redeploy deploys again a record that already reached its target (its
// verify found differences): a new decision, recorded with its reason.
// The first pre-deploy snapshot stays the one rollback restores.
func (s *Service) Redeploy(ctx context.Context, drID int64, quick bool, reason string, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	if strings.TrimSpace(reason) == "" {
		d, _ := s.Deployment(drID)
		return d, model.DeploymentLog{}, model.ErrRedeployNeedsReason.With(d.Key() + ": no reason was given")
	}
	return s.deploy(ctx, drID, quick, strings.TrimSpace(reason), progress)
}

func (s *Service) deploy(ctx context.Context, drID int64, quick bool, reason string, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	kind := model.LogDeploy
	if quick {
		kind = model.LogQuickDeploy
	}
	// The log opens before the first org call, in the transaction that
	// checks nothing else runs, so every attempt that reaches an org is on
	// record and two at once cannot both start.
	p, l, err := s.claim(drID, kind, progress, true, reason)
	if err != nil {
		return p.d, l, err
	}
	zip, err := p.packageZip()
	if err != nil {
		return p.failed(l, err)
	}
	if err := p.checkPackage(ctx, zip); err != nil {
		return p.failed(l, err)
	}
	target, err := p.org(p.d.Target)
	if err != nil {
		return p.failed(l, err)
	}
	if err := p.snapshot(ctx, target, l); err != nil {
		return p.failed(l, err)
	}
	targetHash, err := copiesHash(ctx, target, p.d.Package.Components)
	if err != nil {
		return p.failed(l, fmt.Errorf("%s: reading %s's copies before deploying: %w", p.d.Key(), p.d.Target, err))
	}
	if quick {
		if why := model.QuickDeployProblem(p.d, targetHash, s.now()); why != "" {
			return p.failed(l, model.ErrQuickDeploy.With(p.d.Key()+": "+why))
		}
	}
	var st orgclient.DeployState
	if quick {
		st, err = target.QuickDeploy(ctx, p.d.ValidationID)
	} else {
		st, err = target.Deploy(ctx, zip, orgclient.DeployOptions{TestLevel: p.d.TestLevel, Tests: p.d.Tests})
	}
	var unknown *orgclient.UnknownOutcomeError
	switch {
	case errors.As(err, &unknown):
		return p.outcomeUnknown(l, err, "relman deploy resume "+p.d.Key())
	case err != nil:
		p.markFailed()
	}
	d, l, err := p.follow(ctx, target, l, st, err, deployOutcome)
	if err != nil {
		return d, l, err
	}
	return s.verify(ctx, p)
}

// snapshot keeps the target's copies of the package's components before
// the first deploy, for rollback, and marks the record In Progress. A
// later attempt keeps the first snapshot and its list of components the
// deploy created: the target it sees may already hold this deployment.
func (p *pipeline) snapshot(ctx context.Context, target orgclient.Org, l model.DeploymentLog) error {
	s := p.s
	var snap orgclient.Package
	if p.d.SnapshotBlob == "" {
		p.progress.emit(Event{Deployment: p.d.Key(), Stage: StageDeploy, Log: l.ID, Status: model.LogPending,
			Detail: "taking a snapshot of " + p.d.Target + "'s copies for rollback", At: s.now()})
		var err error
		if snap, err = target.Retrieve(ctx, p.d.Package.Components); err != nil {
			return fmt.Errorf("%s: snapshot of %s before deploying: %w", p.d.Key(), p.d.Target, err)
		}
	}
	now := s.now()
	return s.update(model.RoleReleaseManager, func(tx *store.Tx) error {
		d, err := tx.Deployment(p.d.ID)
		if err != nil {
			return err
		}
		var changes []model.Change
		if d.SnapshotBlob == "" && snap.Zip != nil {
			key, err := tx.PutBlob(snap.Zip)
			if err != nil {
				return err
			}
			d.SnapshotBlob, d.Created = key, snap.Missing
			changes = append(changes, deployChange(d, "snapshot", map[string]string{"snapshot": key,
				"components": fmt.Sprint(len(snap.Components)), "createdByDeploy": joinComponents(snap.Missing)}))
		}
		d.Status, d.UpdatedAt = model.DeployInProgress, now
		p.d = d
		if err := tx.PutDeployment(d); err != nil {
			return err
		}
		return s.record(tx, now, append(changes, deployChange(d, "submit", map[string]string{"log": l.Key(), "snapshot": d.SnapshotBlob}))...)
	})
}

// outcomeUnknown records a deploy whose answer was lost: the log stays
// open without a job id and the record reads "Submitted — outcome
// unknown" until the job is found in the org or abandoned.
func (p *pipeline) outcomeUnknown(l model.DeploymentLog, cause error, resume string) (model.DeploymentRecord, model.DeploymentLog, error) {
	l, err := p.updateAttempt(l, func(d model.DeploymentRecord, l model.DeploymentLog, now time.Time) (model.DeploymentRecord, model.DeploymentLog, []model.Change) {
		return model.MarkOutcomeUnknown(d, l, cause.Error(), now)
	})
	if err != nil {
		return p.d, l, err
	}
	return p.d, l, &OutcomeUnknownError{Attempt: p.d.Key(), Cause: cause, Resume: resume}
}

// updateAttempt applies change to the stored record and the attempt's log
// in one transaction, with the audit events it returns.
func (p *pipeline) updateAttempt(l model.DeploymentLog, change func(model.DeploymentRecord, model.DeploymentLog, time.Time) (model.DeploymentRecord, model.DeploymentLog, []model.Change)) (model.DeploymentLog, error) {
	now := p.s.now()
	err := p.s.update("", func(tx *store.Tx) error {
		d, err := tx.Deployment(p.d.ID)
		if err != nil {
			return err
		}
		var changes []model.Change
		d, l, changes = change(d, l, now)
		p.d = d
		if err := tx.PutLog(l); err != nil {
			return err
		}
		if err := tx.PutDeployment(d); err != nil {
			return err
		}
		return p.s.record(tx, now, changes...)
	})
	return l, err
}

// OutcomeUnknownError is a deploy (or rollback) sent to the org whose
// answer was lost.
type OutcomeUnknownError struct {
	// Attempt names the deployment or rollback; Resume is the command that
	// finds its job.
	Attempt, Resume string
	Cause           error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("%s: %s: %v; find the job with `%s` before anything else (nothing else may run until then)",
		e.Attempt, model.DeployOutcomeUnknown, e.Cause, e.Resume)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// deployOutcome sets the record's status from a finished deploy.
func deployOutcome(d *model.DeploymentRecord, final orgclient.DeployState) []model.Change {
	d.Status = model.DeployFailed
	if final.Success && final.Status == model.LogSucceeded {
		d.Status = model.DeployDeployed
	}
	return []model.Change{deployChange(*d, "deployed", map[string]string{"status": string(d.Status), "jobId": final.JobID})}
}

// markFailed records that a deploy could not even start.
func (p *pipeline) markFailed() {
	_ = p.updateRecord(func(d model.DeploymentRecord) (model.DeploymentRecord, []model.Change) {
		d.Status = model.DeployFailed
		return d, []model.Change{deployChange(d, "failed", nil)}
	})
}

// updateRecord applies change to the stored record in one transaction,
// with the audit events it returns.
func (p *pipeline) updateRecord(change func(model.DeploymentRecord) (model.DeploymentRecord, []model.Change)) error {
	now := p.s.now()
	return p.s.update("", func(tx *store.Tx) error {
		d, err := tx.Deployment(p.d.ID)
		if err != nil {
			return err
		}
		d, changes := change(d)
		d.UpdatedAt = now
		p.d = d
		if err := tx.PutDeployment(d); err != nil {
			return err
		}
		return p.s.record(tx, now, changes...)
	})
}

// verify compares source and target for the package's components: all
// must be the same for the deployment to count as verified.
func (s *Service) verify(ctx context.Context, p *pipeline) (model.DeploymentRecord, model.DeploymentLog, error) {
	l, err := p.startLog(model.LogVerify)
	if err != nil {
		return p.d, l, err
	}
	out, err := s.Compare(ctx, CompareRequest{Source: p.d.Source, Target: p.d.Target, Save: true,
		Filters: model.CompareFilters{CR: 0, Components: p.d.Package.Components}})
	if err != nil {
		l, _ = p.finishLog(l, model.LogFailed, err.Error(), nil)
		return p.d, l, err
	}
	if err := s.update("", func(tx *store.Tx) error {
		cr, err := tx.CR(p.d.CR)
		if err != nil {
			return err
		}
		cr, ch := model.LinkCompareLog(cr, out.Log.ID)
		if err := tx.PutCR(cr); err != nil {
			return err
		}
		return s.record(tx, s.now(), ch)
	}); err != nil {
		return p.d, l, err
	}
	var unlike []string
	for _, e := range out.Result.Entries {
		if e.Category != model.Same {
			unlike = append(unlike, e.Component.String()+" ("+string(e.Category)+")")
		}
	}
	l.ComponentsTotal, l.ComponentsDeployed, l.ComponentErrors = len(out.Result.Entries), len(out.Result.Entries)-len(unlike), len(unlike)
	ok := len(unlike) == 0
	msg := fmt.Sprintf("%s: all %d components are the same in %s and %s", out.Log.Key(), len(out.Result.Entries), p.d.Source, p.d.Target)
	if !ok {
		msg = fmt.Sprintf("%s: %d of %d components differ after the deploy: %v", out.Log.Key(), len(unlike), len(out.Result.Entries), unlike)
	}
	l, err = p.finishLog(l, model.FinishStatus(model.LogVerify, "", ok), msg, func(d *model.DeploymentRecord) []model.Change {
		if ok {
			d.Status = model.DeployVerified
		}
		return []model.Change{deployChange(*d, "verify", map[string]string{"compareLog": out.Log.Key(), "verified": boolString(ok)})}
	})
	if err == nil && !ok {
		err = &JobFailedError{Deployment: p.d.Key(), Status: model.LogFailed, Summary: msg}
	}
	return p.d, l, err
}

// Cancel asks the target org to cancel the deployment's running job.
func (s *Service) Cancel(ctx context.Context, drID int64) (model.DeploymentLog, error) {
	var d model.DeploymentRecord
	var running *model.DeploymentLog
	if err := s.Store.View(func(tx *store.Tx) error {
		var err error
		if d, err = tx.Deployment(drID); err != nil {
			return err
		}
		running, err = blockingLog(tx, drID)
		return err
	}); err != nil {
		return model.DeploymentLog{}, err
	}
	if running == nil {
		return model.DeploymentLog{}, model.ErrNothingRunning.With(d.Key() + " has no job in progress")
	}
	if running.OutcomeUnknown() {
		return *running, model.ErrOutcomeUnknown.With(d.Key() + ": there is no job id to cancel yet")
	}
	e, err := s.Environment(d.Target)
	if err != nil {
		return *running, err
	}
	org, err := s.Open(e)
	if err != nil {
		return *running, err
	}
	if err := org.CancelDeploy(ctx, running.JobID); err != nil {
		return *running, err
	}
	l := *running
	l.Status = model.LogCanceling
	now := s.now()
	err = s.update(model.RoleReleaseManager, func(tx *store.Tx) error {
		if err := tx.PutLog(l); err != nil {
			return err
		}
		return s.record(tx, now, model.Change{Entity: model.EntityDeploymentLog, EntityID: l.Key(), Action: "cancel",
			Details: map[string]string{"jobId": l.JobID}})
	})
	return l, err
}

// Unfinished lists deployment records with a job that was started and
// never seen to finish: the UI re-attaches to them at start.
func (s *Service) Unfinished() ([]model.DeploymentLog, error) {
	var out []model.DeploymentLog
	err := s.Store.View(func(tx *store.Tx) error {
		ds, err := tx.ListDeployments(0)
		if err != nil {
			return err
		}
		for _, d := range ds {
			l, err := blockingLog(tx, d.ID)
			if err != nil {
				return err
			}
			if l != nil {
				out = append(out, *l)
			}
		}
		return nil
	})
	return out, err
}

// Resume re-attaches to the deployment's unfinished job (after a crash, a
// quit or a lost connection) and finishes it as the original run would
// have: a validation is kept for quick deploy, a deploy is verified. A
// deployment that deployed but was never verified is verified.
func (s *Service) Resume(ctx context.Context, drID int64, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	p := &pipeline{s: s, progress: progress}
	var running *model.DeploymentLog
	if err := s.Store.View(func(tx *store.Tx) error {
		var err error
		if p.d, err = tx.Deployment(drID); err != nil {
			return err
		}
		if p.cr, err = tx.CR(p.d.CR); err != nil {
			return err
		}
		running, err = blockingLog(tx, drID)
		return err
	}); err != nil {
		return p.d, model.DeploymentLog{}, err
	}
	if running != nil && running.Kind == model.LogRollback {
		return p.d, *running, model.ErrDeployRunning.With(p.d.Key() + ": its open job " + running.Key() + " is a rollback; resume it with `relman rollback resume`")
	}
	if running != nil && running.OutcomeUnknown() {
		return s.findLost(ctx, p, *running)
	}
	if running == nil && p.d.Status == model.DeployDeployed && p.d.Package != nil {
		// Deployed, but the verify step did not finish (a lost connection):
		// resuming verifies, rather than deploying all over again.
		return s.verify(ctx, p)
	}
	if running == nil {
		return p.d, model.DeploymentLog{}, model.ErrNothingRunning.With(p.d.Key() + " has no unfinished job")
	}
	target, err := p.org(p.d.Target)
	if err != nil {
		return p.d, *running, err
	}
	st := orgclient.DeployState{JobID: running.JobID}
	switch running.Kind {
	case model.LogValidate:
		// The target's copies are hashed now: a resumed validation is kept
		// for quick deploy only if they still match at deploy time.
		targetHash, err := copiesHash(ctx, target, p.d.Package.Components)
		if err != nil {
			return p.d, *running, err
		}
		return p.follow(ctx, target, *running, st, nil, func(d *model.DeploymentRecord, final orgclient.DeployState) []model.Change {
			if !final.Success {
				return nil
			}
			d.ValidationID, d.ValidatedAt, d.ValidatedPackage, d.ValidatedTarget = final.JobID, s.now(), d.Package.SHA256, targetHash
			return []model.Change{deployChange(*d, "validated", map[string]string{"validationId": final.JobID, "resumed": "true"})}
		})
	case model.LogDeploy, model.LogQuickDeploy:
		d, l, err := p.follow(ctx, target, *running, st, nil, deployOutcome)
		if err != nil {
			return d, l, err
		}
		return s.verify(ctx, p)
	}
	return p.d, *running, fmt.Errorf("%s: the unfinished %s job %s cannot be resumed", p.d.Key(), running.Kind, running.JobID)
}

// Logs lists a deployment record's logs, oldest first.
func (s *Service) Logs(drID int64) ([]model.DeploymentLog, error) {
	var ls []model.DeploymentLog
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		ls, err = tx.ListLogs(drID)
		return err
	})
	return ls, err
}
