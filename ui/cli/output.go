package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/charmbracelet/x/ansi"

	"relman/model"
	"relman/store"

	"relman/ui/termsafe"
)

// Exit codes (cli.md).
const (
	exitOK         = 0
	exitFailed     = 1
	exitUsage      = 2
	exitPartial    = 68
	exitInProgress = 69
)

// envelope is the Salesforce CLI JSON envelope.
type envelope struct {
	Status   int      `json:"status"`
	Result   any      `json:"result,omitempty"`
	Warnings []string `json:"warnings"`
}

type errorEnvelope struct {
	Status   int    `json:"status"`
	Name     string `json:"name"`
	Message  string `json:"message"`
	ExitCode int    `json:"exitCode"`
}

// inputRules are rule refusals caused by what was typed rather than by the
// state of a record: they exit 2 like other bad input.
var inputRules = []error{model.ErrNameRequired, model.ErrInvalidChangeType, model.ErrInvalidComponent,
	model.ErrDuplicateComponent, model.ErrCommentRequired, model.ErrReasonRequired, model.ErrRequesterAsApprover,
	model.ErrInvalidTestLevel, model.ErrTestsRequired, model.ErrHomeNotProduction, model.ErrSameEnvironment, model.ErrWrongKind}

// classify maps an error to its exit code and JSON error name.
func classify(err error) (int, string) {
	if code, name, ok := exitFor(err); ok {
		return code, name
	}
	var ue *usageError
	var re *model.RuleError
	switch {
	case errors.As(err, &ue):
		return exitUsage, "UsageError"
	case errors.Is(err, store.ErrNotFound):
		return exitUsage, "NotFoundError"
	case errors.As(err, &re):
		for _, in := range inputRules {
			if errors.Is(err, in) {
				return exitUsage, re.Code + "Error"
			}
		}
		return exitFailed, re.Code + "Error"
	case errors.Is(err, store.ErrBusy):
		return exitFailed, "StoreBusyError"
	case errors.Is(err, store.ErrNewerSchema):
		return exitFailed, "NewerStoreError"
	case errors.Is(err, store.ErrCorrupt):
		return exitFailed, "CorruptStoreError"
	}
	return exitFailed, "RelmanError"
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeCompactJSON writes v as one line of JSON (an NDJSON record).
func writeCompactJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// reportError prints err for a person (stderr) or a script (the JSON error
// envelope on stdout) and returns the exit code.
func reportError(io IO, asJSON bool, err error) int {
	code, name := classify(err)
	if asJSON {
		if werr := writeCompactJSON(io.Out, errorEnvelope{Status: code, Name: name, Message: err.Error(), ExitCode: code}); werr != nil {
			fmt.Fprintf(io.Err, "relman: %v\n", werr)
		}
		return code
	}
	fmt.Fprintf(io.Err, "relman: %s\n", termsafe.Text(err.Error()))
	return code
}

// table writes aligned columns: a header row, then rows.
func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = termsafe.Line(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// fields writes "Label:  value" lines aligned on the values.
func fields(w io.Writer, pairs [][2]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range pairs {
		fmt.Fprintf(tw, "%s:\t%s\n", p[0], termsafe.Line(p[1]))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// columnWidths are the widths table would give header and rows: each
// column's widest cell (escaped as shown).
func columnWidths(header []string, rows [][]string) []int {
	w := make([]int, len(header))
	for i, h := range header {
		w[i] = ansi.StringWidth(h)
	}
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], ansi.StringWidth(termsafe.Line(c)))
		}
	}
	return w
}

// alignedRow writes one row padded to widths like table does (two spaces
// between columns, the last unpadded), for output written a chunk at a
// time; a wider cell than its column pushes the rest of its row along.
func alignedRow(w io.Writer, widths []int, cells []string) error {
	var b strings.Builder
	for i, c := range cells {
		c = termsafe.Line(c)
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", max(0, widths[i]-ansi.StringWidth(c))+2))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
