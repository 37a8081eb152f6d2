// Command relman is a keyboard-first terminal application for Salesforce
// administrators who ship changes between orgs under change control:
// change requests, approvals, comparing orgs, deploying, and an audit trail
// auditors can verify. With no arguments it opens the terminal UI; with a
// command it runs that command (see `relman help`).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"relman/ui/cli"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(os.Stdout, "relman — change requests, approvals, compare and deploy for Salesforce orgs.\n\n")
		fmt.Fprintln(os.Stdout, cli.Usage())
		if len(args) == 0 {
			fmt.Fprintln(os.Stdout, "\nThe terminal UI is not in this build yet; every command above works today.")
		}
		return 0
	}
	return cli.Run(ctx, args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv})
}
