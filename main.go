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
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"relman/ui"
	"relman/ui/cli"
	"relman/ui/demo"
	"relman/ui/serve"
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
	case err == nil && rest[0] == "serve":
		return serve.Main(ctx, g, rest[1:], os.Stdout, os.Stderr, os.Getenv)
	case len(args) == 2 && args[0] == "help" && args[1] == "demo":
		return report(runDemo(ctx, []string{"--help"}))
	case (args[0] == "help" && len(args) == 1) || args[0] == "--help" || args[0] == "-h":
		fmt.Fprint(os.Stdout, "relman — change requests, approvals, compare and deploy for Salesforce orgs.\n\n"+
			"  relman                                 the terminal UI\n"+
			"  relman demo [--dir D] [--serve]        simulated Production, UAT and Dev orgs and a seeded store, then the UI\n"+
			"  relman "+serve.Usage+"\n"+
			"                                         the team server: ssh -t -p PORT HOST opens the UI, ssh -p PORT HOST CMD runs a command, as the key's user\n\n"+
			"global flags, before or after the command: --store PATH, --identity KEYFILE (else the SSH agent, else ~/.ssh/id_*),\n"+
			"  --user NAME (chooses among the registered users whose keys you hold), --json\n\n"+
			"`relman help CMD` or `relman CMD --help` shows one command's usage with an example.\n\n")
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
	serveFlag := flags.Bool("serve", false, "print the environments, serve the orgs and relman serve (SSH) without a UI until interrupted")
	sshAddr := flags.String("ssh-addr", "127.0.0.1:0", "with --serve: the address of relman serve (port 0: any free port)")
	as := flags.String("user", "alice", "the acting user: alice, bob or carol")
	testMS := flags.Int("test-ms", 400, "milliseconds each simulated Apex test method takes")
	const usage = "usage: relman demo [--dir D] [--serve [--ssh-addr 127.0.0.1:0]] [--user alice|bob|carol] [--test-ms N]"
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stdout, "%s\n\nexample:\n  relman demo --dir ~/relman-demo --user bob\n", usage)
		return nil
	} else if err != nil || flags.NArg() > 0 {
		return usageError{fmt.Errorf("demo: %v\n%s", orArgs(err, flags.Args()), usage)}
	}
	samples, err := fs.Sub(sampleOrgs, "testdata/orgs")
	if err != nil {
		return err
	}
	log := io.Writer(os.Stderr)
	if !*serveFlag {
		log = io.Discard
	}
	d, err := demo.Start(ctx, demo.Options{Dir: *dir, Samples: samples, TestDuration: time.Duration(*testMS) * time.Millisecond, Log: log})
	if err != nil {
		return err
	}
	defer d.Close()
	if *serveFlag {
		fmt.Fprintf(os.Stdout, "store=%s\n", d.StorePath)
		for _, e := range d.Envs {
			fmt.Fprintf(os.Stdout, "env=%s kind=%s instance_url=%s\n", e.Name, e.Kind, e.URL)
		}
		for _, u := range demo.Users {
			fmt.Fprintf(os.Stdout, "user=%s identity=%s\n", u, d.KeyPath(u))
		}
		srv, err := serveDemo(d, *sshAddr)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "users=alice,bob,carol\nready: RELMAN_STORE=%s RELMAN_IDENTITY=%s relman cr list\n", d.StorePath, d.KeyPath("alice"))
		<-ctx.Done()
		return srv.Shutdown(context.Background())
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

// serveDemo starts relman serve on the demo's store, alice (its admin)
// registering the host key, writes a known_hosts for it into the demo
// folder and prints how to ssh in as each demo user.
func serveDemo(d *demo.Demo, addr string) (*serve.Server, error) {
	srv, err := serve.Start(serve.Config{Addr: addr, StorePath: d.StorePath, Log: os.Stderr})
	if err != nil {
		return nil, err
	}
	alice, err := d.As("alice")
	if err == nil {
		_, err = serve.EnsureRegistered(alice, srv.HostKey(), serve.DefaultServerName)
	}
	host, port, _ := net.SplitHostPort(srv.Addr().String())
	knownHosts := filepath.Join(d.Dir, "known_hosts")
	if err == nil {
		err = os.WriteFile(knownHosts, fmt.Appendf(nil, "[%s]:%s %s", host, port, gossh.MarshalAuthorizedKey(srv.HostKey())), 0o600)
	}
	if err != nil {
		srv.Shutdown(context.Background())
		return nil, err
	}
	fmt.Fprintf(os.Stdout, "ssh=%s host_key=%s\n", srv.Addr(), gossh.FingerprintSHA256(srv.HostKey()))
	for _, u := range demo.Users {
		fmt.Fprintf(os.Stdout, "ssh_as_%s: ssh -t -p %s -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s %s\n", u, port, d.KeyPath(u), knownHosts, host)
	}
	return srv, nil
}

func orArgs(err error, rest []string) any {
	if err != nil {
		return err
	}
	return fmt.Sprintf("unexpected arguments %v", rest)
}
