package cli

import (
	"context"
	"fmt"
	"io"

	"relman/ui/actions"
)

func backupCommand() command {
	return command{usage: "backup FILE   (a consistent copy while others keep working, verified)", run: backup, local: true}
}

// backupView is the result of `backup --json`.
type backupView struct {
	File     string `json:"file"`
	Bytes    int64  `json:"bytes"`
	Events   int    `json:"events"`
	Signed   int    `json:"signed"`
	Unsigned int    `json:"unsigned"`
	OK       bool   `json:"ok"`
}

func backup(_ context.Context, r *runner, args []string) error {
	pos, err := parse(newFlags("backup"), args, 1, backupCommand().usage)
	if err != nil {
		return err
	}
	st, err := OpenStore(Globals{Store: r.g.store})
	if err != nil {
		return err
	}
	rep, err := actions.Backup(st, pos[0])
	if err != nil {
		return err
	}
	v := rep.Verify
	return r.emit(backupView{File: rep.Path, Bytes: rep.Bytes, Events: v.Events, Signed: v.Signed, Unsigned: v.Unsigned, OK: v.OK}, func(w io.Writer) error {
		fmt.Fprintf(w, "Backup %s: %d bytes; its audit trail verifies: %d events, %d signed.\n", rep.Path, rep.Bytes, v.Events, v.Signed)
		_, err := fmt.Fprintln(w, "Credentials in it stay sealed with the store's key (<store>.key or RELMAN_KEY): keep that key too, apart from the backup.")
		return err
	})
}
