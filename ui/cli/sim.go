package cli

import (
	"context"
	"fmt"
	"time"

	"relman/orgclient/sim"
)

func simCommand() command {
	return command{usage: "sim --dir DIR [--addr 127.0.0.1:0] [--token T] [--username U --password P] [--kind production|sandbox] [--test-ms N] [--fault KIND=VALUE ...]", run: runSim, local: true}
}

// runSim serves a simulated Salesforce org until the context ends
// (SIGINT/SIGTERM). Its first stdout lines say how to reach it (cli.md).
func runSim(ctx context.Context, r *runner, args []string) error {
	usage := simCommand().usage
	fs := newFlags("sim")
	cfg := sim.Config{}
	fs.StringVar(&cfg.Dir, "dir", "", "metadata directory backing the org (source or Metadata API format)")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address (loopback)")
	fs.StringVar(&cfg.Token, "token", "", "fix the access token")
	fs.StringVar(&cfg.Username, "username", "", "enable the password grant for this username")
	fs.StringVar(&cfg.Password, "password", "", "the password grant's password")
	fs.StringVar(&cfg.Kind, "kind", sim.KindProduction, "production or sandbox")
	testMS := fs.Int("test-ms", 50, "milliseconds each simulated Apex test method takes")
	var faults multiFlag
	fs.Var(&faults, "fault", "inject a fault: latency=DURATION, error-rate=FRACTION, expire-session-after=N, request-limit=N (repeatable)")
	if _, err := parse(fs, args, 0, usage); err != nil {
		return err
	}
	if cfg.Dir == "" {
		return usageErr("sim: --dir is required\nusage: relman %s", usage)
	}
	if *testMS < 0 {
		return usageErr("sim: --test-ms %d: must be 0 or more", *testMS)
	}
	cfg.TestDuration = time.Duration(*testMS) * time.Millisecond
	for _, f := range faults {
		apply, err := sim.ParseFault(f)
		if err != nil {
			return usageErr("sim: --fault %v", err)
		}
		apply(&cfg.Faults)
	}
	srv, err := sim.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	// These lines are the simulator's contract with scripts: printed first,
	// one per line, then the process serves until it is stopped.
	fmt.Fprintf(r.io.Out, "instance_url=%s\naccess_token=%s\nrefresh_token=%s\n", srv.URL(), srv.AccessToken(), srv.RefreshToken())
	if f, ok := r.io.Out.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	<-ctx.Done()
	return nil
}
