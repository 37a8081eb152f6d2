package common

import (
	"fmt"
	"relman/model"
	"strings"
	"time"
)

// Ago says how long before now t was, in the largest whole unit, falling
// back to the date for anything older than two months.
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
	return t.Local().Format("2006-01-02")
}

// When renders t as a local date and time with how long ago it was.
func When(now, t time.Time) string {
	return t.Local().Format("2006-01-02 15:04") + " (" + Ago(now, t) + ")"
}

// CutLines keeps the first h lines of s, ending with more when some are cut.
func CutLines(s string, h int, more string) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= h {
		return s
	}
	if h <= 0 {
		return ""
	}
	return strings.Join(append(lines[:h-1], more), "\n")
}

// Plural counts a noun: "1 error", "3 errors".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Duration renders an elapsed time compactly: "42s", "3m07s", "1h05m".
func Duration(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Counters says in a few words how far a deployment job got. A dependency
// check counts references and a verify compared components, so they say so.
func Counters(l model.DeploymentLog) string {
	switch {
	case l.Kind == model.LogDeps:
		return fmt.Sprintf("%s, %d missing", Plural(l.ComponentsTotal, "reference"), l.ComponentErrors)
	case l.Kind == model.LogVerify && l.ComponentsTotal > 0:
		return fmt.Sprintf("%d/%d the same, %d differ", l.ComponentsDeployed, l.ComponentsTotal, l.ComponentErrors)
	}
	var parts []string
	if l.ComponentsTotal > 0 {
		s := fmt.Sprintf("%d/%d components", l.ComponentsDeployed, l.ComponentsTotal)
		if l.ComponentErrors > 0 {
			s += " (" + Plural(l.ComponentErrors, "error") + ")"
		}
		parts = append(parts, s)
	}
	if l.TestsTotal > 0 {
		s := fmt.Sprintf("%d/%d tests", l.TestsCompleted, l.TestsTotal)
		if l.TestErrors > 0 {
			s += fmt.Sprintf(" (%d failed)", l.TestErrors)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
