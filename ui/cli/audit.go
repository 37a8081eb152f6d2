package cli

import (
	"context"
	"fmt"
	"io"

	"relman/model"
	"relman/store"
)

func auditCommand() command {
	return command{usage: "audit [--cr ID] [--verify] [--format csv|json|md]", run: audit}
}

// verifyView is the result of `audit --verify --json` (cli.md).
type verifyView struct {
	Events   int    `json:"events"`
	OK       bool   `json:"ok"`
	FirstBad uint64 `json:"firstBad,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func audit(_ context.Context, r *runner, args []string) error {
	usage := auditCommand().usage
	fs := newFlags("audit", &r.g)
	crFlag := fs.String("cr", "", "only this change request's events")
	verify := fs.Bool("verify", false, "recompute the hash chain and report the first bad event")
	format := fs.String("format", "", "export format: csv, json or md (default: a table)")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	switch *format {
	case "", "csv", "json", "md":
	default:
		return usageErr("audit: --format %q: use csv, json or md", *format)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	if *verify {
		res, err := svc.Store.Verify()
		if err != nil {
			return err
		}
		if !res.OK {
			return fmt.Errorf("audit chain broken at event %d of %d: %s; the store was changed outside relman — keep the file as evidence and restore from a backup", res.FirstBad, res.Events, res.Reason)
		}
		return r.emit(verifyView{Events: res.Events, OK: true}, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "Audit chain OK: %d events verified.\n", res.Events)
			return err
		})
	}
	q := store.AuditQuery{}
	if *crFlag != "" {
		id, err := crID(*crFlag)
		if err != nil {
			return err
		}
		q.Entity, q.EntityID = model.EntityChangeRequest, model.FormatID(model.PrefixChangeRequest, id)
	}
	var events []model.AuditEvent
	if err := svc.Store.View(func(tx *store.Tx) error {
		var err error
		events, err = tx.AuditEvents(q)
		return err
	}); err != nil {
		return err
	}
	if *format != "" {
		return store.WriteAudit(r.io.Out, events, *format)
	}
	return r.emit(events, func(w io.Writer) error {
		rows := make([][]string, len(events))
		for i, e := range events {
			rows[i] = []string{fmt.Sprint(e.Seq), e.Time.Local().Format("2006-01-02 15:04:05"), e.User,
				e.EntityID, e.Action, summarize(e.Details)}
		}
		return table(w, []string{"SEQ", "TIME", "USER", "ENTITY", "ACTION", "DETAILS"}, rows)
	})
}
