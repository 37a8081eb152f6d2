package actions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sync/errgroup"

	"relman/diff"
	"relman/model"
	"relman/model/metadata"
	"relman/orgclient"
	"relman/store"
)

// Side is one side of a comparison: a stored environment, or a directory
// used directly.
type Side struct {
	// Name is what the user typed: an environment name or a directory path.
	Name string
	Env  model.Environment
	Org  orgclient.Org
}

// CompareRequest says what to compare and how.
type CompareRequest struct {
	Source, Target string
	Filters        model.CompareFilters
	// Save records the comparison as a Compare Log in the store.
	Save bool
}

// CompareOutcome is a finished comparison and where it was saved.
type CompareOutcome struct {
	Source, Target Side
	Result         diff.Result
	// Log is the saved Compare Log; zero when the comparison was not saved.
	Log model.CompareLog
	// SourceItems and TargetItems are both sides' components, for diffs and
	// package.xml.
	SourceItems, TargetItems []metadata.Item
	// Warnings lists, in full, what either side could not read or
	// classify, and the deletions left out because of it; paths start with
	// the side's name.
	Warnings []metadata.Warning
}

// ResolveSide finds an environment by name in the store (when there is
// one), else treats name as a directory.
func (s *Service) ResolveSide(name string) (Side, error) {
	if s.Store != nil {
		env, err := s.Environment(name)
		if err == nil {
			org, err := s.Open(env)
			if err != nil {
				return Side{}, err
			}
			return Side{Name: name, Env: env, Org: org}, nil
		}
		if !isNotFound(err) {
			return Side{}, err
		}
	}
	if err := s.LocalOnly(fmt.Sprintf("%q is not a saved environment, and as a directory it would be the server's", name)); err != nil {
		return Side{}, err
	}
	if st, err := os.Stat(name); err != nil || !st.IsDir() {
		return Side{}, fmt.Errorf("%q is neither a saved environment nor a directory: add it with `relman env add` or give the path of a metadata directory", name)
	}
	env := model.Environment{Name: name, Kind: model.KindSandbox, Connection: model.ConnLocal, Dir: name}
	org, err := s.Open(env)
	if err != nil {
		return Side{}, err
	}
	return Side{Name: name, Env: env, Org: org}, nil
}

// Compare reads both sides in parallel, compares them and, when asked,
// saves a Compare Log linked to the filters' change request.
func (s *Service) Compare(ctx context.Context, req CompareRequest) (CompareOutcome, error) {
	var out CompareOutcome
	f := req.Filters
	filter := orgclient.Filter{Types: f.Types, Components: f.Components, ExcludeNamespaces: f.ExcludeNamespaces}
	if f.CR != 0 {
		cr, err := s.CR(f.CR)
		if err != nil {
			return out, err
		}
		filter.Components = append(filter.Components, cr.Components()...)
	}
	read, err := s.readSides(ctx, req.Source, req.Target, filter)
	if err != nil {
		return out, err
	}
	out.Source, out.Target, out.SourceItems, out.TargetItems = read.src, read.tgt, read.srcItems, read.tgtItems
	// Only a saved Compare Log keeps content hashes (a review binds to
	// them); an unsaved comparison compares bytes, which is quicker.
	out.Result, err = diff.Compare(ctx, out.SourceItems, out.TargetItems,
		diff.Options{IgnoreWhitespace: f.IgnoreWhitespace, IgnoreOrder: f.IgnoreOrder, NoHashes: !req.Save})
	if err != nil {
		return out, err
	}
	out.Warnings = append(read.srcWarnings, read.tgtWarnings...)
	out.Result, out.Warnings = withoutUnsafeDeletions(out.Result, read.srcWarnings, out.Warnings)
	if req.Save {
		out.Log, err = s.saveCompareLog(req, out.Result, out.Warnings)
	}
	return out, err
}

// sidesRead is what readSides read.
type sidesRead struct {
	src, tgt                 Side
	srcItems, tgtItems       []metadata.Item
	srcWarnings, tgtWarnings []metadata.Warning // paths prefixed with the side's name
}

// readSides resolves both sides and reads their filtered components in
// parallel. What a side could not read is returned as warnings, never as
// an error: a compare goes on without those files.
func (s *Service) readSides(ctx context.Context, source, target string, filter orgclient.Filter) (sidesRead, error) {
	var r sidesRead
	var err error
	if r.src, err = s.ResolveSide(source); err != nil {
		return r, err
	}
	if r.tgt, err = s.ResolveSide(target); err != nil {
		return r, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		r.srcItems, r.srcWarnings, err = readSide(gctx, r.src, filter)
		return sideErr("source", source, err)
	})
	g.Go(func() (err error) {
		r.tgtItems, r.tgtWarnings, err = readSide(gctx, r.tgt, filter)
		return sideErr("target", target, err)
	})
	return r, g.Wait()
}

// readSide reads one side, turning its *metadata.UnresolvedError into
// warnings whose paths start with the side's name.
func readSide(ctx context.Context, side Side, filter orgclient.Filter) ([]metadata.Item, []metadata.Warning, error) {
	items, err := side.Org.Items(ctx, filter)
	var ue *metadata.UnresolvedError
	if !errors.As(err, &ue) {
		return items, nil, err
	}
	ws := make([]metadata.Warning, len(ue.Warnings))
	for i, w := range ue.Warnings {
		ws[i] = w.Prefixed(side.Name)
	}
	return items, ws, nil
}

