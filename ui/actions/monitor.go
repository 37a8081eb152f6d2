package actions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient"
	"relman/store"
)

// MonitorResult is one run of Monitor.
type MonitorResult struct {
	Snapshot model.OrgSnapshot
	// Changes are the change logs written, in component order; none for a
	// baseline.
	Changes []model.ChangeLog
	// OrgTime is how long the org took to answer (listing, retrieving,
	// the Setup Audit Trail); Total is the whole run.
	OrgTime, Total time.Duration
}

// NonCompliant counts the run's non-compliant changes.
func (r MonitorResult) NonCompliant() int {
	n := 0
	for _, c := range r.Changes {
		if c.Open() {
			n++
		}
	}
	return n
}

// Monitor takes a snapshot of environment envName (every component's
// content, and who last modified it when the org says), compares it with
// the previous snapshot and writes a change log per added, changed and
// deleted component, judged under the environment's policy against the
// change requests and deployment records relman holds. The first snapshot
// of an environment is its baseline. progress, when not nil, hears what it
// is doing.
func (s *Service) Monitor(ctx context.Context, envName string, progress func(string)) (MonitorResult, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	started := time.Now()
	env, err := s.Environment(envName)
	if err != nil {
		return MonitorResult{}, err
	}
	var since time.Time
	if err := s.Store.View(func(tx *store.Tx) error {
		prev, ok, err := tx.LatestSnapshot(envName)
		if ok {
			since = prev.TakenAt
		}
		return err
	}); err != nil {
		return MonitorResult{}, err
	}
	org, err := s.Open(env)
	if err != nil {
		return MonitorResult{}, err
	}
	say("reading %s", envName)
	orgStart := time.Now()
	read, err := readForSnapshot(ctx, org, since)
	if err != nil {
		return MonitorResult{}, fmt.Errorf("monitoring %s: %w", envName, err)
	}
	orgTime := time.Since(orgStart)
	say("%d components read in %s; comparing", len(read.entries), orgTime.Round(time.Millisecond))

	now := s.now()
	var res MonitorResult
	err = s.update("", func(tx *store.Tx) error {
		res = MonitorResult{}
		return s.recordSnapshot(tx, env, read, now, &res)
	})
	if err != nil {
		return MonitorResult{}, err
	}
	res.OrgTime, res.Total = orgTime, time.Since(started)
	return res, nil
}

// snapshotRead is what one reading of an org gives a snapshot.
type snapshotRead struct {
	entries []model.SnapshotEntry
	// contents maps each file blob key to its bytes, for the blobs the
	// store does not have yet.
	contents map[string][]byte
	trail    []orgclient.SetupChange
	hasTrail bool
}

// readForSnapshot reads every component's content from org and, from a
// ChangeTracker, who last modified each and the Setup Audit Trail since.
func readForSnapshot(ctx context.Context, org orgclient.Org, since time.Time) (snapshotRead, error) {
	items, err := org.Items(ctx, orgclient.Filter{})
	if err != nil && !isUnresolved(err) {
		return snapshotRead{}, err
	}
	r := snapshotRead{contents: make(map[string][]byte, 2*len(items))}
	mods := map[metadata.Component]orgclient.Modification{}
	if tr, ok := org.(orgclient.ChangeTracker); ok {
		list, err := tr.Modifications(ctx)
		if err != nil {
			return r, err
		}
		for _, m := range list {
			mods[m.Component] = m
		}
		if r.trail, r.hasTrail, err = tr.SetupAuditTrail(ctx, since); err != nil {
			return r, err
		}
	}
	r.entries = make([]model.SnapshotEntry, 0, len(items))
	for _, it := range items {
		e, err := r.entry(it)
		if err != nil {
			return r, err
		}
		if m, ok := mods[it.Component]; ok {
			e.ModifiedAt, e.ModifiedBy = m.At.UTC(), m.By
		}
		r.entries = append(r.entries, e)
	}
	slices.SortFunc(r.entries, func(a, b model.SnapshotEntry) int { return a.Component.Compare(b.Component) })
	return r, nil
}

// entry hashes one item's files, keeping their bytes for the blob store.
func (r *snapshotRead) entry(it metadata.Item) (model.SnapshotEntry, error) {
	e := model.SnapshotEntry{Component: it.Component, Files: make(map[string]string, len(it.Files))}
	paths := make([]string, 0, len(it.Files))
	for _, f := range it.Files {
		data, err := metadata.ReadFile(f)
		if err != nil {
			return e, err
		}
		sum := sha256.Sum256(data)
		key := hex.EncodeToString(sum[:])
		e.Files[f.Path] = key
		r.contents[key] = data
		paths = append(paths, f.Path)
	}
	slices.Sort(paths)
	h := sha256.New()
	for _, p := range paths {
		h.Write([]byte(p + "\x00" + e.Files[p] + "\x00"))
	}
	e.Hash = hex.EncodeToString(h.Sum(nil))
	return e, nil
}

