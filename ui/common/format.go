package common

import (
	"fmt"
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
