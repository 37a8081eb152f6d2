package serve

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"relman/ui/cli"
)

// Usage is `relman serve`'s line in `relman help`.
const Usage = "serve [--addr 127.0.0.1:2323] [--host-key FILE] [--backup-dir D [--backup-every 1h] [--keep 24]] [--idle-timeout 30m] [--max-sessions 64] [--drain-timeout 30s] [--server-name relman-serve]"

// Main is `relman serve`: it parses args, starts the server on the store
// the global flags name, has the person starting it (their key, as for any
// command) register the host key if it is not yet, serves until ctx ends
// (SIGINT, SIGTERM) and then shuts down gracefully. It returns the exit
// code: 2 for bad flags, 1 when the server cannot start or stop cleanly.
func Main(ctx context.Context, g cli.Globals, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, name, err := parseFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "relman serve: %v\nusage: relman %s\n", err, Usage)
		return 2
	}
	st, err := cli.OpenStore(g)
	if err != nil {
		fmt.Fprintf(stderr, "relman serve: %v\n", err)
		return 1
	}
	cfg.StorePath, cfg.Log = st.Path(), stderr
	srv, err := Start(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "relman serve: %v\n", err)
		return 1
	}
	announce(stdout, srv)
	if admin, err := cli.Service(g, getenv); err != nil {
		srv.logf("the host key stays unregistered: %v", err)
	} else if reg, err := EnsureRegistered(admin, srv.HostKey(), name); err != nil {
		srv.logf("%v", err)
	} else if reg.Added {
		srv.logf("registered the host key as server %s, signed by %s: sessions without ssh -A write through it", reg.Server, admin.User)
	}
	<-ctx.Done()
	srv.logf("shutting down: no new connections; running commands get %s to finish", cfg.DrainTimeout)
	if err := srv.Shutdown(context.Background()); err != nil {
		fmt.Fprintf(stderr, "relman serve: %v\n", err)
		return 1
	}
	return 0
}

// parseFlags reads serve's own flags into a Config and the server name.
func parseFlags(args []string) (Config, string, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := Config{}
	fs.StringVar(&cfg.Addr, "addr", DefaultAddr, "TCP address to listen on")
	fs.StringVar(&cfg.HostKeyPath, "host-key", "", "the server's private host key (created, ed25519 0600, when absent; default <store>.host_key)")
	fs.StringVar(&cfg.Backups.Dir, "backup-dir", "", "take verified backups of the store into this folder")
	fs.DurationVar(&cfg.Backups.Every, "backup-every", time.Hour, "time between two backups (the first at start)")
	fs.IntVar(&cfg.Backups.Keep, "keep", 24, "how many of the newest backups to keep")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", DefaultIdleTimeout, "close a connection idle this long")
	fs.IntVar(&cfg.MaxSessions, "max-sessions", DefaultMaxSessions, "sessions (and connections) open at once at most")
	fs.DurationVar(&cfg.DrainTimeout, "drain-timeout", DefaultDrainTimeout, "on shutdown, how long running commands may finish")
	name := fs.String("server-name", DefaultServerName, "the name the host key is registered under (a user with the server role)")
	if err := fs.Parse(args); err != nil {
		return Config{}, "", err
	}
	switch {
	case fs.NArg() > 0:
		return Config{}, "", fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.Backups.Dir != "" && cfg.Backups.Every < time.Second:
		return Config{}, "", fmt.Errorf("--backup-every %s: give at least 1s, like 1h", cfg.Backups.Every)
	case cfg.IdleTimeout <= 0 || cfg.DrainTimeout <= 0:
		return Config{}, "", fmt.Errorf("--idle-timeout and --drain-timeout must be positive durations, like 30m")
	case cfg.MaxSessions < 1:
		return Config{}, "", fmt.Errorf("--max-sessions %d: allow at least 1", cfg.MaxSessions)
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return Config{}, "", fmt.Errorf("--addr %q: give HOST:PORT, like 127.0.0.1:2323: %v", cfg.Addr, err)
	}
	return cfg, *name, nil
}

// announce prints where the server listens and how to reach it: the first
// lines of stdout, for people and scripts alike.
func announce(w io.Writer, srv *Server) {
	host, port, _ := net.SplitHostPort(srv.Addr().String())
	path, created := srv.HostKeyPath()
	state := "read from"
	if created {
		state = "created in"
	}
	fmt.Fprintf(w, "relman serve: listening on %s, store %s\n", srv.Addr(), srv.StorePath())
	fmt.Fprintf(w, "host key: %s (%s %s)\n", gossh.FingerprintSHA256(srv.HostKey()), state, path)
	fmt.Fprintf(w, "terminal UI: ssh -t -p %s %s\ncommands:    ssh -p %s %s cr list --json\n", port, host, port, host)
}
