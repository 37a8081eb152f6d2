package orgclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/salesforce"
)

// retrieveBatch is how many components one retrieve asks for. Salesforce
// refuses a retrieve of more than 10,000 files; a component is one to a
// few files, so 2,000 components keep well clear of that.
const retrieveBatch = 2000

// salesforceOrg adapts the Metadata API client to Org.
type salesforceOrg struct {
	name string
	c    *salesforce.Client
}

// Identity implements Org with the org's userinfo.
func (o salesforceOrg) Identity(ctx context.Context) (Identity, error) {
	id, err := o.c.Identity(ctx)
	if err != nil {
		return Identity{}, err
	}
	return Identity{OrgID: id.OrgID, User: id.Username, APIVersion: id.APIVersion, Instance: id.InstanceURL,
		Summary: fmt.Sprintf("Salesforce org %s at %s, signed in as %s (API %s)", id.OrgID, id.InstanceURL, id.Username, id.APIVersion)}, nil
}

// Components implements Org: every component of the types relman knows
// and the org has, listed with listMetadata (folders first for folder types).
func (o salesforceOrg) Components(ctx context.Context) ([]metadata.Component, error) {
	return o.list(ctx, nil)
}

// list lists the org's components of the given types (all known types when
// types is empty).
func (o salesforceOrg) list(ctx context.Context, types []string) ([]metadata.Component, error) {
	want, err := o.listableTypes(ctx, types)
	if err != nil {
		return nil, err
	}
	var queries, folderQueries []salesforce.ListQuery
	inFolder := map[string]metadata.Type{}
	for _, t := range want {
		if t.InFolder {
			inFolder[t.FolderType] = t
			folderQueries = append(folderQueries, salesforce.ListQuery{Type: t.FolderType})
			continue
		}
		queries = append(queries, salesforce.ListQuery{Type: t.Name})
	}
	if len(folderQueries) > 0 {
		folders, err := o.c.ListMetadata(ctx, folderQueries)
		if err != nil {
			return nil, err
		}
		for _, f := range folders {
			if t, ok := inFolder[f.Type]; ok {
				queries = append(queries, salesforce.ListQuery{Type: t.Name, Folder: f.FullName})
			}
		}
	}
	props, err := o.c.ListMetadata(ctx, queries)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	for _, t := range want {
		listed[t.Name] = true
	}
	seen := map[metadata.Component]bool{}
	var out []metadata.Component
	for _, p := range props {
		c := p.Component()
		if listed[c.Type] && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	metadata.SortComponents(out)
	return out, nil
}

// listableTypes are the requested (or all) registry types the org
// describes, children included. Types that only exist inside a parent's
// file (field translations) are not listed on their own.
func (o salesforceOrg) listableTypes(ctx context.Context, types []string) ([]metadata.Type, error) {
	desc, err := o.c.DescribeMetadata(ctx)
	if err != nil {
		return nil, err
	}
	offered := map[string]bool{}
	for _, mo := range desc.MetadataObjects {
		offered[mo.Name] = true
		for _, child := range mo.ChildXMLNames {
			offered[child] = true
		}
	}
	var out []metadata.Type
	if len(types) == 0 {
		for _, t := range metadata.Types() {
			if offered[t.Name] && !t.PartOfParent && t.FolderContentType == "" {
				out = append(out, t)
			}
		}
		// Types the org has and the registry does not know yet are listed
		// too: their components are retrieved and compared byte for byte.
		for _, ot := range unknownOrgTypes(desc) {
			out = append(out, metadata.Type{Name: ot.Name, Directory: ot.Directory, Suffix: ot.Suffix, MetaFile: ot.MetaFile})
		}
		return out, nil
	}
	unknown := map[string]metadata.OrgType{}
	for _, ot := range unknownOrgTypes(desc) {
		unknown[ot.Name] = ot
	}
	for _, name := range types {
		t, ok := metadata.LookupType(name)
		if ot, described := unknown[name]; !ok && described {
			t, ok = metadata.Type{Name: ot.Name, Directory: ot.Directory, Suffix: ot.Suffix, MetaFile: ot.MetaFile}, true
		}
		if !ok {
			return nil, metadata.Validate(metadata.Component{Type: name, FullName: "x"})
		}
		if offered[name] {
			out = append(out, t)
		}
	}
	return out, nil
}

// unknownOrgTypes are the top-level types the org describes that relman's
// registry does not know. In-folder ones are left out: listing them needs
// their folder type, which describeMetadata does not name.
func unknownOrgTypes(desc salesforce.DescribeMetadataResult) []metadata.OrgType {
	var out []metadata.OrgType
	for _, mo := range desc.MetadataObjects {
		if _, known := metadata.LookupType(mo.Name); known || mo.InFolder || mo.Name == "" || mo.DirectoryName == "" {
			continue
		}
		out = append(out, metadata.OrgType{Name: mo.Name, Directory: mo.DirectoryName, Suffix: mo.Suffix, MetaFile: mo.MetaFile})
	}
	return out
}

// Items implements Org: it lists what the filter selects, retrieves it in
// batches as Metadata API zips and converts them to source format.
func (o salesforceOrg) Items(ctx context.Context, f Filter) ([]metadata.Item, error) {
	wanted := f.Components
	if len(wanted) == 0 {
		var err error
		if wanted, err = o.list(ctx, f.Types); err != nil {
			return nil, err
		}
	} else if len(f.Types) > 0 {
		wanted = ofTypes(wanted, f.Types)
	}
	wanted = withoutNamespaces(wanted, f.ExcludeNamespaces)
	keep := map[metadata.Component]bool{}
	needOrgTypes := false
	for _, c := range wanted {
		keep[c] = true
		if _, known := metadata.LookupType(c.Type); !known {
			needOrgTypes = true
		}
	}
	var orgTypes []metadata.OrgType
	if needOrgTypes {
		desc, err := o.c.DescribeMetadata(ctx)
		if err != nil {
			return nil, err
		}
		orgTypes = unknownOrgTypes(desc)
	}
	var items []metadata.Item
	var warnings []metadata.Warning
	for start := 0; start < len(wanted); start += retrieveBatch {
		batch := wanted[start:min(start+retrieveBatch, len(wanted))]
		res, err := o.c.RetrieveAndWait(ctx, salesforce.RetrieveRequest{Components: batch}, nil)
		if err != nil {
			return nil, err
		}
		got, err := metadata.ReadMDAPIZipWith(bytes.NewReader(res.ZipFile), int64(len(res.ZipFile)), orgTypes)
		var unresolved *metadata.UnresolvedError
		if err != nil && !errors.As(err, &unresolved) {
			return nil, fmt.Errorf("environment %s: reading the retrieved package: %w", o.name, err)
		}
		if unresolved != nil {
			warnings = append(warnings, unresolved.Warnings...)
		}
		for _, it := range got {
			// A retrieve may bring more than was asked (a parent around a
			// child); only what the filter selects is returned.
			if keep[it.Component] {
				items = append(items, it)
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Component.Less(items[j].Component) })
	if len(warnings) > 0 {
		return items, &metadata.UnresolvedError{Warnings: warnings}
	}
	return items, nil
}

func ofTypes(cs []metadata.Component, types []string) []metadata.Component {
	in := map[string]bool{}
	for _, t := range types {
		in[t] = true
	}
	var out []metadata.Component
	for _, c := range cs {
		if in[c.Type] {
			out = append(out, c)
		}
	}
	return out
}

func withoutNamespaces(cs []metadata.Component, namespaces []string) []metadata.Component {
	if len(namespaces) == 0 {
		return cs
	}
	drop := map[string]bool{}
	for _, ns := range namespaces {
		drop[normalizeNamespace(ns)] = true
	}
	var out []metadata.Component
	for _, c := range cs {
		if ns := metadata.Namespace(c); ns == "" || !drop[normalizeNamespace(ns)] {
			out = append(out, c)
		}
	}
	return out
}

// normalizeNamespace accepts "acme", "acme__" or "ACME" alike.
func normalizeNamespace(ns string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(ns), "__"))
}

