// Package identity finds out who is acting, once, at the edge of the
// program: it gathers the SSH keys the caller holds (an --identity key file,
// the SSH agent, the usual ~/.ssh/id_* files) and picks the registered user
// owning one of them. The result is a model.Actor — a user name and a
// model.Signer — that main.go and ui/cli hand to actions.New; nothing below
// ever reads a flag, an environment variable or an agent for it. relman
// serve builds the same Actor from an SSH session instead.
//
// A name alone proves nothing: --user only chooses among the users whose
// keys the caller holds.
//
// identity may import relman/model/..., relman/store (for its errors) and
// golang.org/x/crypto/ssh(/agent); it does no terminal output.
package identity
