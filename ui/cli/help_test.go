package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEveryCommandHasAnExample: `relman help CMD` shows one for each, and
// no example is left for a command that is gone.
func TestEveryCommandHasAnExample(t *testing.T) {
	cmds := commands()
	for name := range cmds {
		ex := examples[name]
		if !strings.HasPrefix(ex, "relman "+name) {
			t.Errorf("%s: example %q does not run the command", name, ex)
		}
	}
	for name := range examples {
		if _, ok := cmds[name]; !ok {
			t.Errorf("example for %q, which is no command", name)
		}
	}
}

// TestHelpForms: `help CMD`, `CMD --help` and `CMD -h` print the usage and
// the example and succeed; a group lists its commands; an unknown name is
// a usage error.
func TestHelpForms(t *testing.T) {
	storePath := t.TempDir() + "/relman.db"
	getenv := func(name string) string {
		if name == "RELMAN_STORE" {
			return storePath
		}
		return ""
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), args, IO{Out: &out, Err: &errb, Getenv: getenv})
		return code, out.String(), errb.String()
	}
	for _, args := range [][]string{{"help", "cr", "approve"}, {"cr", "approve", "--help"}, {"cr", "approve", "CR-0001", "-h"},
		{"--json", "cr", "approve", "--help"}} {
		code, out, errs := run(args...)
		if code != exitOK || !strings.Contains(out, "usage: relman cr approve ID [--comment C]") ||
			!strings.Contains(out, "example:\n  relman cr approve CR-0001") || errs != "" {
			t.Errorf("%v: %d\n%s%s", args, code, out, errs)
		}
	}
	if code, out, _ := run("help", "deploy"); code != exitOK || !strings.Contains(out, "relman deploy run ID") || strings.Contains(out, "relman cr ") {
		t.Errorf("help deploy: %d\n%s", code, out)
	}
	if code, _, errs := run("help", "launch"); code != exitUsage || !strings.Contains(errs, `no command "launch"`) {
		t.Errorf("help launch: %d %s", code, errs)
	}
	// After "--" a --help is an argument, not a request for help.
	if code, out, _ := run("cr", "show", "--", "--help"); code == exitOK || strings.Contains(out, "example:") {
		t.Errorf("cr show -- --help printed help")
	}
}
