// Package cli is relman's non-interactive command line (docs: cli.md): it
// parses commands and flags, calls the use cases in ui/actions, and prints
// aligned tables for people or the Salesforce-CLI-style JSON envelope for
// scripts, with the documented exit codes (0 ok, 1 failed or refused, 2 usage
// or bad input, 68 partial success, 69 still in progress).
//
// cli may import model/..., store, orgclient/..., diff and ui/actions; it
// never touches bbolt directly and never prints a secret.
package cli
