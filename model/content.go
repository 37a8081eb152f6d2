package model

import (
	"slices"
	"strings"
	"time"

	"relman/model/metadata"
)

// ErrContentChanged refuses a package whose content is not what the
// approvers reviewed: the deployment goes back for approval.
var ErrContentChanged = &RuleError{Code: "ContentChanged",
	Rule: "a deployment deploys the content its approvers reviewed",
	Fix:  "review the changed components (`relman compare`) and have every approver approve the deployment again"}

// ErrPackageScope refuses a package that is not exactly the approved
// components and deletions.
var ErrPackageScope = &RuleError{Code: "PackageScope",
	Rule: "the package is the approval: it holds exactly the approved components and deletions",
	Fix:  "check the source org (it answered with more than was asked for); retrieve again, or change the deployment's components and have it approved again"}

// approvedAt is when the last approver decided: the reviews that count
// were made by then.
func (d DeploymentRecord) approvedAt() time.Time {
	var at time.Time
	for _, a := range d.Approvers {
		if a.At.After(at) {
			at = a.At
		}
	}
	return at
}

// ReviewedContent is the content the approvers reviewed for each of d's
// components: its source hash in the latest comparison of d's source made
// before the approval (logs are the change request's compare logs).
// Components no comparison covered are absent.
func ReviewedContent(d DeploymentRecord, logs []CompareLog) map[string]string {
	approved := d.approvedAt()
	out := map[string]string{}
	seen := map[string]time.Time{}
	for _, l := range logs {
		if l.Source != d.Source || l.At.After(approved) {
			continue
		}
		for _, c := range d.Components {
			e, ok := l.Entry(c)
			if prev, has := seen[c.String()]; !ok || e.SourceHash == "" || has && prev.After(l.At) {
				continue
			}
			out[c.String()], seen[c.String()] = e.SourceHash, l.At
		}
	}
	return out
}

// BindContent checks a retrieved package's content (hash per component)
// against what the approval binds. Components with bound content that
// differs are returned, sorted; components without bound content are
// bound now. With changes, the record goes back to Pending Approval with
// every decision cleared, bound to the new content for the next review.
func BindContent(d DeploymentRecord, reviewed, got map[string]string, now time.Time) (DeploymentRecord, []string, []Change) {
	bound := map[string]string{}
	for c, h := range reviewed {
		bound[c] = h
	}
	for c, h := range d.ApprovedContent {
		bound[c] = h
	}
	var changed []string
	for c, h := range got {
		if b, ok := bound[c]; ok && b != h {
			changed = append(changed, c)
		}
	}
	slices.Sort(changed)
	if len(changed) > 0 {
		out, ch := SendBack(d, got, changed, now)
		return out, changed, []Change{ch}
	}
	out := d
	out.ApprovedContent = map[string]string{}
	for c, h := range bound {
		out.ApprovedContent[c] = h
	}
	for c, h := range got {
		if _, ok := bound[c]; !ok {
			out.ApprovedContent[c] = h
		}
	}
	return out, nil, []Change{{Entity: EntityDeployment, EntityID: d.Key(), Action: "content-bound",
		Details: map[string]string{"components": strings.Join(sortedKeys(out.ApprovedContent), ",")}}}
}

// SendBack returns d to Pending Approval because the content of changed
// components is not what was approved: every decision and the kept
// validation are cleared, and the next approval binds content.
func SendBack(d DeploymentRecord, content map[string]string, changed []string, now time.Time) (DeploymentRecord, Change) {
	out := d
	out.ApprovedContent = map[string]string{}
	for c, h := range content {
		out.ApprovedContent[c] = h
	}
	out.Approvers, out.ApprovalStatus, out.Status, out.UpdatedAt = resetDecisions(d.Approvers), ApprovalPending, DeployPending, now
	out.ValidationID, out.ValidatedPackage, out.ValidatedTarget = "", "", ""
	return out, Change{Entity: EntityDeployment, EntityID: d.Key(), Action: "content-changed",
		Details: map[string]string{"changed": strings.Join(changed, ","), "approvalStatus": string(ApprovalPending)}}
}

// ContentDiffers lists the components whose content in a package about to
// be deployed is not the content the approval binds, sorted.
func ContentDiffers(d DeploymentRecord, got map[string]string) []string {
	var out []string
	for c, h := range got {
		if b, ok := d.ApprovedContent[c]; !ok || b != h {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// ScopeDifference lists, for a package's manifests and files, what is not
// exactly the approved scope: members beyond the approved components,
// deletions beyond the approved ones, files of components the manifest
// does not list, and wildcards. present are the components the package's
// files make up.
func ScopeDifference(d DeploymentRecord, manifest, destructive, present []metadata.Component, wildcards []string) []string {
	approved := setOfComponents(d.Components)
	deletions := setOfComponents(d.Destructive)
	listed := setOfComponents(manifest)
	var out []string
	for _, w := range wildcards {
		out = append(out, "wildcard member "+w)
	}
	for _, c := range manifest {
		if !approved[c] {
			out = append(out, "not approved: "+c.String())
		}
	}
	for _, c := range destructive {
		if !deletions[c] {
			out = append(out, "deletion not approved: "+c.String())
		}
	}
	for _, c := range present {
		if !listed[c] {
			out = append(out, "files of "+c.String()+", which package.xml does not list")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func setOfComponents(cs []metadata.Component) map[metadata.Component]bool {
	out := make(map[metadata.Component]bool, len(cs))
	for _, c := range cs {
		out[c] = true
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
