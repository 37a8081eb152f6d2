package deploy

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"relman/model"
)

// askAbandon asks for the reason to close a deploy whose job is lost.
const askAbandon = detailTag + "abandon"

// abandoner closes a deploy attempt whose job cannot be found in the org,
// on a release manager's reason, so the deployment can be run again. The
// actions layer provides it (Service.AbandonDeploy); the screen offers the
// key only when its service has it.
type abandoner interface {
	AbandonDeploy(drID int64, reason string) (model.DeploymentRecord, model.DeploymentLog, error)
}

// abandonerOf is svc's abandon, if it has one.
func abandonerOf(svc any) abandoner {
	a, _ := svc.(abandoner)
	return a
}

// lostLog is the record's latest deploy that still blocks it: a job id the
// org may no longer know (a restarted org), or an answer that was lost
// (outcome unknown) — what the actions layer lets a release manager
// abandon. A validation is never abandoned, it is cancelled or run again.
func lostLog(logs []model.DeploymentLog) (model.DeploymentLog, bool) {
	for i := len(logs) - 1; i >= 0; i-- {
		if l := logs[i]; l.Blocking() && (l.Kind == model.LogDeploy || l.Kind == model.LogQuickDeploy) {
			return l, true
		}
	}
	return model.DeploymentLog{}, false
}

// promptAbandon asks why the lost deploy is closed.
func (m *Detail) promptAbandon() tea.Cmd {
	l, _ := lostLog(m.data.logs)
	return m.prompt(askAbandon, fmt.Sprintf("Abandon the %s of %s (job %s)? Say why:", l.Kind, m.data.d.Key(), l.JobID),
		"reason, e.g. the org has no such job (required)", true)
}

// closeLost closes the lost attempt with reason.
func (m *Detail) closeLost(reason string) tea.Cmd {
	a, id, key := m.abandon, m.id, m.data.d.Key()
	return m.act("Abandoning "+key+"'s lost deploy…", func() (string, error) {
		_, l, err := a.AbandonDeploy(id, strings.TrimSpace(reason))
		return fmt.Sprintf("Closed %s's %s as %s; it can be deployed again.", key, l.Kind, l.Status), err
	})
}
