// Package sshsig signs and verifies messages in OpenSSH's SSHSIG format, the
// format of `ssh-keygen -Y sign` and of git's SSH-signed commits, so every
// relman audit event can be checked with OpenSSH alone:
//
//	ssh-keygen -Y verify -f allowed_signers -I USER -n relman -s SEQ.sig < SEQ.msg
//
// It holds no keys and does no I/O: a Signer wraps an ssh.Signer the caller
// got from a key file or an SSH agent (ui/identity does that at the edge).
// Pure crypto over golang.org/x/crypto/ssh; it may import relman/model and
// nothing else of relman.
package sshsig
