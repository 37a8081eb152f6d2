package deploy

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"relman/model"
	"relman/ui/theme"
)

// timeLayout is how absolute times are shown (local time).
const timeLayout = "2006-01-02 15:04"

// relTime says how long ago t was, e.g. "3m ago".
func relTime(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "-"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}

// recordStyle colours a deployment record's status: waiting is a warning,
// refused or failed an error, done a success.
func recordStyle(st *theme.Styles, s model.DeploymentStatus) lipgloss.Style {
	switch s {
	case model.DeployPending, model.DeployInProgress:
		return st.Warning
	case model.DeployApproved, model.DeployDeployed, model.DeployVerified:
		return st.Success
	case model.DeployRejected, model.DeployFailed, model.DeployOutcomeUnknown:
		return st.Error
	case model.DeployRolledBack:
		return st.Muted
	}
	return st.Accent
}

// outcome is how a log's status reads: still running, good, or not.
type outcome int

const (
	outcomeRunning outcome = iota
	outcomeOK
	outcomeFailed
	// outcomeCancelled is a job stopped on request.
	outcomeCancelled
)

// outcomeOf classifies a log status (process.md's names).
func outcomeOf(s model.LogStatus) outcome {
	switch s {
	case model.LogSucceeded, model.LogRetrieveCompleted, model.LogValidationCompleted, model.LogRollbackCompleted:
		return outcomeOK
	case model.LogPending, model.LogInProgress, model.LogCanceling, model.LogRetrieveInProgress,
		model.LogValidationInProgress, model.LogRollbackInProgress:
		return outcomeRunning
	case model.LogCanceled:
		return outcomeCancelled
	}
	return outcomeFailed
}

// logStyle colours a log status by its outcome.
func logStyle(st *theme.Styles, s model.LogStatus) lipgloss.Style {
	switch outcomeOf(s) {
	case outcomeOK:
		return st.Success
	case outcomeRunning, outcomeCancelled:
		return st.Warning
	}
	return st.Error
}

// problem presents a failure for the status line or the progress panel. A
// model.RuleError shows its rule and specifics but not its Fix, which names
// command line flags that mean nothing on a screen.
func problem(err error) string {
	var re *model.RuleError
	if errors.As(err, &re) {
		if re.Detail != "" {
			return re.Rule + ": " + re.Detail
		}
		return re.Rule
	}
	return err.Error()
}

// screenErr wraps an error so the status line shows problem(err).
type screenErr struct{ err error }

func (e screenErr) Error() string { return problem(e.err) }
func (e screenErr) Unwrap() error { return e.err }

// oneLine flattens text that may span lines (org messages, stack traces)
// into one line for a row.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// hexColor resolves a theme colour to the hex string bubbles/progress
// wants, for the terminal r renders for; the colour itself still comes from
// the theme.
func hexColor(r *lipgloss.Renderer, c lipgloss.TerminalColor) string {
	switch c := c.(type) {
	case lipgloss.AdaptiveColor:
		if r.HasDarkBackground() {
			return c.Dark
		}
		return c.Light
	case lipgloss.Color:
		return string(c)
	}
	return ""
}
