package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"relman/model"
	"relman/ui/actions"
)

func deployCommands() map[string]command {
	return map[string]command{
		"new":      {usage: "deploy new --cr ID --from ENV --to ENV [--test-level L] [--tests A,B]", run: deployNew},
		"submit":   {usage: "deploy submit ID", run: deployDecision("submit")},
		"approve":  {usage: "deploy approve ID [--comment C]", run: deployDecision("approve")},
		"reject":   {usage: "deploy reject ID --comment C", run: deployDecision("reject")},
		"retrieve": {usage: "deploy retrieve ID [--wait D] [--warnings]", run: deployStep(actions.StageRetrieve)},
		"deps":     {usage: "deploy deps ID [--add-missing]", run: deployDeps},
		"validate": {usage: "deploy validate ID [--wait D]", run: deployStep(actions.StageValidate)},
		"run":      {usage: "deploy run ID [--quick] [--wait D] [--redeploy-reason R]", run: deployStep(actions.StageDeploy)},
		"resume":   {usage: "deploy resume ID [--wait D]", run: deployStep("resume")},
		"cancel":   {usage: "deploy cancel ID", run: deployCancel},
		"abandon":  {usage: "deploy abandon ID --reason R", run: deployAbandon},
		"show":     {usage: "deploy show ID", run: deployShow},
		"log":      {usage: "deploy log ID", run: deployLog},
		"list":     {usage: "deploy list [--cr ID]", run: deployList},
	}
}

func drID(s string) (int64, error) {
	id, err := model.ParseID(model.PrefixDeployment, s)
	if err != nil {
		return 0, usageErr("%v", err)
	}
	return id, nil
}

// onDeployment parses a command whose one argument is a deployment id.
func (r *runner) onDeployment(fs *flag.FlagSet, args []string, usage string) (*actions.Service, int64, error) {
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return nil, 0, err
	}
	id, err := drID(pos[0])
	if err != nil {
		return nil, 0, err
	}
	svc, err := r.service()
	return svc, id, err
}

func deployNew(_ context.Context, r *runner, args []string) error {
	usage := deployCommands()["new"].usage
	fs := newFlags("deploy new")
	crFlag := fs.String("cr", "", "the approved change request")
	from := fs.String("from", "", "source environment")
	to := fs.String("to", "", "target environment")
	level := fs.String("test-level", "", "NoTestRun, RunSpecifiedTests, RunLocalTests or RunAllTestsInOrg (default: RunLocalTests for production, else NoTestRun)")
	var tests multiFlag
	fs.Var(&tests, "tests", "test classes for RunSpecifiedTests (comma-separated or repeated)")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	if *crFlag == "" || *from == "" || *to == "" {
		return usageErr("deploy new: --cr, --from and --to are required\nusage: relman %s", usage)
	}
	id, err := crID(*crFlag)
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	d, err := svc.NewDeployment(id, *from, *to, model.DeploymentFields{TestLevel: model.TestLevel(*level), Tests: tests})
	if err != nil {
		return err
	}
	return r.emit(deploymentViewOf(d, nil), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Created %s (%s → %s, %s, Draft). Submit it with `relman deploy submit %s`.\n",
			d.Key(), d.Source, d.Target, d.TestLevel, d.Key())
		return err
	})
}

func deployDecision(verb string) func(context.Context, *runner, []string) error {
	return func(_ context.Context, r *runner, args []string) error {
		fs := newFlags("deploy " + verb)
		comment := fs.String("comment", "", "why (required to reject)")
		svc, id, err := r.onDeployment(fs, args, deployCommands()[verb].usage)
		if err != nil {
			return err
		}
		var d model.DeploymentRecord
		switch verb {
		case "submit":
			d, err = svc.SubmitDeployment(id)
		case "approve":
			d, err = svc.ApproveDeployment(id, *comment)
		case "reject":
			d, err = svc.RejectDeployment(id, *comment)
		}
		if err != nil {
			return err
		}
		return r.emit(deploymentViewOf(d, nil), func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "%s is now %s.\n", d.Key(), d.Status)
			return err
		})
	}
}

