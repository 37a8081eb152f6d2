package changes

import (
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/lipgloss"

	"relman/model"
	"relman/ui/theme"
)

// relTime says how long ago t was, e.g. "3m ago", in at most 8 cells so the
// list's "updated" column has a fixed width.
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
	case d < 30*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	case d < 365*24*time.Hour:
		return fmt.Sprintf("%dmo ago", int(d/(30*24*time.Hour)))
	}
	return fmt.Sprintf("%dy ago", int(d/(365*24*time.Hour)))
}

// statusStyle colours a status the same way on every screen: waiting is a
// warning, refused an error, approved and done a success.
func statusStyle(st *theme.Styles, s model.Status) lipgloss.Style {
	switch s {
	case model.StatusPending:
		return st.Warning
	case model.StatusApproved, model.StatusCompleted:
		return st.Success
	case model.StatusRejected:
		return st.Error
	case model.StatusCancelled:
		return st.Muted
	}
	return st.Accent
}

// ruleError presents a refusal on the status line. A model.RuleError shows
// its rule and the specifics; its Fix is left out because it names command
// line flags (--name, --comment) that mean nothing on a screen.
type ruleError struct{ err error }

func (e ruleError) Error() string {
	var re *model.RuleError
	if errors.As(e.err, &re) {
		if re.Detail != "" {
			return re.Rule + ": " + re.Detail
		}
		return re.Rule
	}
	return e.err.Error()
}

func (e ruleError) Unwrap() error { return e.err }

// readOnlyReason says why the acting user cannot edit a change request:
// the specifics first (they survive truncation), then the rule.
func readOnlyReason(err error) string {
	var re *model.RuleError
	if errors.As(err, &re) && re.Detail != "" {
		return re.Detail + " (" + re.Rule + ")"
	}
	return ruleError{err}.Error()
}
