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
	store string
	user  string
	json  bool
}

// newFlags returns a flag set for one command with the global flags bound.
func newFlags(name string, g *globals) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.store, "store", g.store, "path of the bbolt store (RELMAN_STORE)")
	fs.StringVar(&g.user, "user", g.user, "acting user recorded in the audit trail (RELMAN_USER)")
	fs.BoolVar(&g.json, "json", g.json, "machine-readable JSON on stdout")
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