// deployStep runs a long step (retrieve, validate, run, resume) with
// progress for the terminal, CI logs or scripts.
func deployStep(stage actions.Stage) func(context.Context, *runner, []string) error {
	verb := string(stage)
	switch stage {
	case actions.StageDeploy:
		verb = "run"
	}
	return func(ctx context.Context, r *runner, args []string) error {
		fs := newFlags("deploy " + verb)
		quick, redeploy := false, ""
		if stage == actions.StageDeploy {
			fs.BoolVar(&quick, "quick", false, "quick deploy the kept validation (no tests run again) when it still holds")
			fs.StringVar(&redeploy, "redeploy-reason", "", "deploy again a deployment that already reached its target (its verify failed), recording why")
		}
		wait := fs.Duration("wait", time.Hour, "stop waiting after this long (the job goes on; exit 69)")
		listWarnings := new(bool)
		if stage == actions.StageRetrieve {
			listWarnings = fs.Bool("warnings", false, "list every warning (files not read or classified) instead of only counting them")
		}
		svc, id, err := r.onDeployment(fs, args, deployCommands()[verb].usage)
		if err != nil {
			return err
		}
		waitCtx, cancel := context.WithTimeout(ctx, *wait)
		defer cancel()
		pr := newProgressPrinter(r)
		var d model.DeploymentRecord
		switch stage {
		case actions.StageRetrieve:
			d, _, err = svc.Retrieve(waitCtx, id, pr.event)
		case actions.StageValidate:
			d, _, err = svc.Validate(waitCtx, id, pr.event)
		case actions.StageDeploy:
			if redeploy != "" {
				d, _, err = svc.Redeploy(waitCtx, id, quick, redeploy, pr.event)
			} else {
				d, _, err = svc.Deploy(waitCtx, id, quick, pr.event)
			}
		default:
			d, _, err = svc.Resume(waitCtx, id, pr.event)
		}
		pr.finish()
		if err != nil {
			return err
		}
		logs, lerr := svc.Logs(id)
		if lerr != nil {
			return lerr
		}
		view := deploymentViewOf(d, logs)
		if stage != actions.StageRetrieve || d.Package == nil {
			return r.emit(view, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s is now %s.\n", d.Key(), d.Status)
				return err
			})
		}
		view.Warnings = nonNilWarnings(d.Package.Warnings)
		return r.emitWarned(view, view.Warnings, func(w io.Writer) error {
			if _, err := fmt.Fprintf(w, "%s is now %s.\n", d.Key(), d.Status); err != nil {
				return err
			}
			writeWarnings(w, view.Warnings, *listWarnings, "relman deploy retrieve")
			return nil
		})
	}
}

func deployCancel(ctx context.Context, r *runner, args []string) error {
	svc, id, err := r.onDeployment(newFlags("deploy cancel"), args, deployCommands()["cancel"].usage)
	if err != nil {
		return err
	}
	l, err := svc.Cancel(ctx, id)
	if err != nil {
		return err
	}
	return r.emit(logViewOf(l), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Asked the org to cancel job %s; the run following it reports when it stops.\n", l.JobID)
		return err
	})
}

// deployAbandon closes a deploy whose outcome is unknown and whose job
// `deploy resume` cannot find, with the release manager's reason.
func deployAbandon(_ context.Context, r *runner, args []string) error {
	fs := newFlags("deploy abandon")
	reason := fs.String("reason", "", "why the job is taken as never run (required; recorded in the audit trail)")
	svc, id, err := r.onDeployment(fs, args, deployCommands()["abandon"].usage)
	if err != nil {
		return err
	}
	d, l, err := svc.AbandonDeploy(id, *reason)
	if err != nil {
		return err
	}
	logs, err := svc.Logs(id)
	if err != nil {
		return err
	}
	return r.emit(deploymentViewOf(d, logs), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Abandoned %s; %s is now %s and may be deployed again (its first snapshot is kept for rollback).\n", l.Key(), d.Key(), d.Status)
		return err
	})
}

