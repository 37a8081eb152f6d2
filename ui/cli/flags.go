package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"relman/model/metadata"
)

// multiFlag collects a repeatable string flag (--approver bob --approver carol)
// and also accepts comma-separated values (--approver bob,carol).
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*m = append(*m, part)
		}
	}
	return nil
}

// components parses each value as Type:FullName.
func (m multiFlag) components(flagName string) ([]metadata.Component, error) {
	var out []metadata.Component
	for _, v := range m {
		c, err := metadata.ParseComponent(v)
		if err != nil {
			return nil, usageErr("--%s: %v", flagName, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// globals are the flags every command accepts (cli.md "Global").
type globals struct {
	store    string
	user     string
	identity string
	json     bool
}

// Globals are the global flags found by ParseGlobals.
type Globals struct {
	Store, User, Identity string
	JSON                  bool
}

// ParseGlobals takes the global flags (--store, --user, --identity, --json)
// out of args wherever they stand and returns them with the rest: main uses
// it to tell `relman --identity F` (the TUI) from a command.
func ParseGlobals(args []string) (Globals, []string, error) {
	var g globals
	rest, err := g.extract(args)
	return Globals{Store: g.store, User: g.user, Identity: g.identity, JSON: g.json}, rest, err
}

// extract takes the global flags out of args wherever they stand — before
// the command (relman --json cr list) or among its own flags (relman cr list
// --json) — and returns the rest. A "--" ends the flags: what follows is
// passed on untouched.
func (g *globals) extract(args []string) ([]string, error) {
	values := map[string]*string{"store": &g.store, "user": &g.user, "identity": &g.identity}
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "---") {
			rest = append(rest, a)
			continue
		}
		if name == "json" {
			switch {
			case !hasValue:
				g.json = true
			case value == "true" || value == "false":
				g.json = value == "true"
			default:
				return nil, usageErr("--json=%s: use --json alone", value)
			}
			continue
		}
		dst, ok := values[name]
		if !ok {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return nil, usageErr("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if !utf8.ValidString(value) {
			return nil, usageErr("--%s %q is not valid UTF-8 text", name, value)
		}
		*dst = value
	}
	return rest, nil
}

// newFlags returns a flag set for one command; the global flags were taken
// out of the arguments before (globals.extract).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags interspersed with positional arguments, so both
// `cr approve 42 --comment ok` and `cr approve --comment ok 42` work, and
// checks the number of positionals.
func parse(fs *flag.FlagSet, args []string, wantPositional int, usage string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageErr("%s: %v\nusage: relman %s", fs.Name(), err, usage)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	// Names, comments and reasons end up in the audit trail: text that is
	// not UTF-8 would be stored altered, so it is refused whole. Positional
	// arguments (ids, names) are checked by their own rules.
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if v := f.Value.String(); bad == nil && !utf8.ValidString(v) {
			bad = usageErr("%s: --%s %q is not valid UTF-8 text; check the terminal's encoding and type it again", fs.Name(), f.Name, v)
		}
	})
	if bad != nil {
		return nil, bad
	}
	if wantPositional >= 0 && len(pos) != wantPositional {
		return nil, usageErr("%s: expected %d argument(s), got %d (%s)\nusage: relman %s",
			fs.Name(), wantPositional, len(pos), strings.Join(pos, " "), usage)
	}
	return pos, nil
}

// usageError is bad input: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErr(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }
