package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"relman/model"
	"relman/model/sshsig"
	"relman/store"
)

func auditCommands() map[string]command {
	return map[string]command{
		"audit":            {usage: "audit [--cr ID] [--verify [--full] [--checkpoint FILE]] [--format csv|json|md]", run: audit},
		"audit export":     {usage: "audit export --dir D   (allowed_signers + SEQ.msg/SEQ.sig per event, for ssh-keygen -Y verify)", run: auditExport, local: true},
		"audit checkpoint": {usage: "audit checkpoint   (a signed sequence number and head hash to keep elsewhere; an admin's is also kept in the store, for verify to start from)", run: auditCheckpoint},
	}
}

// verifyView is the result of `audit --verify --json` (cli.md).
type verifyView struct {
	Events   int    `json:"events"`
	OK       bool   `json:"ok"`
	FirstBad uint64 `json:"firstBad,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Signed events have a good signature by their user's key, checked
	// now; Unsigned ones were written before signing began (schema v5) and
	// prove no author.
	Signed   int `json:"signed"`
	Unsigned int `json:"unsigned"`
	// Trusted events are the signed ones up to TrustedFrom, the store's
	// checkpoint, whose signatures were not checked: the admin who made
	// it attested them. Full says every signature was checked (--full).
	Trusted     int             `json:"trusted"`
	TrustedFrom *checkpointView `json:"trustedFrom"`
	Full        bool            `json:"full"`
	// Notes say what verify did not trust, and why.
	Notes []string `json:"notes,omitempty"`
	// ServerSigned of the Signed were made in relman serve sessions without
	// a forwarded agent: signed by the server's host key, each naming the
	// session's key (its sessionKey detail), one of the user's.
	ServerSigned int `json:"serverSigned"`
	// Records were found equal to what their last event recorded;
	// UnprovenRecords last changed before schema v5.
	Records         int    `json:"records"`
	UnprovenRecords int    `json:"unprovenRecords"`
	Checkpoint      uint64 `json:"checkpoint,omitempty"`
}

// checkpointView names a checkpoint in JSON.
type checkpointView struct {
	Seq  uint64    `json:"seq"`
	User string    `json:"user"`
	Time time.Time `json:"time"`
}

func audit(_ context.Context, r *runner, args []string) error {
	usage := auditCommands()["audit"].usage
	fs := newFlags("audit")
	crFlag := fs.String("cr", "", "only this change request's events")
	verify := fs.Bool("verify", false, "check the hash chain, the signatures after the store's checkpoint and every record; report the first bad event")
	full := fs.Bool("full", false, "with --verify: check every signature, also those the store's checkpoint vouches for")
	checkpoint := fs.String("checkpoint", "", "with --verify: a file from relman audit checkpoint the trail must extend")
	format := fs.String("format", "", "export format: csv, json or md (default: a table)")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	switch *format {
	case "", "csv", "json", "md":
	default:
		return usageErr("audit: --format %q: use csv, json or md", *format)
	}
	if (*checkpoint != "" || *full) && !*verify {
		return usageErr("audit: --checkpoint and --full go with --verify")
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	if *verify {
		return r.verify(svc.Store, *checkpoint, *full)
	}
	q := store.AuditQuery{}
	if *crFlag != "" {
		id, err := crID(*crFlag)
		if err != nil {
			return err
		}
		q.Entity, q.EntityID = model.EntityChangeRequest, model.FormatID(model.PrefixChangeRequest, id)
	}
	events, err := auditEvents(svc.Store, q)
	if err != nil {
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

func auditEvents(st *store.Store, q store.AuditQuery) ([]model.AuditEvent, error) {
	var events []model.AuditEvent
	err := st.View(func(tx *store.Tx) error {
		var err error
		events, err = tx.AuditEvents(q)
		return err
	})
	return events, err
}

// verify runs `audit --verify [--full] [--checkpoint FILE]`.
func (r *runner) verify(st *store.Store, checkpointFile string, full bool) error {
	var cp *model.Checkpoint
	if checkpointFile != "" {
		data, err := r.readBounded(checkpointFile, 32<<10)
		if err != nil {
			return usageErr("--checkpoint %s: %v", checkpointFile, err)
		}
		c, err := model.ParseCheckpoint(data, sshsig.Unarmor)
		if err != nil {
			return usageErr("--checkpoint %s: %v", checkpointFile, err)
		}
		cp = &c
	}
	res, err := st.VerifyWith(store.VerifyOptions{Against: cp, Full: full})
	if err != nil {
		return err
	}
	notes := res.Notes
	if !res.OK {
		where := fmt.Sprintf("event %d", res.FirstBad)
		if res.Record != "" {
			where = res.Record + " (last event " + strconv.FormatUint(res.FirstBad, 10) + ")"
		}
		err := fmt.Errorf("audit trail broken at %s of %d: %s; the store was changed outside relman — keep the file as evidence and restore from a backup", where, res.Events, res.Reason)
		if len(notes) > 0 {
			err = fmt.Errorf("%w (%s)", err, strings.Join(notes, "; "))
		}
		return err
	}
	view := verifyView{Events: res.Events, OK: true, Signed: res.Signed, Unsigned: res.Unsigned, Trusted: res.Trusted, Full: full,
		Notes: notes, ServerSigned: res.ServerSigned, Records: res.Records, UnprovenRecords: res.Unproven}
	if t := res.TrustedFrom; t != nil {
		view.TrustedFrom = &checkpointView{Seq: t.Seq, User: t.User, Time: t.Time}
	}
	if cp != nil {
		view.Checkpoint = cp.Seq
	}
	return r.emit(view, func(w io.Writer) error {
		fmt.Fprintf(w, "Audit trail OK: %d events, the hash chain whole; %d records match their events.\n", res.Events, res.Records)
		if t := res.TrustedFrom; t != nil {
			fmt.Fprintf(w, "Signatures checked: %d (the user events, and every event after event %d). The %d other events up to event %d are trusted from the checkpoint %s made at %s and kept in the store: that admin attested them. relman audit --verify --full checks them too.\n",
				res.Signed, t.Seq, res.Trusted, t.Seq, t.User, t.Time.Local().Format("2006-01-02 15:04"))
		} else {
			fmt.Fprintf(w, "Signatures checked: all %d.\n", res.Signed)
		}
		fmt.Fprintf(w, "Signed by their users' keys: %d of those checked.\n", res.Signed-res.ServerSigned)
		if res.ServerSigned > 0 {
			fmt.Fprintf(w, "Signed by a relman serve host key: %d events of SSH sessions without a forwarded agent, each naming the session's key (sessionKey), one of the user's: they prove the server authenticated that key, not that its holder signed.\n", res.ServerSigned)
		}
		if res.Unsigned > 0 {
			fmt.Fprintf(w, "Unsigned: %d events written before schema v5 (before signing began): their authors are not proven.\n", res.Unsigned)
		}
		if res.Unproven > 0 {
			fmt.Fprintf(w, "Unproven: %d records last changed before schema v5.\n", res.Unproven)
		}
		for _, n := range notes {
			fmt.Fprintf(w, "Note: %s.\n", n)
		}
		if cp != nil {
			fmt.Fprintf(w, "Extends the checkpoint of %s by %s (event %d).\n", cp.Time.Local().Format("2006-01-02 15:04"), cp.User, cp.Seq)
		} else {
			fmt.Fprintln(w, "Without a checkpoint kept elsewhere, an older copy of the store would verify too: keep relman audit checkpoint's output elsewhere and pass it with --checkpoint.")
		}
		return nil
	})
}

func auditCheckpoint(_ context.Context, r *runner, args []string) error {
	if _, err := parse(newFlags("audit checkpoint"), args, 0, auditCommands()["audit checkpoint"].usage); err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	cp, kept, err := svc.Checkpoint()
	if err != nil {
		return err
	}
	text := append(cp.Message(), sshsig.Armor(cp.Signature)...)
	if r.g.json {
		return r.emit(map[string]any{"seq": cp.Seq, "head": cp.Head, "user": cp.User, "time": cp.Time, "checkpoint": string(text), "kept": kept}, nil)
	}
	if !kept {
		// Stdout stays the checkpoint alone, to redirect into a file.
		fmt.Fprintf(r.io.Err, "Not kept in the store: only an admin's checkpoint lets relman audit --verify start from it.\n")
	}
	_, err = r.io.Out.Write(text)
	return err
}

// exportView is the result of `audit export --json`.
type exportView struct {
	Dir            string `json:"dir"`
	Events         int    `json:"events"`
	Signed         int    `json:"signed"`
	AllowedSigners string `json:"allowedSigners"`
}

// auditExport writes the trail so OpenSSH alone can check it:
// allowed_signers names every key each user ever registered, and each
// event's signed message and signature sit in SEQ.msg and SEQ.sig.
func auditExport(_ context.Context, r *runner, args []string) error {
	fs := newFlags("audit export")
	dir := fs.String("dir", "", "the directory to write into (created if absent)")
	if _, err := parse(fs, args, 0, auditCommands()["audit export"].usage); err != nil {
		return err
	}
	if *dir == "" {
		return usageErr("audit export: --dir D is required")
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	events, err := auditEvents(svc.Store, store.AuditQuery{})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	keys := map[string][]string{}
	var users []string
	signed := 0
	for _, ev := range events {
		if ev.Entity == model.EntityUser && (ev.Action == "add" || ev.Action == "key-add") {
			name := ev.EntityID
			if _, ok := keys[name]; !ok {
				users = append(users, name)
			}
			if !slices.Contains(keys[name], ev.Details["key"]) {
				keys[name] = append(keys[name], ev.Details["key"])
			}
		}
		base := filepath.Join(*dir, strconv.FormatUint(ev.Seq, 10))
		if err := os.WriteFile(base+".msg", ev.SignedMessage(), 0o644); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		if len(ev.Signature) == 0 {
			continue
		}
		if err := os.WriteFile(base+".sig", sshsig.Armor(ev.Signature), 0o644); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		signed++
	}
	var allowed []byte
	for _, u := range users {
		for _, k := range keys[u] {
			allowed = fmt.Appendf(allowed, "%s namespaces=%q %s\n", u, sshsig.Namespace, k)
		}
	}
	signers := filepath.Join(*dir, "allowed_signers")
	if err := os.WriteFile(signers, allowed, 0o644); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	return r.emit(exportView{Dir: *dir, Events: len(events), Signed: signed, AllowedSigners: signers}, func(w io.Writer) error {
		fmt.Fprintf(w, "Wrote %d events (%d signed) and allowed_signers to %s. Check one with OpenSSH alone:\n", len(events), signed, *dir)
		fmt.Fprintf(w, "  ssh-keygen -Y verify -f %s -I USER -n relman -s %s < %s\n", signers, filepath.Join(*dir, "SEQ.sig"), filepath.Join(*dir, "SEQ.msg"))
		_, err := fmt.Fprintln(w, "USER is the event's \"user\" (inside SEQ.msg), or for an event with a \"sessionKey\" detail the relman serve that signed it for that SSH session (a user with the server role). allowed_signers lists every key a user ever had; relman audit --verify also checks each key was theirs at that point.")
		return err
	})
}
