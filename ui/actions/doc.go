// Package actions holds relman's use cases: each user action (create a change
// request, approve it, sync it to a sandbox, push it back, test an
// environment, …) written once against the store and the org client, and
// called by both the terminal UI and the command line.
//
// A use case reads what it needs, calls the org outside any store
// transaction (an org call can take seconds; a transaction holds the store's
// lock), then applies the pure rule from model inside one Update together
// with its audit events, re-reading the records so that a change made by
// another relman process in between is never overwritten.
//
// A Service acts for one model.Actor given to New by the edge (ui/cli's
// Service for the CLI and the TUI; relman serve for an SSH session): every
// write checks the actor holds a registered key (and the role the action
// needs) and signs its audit events with it. Without one, reads work and
// writes are refused with Service.Unproven.
//
// actions may import model/..., store, orgclient/... and diff; never the
// Charm libraries or bbolt directly.
package actions