// Retrieve implements Org: one retrieve of the components (in batches for
// large packages is the caller's choice: a package is deployed whole).
func (o salesforceOrg) Retrieve(ctx context.Context, cs []metadata.Component) (Package, error) {
	res, err := o.c.RetrieveAndWait(ctx, salesforce.RetrieveRequest{Components: cs}, nil)
	if err != nil {
		return Package{}, err
	}
	return packageOf(o.name, res.ZipFile, cs)
}

// Deploy implements Org. The first state carries only the job id: the
// caller saves it before waiting, so a crash cannot lose the deploy.
func (o salesforceOrg) Deploy(ctx context.Context, zip []byte, opts DeployOptions) (DeployState, error) {
	id, err := o.c.Deploy(ctx, bytes.NewReader(zip), salesforce.DeployOptions{
		CheckOnly: opts.CheckOnly, TestLevel: opts.TestLevel, RunTests: opts.Tests,
		RollbackOnError: true, SinglePackage: hasRootManifest(zip)})
	if err != nil {
		return DeployState{}, deployCallErr(err)
	}
	return DeployState{JobID: id, Status: model.LogPending, CheckOnly: opts.CheckOnly}, nil
}

// QuickDeploy implements Org with deployRecentValidation.
func (o salesforceOrg) QuickDeploy(ctx context.Context, validationID string) (DeployState, error) {
	id, err := o.c.DeployRecentValidation(ctx, validationID)
	if err != nil {
		return DeployState{}, deployCallErr(err)
	}
	return DeployState{JobID: id, Status: model.LogPending}, nil
}

