package deploy

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/ui/theme"
)

// wideErrors is the width from which an error fits on one row; below it
// each takes two, so the org's message is never the part cut off.
const wideErrors = 120

// fault is one error of a run: what failed (a component and where, or a
// test) and the org's message.
type fault struct{ what, message string }

// errorList is the failures of a run, in the order the org reported them.
// Events repeat every failure seen so far, so each is kept once. Drawing
// costs the rows on screen, never the length of the list.
type errorList struct {
	items []fault
	seen  map[fault]bool
	// offset is the first item shown; while follow is set the list sticks
	// to its end as failures arrive.
	offset int
	follow bool
}

func newErrorList() errorList { return errorList{seen: map[fault]bool{}, follow: true} }

// add keeps the failures not seen before: components, tests, then the
// coverage shortfall (the org's warnings, the org-wide figure and each
// class below the bar).
func (l *errorList) add(cfs []model.ComponentFailure, tfs []model.TestFailure, warnings []string, cov *model.Coverage) {
	for _, f := range cfs {
		l.keep(componentFailure(f))
	}
	for _, f := range tfs {
		l.keep(fault{"test " + f.Class + "." + f.Method, oneLine(f.Message)})
	}
	for _, w := range warnings {
		l.keep(fault{"coverage", oneLine(w)})
	}
	if len(warnings) == 0 || cov == nil {
		return
	}
	for _, c := range model.CoverageDetails(cov) {
		l.keep(fault{oneLine(c.Subject), c.Figure})
	}
}

func (l *errorList) keep(f fault) {
	if !l.seen[f] {
		l.seen[f] = true
		l.items = append(l.items, f)
	}
}

// componentFailure is "ApexClass InvoiceAging · classes/InvoiceAging.cls:3:12"
// and the problem.
func componentFailure(f model.ComponentFailure) fault {
	// Every file of a package sits under its root folder: say it once less.
	where := strings.TrimPrefix(f.File, "unpackaged/")
	if f.Line > 0 {
		where += fmt.Sprintf(":%d", f.Line)
		if f.Column > 0 {
			where += fmt.Sprintf(":%d", f.Column)
		}
	}
	what := oneLine(strings.TrimSpace(f.Type + " " + f.Name))
	if where != "" {
		what += " · " + where
	}
	return fault{what, oneLine(f.Problem)}
}

// rowsPer is how many rows an error takes at width.
func rowsPer(width int) int {
	if width >= wideErrors {
		return 1
	}
	return 2
}

// shown is how many errors fit in rows rows at width.
func shown(rows, width int) int { return max(1, rows/rowsPer(width)) }

// scroll moves the window by delta errors (clamped) for a window of n
// errors; reaching the end resumes following.
func (l *errorList) scroll(delta, n int) {
	last := max(0, len(l.items)-n)
	l.offset = min(max(0, l.start(n)+delta), last)
	l.follow = l.offset == last
}

// start is the first error shown in a window of n errors.
func (l *errorList) start(n int) int {
	if l.follow {
		return max(0, len(l.items)-n)
	}
	return min(l.offset, max(0, len(l.items)-n))
}

// view renders the errors fitting in rows rows of width cells.
func (l *errorList) view(st *theme.Styles, width, rows int) string {
	n := shown(rows, width)
	from := l.start(n)
	to := min(len(l.items), from+n)
	out := make([]string, 0, (to-from)*rowsPer(width))
	mark := st.Error.Render("✗ ")
	for _, f := range l.items[from:to] {
		if rowsPer(width) == 1 {
			out = append(out, mark+ansi.Truncate(f.what+"  "+st.Error.Render(f.message), max(1, width-2), "…"))
			continue
		}
		out = append(out, mark+ansi.Truncate(f.what, max(1, width-2), "…"),
			"  "+st.Error.Render(ansi.Truncate(f.message, max(1, width-2), "…")))
	}
	return strings.Join(out, "\n")
}
