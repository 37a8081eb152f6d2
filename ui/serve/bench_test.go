package serve

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"relman/ui/cli"
)

// BenchmarkCommandOverSSH is `cr list --json` run locally in-process (the
// baseline), over a new session on an open SSH connection (what relman
// serve adds per command), and over a new connection each time (handshake
// and public-key authentication included), in the same run.
func BenchmarkCommandOverSSH(b *testing.B) {
	f := newFixture(b, nil)
	args := []string{"cr", "list", "--json"}
	b.Run("local", func(b *testing.B) {
		env := map[string]string{"RELMAN_STORE": f.storePath, "RELMAN_IDENTITY": f.keys["bob"]}
		for b.Loop() {
			var out bytes.Buffer
			if code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &out, Getenv: func(k string) string { return env[k] }}); code != 0 {
				b.Fatalf("exit %d: %s", code, out.String())
			}
		}
	})
	b.Run("session", func(b *testing.B) {
		c := f.dial("bob")
		defer c.Close()
		for b.Loop() {
			sess, err := c.NewSession()
			if err != nil {
				b.Fatal(err)
			}
			if out, err := sess.CombinedOutput(strings.Join(args, " ")); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	b.Run("connection", func(b *testing.B) {
		for b.Loop() {
			c := f.dial("bob")
			sess, err := c.NewSession()
			if err != nil {
				b.Fatal(err)
			}
			if out, err := sess.CombinedOutput(strings.Join(args, " ")); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
			c.Close()
		}
	})
}