// WaitDeploy implements Org with the client's backing-off poll.
func (o salesforceOrg) WaitDeploy(ctx context.Context, jobID string, onProgress func(DeployState)) (DeployState, error) {
	res, err := o.c.WaitDeploy(ctx, jobID, func(r salesforce.DeployResult) {
		if onProgress != nil {
			onProgress(stateOf(r))
		}
	})
	if err != nil {
		return DeployState{}, err
	}
	return stateOf(res), nil
}

// CancelDeploy implements Org.
func (o salesforceOrg) CancelDeploy(ctx context.Context, jobID string) error {
	_, err := o.c.CancelDeploy(ctx, jobID)
	return err
}

// Dependencies implements Org with MetadataComponentDependency.
func (o salesforceOrg) Dependencies(ctx context.Context, cs []metadata.Component) ([]Reference, error) {
	deps, err := o.c.Dependencies(ctx, cs)
	if err != nil {
		return nil, err
	}
	out := make([]Reference, len(deps))
	for i, d := range deps {
		out[i] = Reference{From: metadata.Component{Type: d.ComponentType, FullName: d.ComponentName},
			To: metadata.Component{Type: d.RefType, FullName: d.RefName}}
	}
	return out, nil
}

// stateOf maps the Metadata API's DeployResult to a DeployState.
func stateOf(r salesforce.DeployResult) DeployState {
	return DeployState{JobID: r.ID, Status: model.LogStatus(r.Status), StateDetail: r.StateDetail, Done: r.Done,
		Success: r.Success, CheckOnly: r.CheckOnly,
		ComponentsTotal: r.NumberComponentsTotal, ComponentsDeployed: r.NumberComponentsDeployed, ComponentErrors: r.NumberComponentErrors,
		TestsTotal: r.NumberTestsTotal, TestsCompleted: r.NumberTestsCompleted, TestErrors: r.NumberTestErrors,
		ComponentFailures: r.ComponentFailures(), TestFailures: r.TestFailures(), CoverageWarnings: r.CoverageWarnings(),
		Coverage: r.Coverage(), ErrorMessage: r.ErrorMessage}
}
