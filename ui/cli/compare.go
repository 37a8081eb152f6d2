package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/termsafe"
)

func compareCommands() map[string]command {
	return map[string]command{
		"compare": {usage: "compare SRC TGT [--cr ID] [--type T ...] [--component Type:FullName ...] [--exclude-namespace NS ...] [--ignore-whitespace] [--ignore-order] [--package-xml DIR] [--warnings]", run: compare},
		"diff":    {usage: "diff SRC TGT Type:FullName [--ignore-whitespace] [--ignore-order] [--warnings]", run: diffCmd},
	}
}

// compareView is `relman compare --json`'s result (cli.md).
type compareView struct {
	Source     string                 `json:"source"`
	Target     string                 `json:"target"`
	Summary    map[model.Category]int `json:"summary"`
	Hidden     diff.Hidden            `json:"hidden"`
	CompareLog string                 `json:"compareLog,omitempty"`
	Package    *packageView           `json:"package,omitempty"`
	Components []compareEntryView     `json:"components"`
	// Warnings lists every file either side could not read or classify,
	// and the deletions left out because of it.
	Warnings []metadata.Warning `json:"warnings"`
	// listWarnings is --warnings: the human output lists them all.
	listWarnings bool
}

type compareEntryView struct {
	Type     string   `json:"type"`
	FullName string   `json:"fullName"`
	Status   string   `json:"status"`
	Files    []string `json:"files"`
}

type packageView struct {
	Dir         string `json:"dir"`
	Members     int    `json:"members"`
	Destructive int    `json:"destructive"`
}

