package actions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient"
	"relman/store"
)

// Where a dependency was found (model.Dependency.Where).
const (
	InPackage = "package"
	InTarget  = "target"
	Missing   = "missing"
)

// CheckDependencies runs Check Dependencies on the retrieved package: what
// its metadata references, plus what the source org's dependency API
// reports, each marked as in the package, present in the target, or
// missing (in neither: the deploy would fail, or the change would be
// incomplete).
func (s *Service) CheckDependencies(ctx context.Context, drID int64, progress Progress) (model.DeploymentRecord, model.DeploymentLog, error) {
	p, l, err := s.claim(drID, model.LogDeps, progress, true, "")
	if err != nil {
		return p.d, l, err
	}
	deps, err := p.dependencies(ctx)
	if err != nil {
		l, _ = p.finishLog(l, model.LogFailed, err.Error(), nil)
		return p.d, l, err
	}
	counts := map[string]int{}
	for _, d := range deps {
		counts[d.Where]++
	}
	l.ComponentsTotal, l.ComponentsDeployed, l.ComponentErrors = len(deps), len(deps)-counts[Missing], counts[Missing]
	msg := fmt.Sprintf("%d references: %d in the package, %d in %s, %d missing", len(deps), counts[InPackage], counts[InTarget], p.d.Target, counts[Missing])
	l, err = p.finishLog(l, model.LogSucceeded, msg, func(d *model.DeploymentRecord) []model.Change {
		d.Dependencies = deps
		var missing []metadata.Component
		for _, dep := range deps {
			if dep.Where == Missing {
				missing = append(missing, dep.To)
			}
		}
		return []model.Change{deployChange(*d, "dependencies", map[string]string{"references": fmt.Sprint(len(deps)),
			"missing": joinComponents(missing)})}
	})
	return p.d, l, err
}

func (p *pipeline) dependencies(ctx context.Context) ([]model.Dependency, error) {
	zip, err := p.packageZip()
	if err != nil {
		return nil, err
	}
	items, err := metadata.ReadMDAPIZip(bytes.NewReader(zip), int64(len(zip)))
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return nil, fmt.Errorf("%s: reading the package: %w", p.d.Key(), err)
	}
	source, err := p.org(p.d.Source)
	if err != nil {
		return nil, err
	}
	target, err := p.org(p.d.Target)
	if err != nil {
		return nil, err
	}
	inTarget, err := componentSet(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", p.d.Target, err)
	}
	inSource, err := componentSet(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", p.d.Source, err)
	}
	inPackage := map[metadata.Component]bool{}
	for _, it := range items {
		inPackage[it.Component] = true
	}
	found := map[[2]metadata.Component]model.Dependency{}
	note := func(ref metadata.Reference, origin string) {
		to := ref.To
		known := inPackage[to] || inTarget[to] || inSource[to]
		if !ref.Strict && !known {
			return // an identifier such as String: not a component of these orgs
		}
		where := Missing
		switch {
		case inPackage[to]:
			where = InPackage
		case inTarget[to]:
			where = InTarget
		}
		found[[2]metadata.Component{ref.From, to}] = model.Dependency{From: ref.From, To: to, Where: where, Source: origin}
	}
	for _, it := range items {
		refs, err := metadata.References(it)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Component, err)
		}
		for _, r := range refs {
			note(r, "metadata")
		}
	}
	orgRefs, err := source.Dependencies(ctx, p.d.Package.Components)
	if err != nil {
		return nil, fmt.Errorf("dependency API of %s: %w", p.d.Source, err)
	}
	for _, r := range orgRefs {
		if _, ok := metadata.LookupType(r.To.Type); ok {
			note(metadata.Reference{From: r.From, To: r.To, Strict: true}, "MetadataComponentDependency")
		}
	}
	out := make([]model.Dependency, 0, len(found))
	for _, d := range found {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Where != out[j].Where {
			return whereOrder(out[i].Where) < whereOrder(out[j].Where)
		}
		if out[i].To != out[j].To {
			return out[i].To.Less(out[j].To)
		}
		return out[i].From.Less(out[j].From)
	})
	return out, nil
}

func whereOrder(w string) int {
	switch w {
	case Missing:
		return 0
	case InTarget:
		return 1
	}
	return 2
}

func componentSet(ctx context.Context, org orgclient.Org) (map[metadata.Component]bool, error) {
	cs, err := org.Components(ctx)
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return nil, err
	}
	set := make(map[metadata.Component]bool, len(cs))
	for _, c := range cs {
		set[c] = true
	}
	return set, nil
}

// AddMissingDependencies adds the components Check Dependencies found
// missing to the deployment and its change request; both then need
// approving again, their scope having grown, and the package must be
// retrieved again.
func (s *Service) AddMissingDependencies(drID int64) (model.ChangeRequest, error) {
	var out model.ChangeRequest
	now := s.now()
	err := s.update("", func(tx *store.Tx) error {
		d, err := tx.Deployment(drID)
		if err != nil {
			return err
		}
		var missing []metadata.Component
		for _, dep := range d.Dependencies {
			if dep.Where == Missing {
				missing = append(missing, dep.To)
			}
		}
		cr, err := tx.CR(d.CR)
		if err != nil {
			return err
		}
		var changes []model.Change
		var ch model.Change
		if out, ch, err = model.AddToApprovedScope(cr, missing, s.User, now); err != nil {
			return err
		}
		if ch.Action != "" {
			if err := tx.PutCR(out); err != nil {
				return err
			}
			changes = append(changes, ch)
		}
		if d, ch = model.AddToDeployment(d, missing, now); ch.Action != "" {
			if err := tx.PutDeployment(d); err != nil {
				return err
			}
			changes = append(changes, ch)
		}
		return s.record(tx, now, changes...)
	})
	return out, err
}
