package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"relman/model"
	"relman/model/metadata"
)

// crView is a change request as `cr show --json` prints it (cli.md).
type crView struct {
	ID                 string               `json:"id"`
	Number             int64                `json:"number"`
	Name               string               `json:"name"`
	ChangeType         string               `json:"changeType"`
	Overview           string               `json:"overview"`
	Env                string               `json:"env"`
	Status             string               `json:"status"`
	ApprovalStatus     string               `json:"approvalStatus"`
	CompletionStatus   string               `json:"completionStatus"`
	Requester          string               `json:"requester"`
	Customizations     []metadata.Component `json:"customizations"`
	Proposed           []metadata.Component `json:"proposed"`
	AddedAfterApproval []metadata.Component `json:"addedAfterApproval,omitempty"`
	Approvers          []approverView       `json:"approvers"`
	// ApprovalNote says why earlier decisions no longer count, when they don't.
	ApprovalNote string             `json:"approvalNote,omitempty"`
	Parent       *string            `json:"parent"`
	Children     []string           `json:"children"`
	Deployments  []string           `json:"deployments"`
	CompareLogs  []string           `json:"compareLogs"`
	CancelReason string             `json:"cancelReason,omitempty"`
	Revision     int                `json:"revision"`
	ScopeHash    string             `json:"scopeHash"`
	CreatedAt    time.Time          `json:"createdAt"`
	UpdatedAt    time.Time          `json:"updatedAt"`
	History      []model.AuditEvent `json:"history,omitempty"`
}

type approverView struct {
	User     string     `json:"user"`
	Decision string     `json:"decision"`
	Comment  string     `json:"comment,omitempty"`
	At       *time.Time `json:"at"`
	// Current is false for a decision made on an earlier scope: it no longer counts.
	Current bool `json:"current"`
}

func crViewOf(cr model.ChangeRequest) crView {
	scope := cr.ScopeHash()
	v := crView{ID: cr.Key(), Number: cr.ID, Name: cr.Name, ChangeType: string(cr.ChangeType), Overview: cr.Overview,
		Env: cr.Env, Status: string(cr.Status()), ApprovalStatus: string(cr.ApprovalStatus),
		CompletionStatus: string(cr.CompletionStatus), Requester: cr.Requester,
		Customizations: nonNil(cr.Customizations), Proposed: nonNil(cr.Proposed), AddedAfterApproval: cr.AddedAfterApproval,
		Children:    keys(model.PrefixChangeRequest, cr.Children),
		Deployments: keys(model.PrefixDeployment, cr.Deployments), CompareLogs: keys(model.PrefixCompareLog, cr.CompareLogs),
		CancelReason: cr.CancelReason, Revision: cr.Revision, ScopeHash: scope, CreatedAt: cr.CreatedAt, UpdatedAt: cr.UpdatedAt}
	if cr.Parent != 0 {
		p := model.FormatID(model.PrefixChangeRequest, cr.Parent)
		v.Parent = &p
	}
	v.Approvers = approverViews(cr.Approvers, scope)
	if stale := model.StaleApprovers(cr.Approvers, scope); len(stale) > 0 {
		v.ApprovalNote = "the scope changed after " + strings.Join(stale, ", ") + " decided; those decisions no longer count"
	}
	return v
}

// approverViews shows each approver's decision and whether it still
// counts for the current scope.
func approverViews(approvers []model.Approver, scope string) []approverView {
	out := []approverView{}
	for _, a := range approvers {
		av := approverView{User: a.User, Decision: string(a.Decision), Comment: a.Comment,
			Current: a.Decision != model.DecisionNone && a.ScopeHash == scope}
		if a.Decision == model.DecisionNone {
			av.Decision = "Pending"
		}
		if !a.At.IsZero() {
			at := a.At
			av.At = &at
		}
		out = append(out, av)
	}
	return out
}

