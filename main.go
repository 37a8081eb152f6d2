// Command relman is a keyboard-first terminal application for Salesforce
// administrators who ship changes between orgs under change control:
// change requests, approvals, comparing orgs, deploying, and an audit trail
// auditors can verify. With no arguments it opens the terminal UI; `relman
// demo` runs it on simulated orgs; any other command runs non-interactively
// (see `relman help`).
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"relman/ui"
	"relman/ui/cli"
	"relman/ui/demo"
)

// sampleOrgs are the demo's org sources, built into the binary so `relman
// demo` works wherever it runs.
//
//go:embed all:testdata/orgs
var sampleOrgs embed.FS

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, rest, err := cli.ParseGlobals(args)
	switch {
	case err == nil && len(rest) == 0:
		// Only global flags (relman --identity F): the terminal UI.
		return report(runUI(g))
	case args[0] == "demo":
		return report(runDemo(ctx, args[1:]))
	case args[0] == "help" || args[0] == "--help" || args[0] == "-h":
		fmt.Fprint(os.Stdout, "relman — change requests, approvals, compare and deploy for Salesforce orgs.\n\n"+
			"  relman                                 the terminal UI\n"+
			"  relman demo [--dir D] [--serve]        simulated Production, UAT and Dev orgs and a seeded store, then the UI\n\n"+
			"global flags, before or after the command: --store PATH, --identity KEYFILE (else the SSH agent, else ~/.ssh/id_*),\n"+
			"  --user NAME (chooses among the registered users whose keys you hold), --json\n\n")
		fmt.Fprintln(os.Stdout, cli.Usage())
		return 0
	}
	return cli.Run(ctx, args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv})
}

// report prints a failure of the UI or the demo and returns the exit code.
func report(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(os.Stderr, "relman: %v\n", err)
	var usage *usageError
	if errors.As(err, &usage) {
		return 2
	}
	return 1
}

type usageError struct{ error }

// runUI opens the terminal UI on the configured store as the user whose
// registered key the caller holds (cli.Service says how it is found).
func runUI(g cli.Globals) error {
	svc, err := cli.Service(g, os.Getenv)
	if err != nil {
		return err
	}
	return ui.Run(svc, ui.Options{In: os.Stdin, Out: os.Stdout, NoColor: ui.NoColorRequested()})
}

// runDemo starts the demo orgs and store, then the UI, or with --serve
// prints the environments and serves until interrupted.
func runDemo(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("demo", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	dir := flags.String("dir", "", "keep the demo (orgs and store) in this folder and reuse it next time")
	serve := flags.Bool("serve", false, "print the environments and serve the orgs without a UI until interrupted")
	as := flags.String("user", "alice", "the acting user: alice, bob or carol")
	testMS := flags.Int("test-ms", 400, "milliseconds each simulated Apex test method takes")
	if err := flags.Parse(args); err != nil || flags.NArg() > 0 {
		return usageError{fmt.Errorf("demo: %v\nusage: relman demo [--dir D] [--serve] [--user alice|bob|carol] [--test-ms N]", orArgs(err, flags.Args()))}
	}
	samples, err := fs.Sub(sampleOrgs, "testdata/orgs")
	if err != nil {
		return err
	}
	log := io.Writer(os.Stderr)
	if !*serve {
		log = io.Discard
	}
	d, err := demo.Start(ctx, demo.Options{Dir: *dir, Samples: samples, TestDuration: time.Duration(*testMS) * time.Millisecond, Log: log})
	if err != nil {
		return err
	}
	defer d.Close()
	if *serve {
		fmt.Fprintf(os.Stdout, "store=%s\n", d.StorePath)
		for _, e := range d.Envs {
			fmt.Fprintf(os.Stdout, "env=%s kind=%s instance_url=%s\n", e.Name, e.Kind, e.URL)
		}
		for _, u := range demo.Users {
			fmt.Fprintf(os.Stdout, "user=%s identity=%s\n", u, d.KeyPath(u))
		}
		fmt.Fprintf(os.Stdout, "users=alice,bob,carol\nready: RELMAN_STORE=%s RELMAN_IDENTITY=%s relman cr list\n", d.StorePath, d.KeyPath("alice"))
		<-ctx.Done()
		return nil
	}
	svc, err := d.As(*as)
	if err != nil {
		return usageError{fmt.Errorf("demo --user %s: %w", *as, err)}
	}
	return ui.Run(svc, ui.Options{In: os.Stdin, Out: os.Stdout, NoColor: ui.NoColorRequested(), QuitNote: demoQuitNote})
}

// demoQuitNote says what quitting the demo does to a running job: its orgs
// live in this process, so they stop too.
const demoQuitNote = "This is relman demo: its simulated orgs stop when it quits, and the job with them. " +
	"Next start the attempt cannot be found in the org; a release manager closes it with a reason (abandon) and runs the step again."

func orArgs(err error, rest []string) any {
	if err != nil {
		return err
	}
	return fmt.Sprintf("unexpected arguments %v", rest)
}
