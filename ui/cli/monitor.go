package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"relman/diff"
	"relman/model"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/termsafe"
)

// minEvery keeps --every from hammering an org's API allocation.
const minEvery = time.Minute

func monitorCommands() map[string]command {
	return map[string]command{
		"monitor":           {usage: "monitor ENV [--every 15m]   (snapshot ENV, log and judge what changed since the last snapshot)", run: monitor},
		"changes list":      {usage: "changes list [--env E] [--status non-compliant|compliant|resolved] [--format csv|md]", run: changesList},
		"changes show":      {usage: "changes show ID", run: changesShow},
		"changes resolve":   {usage: "changes resolve ID [--cr CR-…] --note \"…\"   (approvers)", run: changesResolve},
		"policy show":       {usage: "policy show [--env E]", run: policyShow},
		"policy set":        {usage: "policy set CATEGORY LEVEL [--approver U ...] [--env E]   (admins)", run: policySet},
		"policy type":       {usage: "policy type TYPE CATEGORY [--env E]   (admins)", run: policyType},
		"report compliance": {usage: "report compliance --from YYYY-MM-DD --to YYYY-MM-DD [--env E]", run: reportCompliance},
	}
}

// changeJSON is a change log as --json shows it: ids as people write them.
type changeJSON struct {
	model.ChangeLog
	ID       string `json:"id"`
	Snapshot string `json:"snapshot"`
}

func changesJSON(cls []model.ChangeLog) []changeJSON {
	out := make([]changeJSON, len(cls))
	for i, c := range cls {
		out[i] = changeJSON{ChangeLog: c, ID: c.Key(), Snapshot: model.FormatID(model.PrefixSnapshot, c.Snapshot)}
	}
	return out
}

// monitorView is one run of `monitor --json`.
type monitorView struct {
	Snapshot     string       `json:"snapshot"`
	Env          string       `json:"env"`
	Baseline     bool         `json:"baseline"`
	Components   int          `json:"components"`
	NonCompliant int          `json:"nonCompliant"`
	Changes      []changeJSON `json:"changes"`
	OrgMillis    int64        `json:"orgMillis"`
	TotalMillis  int64        `json:"totalMillis"`
}

