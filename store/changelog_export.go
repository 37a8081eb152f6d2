package store

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"relman/model"
)

// changeLogColumns are the columns of the change log exports.
var changeLogColumns = []string{"id", "env", "component", "kind", "category", "level", "when", "who", "status", "reason", "coveredBy", "resolvedBy", "note"}

func changeLogRow(c model.ChangeLog) []string {
	when := ""
	if !c.When.IsZero() {
		when = c.When.UTC().Format(time.RFC3339)
	}
	return []string{c.Key(), c.Env, c.Component.String(), string(c.Kind), string(c.Category), string(c.Level), when, c.Who,
		string(c.Status), c.Reason, c.CoveredBy, c.ResolvedBy, c.Note}
}

// WriteChangeLogs exports change logs as "csv" (cells neutralised against
// formulas, as the audit export does) or "md" (a table).
func WriteChangeLogs(w io.Writer, cls []model.ChangeLog, format string) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(changeLogColumns); err != nil {
			return err
		}
		for _, c := range cls {
			row := changeLogRow(c)
			for i := range row {
				row[i] = csvCell(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "md":
		bw := bufio.NewWriter(w)
		fmt.Fprint(bw, "|")
		for _, col := range changeLogColumns {
			fmt.Fprintf(bw, " %s |", col)
		}
		fmt.Fprint(bw, "\n|")
		for range changeLogColumns {
			fmt.Fprint(bw, "---|")
		}
		fmt.Fprintln(bw)
		for _, c := range cls {
			fmt.Fprint(bw, "|")
			for _, cell := range changeLogRow(c) {
				fmt.Fprintf(bw, " %s |", mdCell(cell))
			}
			fmt.Fprintln(bw)
		}
		fmt.Fprintf(bw, "\n%d changes.\n", len(cls))
		return bw.Flush()
	}
	return fmt.Errorf("change export format %q: use csv or md", format)
}
