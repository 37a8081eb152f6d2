package cli

import (
	"context"
	"fmt"
	"io"
	"os/user"
	"sort"
	"strings"

	"relman/store"
	"relman/ui/actions"
)

// IO is where a command reads and writes, and its environment variables.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Getenv reads an environment variable (os.Getenv in main).
	Getenv func(string) string
	// Remote is set by relman serve for a command an SSH client sent: the
	// store is the server's (RELMAN_STORE from Getenv; --store cannot pick
	// another), commands that serve or read files on the machine itself
	// are refused, and so is every use case that would touch the server's
	// files (actions.Service.Remote).
	Remote bool
}

// command is one `relman GROUP VERB` (or `relman VERB`) handler.
type command struct {
	usage string
	run   func(ctx context.Context, c *runner, args []string) error
	// local commands work with the files and ports of the machine they run
	// on: never over SSH (IO.Remote).
	local bool
}

// runner carries what every command needs.
type runner struct {
	io IO
	g  globals
	// streamed is set once NDJSON progress went to stdout: the closing
	// envelope is then one line too, so the stream stays NDJSON.
	streamed bool
}

// commands maps "group verb" (or a single word) to its handler.
func commands() map[string]command {
	m := map[string]command{}
	for k, v := range envCommands() {
		m["env "+k] = v
	}
	for k, v := range crCommands() {
		m["cr "+k] = v
	}
	for k, v := range deployCommands() {
		m["deploy "+k] = v
	}
	for k, v := range rollbackCommands() {
		m["rollback "+k] = v
	}
	m["audit"] = auditCommand()
	m["sim"] = simCommand()
	for k, v := range compareCommands() {
		m[k] = v
	}
	return m
}

// Run executes one command line (without the program name) and returns its
// exit code. An empty command line is the TUI's job and not handled here.
func Run(ctx context.Context, args []string, io IO) int {
	r := &runner{io: io, g: globals{store: io.Getenv("RELMAN_STORE"), user: io.Getenv("RELMAN_USER")}}
	r.g.json = hasJSONFlag(args)
	cmds := commands()
	name, rest := lookup(cmds, args)
	if name == "" {
		return reportError(io, r.g.json, usageErr("unknown command %q\n%s", strings.Join(args, " "), usageText(cmds)))
	}
	if io.Remote && cmds[name].local {
		return reportError(io, r.g.json, usageErr("%s: works with the files of the machine it runs on, so not over SSH; run `relman %s` on that machine", name, name))
	}
	if err := cmds[name].run(ctx, r, rest); err != nil {
		return reportError(io, r.g.json, err)
	}
	return exitOK
}

// lookup finds the longest command name that prefixes args.
func lookup(cmds map[string]command, args []string) (string, []string) {
	if len(args) >= 2 {
		if _, ok := cmds[args[0]+" "+args[1]]; ok {
			return args[0] + " " + args[1], args[2:]
		}
	}
	if len(args) >= 1 {
		if _, ok := cmds[args[0]]; ok {
			return args[0], args[1:]
		}
	}
	return "", nil
}

// Usage is the list of commands, for `relman help`.
func Usage() string { return usageText(commands()) }

func usageText(cmds map[string]command) string {
	lines := make([]string, 0, len(cmds))
	for _, c := range cmds {
		lines = append(lines, "  relman "+c.usage)
	}
	sort.Strings(lines)
	return "commands:\n" + strings.Join(lines, "\n")
}

// hasJSONFlag lets errors found before flag parsing still honour --json.
func hasJSONFlag(args []string) bool {
	for _, a := range args {
		if a == "--json" || a == "-json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// service opens the store and returns the use cases acting as the user.
func (r *runner) service() (*actions.Service, error) {
	if r.io.Remote && r.g.store != r.io.Getenv("RELMAN_STORE") {
		return nil, usageErr("--store %q: over SSH the store is the server's own; leave --store out", r.g.store)
	}
	if r.io.Remote && r.g.user != "" && !strings.EqualFold(r.g.user, r.io.Getenv("RELMAN_USER")) {
		return nil, usageErr("--user %q: over SSH you act as the user your key belongs to (%s)", r.g.user, r.io.Getenv("RELMAN_USER"))
	}
	path := r.g.store
	if path == "" {
		var err error
		if path, err = store.DefaultPath(); err != nil {
			return nil, err
		}
	}
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	return r.newService(st), nil
}

// newService returns the use cases on st acting as the user, kept from the
// server's files when the command came over SSH.
func (r *runner) newService(st *store.Store) *actions.Service {
	svc := actions.New(st, r.actor())
	svc.Remote = r.io.Remote
	return svc
}

// actor is --user, else RELMAN_USER, else the OS user name.
func (r *runner) actor() string { return ActingUser(r.g.user, r.io.Getenv) }

// ActingUser is given if set, else RELMAN_USER, else the OS user name: the
// user recorded in the audit trail.
func ActingUser(given string, getenv func(string) string) string {
	if given != "" {
		return given
	}
	if u := getenv("RELMAN_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// emit prints result as the JSON envelope, or calls human for people.
func (r *runner) emit(result any, human func(w io.Writer) error) error {
	if r.g.json {
		if r.streamed {
			return writeCompactJSON(r.io.Out, envelope{Status: 0, Result: result, Warnings: []string{}})
		}
		return writeJSON(r.io.Out, envelope{Status: 0, Result: result, Warnings: []string{}})
	}
	return human(r.io.Out)
}

func (r *runner) printf(format string, a ...any) { fmt.Fprintf(r.io.Out, format, a...) }
