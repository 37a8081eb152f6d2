package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"relman/model"
	"relman/ui/actions"

	"relman/ui/termsafe"
)

// progressPrinter shows a long step in one of three ways: a redrawn bar on
// stderr for a person at a terminal; one line per change of stage, status
// or failure on stderr for CI logs (never silent for minutes, never a
// flood); NDJSON events on stdout for --json.
type progressPrinter struct {
	r       *runner
	tty     bool
	started time.Time
	last    string
	seen    map[string]bool
	drawn   bool
}

func newProgressPrinter(r *runner) *progressPrinter {
	p := &progressPrinter{r: r, started: time.Now(), seen: map[string]bool{}}
	if f, ok := r.io.Err.(*os.File); ok && !r.g.json {
		p.tty = term.IsTerminal(f.Fd())
	}
	return p
}

// ndjsonEvent is one line of the --json stream.
type ndjsonEvent struct {
	Kind string `json:"event"`
	actions.Event
}

func (p *progressPrinter) event(e actions.Event) {
	if p.r.g.json {
		p.r.streamed = true
		_ = writeCompactJSON(p.r.io.Out, ndjsonEvent{Kind: "progress", Event: e})
		return
	}
	// Failures stream as they appear, in every mode, each once.
	for _, f := range e.ComponentFailures {
		p.line("  ✗ " + failureLine(f))
	}
	for _, f := range e.TestFailures {
		p.line(fmt.Sprintf("  ✗ test %s.%s: %s", f.Class, f.Method, f.Message))
	}
	if p.tty {
		p.bar(e)
		return
	}
	state := fmt.Sprintf("%s: %s", e.Stage, e.Status)
	if e.JobID != "" {
		state += " (job " + e.JobID + ")"
	}
	switch {
	case e.Done && e.Detail != "":
		state += " — " + e.Detail
	case e.Done:
		state += " — " + progressCounters(e)
	case e.Detail != "" && e.Status == model.LogPending:
		state += ": " + e.Detail
	}
	if state != p.last {
		p.last = state
		p.line(state)
	}
}

// line prints a line once (failures are reported again by later polls).
func (p *progressPrinter) line(s string) {
	if p.seen[s] {
		return
	}
	p.seen[s] = true
	if p.drawn {
		fmt.Fprint(p.r.io.Err, "\r\033[K")
		p.drawn = false
	}
	fmt.Fprintln(p.r.io.Err, termsafe.Text(s))
}

// bar redraws the one-line progress bar in place.
func (p *progressPrinter) bar(e actions.Event) {
	width := 24
	done, total := e.ComponentsDeployed, e.ComponentsTotal
	if e.TestsTotal > 0 && e.ComponentsDeployed >= e.ComponentsTotal {
		done, total = e.TestsCompleted, e.TestsTotal
	}
	filled := 0
	if total > 0 {
		filled = min(width, done*width/total)
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	elapsed := time.Since(p.started).Round(time.Second)
	fmt.Fprintf(p.r.io.Err, "\r\033[K%-8s %s %s · %s · %s", e.Stage, bar, progressCounters(e), termsafe.Line(string(e.Status)), elapsed)
	p.drawn = true
	if e.Done {
		fmt.Fprintln(p.r.io.Err)
		p.drawn = false
	}
}

func (p *progressPrinter) finish() {
	if p.drawn {
		fmt.Fprintln(p.r.io.Err)
	}
}

func progressCounters(e actions.Event) string {
	s := fmt.Sprintf("%d/%d components", e.ComponentsDeployed, e.ComponentsTotal)
	if e.TestsTotal > 0 {
		s += fmt.Sprintf(", %d/%d tests", e.TestsCompleted, e.TestsTotal)
	}
	if n := e.ComponentErrors + e.TestErrors; n > 0 {
		s += fmt.Sprintf(", %d errors", n)
	}
	return s
}
