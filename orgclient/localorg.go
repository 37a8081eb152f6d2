package orgclient

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/local"
)

// localOrg adapts a directory org to Org.
type localOrg struct{ *local.Org }

// Identity implements Org: a directory has no org id or user; Test
// Connection says what the directory holds.
func (o localOrg) Identity(ctx context.Context) (Identity, error) {
	if err := ctx.Err(); err != nil {
		return Identity{}, err
	}
	d, err := o.Describe(ctx)
	if err != nil {
		return Identity{}, err
	}
	return Identity{APIVersion: d.APIVersion, Instance: d.Dir, Summary: d.String()}, nil
}

// Items implements Org.
func (o localOrg) Items(ctx context.Context, f Filter) ([]metadata.Item, error) {
	return o.Org.Items(ctx, local.Filter{Types: f.Types, Components: f.Components, ExcludeNamespaces: f.ExcludeNamespaces})
}

// localJobs keeps the outcome of directory deploys made by this process:
// a directory deploy finishes when it is submitted, so waiting on it only
// returns what happened.
var localJobs sync.Map // job id → DeployState

var localJobSeq atomic.Int64

// Retrieve implements Org: the components' files as a Metadata API zip.
func (o localOrg) Retrieve(ctx context.Context, cs []metadata.Component) (Package, error) {
	items, err := o.Org.Items(ctx, local.Filter{Components: cs})
	var unresolved *metadata.UnresolvedError
	if err != nil && !errors.As(err, &unresolved) {
		return Package{}, err
	}
	var buf bytes.Buffer
	if err := metadata.WriteMDAPIZip(&buf, items, nil, apiVersionOf(o.APIVersion())); err != nil {
		return Package{}, fmt.Errorf("local org %s: building the package: %w", o.Dir(), err)
	}
	p, err := packageOf(o.Dir(), buf.Bytes(), cs)
	if unresolved != nil {
		p.Warnings = append(unresolved.Warnings, p.Warnings...)
	}
	return p, err
}

// Deploy implements Org: a directory has no Apex runtime, so a deploy
// checks the package, and unless it only validates, writes its components
// and deletes its destructive ones. It is done when it returns.
func (o localOrg) Deploy(ctx context.Context, zipBytes []byte, opts DeployOptions) (DeployState, error) {
	st := DeployState{JobID: fmt.Sprintf("local-%d-%d", time.Now().UnixNano(), localJobSeq.Add(1)), CheckOnly: opts.CheckOnly, Done: true}
	items, err := metadata.ReadMDAPIZip(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	var destructive []metadata.Component
	if err == nil {
		destructive, err = destructiveMembers(zipBytes)
	}
	st.ComponentsTotal = len(items) + len(destructive)
	switch {
	case err != nil:
		st.Status, st.ComponentErrors, st.ErrorMessage = model.LogFailed, 1, err.Error()
		st.ComponentFailures = []model.ComponentFailure{{Type: "Package", Name: "package.xml", Problem: err.Error()}}
	case opts.CheckOnly:
		st.Status, st.Success, st.ComponentsDeployed = model.LogSucceeded, true, st.ComponentsTotal
	default:
		if err = o.Org.Write(ctx, items); err == nil {
			err = o.Org.Delete(ctx, destructive)
		}
		if err != nil {
			st.Status, st.ComponentErrors, st.ErrorMessage = model.LogFailed, 1, err.Error()
		} else {
			st.Status, st.Success, st.ComponentsDeployed = model.LogSucceeded, true, st.ComponentsTotal
		}
	}
	if opts.TestLevel != "" && opts.TestLevel != model.NoTestRun {
		st.CoverageWarnings = append(st.CoverageWarnings, "a directory cannot run Apex tests: "+string(opts.TestLevel)+" was not run")
	}
	localJobs.Store(st.JobID, st)
	return st, nil
}

// QuickDeploy implements Org: directories keep no validations.
func (o localOrg) QuickDeploy(context.Context, string) (DeployState, error) {
	return DeployState{}, fmt.Errorf("local org %s: a directory keeps no validations to quick deploy; run the deploy", o.Dir())
}

// WaitDeploy implements Org: a directory deploy is already finished.
func (o localOrg) WaitDeploy(_ context.Context, jobID string, onProgress func(DeployState)) (DeployState, error) {
	v, ok := localJobs.Load(jobID)
	if !ok {
		return DeployState{}, fmt.Errorf("local org %s: deploy %s is not known to this relman process; a directory deploy finishes when it starts, so there is nothing to wait for", o.Dir(), jobID)
	}
	st := v.(DeployState)
	if onProgress != nil {
		onProgress(st)
	}
	return st, nil
}

// CancelDeploy implements Org: a directory deploy cannot be caught running.
func (o localOrg) CancelDeploy(_ context.Context, jobID string) error {
	return fmt.Errorf("local org %s: deploy %s already finished", o.Dir(), jobID)
}

// Dependencies implements Org: a directory has no dependency API; relman's
// own reference scan of the package covers it.
func (o localOrg) Dependencies(context.Context, []metadata.Component) ([]Reference, error) {
	return nil, nil
}

// destructiveMembers reads destructiveChanges*.xml of a package zip.
func destructiveMembers(zipBytes []byte) ([]metadata.Component, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return nil, err
	}
	var out []metadata.Component
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if base != "destructiveChanges.xml" && base != "destructiveChangesPre.xml" && base != "destructiveChangesPost.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		m, err := metadata.ParseManifest(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out = append(out, m.Components()...)
	}
	return out, nil
}

// apiVersionOf is the directory's API version, or the manifests' default.
func apiVersionOf(v string) string {
	if v == "" {
		return defaultAPIVersion
	}
	return v
}

// defaultAPIVersion is written into packages built from directories that
// do not say their version.
const defaultAPIVersion = "62.0"