func nonNil(cs []metadata.Component) []metadata.Component {
	if cs == nil {
		return []metadata.Component{}
	}
	return cs
}

func keys(prefix string, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = model.FormatID(prefix, id)
	}
	return out
}

// writeCR prints a change request for people.
func writeCR(w io.Writer, v crView) error {
	parent := "-"
	if v.Parent != nil {
		parent = *v.Parent
	}
	if err := fields(w, [][2]string{
		{"Change request", v.ID + "  " + v.Name}, {"Status", v.Status}, {"Change type", v.ChangeType},
		{"Environment", v.Env}, {"Requester", v.Requester}, {"Revision", fmt.Sprint(v.Revision)},
		{"Parent", parent}, {"Copies", orDash(strings.Join(v.Children, ", "))},
		{"Deployments", orDash(strings.Join(v.Deployments, ", "))},
		{"Created", v.CreatedAt.Local().Format(time.DateTime)}, {"Updated", v.UpdatedAt.Local().Format(time.DateTime)},
	}); err != nil {
		return err
	}
	if v.CancelReason != "" {
		fmt.Fprintf(w, "Cancelled because: %s\n", v.CancelReason)
	}
	if v.Overview != "" {
		fmt.Fprintf(w, "\nOverview:\n  %s\n", strings.ReplaceAll(v.Overview, "\n", "\n  "))
	}
	flagged := map[metadata.Component]bool{}
	for _, c := range v.AddedAfterApproval {
		flagged[c] = true
	}
	var rows [][]string
	for _, c := range v.Customizations {
		rows = append(rows, []string{c.Type, c.FullName, "existing", flaggedNote(flagged[c])})
	}
	for _, c := range v.Proposed {
		rows = append(rows, []string{c.Type, c.FullName, "proposed", flaggedNote(flagged[c])})
	}
	fmt.Fprintln(w, "\nCustomizations:")
	if len(rows) == 0 {
		fmt.Fprintln(w, "  (none)")
	} else if err := table(w, []string{"  TYPE", "FULL NAME", "KIND", "NOTE"}, indent(rows)); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nApprovers:")
	if len(v.Approvers) == 0 {
		fmt.Fprintln(w, "  (none)")
	} else {
		rows = rows[:0]
		for _, a := range v.Approvers {
			decision := a.Decision
			if a.Decision != "Pending" && !a.Current {
				decision += " (earlier scope)"
			}
			at := "-"
			if a.At != nil {
				at = a.At.Local().Format(time.DateTime)
			}
			rows = append(rows, []string{a.User, decision, at, orDash(a.Comment)})
		}
		if err := table(w, []string{"  USER", "DECISION", "AT", "COMMENT"}, indent(rows)); err != nil {
			return err
		}
	}
	if v.ApprovalNote != "" {
		fmt.Fprintf(w, "  Note: %s.\n", v.ApprovalNote)
	}
	if len(v.History) > 0 {
		fmt.Fprintln(w, "\nHistory:")
		rows = rows[:0]
		for _, e := range v.History {
			rows = append(rows, []string{e.Time.Local().Format(time.DateTime), e.User, e.Action, summarize(e.Details)})
		}
		return table(w, []string{"  TIME", "USER", "ACTION", "DETAILS"}, indent(rows))
	}
	return nil
}

func flaggedNote(b bool) string {
	if b {
		return "added after approval"
	}
	return ""
}

func indent(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string{"  " + r[0]}, r[1:]...)
	}
	return out
}

// summarize renders audit details as "k=v; k=v", sorted and kept short.
func summarize(d map[string]string) string {
	if len(d) == 0 {
		return ""
	}
	ks := make([]string, 0, len(d))
	for k := range d {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		val := d[k]
		if strings.HasSuffix(k, "Hash") && len(val) > 12 {
			val = val[:12]
		} else if len(val) > 60 {
			val = val[:57] + "..."
		}
		parts[i] = k + "=" + val
	}
	return strings.Join(parts, "; ")
}