// withoutUnsafeDeletions drops the onlyInTarget entries the source side may
// hold in files it could not read: proposing their deletion could delete
// what exists. Each type left out gets a warning naming the unread files.
func withoutUnsafeDeletions(res diff.Result, srcWarnings, all []metadata.Warning) (diff.Result, []metadata.Warning) {
	if len(srcWarnings) == 0 {
		return res, all
	}
	in := metadata.NewIncompleteness(srcWarnings)
	kept := res.Entries[:0:0]
	leftOut := map[string][]string{} // type → unread files
	var order []string
	count := map[string]int{}
	for _, e := range res.Entries {
		if e.Category == model.OnlyInTarget {
			if unread := in.Unread(e.Component); len(unread) > 0 {
				if _, ok := leftOut[e.Component.Type]; !ok {
					order = append(order, e.Component.Type)
				}
				leftOut[e.Component.Type] = unread
				count[e.Component.Type]++
				res.Counts[model.OnlyInTarget]--
				continue
			}
		}
		kept = append(kept, e)
	}
	res.Entries = kept
	for _, t := range order {
		all = append(all, metadata.Warning{Path: leftOut[t][0], Problem: fmt.Sprintf(
			"%d %s deletion(s) left out: the source could not be read completely (%s), so what looks only in the target may exist in the source",
			count[t], t, strings.Join(leftOut[t], ", "))})
	}
	return res, all
}

// LoadItems reads the given components from both sides of a comparison,
// for a reviewer reopening a saved Compare Log.
func (s *Service) LoadItems(ctx context.Context, source, target string, cs []metadata.Component) (src, tgt []metadata.Item, err error) {
	r, err := s.readSides(ctx, source, target, orgclient.Filter{Components: cs})
	return r.srcItems, r.tgtItems, err
}

func sideErr(role, name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("reading %s %s: %w", role, name, err)
}

func (s *Service) saveCompareLog(req CompareRequest, res diff.Result, warnings []metadata.Warning) (model.CompareLog, error) {
	now := s.now()
	log := model.CompareLog{User: s.User, At: now, Source: req.Source, Target: req.Target,
		Filters: req.Filters, CR: req.Filters.CR, Counts: res.Counts, Warnings: warnings}
	log.Entries = make([]model.CompareEntry, len(res.Entries))
	for i, e := range res.Entries {
		log.Entries[i] = model.CompareEntry{Component: e.Component, Category: e.Category,
			SourceHash: e.SourceHash, TargetHash: e.TargetHash, Files: e.Files}
	}
	err := s.update("", func(tx *store.Tx) error {
		id, err := tx.NextCompareLogID()
		if err != nil {
			return err
		}
		log.ID = id
		if prev, ok, err := latestComparison(tx, log.Source, log.Target); err != nil {
			return err
		} else if ok {
			log = model.CarryMarks(log, prev)
		}
		if err := tx.PutCompareLog(log); err != nil {
			return err
		}
		changes := []model.Change{{Entity: model.EntityCompareLog, EntityID: log.Key(), Action: "compare",
			Details: map[string]string{"source": log.Source, "target": log.Target, "counts": countsString(log.Counts)}}}
		if log.CR != 0 {
			cr, err := tx.CR(log.CR)
			if err != nil {
				return err
			}
			var ch model.Change
			cr, ch = model.LinkCompareLog(cr, log.ID)
			if err := tx.PutCR(cr); err != nil {
				return err
			}
			changes = append(changes, ch)
		}
		return s.record(tx, now, changes...)
	})
	return log, err
}

// latestComparison is the most recent saved comparison of the same source
// and target, whose viewed marks carry over where nothing changed.
func latestComparison(tx *store.Tx, source, target string) (model.CompareLog, bool, error) {
	logs, err := tx.ListCompareLogs(0)
	if err != nil {
		return model.CompareLog{}, false, err
	}
	for i := len(logs) - 1; i >= 0; i-- {
		if logs[i].Source == source && logs[i].Target == target {
			return logs[i], true, nil
		}
	}
	return model.CompareLog{}, false, nil
}

func countsString(c map[model.Category]int) string {
	return fmt.Sprintf("onlyInSource=%d onlyInTarget=%d different=%d same=%d",
		c[model.OnlyInSource], c[model.OnlyInTarget], c[model.Different], c[model.Same])
}

// DiffComponent returns the line diffs of one component between two sides,
// and the warnings of reading them (see CompareOutcome.Warnings).
func (s *Service) DiffComponent(ctx context.Context, source, target string, c metadata.Component, opts diff.Options) ([]diff.FileDiff, []metadata.Warning, error) {
	out, err := s.Compare(ctx, CompareRequest{Source: source, Target: target,
		Filters: model.CompareFilters{Components: []metadata.Component{c}, IgnoreWhitespace: opts.IgnoreWhitespace, IgnoreOrder: opts.IgnoreOrder}})
	if err != nil {
		return nil, nil, err
	}
	src, tgt := findItem(out.SourceItems, c), findItem(out.TargetItems, c)
	if src == nil && tgt == nil {
		return nil, out.Warnings, fmt.Errorf("%s is in neither %s nor %s: check the type and name (`relman compare %s %s --type %s` lists them)",
			c, source, target, source, target, c.Type)
	}
	diffs, err := diff.ItemDiff(src, tgt, 3, opts)
	return diffs, out.Warnings, err
}

func findItem(items []metadata.Item, c metadata.Component) *metadata.Item {
	for i := range items {
		if items[i].Component == c {
			return &items[i]
		}
	}
	return nil
}