// storeForCompare returns the store when one is in use: always when a side
// or --cr names something stored; for two plain directories only when a
// store already exists, so a quick directory compare leaves no files behind.
func (r *runner) storeForCompare(needed bool) (*actions.Service, error) {
	path := r.g.store
	if path == "" {
		var err error
		if path, err = store.DefaultPath(); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(path); err != nil && !needed {
		svc := actions.New(nil, model.Actor{})
		svc.Remote = r.io.Actor != nil
		return svc, nil
	}
	return r.service()
}

func compare(ctx context.Context, r *runner, args []string) error {
	usage := compareCommands()["compare"].usage
	fs := newFlags("compare")
	crFlag := fs.String("cr", "", "only this change request's components")
	var types, comps, namespaces multiFlag
	fs.Var(&types, "type", "only this metadata type (repeatable)")
	fs.Var(&comps, "component", "only this component, Type:FullName (repeatable)")
	fs.Var(&namespaces, "exclude-namespace", "leave out components of this managed-package namespace (repeatable)")
	ws := fs.Bool("ignore-whitespace", false, "treat whitespace-only changes as equal")
	order := fs.Bool("ignore-order", false, "treat reordering of unordered XML elements (permissions, …) as equal")
	pkgDir := fs.String("package-xml", "", "write package.xml and destructiveChanges.xml for deploying SRC onto TGT into this directory")
	listWarnings := fs.Bool("warnings", false, "list every warning (files not read or classified) instead of only counting them")
	pos, err := parse(fs, args, 2, usage)
	if err != nil {
		return err
	}
	// A compare allocates many short-lived file and path values: collecting
	// half as often saves a tenth of its CPU and keeps the peak of a
	// 12,000-file tree near 70 MB, inside the 100 MB budget.
	debug.SetGCPercent(200)
	filters := model.CompareFilters{Types: types, ExcludeNamespaces: namespaces, IgnoreWhitespace: *ws, IgnoreOrder: *order}
	for _, t := range types {
		if _, ok := metadata.LookupType(t); !ok {
			return usageErr("--type %s: %v", t, metadata.Validate(metadata.Component{Type: t, FullName: "x"}))
		}
	}
	if filters.Components, err = comps.components("component"); err != nil {
		return err
	}
	for _, c := range filters.Components {
		if err := metadata.Validate(c); err != nil {
			return usageErr("--component %s: %v", c, err)
		}
	}
	if *crFlag != "" {
		if filters.CR, err = crID(*crFlag); err != nil {
			return err
		}
	}
	svc, err := r.storeForCompare(filters.CR != 0 || !isDir(pos[0]) || !isDir(pos[1]))
	if err != nil {
		return err
	}
	out, err := svc.Compare(ctx, actions.CompareRequest{Source: pos[0], Target: pos[1], Filters: filters, Save: svc.Store != nil})
	if err != nil {
		return err
	}
	view := compareView{Source: pos[0], Target: pos[1], Summary: map[model.Category]int{}, Hidden: out.Result.Hidden,
		Components: make([]compareEntryView, len(out.Result.Entries)), Warnings: nonNilWarnings(out.Warnings), listWarnings: *listWarnings}
	if out.Log.ID != 0 {
		view.CompareLog = out.Log.Key()
	}
	for _, c := range model.Categories {
		view.Summary[c] = out.Result.Counts[c] // every category present, even when zero
	}
	for i, e := range out.Result.Entries {
		files := e.Files
		if files == nil {
			files = []string{}
		}
		view.Components[i] = compareEntryView{Type: e.Component.Type, FullName: e.Component.FullName, Status: string(e.Category), Files: files}
	}
	if *pkgDir != "" {
		var leftOut []metadata.Warning
		if view.Package, leftOut, err = writePackage(svc, *pkgDir, out.Result); err != nil {
			return err
		}
		view.Warnings = append(view.Warnings, leftOut...)
	}
	return r.emitWarned(view, view.Warnings, func(w io.Writer) error { return writeCompare(w, view) })
}

func nonNilWarnings(ws []metadata.Warning) []metadata.Warning {
	if ws == nil {
		return []metadata.Warning{}
	}
	return ws
}

// writeWarnings writes the one-line count of warnings and, when asked, the
// whole list; cmd is the command to repeat with --warnings.
func writeWarnings(w io.Writer, ws []metadata.Warning, list bool, cmd string) {
	if len(ws) == 0 {
		return
	}
	if !list {
		fmt.Fprintf(w, "%s: files relman could not read or classify, duplicates it resolved (%s --warnings lists them).\n", common.Plural(len(ws), "warning"), cmd)
		return
	}
	fmt.Fprintf(w, "%s:\n", common.Plural(len(ws), "warning"))
	for _, x := range ws {
		fmt.Fprintf(w, "  %s: %s\n", termsafe.Line(x.Path), termsafe.Line(x.Problem))
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// writePackage writes the manifests that deploy SRC onto TGT, and returns
// the components it had to leave out as warnings.
func writePackage(svc *actions.Service, dir string, res diff.Result) (*packageView, []metadata.Warning, error) {
	entries := make([]model.CompareEntry, len(res.Entries))
	for i, e := range res.Entries {
		entries[i] = model.CompareEntry{Component: e.Component, Category: e.Category, Files: e.Files}
	}
	plan := actions.PlanPackage(entries)
	if err := svc.WritePackage(dir, plan); err != nil {
		return nil, nil, fmt.Errorf("--package-xml: %w", err)
	}
	return &packageView{Dir: dir, Members: len(plan.Deploy), Destructive: len(plan.Destroy)}, plan.LeftOut, nil
}

func writeCompare(w io.Writer, v compareView) error {
	s := v.Summary
	fmt.Fprintf(w, "%s → %s: %d only in source, %d only in target, %d different, %d same\n",
		v.Source, v.Target, s[model.OnlyInSource], s[model.OnlyInTarget], s[model.Different], s[model.Same])
	if v.Hidden.Whitespace > 0 || v.Hidden.Order > 0 {
		fmt.Fprintf(w, "Hidden as equal: %d by --ignore-whitespace, %d by --ignore-order\n", v.Hidden.Whitespace, v.Hidden.Order)
	}
	var rows [][]string
	for _, e := range v.Components {
		if e.Status != string(model.Same) {
			rows = append(rows, []string{e.Status, e.Type, e.FullName})
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(w)
		if err := table(w, []string{"STATUS", "TYPE", "FULL NAME"}, rows); err != nil {
			return err
		}
	}
	if v.Package != nil {
		fmt.Fprintf(w, "\nWrote %s: package.xml (%d members)", v.Package.Dir, v.Package.Members)
		if v.Package.Destructive > 0 {
			fmt.Fprintf(w, " and destructiveChanges.xml (%d members)", v.Package.Destructive)
		}
		fmt.Fprintln(w, ".")
	}
	if v.CompareLog != "" {
		fmt.Fprintf(w, "Saved as %s.\n", v.CompareLog)
	}
	writeWarnings(w, v.Warnings, v.listWarnings, "relman compare")
	return nil
}

// diffView is `relman diff --json`'s result: the file diffs and the
// warnings of reading both sides.
type diffView struct {
	Diffs    []diff.FileDiff    `json:"diffs"`
	Warnings []metadata.Warning `json:"warnings"`
}

func diffCmd(ctx context.Context, r *runner, args []string) error {
	usage := compareCommands()["diff"].usage
	fs := newFlags("diff")
	ws := fs.Bool("ignore-whitespace", false, "hide whitespace-only changes")
	order := fs.Bool("ignore-order", false, "hide reordering of unordered XML elements")
	listWarnings := fs.Bool("warnings", false, "list every warning (files not read or classified) instead of only counting them")
	pos, err := parse(fs, args, 3, usage)
	if err != nil {
		return err
	}
	c, err := metadata.ParseComponent(pos[2])
	if err != nil {
		return usageErr("%v", err)
	}
	if err := metadata.Validate(c); err != nil {
		return usageErr("%v", err)
	}
	svc, err := r.storeForCompare(!isDir(pos[0]) || !isDir(pos[1]))
	if err != nil {
		return err
	}
	diffs, warnings, err := svc.DiffComponent(ctx, pos[0], pos[1], c, diff.Options{IgnoreWhitespace: *ws, IgnoreOrder: *order})
	if err != nil {
		return err
	}
	if r.g.json {
		if diffs == nil {
			diffs = []diff.FileDiff{}
		}
		return writeJSON(r.io.Out, envelope{Status: 0, Result: diffView{Diffs: diffs, Warnings: nonNilWarnings(warnings)}, Warnings: warningSummary(warnings)})
	}
	defer writeWarnings(r.io.Err, warnings, *listWarnings, "relman diff")
	// Old is the target and new the source: the diff shows what deploying
	// SRC onto TGT would change, like package.xml does.
	for _, d := range diffs {
		if err := diff.WriteUnified(termsafe.Writer(r.io.Out), d, pos[1], pos[0]); err != nil {
			return err
		}
	}
	return nil
}
