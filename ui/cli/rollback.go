package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"relman/model"
	"relman/ui/actions"
)

func rollbackCommands() map[string]command {
	return map[string]command{
		"new":     {usage: "rollback new DEPLOY_ID [--component Type:FullName ...]", run: rollbackNew},
		"submit":  {usage: "rollback submit ID", run: rollbackDecision("submit")},
		"approve": {usage: "rollback approve ID [--comment C]", run: rollbackDecision("approve")},
		"reject":  {usage: "rollback reject ID --comment C", run: rollbackDecision("reject")},
		"run":     {usage: "rollback run ID [--wait D]", run: rollbackStep("run", (*actions.Service).RunRollback)},
		"resume":  {usage: "rollback resume ID [--wait D]", run: rollbackStep("resume", (*actions.Service).ResumeRollback)},
		"abandon": {usage: "rollback abandon ID --reason R", run: rollbackAbandon},
		"show":    {usage: "rollback show ID", run: rollbackShow},
	}
}

// rollbackView is a rollback as `rollback show --json` prints it.
type rollbackView struct {
	ID             string               `json:"id"`
	Deployment     string               `json:"deployment"`
	CR             string               `json:"cr"`
	Target         string               `json:"target"`
	Status         string               `json:"status"`
	ApprovalStatus string               `json:"approvalStatus"`
	Requester      string               `json:"requester"`
	Items          []model.RollbackItem `json:"items"`
	Approvers      []approverView       `json:"approvers"`
	Logs           []logView            `json:"logs"`
	CreatedAt      time.Time            `json:"createdAt"`
}

func rollbackViewOf(r model.Rollback, logs []model.DeploymentLog) rollbackView {
	v := rollbackView{ID: r.Key(), Deployment: model.FormatID(model.PrefixDeployment, r.Deployment),
		CR: model.FormatID(model.PrefixChangeRequest, r.CR), Target: r.Target, Status: string(r.Status),
		ApprovalStatus: string(r.ApprovalStatus), Requester: r.Requester, Items: r.Items,
		Approvers: approverViews(r.Approvers, r.ScopeHash()), Logs: []logView{}, CreatedAt: r.CreatedAt}
	in := map[int64]bool{}
	for _, id := range r.Logs {
		in[id] = true
	}
	for _, l := range logs {
		if in[l.ID] {
			v.Logs = append(v.Logs, logViewOf(l))
		}
	}
	return v
}

func rbID(s string) (int64, error) {
	id, err := model.ParseID(model.PrefixRollback, s)
	if err != nil {
		return 0, usageErr("%v", err)
	}
	return id, nil
}

func (r *runner) onRollback(fs *flag.FlagSet, args []string, usage string) (*actions.Service, int64, error) {
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return nil, 0, err
	}
	id, err := rbID(pos[0])
	if err != nil {
		return nil, 0, err
	}
	svc, err := r.service()
	return svc, id, err
}

func rollbackNew(_ context.Context, r *runner, args []string) error {
	usage := rollbackCommands()["new"].usage
	fs := newFlags("rollback new")
	var comps multiFlag
	fs.Var(&comps, "component", "roll back only this component (repeatable; default: all the deployment changed)")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	id, err := drID(pos[0])
	if err != nil {
		return err
	}
	only, err := comps.components("component")
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	rb, err := svc.NewRollback(id, only)
	if err != nil {
		return err
	}
	v := rollbackViewOf(rb, nil)
	return r.emit(v, func(w io.Writer) error {
		fmt.Fprintf(w, "Created %s for %s (Draft). Submit it with `relman rollback submit %s`.\n", rb.Key(), v.Deployment, rb.Key())
		return writeRollback(w, v)
	})
}

