package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"relman/model"
	"relman/store"
	"relman/ui/actions"
)

func crCommands() map[string]command {
	return map[string]command{
		"new":      {usage: "cr new --env ENV --name N [--change-type T] [--overview O] [--component Type:FullName ...] [--proposed Type:FullName ...] [--approver U ...]", run: crNew},
		"list":     {usage: "cr list [--status S] [--env ENV] [--limit N | --all]", run: crList},
		"show":     {usage: "cr show ID", run: crShow},
		"edit":     {usage: "cr edit ID [--name N] [--change-type T] [--overview O] [--component C ...] [--proposed C ...] [--remove-component C ...] [--approver U ...] [--remove-approver U ...]", run: crEdit},
		"submit":   {usage: "cr submit ID", run: crSimple("submit")},
		"approve":  {usage: "cr approve ID [--comment C]", run: crDecide(false)},
		"reject":   {usage: "cr reject ID --comment C", run: crDecide(true)},
		"sync":     {usage: "cr sync ID --to ENV", run: crSync},
		"push":     {usage: "cr push ID", run: crPush},
		"complete": {usage: "cr complete ID", run: crSimple("complete")},
		"cancel":   {usage: "cr cancel ID --reason R", run: crCancel},
	}
}

func crID(s string) (int64, error) {
	id, err := model.ParseID(model.PrefixChangeRequest, s)
	if err != nil {
		return 0, usageErr("%v", err)
	}
	return id, nil
}

// crScopeFlags are the flags shared by `cr new` and `cr edit`.
type crScopeFlags struct {
	name, changeType, overview *string
	components, proposed       multiFlag
	approvers                  multiFlag
}

func bindScope(fs *flag.FlagSet, f *crScopeFlags) {
	f.name = fs.String("name", "", "name of the change")
	f.changeType = fs.String("change-type", "", "Minor (default), Standard, Major or Emergency")
	f.overview = fs.String("overview", "", "what and why")
	fs.Var(&f.components, "component", "an existing customization, Type:FullName (repeatable)")
	fs.Var(&f.proposed, "proposed", "a customization still to be built, Type:FullName (repeatable)")
	fs.Var(&f.approvers, "approver", "an approver's user name (repeatable)")
}

func crNew(_ context.Context, r *runner, args []string) error {
	usage := crCommands()["new"].usage
	fs := newFlags("cr new")
	env := fs.String("env", "", "home environment (production)")
	var f crScopeFlags
	bindScope(fs, &f)
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	if *env == "" {
		return usageErr("cr new: --env is required (a production environment)\nusage: relman %s", usage)
	}
	custom, err := f.components.components("component")
	if err != nil {
		return err
	}
	proposed, err := f.proposed.components("proposed")
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cr, err := svc.CreateCR(*env, model.CRFields{Name: *f.name, ChangeType: model.ChangeType(*f.changeType),
		Overview: *f.overview, Customizations: custom, Proposed: proposed, Approvers: f.approvers})
	if err != nil {
		return err
	}
	return r.emit(crViewOf(cr), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Created %s %q in %s (In Progress). Submit it with `relman cr submit %s`.\n", cr.Key(), cr.Name, cr.Env, cr.Key())
		return err
	})
}

// crListDefault is how many change requests `cr list` shows without
// --limit or --all: the most recent screenful, not a million lines.
const crListDefault = 50

// crListChunk is how many change requests each read transaction of a
// long listing takes; the store is free for writers between chunks.
const crListChunk = 1000

func crList(_ context.Context, r *runner, args []string) error {
	usage := crCommands()["list"].usage
	fs := newFlags("cr list")
	status := fs.String("status", "", "only this status: In Progress, Pending Approval, Approved, Rejected, Completed, Cancelled")
	env := fs.String("env", "", "only change requests homed in this environment")
	limit := fs.Int("limit", crListDefault, "at most this many, most recent first")
	all := fs.Bool("all", false, "every one that matches (streamed)")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	limitSet := false
	fs.Visit(func(f *flag.Flag) { limitSet = limitSet || f.Name == "limit" })
	switch {
	case *all && limitSet:
		return usageErr("cr list: give --limit N or --all, not both\nusage: relman %s", usage)
	case *limit < 1 && !*all:
		return usageErr("cr list: --limit %d: give a number of at least 1, or --all\nusage: relman %s", *limit, usage)
	case *all:
		*limit = 0
	}
	st, err := parseStatus(*status)
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	out := crListWriter{r: r, more: *limit == crListDefault && !limitSet}
	q := store.CRQuery{Status: st, Env: *env}
	for left := *limit; ; {
		q.Limit = crListChunk
		if *limit > 0 {
			q.Limit = min(crListChunk, left)
		}
		var chunk []model.ChangeRequest
		if err := svc.Store.View(func(tx *store.Tx) error {
			return tx.EachCR(q, func(cr model.ChangeRequest) error {
				chunk = append(chunk, cr)
				return nil
			})
		}); err != nil {
			return err
		}
		last := len(chunk) < q.Limit || (*limit > 0 && len(chunk) == left)
		if err := out.write(chunk, last); err != nil {
			return err
		}
		if last {
			return nil
		}
		left -= len(chunk)
		q.After = store.CRCursorOf(chunk[len(chunk)-1])
	}
}

