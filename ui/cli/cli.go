package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"relman/model"
	"relman/model/metadata"
	"relman/store"
	"relman/ui/actions"
	"relman/ui/common"
	"relman/ui/identity"
	"relman/ui/termsafe"
)

// IO is where a command reads and writes, and its environment variables.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Getenv reads an environment variable (os.Getenv in main).
	Getenv func(string) string
	// Actor, when set, is who runs the command, already proven by the
	// caller: relman serve passes the SSH session's authenticated user.
	// --user, --identity, RELMAN_IDENTITY and the SSH agent are then not
	// consulted, and the command runs remotely: the store is the server's
	// (RELMAN_STORE from Getenv; --store cannot pick another), commands
	// that work with the machine's own files or ports are refused, and so
	// is every use case that would touch the server's files
	// (actions.Service.Remote).
	Actor *model.Actor
}

// command is one `relman GROUP VERB` (or `relman VERB`) handler.
type command struct {
	usage string
	run   func(ctx context.Context, c *runner, args []string) error
	// local commands work with the files and ports of the machine they run
	// on: never over SSH (IO.Actor).
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
	for k, v := range userCommands() {
		m["user "+k] = v
	}
	for k, v := range auditCommands() {
		m[k] = v
	}
	m["sim"] = simCommand()
	m["backup"] = backupCommand()
	for k, v := range compareCommands() {
		m[k] = v
	}
	return m
}

// Run executes one command line (without the program name) and returns its
// exit code. An empty command line is the TUI's job and not handled here.
func Run(ctx context.Context, args []string, io IO) int {
	r := &runner{io: io, g: globals{store: io.Getenv("RELMAN_STORE")}}
	args, err := r.g.extract(args)
	if err != nil {
		return reportError(io, r.g.json, err)
	}
	cmds := commands()
	name, rest := lookup(cmds, args)
	if name == "" {
		return reportError(io, r.g.json, usageErr("unknown command %q\n%s", strings.Join(args, " "), usageText(cmds)))
	}
	if io.Actor != nil && cmds[name].local {
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

// service opens the store and returns the use cases acting as the proven
// user: the one relman serve injected (IO.Actor), else the one Service
// resolves from the flags and the environment.
func (r *runner) service() (*actions.Service, error) {
	g := Globals{Store: r.g.store, User: r.g.user, Identity: r.g.identity}
	if r.io.Actor != nil {
		return r.remoteService(g)
	}
	return Service(g, r.io.Getenv)
}

// remoteService is service for a command relman serve runs: the session's
// user on the server's store, kept from the server's files. Flags that
// would name another store or another person are refused, not ignored.
func (r *runner) remoteService(g Globals) (*actions.Service, error) {
	actor := *r.io.Actor
	switch {
	case g.Store != r.io.Getenv("RELMAN_STORE"):
		return nil, usageErr("--store %q: over SSH the store is the server's own; leave --store out", g.Store)
	case g.Identity != "":
		return nil, usageErr("--identity %q: over SSH you are who your SSH key says (%s); leave --identity out", g.Identity, actor.User)
	case g.User != "" && !model.SameUser(g.User, actor.User):
		return nil, usageErr("--user %q: over SSH you act as the user your key belongs to (%s)", g.User, actor.User)
	}
	st, err := OpenStore(g)
	if err != nil {
		return nil, err
	}
	svc := actions.New(st, actor)
	svc.Remote = true
	return svc, nil
}

// identityOptions are the global flags and variables that say who acts.
func (r *runner) identityOptions() identity.Options {
	return identity.FromEnv(r.g.identity, r.g.user, r.io.Getenv)
}

// OpenStore opens the store of --store, else RELMAN_STORE, else the default
// path.
func OpenStore(g Globals) (*store.Store, error) {
	path := g.Store
	if path == "" {
		var err error
		if path, err = store.DefaultPath(); err != nil {
			return nil, err
		}
	}
	return store.Open(path)
}

// Service is the edge where relman learns who acts, for the CLI and the
// TUI alike: it opens the store, gathers the keys the caller holds
// (--identity / RELMAN_IDENTITY, else the SSH agent and ~/.ssh/id_*) and
// returns the use cases acting as the registered user owning one of them
// (--user / RELMAN_USER choosing among several). Without a registered key
// the Service still reads; its writes are refused with the reason.
func Service(g Globals, getenv func(string) string) (*actions.Service, error) {
	st, err := OpenStore(g)
	if err != nil {
		return nil, err
	}
	users, err := usersOf(st)
	if err != nil {
		return nil, err
	}
	opts := identity.FromEnv(g.Identity, g.User, getenv)
	held, notes, err := identity.Held(opts)
	if err != nil {
		svc := actions.New(st, model.Actor{User: opts.User})
		svc.Unproven = err
		return svc, nil
	}
	actor, err := identity.Resolve(users, held, opts.User, notes)
	svc := actions.New(st, actor)
	svc.Unproven = err
	return svc, nil
}

func usersOf(st *store.Store) (model.Users, error) {
	var users model.Users
	err := st.View(func(tx *store.Tx) error {
		var err error
		users, err = tx.Users()
		return err
	})
	return users, err
}

// emit prints result as the JSON envelope, or calls human for people.
func (r *runner) emit(result any, human func(w io.Writer) error) error {
	if r.g.json {
		if r.streamed {
			return writeCompactJSON(r.io.Out, envelope{Status: 0, Result: result, Warnings: []string{}})
		}
		return writeJSON(r.io.Out, envelope{Status: 0, Result: result, Warnings: []string{}})
	}
	// Names, comments and org answers reach people's terminals: escaped.
	return human(termsafe.Writer(r.io.Out))
}

// emitWarned is emit for results carrying warnings: the envelope's own
// warnings get a one-line summary of them, as the Salesforce CLI does.
func (r *runner) emitWarned(result any, ws []metadata.Warning, human func(w io.Writer) error) error {
	if r.g.json {
		return writeJSON(r.io.Out, envelope{Status: 0, Result: result, Warnings: warningSummary(ws)})
	}
	return human(termsafe.Writer(r.io.Out))
}

// warningSummary is the envelope's one line about a result's warnings.
func warningSummary(ws []metadata.Warning) []string {
	if len(ws) == 0 {
		return []string{}
	}
	return []string{fmt.Sprintf("%s: files not read or classified, or duplicates resolved; see result.warnings", common.Plural(len(ws), "warning"))}
}

func (r *runner) printf(format string, a ...any) {
	fmt.Fprintf(termsafe.Writer(r.io.Out), format, a...)
}