// recordSnapshot stores the snapshot read at now with the change logs it
// finds against the previous one, and the signed event of both.
func (s *Service) recordSnapshot(tx *store.Tx, env model.Environment, read snapshotRead, now time.Time, res *MonitorResult) error {
	prev, hasPrev, err := tx.LatestSnapshot(env.Name)
	if err != nil {
		return err
	}
	var prevEntries []model.SnapshotEntry
	if hasPrev {
		if prevEntries, err = tx.SnapshotEntries(prev); err != nil {
			return err
		}
	}
	for _, e := range read.entries {
		for _, key := range e.Files {
			if _, err := tx.PutBlob(read.contents[key]); err != nil {
				return err
			}
		}
	}
	id, err := tx.NextSnapshotID()
	if err != nil {
		return err
	}
	snap := model.OrgSnapshot{ID: id, Env: env.Name, TakenAt: now, TakenBy: s.User, AuditTrail: read.hasTrail, Baseline: !hasPrev}
	if hasPrev {
		policy, err := tx.PolicyFor(env.Name)
		if err != nil {
			return err
		}
		ev, err := evidence(tx, env.Name, prev.TakenAt)
		if err != nil {
			return err
		}
		for _, ch := range model.CompareSnapshots(prevEntries, read.entries) {
			cl, err := changeLog(tx, ch, policy, ev, read, snap, now)
			if err != nil {
				return err
			}
			res.Changes = append(res.Changes, cl)
		}
	}
	snap.Changes = len(res.Changes)
	if snap, err = tx.PutOrgSnapshot(snap, read.entries); err != nil {
		return err
	}
	res.Snapshot = snap
	details := map[string]string{"env": env.Name, "components": strconv.Itoa(snap.Components),
		"changes": strconv.Itoa(len(res.Changes)), "nonCompliant": strconv.Itoa(res.NonCompliant())}
	if snap.Baseline {
		details["baseline"] = "true"
	}
	return s.record(tx, now, model.Change{Entity: model.EntitySnapshot, EntityID: snap.Key(), Action: "monitor", Details: details})
}

// evidence is what the store knows of env's approved work.
func evidence(tx *store.Tx, env string, since time.Time) (model.Evidence, error) {
	crs, err := tx.ListCRs(store.CRQuery{Env: env})
	if err != nil {
		return model.Evidence{}, err
	}
	deps, err := tx.ListDeployments(0)
	if err != nil {
		return model.Evidence{}, err
	}
	rbs, err := tx.ListRollbacks(0)
	if err != nil {
		return model.Evidence{}, err
	}
	return model.Evidence{Env: env, Since: since, CRs: crs, Deployments: deps, Rollbacks: rbs}, nil
}

// changeLog writes the judged change log of one snapshot difference.
func changeLog(tx *store.Tx, ch model.SnapshotChange, policy model.Policy, ev model.Evidence, read snapshotRead, snap model.OrgSnapshot, now time.Time) (model.ChangeLog, error) {
	id, err := tx.NextChangeLogID()
	if err != nil {
		return model.ChangeLog{}, err
	}
	c := ch.Component()
	cat := policy.CategoryOf(c.Type)
	cl := model.ChangeLog{ID: id, Env: snap.Env, Snapshot: snap.ID, Component: c, Kind: ch.Kind, Category: cat,
		When: now, DetectedAt: now}
	if ch.Before != nil {
		cl.Before = ch.Before.Files
	}
	if ch.After != nil {
		cl.After = ch.After.Files
		if !ch.After.ModifiedAt.IsZero() && ch.After.ModifiedAt.After(ev.Since) {
			cl.When, cl.Who = ch.After.ModifiedAt, ch.After.ModifiedBy
		}
	}
	if ch.Kind == model.KindDeleted {
		if row, ok := trailRowOf(read.trail, c); ok {
			cl.When, cl.Who = row.At, row.By
		}
	}
	cl = model.Judge(cl, policy.Rule(cat).Level, ev)
	return cl, tx.PutChangeLog(cl)
}

// trailRowOf finds the latest Setup Audit Trail row about deleting c: its
// Display names the component (Salesforce writes the field's or the
// object's label or API name into it), its Action says "delete".
func trailRowOf(rows []orgclient.SetupChange, c metadata.Component) (orgclient.SetupChange, bool) {
	name := c.FullName
	if _, short, ok := strings.Cut(name, "."); ok {
		name = short
	}
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		if strings.Contains(strings.ToLower(r.Action), "delete") && strings.Contains(r.Display, name) {
			return r, true
		}
	}
	return orgclient.SetupChange{}, false
}

// isUnresolved reports an org read that left some files unclassified:
// what it did read is still a snapshot.
func isUnresolved(err error) bool {
	var ue *metadata.UnresolvedError
	return errors.As(err, &ue)
}
