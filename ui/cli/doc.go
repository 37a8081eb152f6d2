// Package cli is relman's non-interactive command line (docs: cli.md): it
// parses commands and flags, calls the use cases in ui/actions, and prints
// aligned tables for people or the Salesforce-CLI-style JSON envelope for
// scripts, with the documented exit codes (0 ok, 1 failed or refused, 2 usage
// or bad input, 68 partial success, 69 still in progress).
//
// It is also the edge where relman learns who acts: Service turns the
// global flags (--identity, --user, taken from anywhere in the command
// line) and the environment (RELMAN_IDENTITY, SSH_AUTH_SOCK, ~/.ssh) into
// a Service acting as a registered user, for the CLI and the TUI alike;
// relman serve instead passes the session's model.Actor in IO.Actor. Every
// human result goes through ui/termsafe.
//
// cli may import model/..., store, orgclient/..., diff, ui/actions,
// ui/identity and ui/termsafe; it never touches bbolt directly and never
// prints a secret.
package cli