// crListWriter writes `cr list` a chunk at a time: JSON as one envelope
// whose result array grows, a table aligned on its first chunk.
type crListWriter struct {
	r       *runner
	started bool
	n       int
	widths  []int
	// more says the default limit was applied, so a full page ends with
	// how to see the rest.
	more bool
}

var crListHeader = []string{"ID", "STATUS", "ENV", "REQUESTER", "COMPONENTS", "UPDATED", "NAME"}

func (w *crListWriter) write(crs []model.ChangeRequest, last bool) error {
	out := w.r.io.Out
	if w.r.g.json {
		return w.writeJSON(crs, last)
	}
	if !w.started && len(crs) == 0 {
		_, err := fmt.Fprintln(out, "No change requests match. Create one with `relman cr new --env ENV --name N`.")
		return err
	}
	rows := make([][]string, len(crs))
	for i, cr := range crs {
		rows[i] = []string{cr.Key(), string(cr.Status()), cr.Env, cr.Requester, fmt.Sprint(len(cr.Components())),
			cr.UpdatedAt.Local().Format(time.DateTime), cr.Name}
	}
	if !w.started {
		w.started, w.widths = true, columnWidths(crListHeader, rows)
		if err := alignedRow(out, w.widths, crListHeader); err != nil {
			return err
		}
	}
	for _, row := range rows {
		if err := alignedRow(out, w.widths, row); err != nil {
			return err
		}
	}
	w.n += len(crs)
	if last && w.more && w.n == crListDefault {
		_, err := fmt.Fprintf(out, "(the %d most recent; --limit N or --all for more)\n", crListDefault)
		return err
	}
	return nil
}

func (w *crListWriter) writeJSON(crs []model.ChangeRequest, last bool) error {
	out := w.r.io.Out
	if !w.started {
		w.started = true
		if _, err := io.WriteString(out, "{\n  \"status\": 0,\n  \"result\": ["); err != nil {
			return err
		}
	}
	for _, cr := range crs {
		b, err := json.MarshalIndent(crViewOf(cr), "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n    "
		if w.n == 0 {
			sep = "\n    "
		}
		w.n++
		if _, err := io.WriteString(out, sep+string(b)); err != nil {
			return err
		}
	}
	if !last {
		return nil
	}
	end := "\n  ],\n  \"warnings\": []\n}\n"
	if w.n == 0 {
		end = "],\n  \"warnings\": []\n}\n"
	}
	_, err := io.WriteString(out, end)
	return err
}

func parseStatus(s string) (model.Status, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range model.Statuses {
		if equalFoldSpace(string(st), s) {
			return st, nil
		}
	}
	return "", usageErr("--status %q: use one of %v", s, model.Statuses)
}

// equalFoldSpace compares ignoring case, spaces, '-' and '_', so
// "pending-approval" matches "Pending Approval".
func equalFoldSpace(a, b string) bool {
	norm := func(s string) string {
		out := make([]rune, 0, len(s))
		for _, r := range s {
			switch {
			case r == ' ' || r == '-' || r == '_':
			case r >= 'A' && r <= 'Z':
				out = append(out, r+'a'-'A')
			default:
				out = append(out, r)
			}
		}
		return string(out)
	}
	return norm(a) == norm(b)
}

func crShow(_ context.Context, r *runner, args []string) error {
	svc, id, err := r.onCR(newFlags("cr show"), args, crCommands()["show"].usage)
	if err != nil {
		return err
	}
	cr, err := svc.CR(id)
	if err != nil {
		return err
	}
	v := crViewOf(cr)
	if v.History, err = svc.CRHistory(id); err != nil {
		return err
	}
	return r.emit(v, func(w io.Writer) error { return writeCR(w, v) })
}

func crEdit(_ context.Context, r *runner, args []string) error {
	usage := crCommands()["edit"].usage
	fs := newFlags("cr edit")
	var f crScopeFlags
	bindScope(fs, &f)
	var remove, removeApprovers multiFlag
	fs.Var(&remove, "remove-component", "remove a customization, Type:FullName (repeatable)")
	fs.Var(&removeApprovers, "remove-approver", "remove an approver (repeatable)")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	id, err := crID(pos[0])
	if err != nil {
		return err
	}
	var e model.CREdit
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["name"] {
		e.Name = f.name
	}
	if set["overview"] {
		e.Overview = f.overview
	}
	if set["change-type"] {
		ct := model.ChangeType(*f.changeType)
		e.ChangeType = &ct
	}
	if e.AddCustomizations, err = f.components.components("component"); err != nil {
		return err
	}
	if e.AddProposed, err = f.proposed.components("proposed"); err != nil {
		return err
	}
	if e.Remove, err = remove.components("remove-component"); err != nil {
		return err
	}
	e.AddApprovers, e.RemoveApprovers = f.approvers, removeApprovers
	if len(set) == 0 {
		return usageErr("cr edit %s: nothing to change\nusage: relman %s", pos[0], usage)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cr, err := svc.EditCR(id, e)
	if err != nil {
		return err
	}
	return r.emit(crViewOf(cr), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Updated %s (revision %d, %s).\n", cr.Key(), cr.Revision, cr.Status())
		return err
	})
}

// crSimple builds a command taking only an id: submit, complete.
func crSimple(verb string) func(context.Context, *runner, []string) error {
	return func(_ context.Context, r *runner, args []string) error {
		svc, id, err := r.onCR(newFlags("cr "+verb), args, crCommands()[verb].usage)
		if err != nil {
			return err
		}
		var cr model.ChangeRequest
		switch verb {
		case "submit":
			cr, err = svc.SubmitCR(id)
		case "complete":
			cr, err = svc.CompleteCR(id)
		}
		if err != nil {
			return err
		}
		return r.emit(crViewOf(cr), func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "%s is now %s.\n", cr.Key(), cr.Status())
			return err
		})
	}
}

