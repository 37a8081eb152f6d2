package actions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"relman/model"
	"relman/orgclient"
	"relman/store"
)

// lostDeploySkew widens the lookup of a lost deploy before its attempt
// started: the org's clock and this machine's may disagree.
const lostDeploySkew = 5 * time.Minute

// findLost looks for the job of a deploy whose answer was lost among the
// deploys this user started in the target since the attempt began (the
// Tooling API's DeployRequest), leaving out every job relman already
// knows. One found: it is followed and verified as the deploy would have
// been. None: the org, asked after the submission, never started it, and
// the attempt is closed so the deploy can run again. Several: a person
// must tell them apart; the attempt stays unknown.
func (s *Service) findLost(ctx context.Context, p *pipeline, l model.DeploymentLog) (model.DeploymentRecord, model.DeploymentLog, error) {
	target, err := p.org(p.d.Target)
	if err != nil {
		return p.d, l, err
	}
	candidates, window, err := s.lookupLost(ctx, target, l, "relman deploy resume "+p.d.Key())
	if err != nil {
		return p.d, l, err
	}
	switch len(candidates) {
	case 0:
		if err := p.closeLost(l, window); err != nil {
			return p.d, l, err
		}
		return p.d, l, fmt.Errorf("%s: %s never started deploy %s (it lists no deploy by this user %s that relman does not know): nothing was deployed; run `relman deploy run %s` again",
			p.d.Key(), p.d.Target, l.Key(), window, p.d.Key())
	case 1:
		if err := p.updateRecord(func(d model.DeploymentRecord) (model.DeploymentRecord, []model.Change) {
			d.Status = model.DeployInProgress
			return d, []model.Change{deployChange(d, "found", map[string]string{"log": l.Key(), "jobId": candidates[0], "lookedUp": window})}
		}); err != nil {
			return p.d, l, err
		}
		d, l, err := p.follow(ctx, target, l, orgclient.DeployState{JobID: candidates[0]}, nil, deployOutcome)
		if err != nil {
			return d, l, err
		}
		return s.verify(ctx, p)
	}
	return p.d, l, model.ErrOutcomeUnknown.With(fmt.Sprintf("%s: %s lists %d deploys by this user %s that relman does not know (%s); check them in Setup → Deployment Status",
		p.d.Key(), p.d.Target, len(candidates), window, strings.Join(candidates, ", ")))
}

// lookupLost lists the deploys this user started in target since the
// attempt l began that relman does not know (window says since when), for
// findLost and the rollback's resume; resume is the command to try again.
func (s *Service) lookupLost(ctx context.Context, target orgclient.Org, l model.DeploymentLog, resume string) (candidates []string, window string, err error) {
	since := l.Started.Add(-lostDeploySkew)
	window = "since " + since.UTC().Format(time.RFC3339)
	found, err := target.FindDeploys(ctx, since)
	if err != nil {
		return nil, window, fmt.Errorf("looking for the lost %s %s: %w; try `%s` again", l.Kind, l.Key(), err, resume)
	}
	known, err := s.knownJobs()
	if err != nil {
		return nil, window, err
	}
	for _, f := range found {
		if !f.CheckOnly && !known[f.JobID] {
			candidates = append(candidates, f.JobID)
		}
	}
	return candidates, window, nil
}

// closeLost closes an outcome-unknown attempt the org never started.
func (p *pipeline) closeLost(l model.DeploymentLog, window string) error {
	_, err := p.updateAttempt(l, func(d model.DeploymentRecord, l model.DeploymentLog, now time.Time) (model.DeploymentRecord, model.DeploymentLog, []model.Change) {
		return model.NotStarted(d, l, "no such deploy in "+d.Target+" "+window, now)
	})
	return err
}

// knownJobs are the job ids of every deployment log and kept validation
// in the store: a lost deploy is none of them.
func (s *Service) knownJobs() (map[string]bool, error) {
	known := map[string]bool{}
	err := s.Store.View(func(tx *store.Tx) error {
		ds, err := tx.ListDeployments(0)
		if err != nil {
			return err
		}
		for _, d := range ds {
			known[d.ValidationID] = true
			logs, err := tx.ListLogs(d.ID)
			if err != nil {
				return err
			}
			for _, l := range logs {
				known[l.JobID] = true
			}
		}
		return nil
	})
	delete(known, "")
	return known, err
}

// AbandonDeploy closes a deploy whose outcome is unknown and whose job
// cannot be found, on a release manager's word and reason: audited with
// the log and record it wrote. The deployment may then be deployed again;
// its first snapshot stays the one rollback restores.
func (s *Service) AbandonDeploy(drID int64, reason string) (model.DeploymentRecord, model.DeploymentLog, error) {
	return s.abandon(drID, reason, func(tx *store.Tx, d model.DeploymentRecord, open model.DeploymentLog, now time.Time) ([]model.Change, error) {
		if open.Kind == model.LogRollback {
			return nil, model.ErrNotAbandonable.With(d.Key() + ": its open job " + open.Key() + " is a rollback; abandon it with `relman rollback abandon`")
		}
		return nil, nil
	})
}

// abandon closes the deployment's outcome-unknown attempt with reason, in
// one transaction with what also writes (after checking the attempt is
// its to close).
func (s *Service) abandon(drID int64, reason string, also func(tx *store.Tx, d model.DeploymentRecord, open model.DeploymentLog, now time.Time) ([]model.Change, error)) (model.DeploymentRecord, model.DeploymentLog, error) {
	var d model.DeploymentRecord
	var l model.DeploymentLog
	now := s.now()
	err := s.update(model.RoleReleaseManager, func(tx *store.Tx) error {
		var err error
		if d, err = tx.Deployment(drID); err != nil {
			return err
		}
		open, err := blockingLog(tx, drID)
		if err != nil {
			return err
		}
		if open == nil {
			return model.ErrNotAbandonable.With(d.Key() + " has no deploy whose outcome is unknown")
		}
		more, err := also(tx, d, *open, now)
		if err != nil {
			return err
		}
		var changes []model.Change
		if d, l, changes, err = model.Abandon(d, *open, s.User, reason, now); err != nil {
			return err
		}
		if err := tx.PutLog(l); err != nil {
			return err
		}
		if err := tx.PutDeployment(d); err != nil {
			return err
		}
		return s.record(tx, now, append(changes, more...)...)
	})
	return d, l, err
}