func monitor(ctx context.Context, r *runner, args []string) error {
	usage := monitorCommands()["monitor"].usage
	fs := newFlags("monitor")
	every := fs.Duration("every", 0, "keep monitoring at this interval until interrupted (at least 1m)")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	if *every != 0 && *every < minEvery {
		return usageErr("monitor: --every %s is too often; use %s or more", *every, minEvery)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	progress := func(s string) {
		if !r.g.json {
			fmt.Fprintf(r.io.Err, "%s %s\n", time.Now().Format("15:04:05"), termsafe.Line(s))
		}
	}
	for {
		res, err := svc.Monitor(ctx, pos[0], progress)
		if err != nil {
			if ctx.Err() != nil && *every != 0 {
				fmt.Fprintln(r.io.Err, "monitor: stopped")
				return nil
			}
			return err
		}
		if err := r.emitMonitor(res); err != nil {
			return err
		}
		if *every == 0 {
			return nil
		}
		progress(fmt.Sprintf("next snapshot at %s (Ctrl-C stops)", time.Now().Add(*every).Format("15:04:05")))
		select {
		case <-ctx.Done():
			fmt.Fprintln(r.io.Err, "monitor: stopped")
			return nil
		case <-time.After(*every):
		}
	}
}

func (r *runner) emitMonitor(res actions.MonitorResult) error {
	v := monitorView{Snapshot: res.Snapshot.Key(), Env: res.Snapshot.Env, Baseline: res.Snapshot.Baseline,
		Components: res.Snapshot.Components, NonCompliant: res.NonCompliant(), Changes: changesJSON(res.Changes),
		OrgMillis: res.OrgTime.Milliseconds(), TotalMillis: res.Total.Milliseconds()}
	if r.g.json {
		// With --every, one compact envelope per snapshot keeps stdout NDJSON.
		return writeCompactJSON(r.io.Out, envelope{Status: 0, Result: v, Warnings: []string{}})
	}
	w := termsafe.Writer(r.io.Out)
	if v.Baseline {
		fmt.Fprintf(w, "%s: baseline of %s recorded (%d components).\n", v.Snapshot, v.Env, v.Components)
		return nil
	}
	fmt.Fprintf(w, "%s of %s: %d components, %s, %d non-compliant.\n", v.Snapshot, v.Env, v.Components,
		common.Plural(len(v.Changes), "change"), v.NonCompliant)
	if len(res.Changes) == 0 {
		return nil
	}
	return changeTable(w, res.Changes)
}

func changeTable(w io.Writer, cls []model.ChangeLog) error {
	rows := make([][]string, len(cls))
	for i, c := range cls {
		rows[i] = []string{c.Key(), c.Env, string(c.Status), string(c.Kind), c.Component.String(), string(c.Category),
			orDash(c.Who), c.When.UTC().Format("2006-01-02 15:04"), c.Reason}
	}
	return table(w, []string{"ID", "ENV", "STATUS", "KIND", "COMPONENT", "CATEGORY", "WHO", "WHEN (UTC)", "REASON"}, rows)
}

func changeID(s string) (int64, error) {
	id, err := model.ParseID(model.PrefixChangeLog, s)
	if err != nil {
		return 0, usageErr("%v", err)
	}
	return id, nil
}

func changesList(_ context.Context, r *runner, args []string) error {
	usage := monitorCommands()["changes list"].usage
	fs := newFlags("changes list")
	env := fs.String("env", "", "only changes of this environment")
	status := fs.String("status", "", "non-compliant, compliant or resolved")
	format := fs.String("format", "", "export format: csv or md (default: a table)")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	q := store.ChangeLogQuery{Env: *env}
	if *status != "" {
		st, err := model.ParseComplianceStatus(*status)
		if err != nil {
			return usageErr("changes list: --status: %v", err)
		}
		q.Status = st
	}
	if *format != "" && *format != "csv" && *format != "md" {
		return usageErr("changes list: --format %q: use csv or md", *format)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cls, err := svc.ChangeLogs(q)
	if err != nil {
		return err
	}
	if *format != "" {
		return store.WriteChangeLogs(r.io.Out, cls, *format)
	}
	return r.emit(changesJSON(cls), func(w io.Writer) error {
		if len(cls) == 0 {
			_, err := fmt.Fprintln(w, "No changes recorded. Run `relman monitor ENV` to take a snapshot.")
			return err
		}
		return changeTable(w, cls)
	})
}

// changeView is `changes show --json`: the change log and its diff.
type changeView struct {
	changeJSON
	Diff []diff.FileDiff `json:"diff"`
}

func changesShow(_ context.Context, r *runner, args []string) error {
	pos, err := parse(newFlags("changes show"), args, 1, monitorCommands()["changes show"].usage)
	if err != nil {
		return err
	}
	id, err := changeID(pos[0])
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cl, err := svc.ChangeLog(id)
	if err != nil {
		return err
	}
	diffs, err := svc.ChangeDiff(cl)
	if err != nil {
		return err
	}
	if diffs == nil {
		diffs = []diff.FileDiff{}
	}
	return r.emit(changeView{changeJSON: changesJSON([]model.ChangeLog{cl})[0], Diff: diffs}, func(w io.Writer) error {
		pairs := [][2]string{{"Change", cl.Key()}, {"Environment", cl.Env}, {"Component", cl.Component.String()},
			{"Kind", string(cl.Kind)}, {"Category", string(cl.Category)}, {"Level", string(cl.Level)},
			{"When (UTC)", cl.When.UTC().Format(time.RFC3339)}, {"Who", orDash(cl.Who)},
			{"Detected", cl.DetectedAt.UTC().Format(time.RFC3339) + " (" + model.FormatID(model.PrefixSnapshot, cl.Snapshot) + ")"},
			{"Status", string(cl.Status)}, {"Reason", cl.Reason}, {"Covered by", orDash(cl.CoveredBy)}}
		if cl.Status == model.StatusResolved {
			pairs = append(pairs, [2]string{"Resolved", cl.ResolvedBy + " at " + cl.ResolvedAt.UTC().Format(time.RFC3339)}, [2]string{"Note", cl.Note})
		}
		if err := fields(w, pairs); err != nil {
			return err
		}
		fmt.Fprintln(w)
		for _, d := range diffs {
			if err := diff.WriteUnified(w, d, "before", "after"); err != nil {
				return err
			}
		}
		return nil
	})
}

func changesResolve(_ context.Context, r *runner, args []string) error {
	usage := monitorCommands()["changes resolve"].usage
	fs := newFlags("changes resolve")
	crFlag := fs.String("cr", "", "the approved change request that covers the change")
	note := fs.String("note", "", "why the change is acceptable (required)")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	id, err := changeID(pos[0])
	if err != nil {
		return err
	}
	var cr int64
	if *crFlag != "" {
		if cr, err = crID(*crFlag); err != nil {
			return err
		}
	}
	if strings.TrimSpace(*note) == "" {
		return usageErr("changes resolve: --note is required: say why the change is acceptable\nusage: relman %s", usage)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cl, err := svc.ResolveChangeLog(id, cr, *note)
	if err != nil {
		return err
	}
	return r.emit(changesJSON([]model.ChangeLog{cl})[0], func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s resolved (%s).\n", cl.Key(), orDash(cl.CoveredBy))
		return err
	})
}

// policyView is `policy show --json`.
type policyView struct {
	model.Policy
	// Levels lists the rule of every category, in display order.
	Levels []policyRow `json:"levels"`
}

type policyRow struct {
	Category  model.PolicyCategory `json:"category"`
	Level     model.Level          `json:"level"`
	Approvers []string             `json:"approvers"`
}

func newPolicyView(p model.Policy) policyView {
	v := policyView{Policy: p}
	for _, c := range model.PolicyCategories {
		rule := p.Rule(c)
		v.Levels = append(v.Levels, policyRow{Category: c, Level: rule.Level, Approvers: append([]string{}, rule.Approvers...)})
	}
	return v
}

func (r *runner) emitPolicy(p model.Policy) error {
	v := newPolicyView(p)
	return r.emit(v, func(w io.Writer) error {
		fmt.Fprintf(w, "Policy %s\n", p.Name)
		rows := make([][]string, len(v.Levels))
		for i, l := range v.Levels {
			rows[i] = []string{string(l.Category), string(l.Level), orDash(strings.Join(l.Approvers, ", "))}
		}
		if err := table(w, []string{"CATEGORY", "LEVEL", "REQUIRED APPROVERS"}, rows); err != nil {
			return err
		}
		if len(p.Types) > 0 {
			fmt.Fprintln(w, "\nType overrides:")
			for _, t := range slices.Sorted(maps.Keys(p.Types)) {
				fmt.Fprintf(w, "  %s → %s\n", t, p.Types[t])
			}
		}
		return nil
	})
}

func policyShow(_ context.Context, r *runner, args []string) error {
	fs := newFlags("policy show")
	env := fs.String("env", "", "the environment's policy (default: the default policy)")
	if _, err := parse(fs, args, 0, monitorCommands()["policy show"].usage); err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	p, err := svc.Policy(*env)
	if err != nil {
		return err
	}
	return r.emitPolicy(p)
}

func policySet(_ context.Context, r *runner, args []string) error {
	usage := monitorCommands()["policy set"].usage
	fs := newFlags("policy set")
	env := fs.String("env", "", "set the environment's own policy (default: the default policy)")
	var approvers multiFlag
	fs.Var(&approvers, "approver", "a user added as approver to change requests holding this category (repeatable)")
	pos, err := parse(fs, args, 2, usage)
	if err != nil {
		return err
	}
	cat, err := model.ParseCategory(pos[0])
	if err != nil {
		return usageErr("policy set: %v", err)
	}
	level, err := model.ParseLevel(pos[1])
	if err != nil {
		return usageErr("policy set: %v", err)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	p, err := svc.SetPolicyLevel(*env, cat, level, approvers)
	if err != nil {
		return err
	}
	return r.emitPolicy(p)
}

func policyType(_ context.Context, r *runner, args []string) error {
	usage := monitorCommands()["policy type"].usage
	fs := newFlags("policy type")
	env := fs.String("env", "", "set the environment's own policy (default: the default policy)")
	pos, err := parse(fs, args, 2, usage)
	if err != nil {
		return err
	}
	cat, err := model.ParseCategory(pos[1])
	if err != nil {
		return usageErr("policy type: %v", err)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	p, err := svc.SetPolicyType(*env, pos[0], cat)
	if err != nil {
		return err
	}
	return r.emitPolicy(p)
}

// parseDay reads a --from/--to date (UTC midnight).
func parseDay(flagName, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, usageErr("report compliance: --%s %q: want a date such as 2026-12-01", flagName, s)
	}
	return t, nil
}

func reportCompliance(_ context.Context, r *runner, args []string) error {
	usage := monitorCommands()["report compliance"].usage
	fs := newFlags("report compliance")
	fromFlag := fs.String("from", "", "first day of the period (UTC)")
	toFlag := fs.String("to", "", "last day of the period, included (UTC)")
	env := fs.String("env", "", "only this environment")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	if *fromFlag == "" || *toFlag == "" {
		return usageErr("report compliance: --from and --to are required\nusage: relman %s", usage)
	}
	from, err := parseDay("from", *fromFlag)
	if err != nil {
		return err
	}
	to, err := parseDay("to", *toFlag)
	if err != nil {
		return err
	}
	if to.Before(from) {
		return usageErr("report compliance: --to %s is before --from %s", *toFlag, *fromFlag)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cls, err := svc.ChangeLogs(store.ChangeLogQuery{Env: *env})
	if err != nil {
		return err
	}
	rep := model.BuildComplianceReport(cls, from, to.AddDate(0, 0, 1))
	return r.emit(rep, func(w io.Writer) error { return writeComplianceReport(w, rep, *fromFlag, *toFlag) })
}

func writeComplianceReport(w io.Writer, rep model.ComplianceReport, from, to string) error {
	fmt.Fprintf(w, "Compliance report %s to %s: %s detected.\n\n", from, to, common.Plural(rep.Total, "change"))
	rows := make([][]string, len(rep.ByCategory))
	for i, c := range rep.ByCategory {
		rows[i] = []string{string(c.Category), fmt.Sprint(c.Counts[model.StatusCompliant]), fmt.Sprint(c.Counts[model.StatusNonCompliant]),
			fmt.Sprint(c.Counts[model.StatusResolved])}
	}
	if err := table(w, []string{"CATEGORY", "COMPLIANT", "NON-COMPLIANT", "RESOLVED"}, rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	rows = make([][]string, len(rep.ByWho))
	for i, c := range rep.ByWho {
		rows[i] = []string{c.Who, fmt.Sprint(c.Changes), fmt.Sprint(c.NonCompliant)}
	}
	if err := table(w, []string{"WHO", "CHANGES", "NOT COVERED WHEN MADE"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nResolved: %d; resolution time mean %s, longest %s.\n", rep.Resolved,
		rep.MeanResolution.Round(time.Minute), rep.MaxResolution.Round(time.Minute))
	if len(rep.Open) > 0 {
		fmt.Fprintf(w, "Still non-compliant: %d.\n", len(rep.Open))
		for _, c := range rep.Open {
			fmt.Fprintf(w, "  %s %s %s: %s\n", c.Key(), c.Env, c.Component, c.Reason)
		}
	}
	return nil
}