func rollbackDecision(verb string) func(context.Context, *runner, []string) error {
	return func(_ context.Context, r *runner, args []string) error {
		fs := newFlags("rollback " + verb)
		comment := fs.String("comment", "", "why (required to reject)")
		svc, id, err := r.onRollback(fs, args, rollbackCommands()[verb].usage)
		if err != nil {
			return err
		}
		var rb model.Rollback
		switch verb {
		case "submit":
			rb, err = svc.SubmitRollback(id)
		case "approve":
			rb, err = svc.ApproveRollback(id, *comment)
		case "reject":
			rb, err = svc.RejectRollback(id, *comment)
		}
		if err != nil {
			return err
		}
		return r.emit(rollbackViewOf(rb, nil), func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "%s is now %s.\n", rb.Key(), rb.Status)
			return err
		})
	}
}

// rollbackStep runs a rollback (run), or finishes one whose run stopped or
// whose answer was lost (resume).
func rollbackStep(verb string, step func(*actions.Service, context.Context, int64, actions.Progress) (model.Rollback, model.DeploymentLog, error)) func(context.Context, *runner, []string) error {
	return func(ctx context.Context, r *runner, args []string) error {
		fs := newFlags("rollback " + verb)
		wait := fs.Duration("wait", time.Hour, "stop waiting after this long (the job goes on; exit 69)")
		svc, id, err := r.onRollback(fs, args, rollbackCommands()[verb].usage)
		if err != nil {
			return err
		}
		waitCtx, cancel := context.WithTimeout(ctx, *wait)
		defer cancel()
		pr := newProgressPrinter(r)
		rb, _, err := step(svc, waitCtx, id, pr.event)
		pr.finish()
		if err != nil {
			return err
		}
		return r.showRollback(svc, rb)
	}
}

func rollbackAbandon(_ context.Context, r *runner, args []string) error {
	fs := newFlags("rollback abandon")
	reason := fs.String("reason", "", "why the job is taken as never run (required; recorded in the audit trail)")
	svc, id, err := r.onRollback(fs, args, rollbackCommands()["abandon"].usage)
	if err != nil {
		return err
	}
	rb, _, err := svc.AbandonRollback(id, *reason)
	if err != nil {
		return err
	}
	return r.showRollback(svc, rb)
}

func rollbackShow(_ context.Context, r *runner, args []string) error {
	svc, id, err := r.onRollback(newFlags("rollback show"), args, rollbackCommands()["show"].usage)
	if err != nil {
		return err
	}
	rb, err := svc.Rollback(id)
	if err != nil {
		return err
	}
	return r.showRollback(svc, rb)
}

func (r *runner) showRollback(svc *actions.Service, rb model.Rollback) error {
	logs, err := svc.Logs(rb.Deployment)
	if err != nil {
		return err
	}
	v := rollbackViewOf(rb, logs)
	return r.emit(v, func(w io.Writer) error { return writeRollback(w, v) })
}

func writeRollback(w io.Writer, v rollbackView) error {
	if err := fields(w, [][2]string{{"Rollback", v.ID}, {"Deployment", v.Deployment}, {"Change request", v.CR},
		{"Target", v.Target}, {"Status", v.Status}, {"Approval", v.ApprovalStatus}, {"Requester", v.Requester}}); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nComponents:")
	rows := make([][]string, len(v.Items))
	for i, it := range v.Items {
		what := string(it.Action)
		if it.Keep {
			what = "keep (not rolled back)"
		}
		rows[i] = []string{"  " + it.Component.Type, it.Component.FullName, what}
	}
	if err := table(w, []string{"  TYPE", "FULL NAME", "ROLLBACK"}, rows); err != nil {
		return err
	}
	if len(v.Approvers) > 0 {
		fmt.Fprintln(w, "\nApprovers:")
		rows = rows[:0]
		for _, a := range v.Approvers {
			rows = append(rows, []string{"  " + a.User, a.Decision, orDash(a.Comment)})
		}
		if err := table(w, []string{"  USER", "DECISION", "COMMENT"}, rows); err != nil {
			return err
		}
	}
	for _, l := range v.Logs {
		fmt.Fprintf(w, "\n#%d %s — %s (job %s) %s\n", l.ID, l.Kind, l.Status, orDash(l.JobID), l.Message)
	}
	return nil
}
