// Package model is relman's domain in pure Go: environments, change requests
// with approvers and decisions, deployment records and their logs, compare
// logs, users with their roles and SSH keys, the audit event with its
// canonical encoding and hash chain, and checkpoints of that chain. Who acts
// is a model.Actor: a user name and a model.Signer holding one of their
// keys (model/sshsig implements the signature format).
//
// Every rule of the release process (docs: process.md) is a pure function
// here that takes the current value, the acting user and the time, and
// returns the new value or a *RuleError naming the rule that refused the move
// and what to do instead. Persistence (store), org access (orgclient) and
// presentation (ui) build on these functions and never re-implement a rule.
//
// model may import only model/... packages and the standard library;
// model/sshsig alone also imports golang.org/x/crypto/ssh (pure crypto, no
// I/O).
package model