func deployShow(_ context.Context, r *runner, args []string) error {
	svc, id, err := r.onDeployment(newFlags("deploy show"), args, deployCommands()["show"].usage)
	if err != nil {
		return err
	}
	d, err := svc.Deployment(id)
	if err != nil {
		return err
	}
	logs, err := svc.Logs(id)
	if err != nil {
		return err
	}
	v := deploymentViewOf(d, logs)
	return r.emit(v, func(w io.Writer) error { return writeDeployment(w, v, false) })
}

func deployLog(_ context.Context, r *runner, args []string) error {
	svc, id, err := r.onDeployment(newFlags("deploy log"), args, deployCommands()["log"].usage)
	if err != nil {
		return err
	}
	d, err := svc.Deployment(id)
	if err != nil {
		return err
	}
	logs, err := svc.Logs(id)
	if err != nil {
		return err
	}
	v := deploymentViewOf(d, logs)
	return r.emit(v.Logs, func(w io.Writer) error { return writeDeployment(w, v, true) })
}

func deployList(_ context.Context, r *runner, args []string) error {
	fs := newFlags("deploy list")
	crFlag := fs.String("cr", "", "only this change request's deployment records")
	if _, err := parse(fs, args, 0, deployCommands()["list"].usage); err != nil {
		return err
	}
	var cr int64
	if *crFlag != "" {
		var err error
		if cr, err = crID(*crFlag); err != nil {
			return err
		}
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	ds, err := svc.Deployments(cr)
	if err != nil {
		return err
	}
	views := make([]deploymentView, len(ds))
	rows := make([][]string, len(ds))
	for i, d := range ds {
		views[i] = deploymentViewOf(d, nil)
		rows[i] = []string{d.Key(), model.FormatID(model.PrefixChangeRequest, d.CR), string(d.Status), d.Source + " → " + d.Target,
			string(d.TestLevel), fmt.Sprint(len(d.Components))}
	}
	return r.emit(views, func(w io.Writer) error {
		if len(ds) == 0 {
			_, err := fmt.Fprintln(w, "No deployment records. Create one with `relman deploy new` or `relman cr push`.")
			return err
		}
		return table(w, []string{"ID", "CR", "STATUS", "ROUTE", "TEST LEVEL", "COMPONENTS"}, rows)
	})
}

// exitFor maps pipeline outcomes to cli.md's exit codes: 68 for partial
// success, 69 for a job still running when --wait ran out.
func exitFor(err error) (int, string, bool) {
	var still *actions.StillRunningError
	var failed *actions.JobFailedError
	switch {
	case errors.As(err, &still):
		return exitInProgress, "StillRunningError", true
	case errors.As(err, &failed) && failed.Status == model.LogSucceededPartial:
		return exitPartial, "PartialSuccessError", true
	case errors.As(err, &failed):
		return exitFailed, "DeployFailedError", true
	}
	return 0, "", false
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

func deployDeps(ctx context.Context, r *runner, args []string) error {
	fs := newFlags("deploy deps")
	add := fs.Bool("add-missing", false, "add the missing components to the change request (which then needs approving again)")
	svc, id, err := r.onDeployment(fs, args, deployCommands()["deps"].usage)
	if err != nil {
		return err
	}
	d, _, err := svc.CheckDependencies(ctx, id, newProgressPrinter(r).event)
	if err != nil {
		return err
	}
	found := d.Dependencies
	if *add {
		if _, err := svc.AddMissingDependencies(id); err != nil {
			return err
		}
		if d, err = svc.Deployment(id); err != nil {
			return err
		}
		// Adding widened the record and cleared its (now stale) check:
		// show what the check found, against the record as it now is.
		d.Dependencies = found
	}
	v := deploymentViewOf(d, nil)
	return r.emit(v, func(w io.Writer) error {
		missing := 0
		for _, dep := range d.Dependencies {
			if dep.Where == "missing" {
				missing++
			}
		}
		fmt.Fprintf(w, "%s: %d references checked, %d missing from the package and %s.\n", d.Key(), len(d.Dependencies), missing, d.Target)
		if *add && missing > 0 {
			fmt.Fprintf(w, "Added the missing components to %s and %s: both need approving again, then retrieve again.\n",
				model.FormatID(model.PrefixChangeRequest, d.CR), d.Key())
		}
		return writeDeployment(w, v, false)
	})
}
