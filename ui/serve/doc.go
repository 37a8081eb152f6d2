// Package serve is `relman serve`: an SSH server (charmbracelet/wish, the
// library soft-serve is built on) in front of one store, so a team shares
// one audit trail without sharing an OS account.
//
// Each connection authenticates with a public key only; the key must belong
// to a registered person of the store, every other key is refused and
// logged by its fingerprint. A session then runs what relman runs locally,
// never a copy:
//
//   - with a terminal and no command (`ssh -p PORT HOST`): the terminal UI,
//     the same root model ui.Run opens, sized by the session's pty and
//     styled for the session's TERM and NO_COLOR;
//   - with a command (`ssh -p PORT HOST cr list --json`): the same cli.Run
//     on the session's stdin, stdout and stderr, whose exit code becomes the
//     session's exit status.
//
// Both act as the authenticated user (a model.Actor made once per session,
// signer.go): their events are signed by their own key when the client
// forwarded an agent holding one (ssh -A), else by the server's host key
// for the session (model.SessionSigner), which the store accepts only while
// the host key is registered with the server role (EnsureRegistered) and
// which names the session's key in each event, so verify can tell and
// check. Both run with actions.Service's Remote set: the person typing sits
// at another machine, so nothing they type may make relman read or write
// the server's files or start a program there (`--store`, directories as
// orgs, `$EDITOR`, `relman sim`, `backup`).
//
// The server bounds what it holds: at most MaxSessions sessions (and as
// many connections), an idle timeout per connection, and a graceful
// shutdown that stops accepting, quits every terminal UI, lets running
// commands finish until DrainTimeout and then cancels them. Backups, when
// configured, are hot copies of the store taken on a schedule, each
// verified before it counts, the newest Keep kept.
//
// serve may import ui, ui/cli, ui/actions, store, model/... and the Charm
// and golang.org/x/crypto/ssh libraries.
package serve
