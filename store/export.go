package store

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"relman/model"
)

// WriteAudit writes events for an auditor in format "csv", "json" or "md".
// CSV and JSON carry every field, hashes included, so a copy can be checked
// against the chain; Markdown is a readable table ending with the head hash.
func WriteAudit(w io.Writer, events []model.AuditEvent, format string) error {
	switch format {
	case "csv":
		return writeAuditCSV(w, events)
	case "json":
		return writeAuditJSON(w, events)
	case "md":
		return writeAuditMarkdown(w, events)
	}
	return fmt.Errorf("audit export format %q: use csv, json or md", format)
}

func writeAuditCSV(w io.Writer, events []model.AuditEvent) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"seq", "time", "user", "entity", "entityId", "action", "details", "prevHash", "hash"}); err != nil {
		return err
	}
	for _, e := range events {
		details := ""
		if len(e.Details) > 0 {
			b, err := json.Marshal(e.Details) // sorted keys: one spelling per event
			if err != nil {
				return err
			}
			details = string(b)
		}
		row := []string{strconv.FormatUint(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), csvCell(e.User), csvCell(e.Entity),
			csvCell(e.EntityID), csvCell(e.Action), csvCell(details), e.PrevHash, e.Hash}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeAuditJSON(w io.Writer, events []model.AuditEvent) error {
	utc := make([]model.AuditEvent, len(events))
	for i, e := range events {
		e.Time = e.Time.UTC()
		utc[i] = e
	}
	b, err := json.MarshalIndent(utc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func writeAuditMarkdown(w io.Writer, events []model.AuditEvent) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "| Seq | Time (UTC) | User | Entity | ID | Action | Details |")
	fmt.Fprintln(bw, "|---:|---|---|---|---|---|---|")
	for _, e := range events {
		var details []string
		for _, k := range slices.Sorted(maps.Keys(e.Details)) {
			details = append(details, k+": "+e.Details[k])
		}
		fmt.Fprintf(bw, "| %d | %s | %s | %s | %s | %s | %s |\n", e.Seq, e.Time.UTC().Format("2006-01-02 15:04:05"),
			mdCell(e.User), mdCell(e.Entity), mdCell(e.EntityID), mdCell(e.Action), mdCell(strings.Join(details, "; ")))
	}
	if n := len(events); n > 0 {
		fmt.Fprintf(bw, "\n%d events, %d–%d; hash of event %d: `%s`\n", n, events[0].Seq, events[n-1].Seq, events[n-1].Seq, events[n-1].Hash)
	} else {
		fmt.Fprintln(bw, "\nNo events.")
	}
	return bw.Flush()
}

// csvCell keeps a spreadsheet from running a cell as a formula: a value
// starting with = + - @ (or a tab or carriage return, which some spreadsheets
// skip first) gets a leading apostrophe, which spreadsheets show as text
// (OWASP's CSV injection advice). The JSON export keeps values exact.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// mdCell keeps a value inside its table cell.
var mdCell = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\r\n", "<br>", "\n", "<br>", "\r", "<br>").Replace