func crDecide(reject bool) func(context.Context, *runner, []string) error {
	verb, done := "approve", "approved"
	if reject {
		verb, done = "reject", "rejected"
	}
	return func(_ context.Context, r *runner, args []string) error {
		fs := newFlags("cr " + verb)
		comment := fs.String("comment", "", "why (required to reject)")
		svc, id, err := r.onCR(fs, args, crCommands()[verb].usage)
		if err != nil {
			return err
		}
		var cr model.ChangeRequest
		if reject {
			cr, err = svc.RejectCR(id, *comment)
		} else {
			cr, err = svc.ApproveCR(id, *comment)
		}
		if err != nil {
			return err
		}
		return r.emit(crViewOf(cr), func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "%s: %s %s. It is now %s.\n", cr.Key(), svc.User, done, cr.Status())
			return err
		})
	}
}

func crSync(ctx context.Context, r *runner, args []string) error {
	usage := crCommands()["sync"].usage
	fs := newFlags("cr sync")
	to := fs.String("to", "", "the sandbox environment to copy into")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	if *to == "" {
		return usageErr("cr sync: --to ENV is required\nusage: relman %s", usage)
	}
	id, err := crID(pos[0])
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	child, err := svc.SyncCR(ctx, id, *to)
	if err != nil {
		return err
	}
	return r.emit(crViewOf(child), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Synced %s to %s as %s (In Progress). Build there, then `relman cr push %s`.\n",
			model.FormatID(model.PrefixChangeRequest, id), *to, child.Key(), child.Key())
		return err
	})
}

// pushView is the result of `cr push`.
type pushView struct {
	Parent             crView   `json:"parent"`
	Child              crView   `json:"child"`
	Deployment         string   `json:"deployment"`
	AddedAfterApproval []string `json:"addedAfterApproval"`
}

func crPush(ctx context.Context, r *runner, args []string) error {
	svc, id, err := r.onCR(newFlags("cr push"), args, crCommands()["push"].usage)
	if err != nil {
		return err
	}
	res, err := svc.PushBackCR(ctx, id)
	if err != nil {
		return err
	}
	added := make([]string, len(res.Added))
	for i, c := range res.Added {
		added[i] = c.String()
	}
	v := pushView{Parent: crViewOf(res.Parent), Child: crViewOf(res.Child), Deployment: res.Deployment.Key(), AddedAfterApproval: added}
	return r.emit(v, func(w io.Writer) error {
		fmt.Fprintf(w, "Pushed %s back to %s: created deployment record %s (%s → %s, Draft).\n",
			res.Child.Key(), res.Parent.Key(), res.Deployment.Key(), res.Deployment.Source, res.Deployment.Target)
		if len(added) > 0 {
			fmt.Fprintf(w, "Added after approval (flagged; %s needs approving again): %v\n", res.Parent.Key(), added)
		}
		return nil
	})
}

func crCancel(_ context.Context, r *runner, args []string) error {
	fs := newFlags("cr cancel")
	reason := fs.String("reason", "", "why it is cancelled (required)")
	svc, id, err := r.onCR(fs, args, crCommands()["cancel"].usage)
	if err != nil {
		return err
	}
	cr, err := svc.CancelCR(id, *reason)
	if err != nil {
		return err
	}
	return r.emit(crViewOf(cr), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s is now Cancelled.\n", cr.Key())
		return err
	})
}

// onCR parses a command whose one argument is a change request id and
// opens the store: the preamble of most `cr` commands.
func (r *runner) onCR(fs *flag.FlagSet, args []string, usage string) (*actions.Service, int64, error) {
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return nil, 0, err
	}
	id, err := crID(pos[0])
	if err != nil {
		return nil, 0, err
	}
	svc, err := r.service()
	return svc, id, err
}
