package identity

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"relman/model"
	"relman/model/sshsig"
	"relman/store"
)

// Options say where to look for the caller's keys and whom they want to be.
type Options struct {
	// IdentityFile is --identity or RELMAN_IDENTITY: a private key file
	// (like ssh -i). When set, only it is used.
	IdentityFile string
	// User is --user or RELMAN_USER: which of the users whose keys the
	// caller holds to act as; empty when only one is possible.
	User string
	// AgentSocket is SSH_AUTH_SOCK.
	AgentSocket string
	// Home is the home directory holding .ssh/id_ed25519, id_ecdsa, id_rsa.
	Home string
}

// FromEnv reads the options from flags already parsed (identityFlag,
// userFlag; empty when not given) and the environment.
func FromEnv(identityFlag, userFlag string, getenv func(string) string) Options {
	o := Options{IdentityFile: identityFlag, User: userFlag, AgentSocket: getenv("SSH_AUTH_SOCK"), Home: getenv("HOME")}
	if o.IdentityFile == "" {
		o.IdentityFile = getenv("RELMAN_IDENTITY")
	}
	if o.User == "" {
		o.User = getenv("RELMAN_USER")
	}
	return o
}

// maxKeyFile bounds a private key file read: the largest real one (RSA
// 16384) is a few kilobytes.
const maxKeyFile = 64 << 10

// defaultKeys are tried, in order, when no identity file is given.
var defaultKeys = []string{"id_ed25519", "id_ecdsa", "id_rsa"}

// Held returns the keys the caller holds: the identity file's alone when
// one is given, else the agent's and the default files'. Keys that cannot
// be used (a passphrase-protected default file, an agent that does not
// answer) are skipped; why is in the notes, for the error that says no key
// was found.
func Held(o Options) (signers []model.Signer, notes []string, err error) {
	if o.IdentityFile != "" {
		s, err := ReadKeyFile(o.IdentityFile)
		if err != nil {
			return nil, nil, err
		}
		return []model.Signer{s}, nil, nil
	}
	seen := map[string]bool{}
	add := func(s model.Signer) {
		if !seen[s.PublicKey()] {
			seen[s.PublicKey()] = true
			signers = append(signers, s)
		}
	}
	if o.AgentSocket != "" {
		agentSigners, err := agentKeys(o.AgentSocket)
		if err != nil {
			notes = append(notes, "the SSH agent at SSH_AUTH_SOCK did not answer ("+err.Error()+")")
		}
		for _, s := range agentSigners {
			add(s)
		}
	}
	if o.Home != "" {
		for _, name := range defaultKeys {
			path := filepath.Join(o.Home, ".ssh", name)
			if _, err := os.Stat(path); err != nil {
				continue
			}
			s, err := ReadKeyFile(path)
			if err != nil {
				notes = append(notes, err.Error())
				continue
			}
			add(s)
		}
	}
	return signers, notes, nil
}

// ReadKeyFile reads an unencrypted OpenSSH (or PEM) private key. The key
// stays in memory only; relman never writes or prints it.
func ReadKeyFile(path string) (model.Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w; give the private key file of a registered key with --identity or RELMAN_IDENTITY", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("identity %s is over %d KiB: it is not an SSH private key", path, maxKeyFile>>10)
	}
	s, err := ssh.ParsePrivateKey(data)
	clear(data)
	var pass *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &pass):
		return nil, fmt.Errorf("identity %s is protected by a passphrase: load it into your SSH agent (ssh-add %s) and run relman without --identity", path, path)
	case err != nil:
		return nil, fmt.Errorf("identity %s is not an SSH private key (%v): give the private half of a registered key, e.g. ~/.ssh/id_ed25519", path, err)
	}
	return sshsig.NewSigner(s), nil
}

// agentKeys asks the SSH agent for its keys. The connection stays open for
// the signers to use; it ends with the process.
func agentKeys(socket string) ([]model.Signer, error) {
	conn, err := net.DialTimeout("unix", socket, 2*time.Second)
	if err != nil {
		return nil, err
	}
	list, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, err
	}
	out := make([]model.Signer, len(list))
	for i, s := range list {
		out[i] = sshsig.NewSigner(s)
	}
	return out, nil
}

// Resolve picks the acting user among users for the keys held: the owner
// of one of them, the one named by want if several are possible. The error
// says exactly what to do when no registered key is held; the Actor then
// still carries the wanted name, for reads.
func Resolve(users model.Users, held []model.Signer, want string, notes []string) (model.Actor, error) {
	if len(users) == 0 {
		return model.Actor{User: want}, fmt.Errorf("%w: no user is registered in this store yet; register yourself first (you become its admin): relman user add NAME --public-key ~/.ssh/id_ed25519.pub", store.ErrNoIdentity)
	}
	type match struct {
		user   model.User
		signer model.Signer
	}
	var matches []match
	for _, s := range held {
		for _, u := range users {
			if u.HasPublicKey(s.PublicKey()) && !slices.ContainsFunc(matches, func(m match) bool { return m.user.Name == u.Name }) {
				matches = append(matches, match{u, s})
			}
		}
	}
	if want != "" {
		for _, m := range matches {
			if model.SameUser(m.user.Name, want) {
				return model.Actor{User: m.user.Name, Signer: m.signer}, nil
			}
		}
		if _, ok := users.Find(want); !ok {
			return model.Actor{User: want}, fmt.Errorf("%w: --user %s is not a registered user; relman user list shows who is", store.ErrNoIdentity, want)
		}
		return model.Actor{User: want}, fmt.Errorf("%w: you hold no key of %s (%s); a name proves nothing: use their key with --identity FILE or ssh-add%s", store.ErrNoIdentity, want, heldText(held), noteText(notes))
	}
	switch len(matches) {
	case 0:
		return model.Actor{}, fmt.Errorf("%w: none of the keys you hold (%s) is registered; ask an admin to run relman user add (or user key add) with your public key%s", store.ErrNoIdentity, heldText(held), noteText(notes))
	case 1:
		return model.Actor{User: matches[0].user.Name, Signer: matches[0].signer}, nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = m.user.Name
	}
	return model.Actor{}, fmt.Errorf("%w: you hold the keys of %s: choose one with --user", store.ErrNoIdentity, strings.Join(names, ", "))
}

// Bootstrap is the actor registering themselves as the first user of a
// store: name, signing with the held key that is the one being registered.
func Bootstrap(held []model.Signer, name string, key model.UserKey, notes []string) (model.Actor, error) {
	for _, s := range held {
		if s.PublicKey() == key.PublicKey {
			return model.Actor{User: name, Signer: s}, nil
		}
	}
	return model.Actor{}, fmt.Errorf("%w: the first user registers themselves and signs that with the key registered; you do not hold %s: pass its private half with --identity FILE or ssh-add it%s", store.ErrNoIdentity, key.Fingerprint, noteText(notes))
}

func heldText(held []model.Signer) string {
	if len(held) == 0 {
		return "no key: no --identity, no agent key, no ~/.ssh/id_ed25519, id_ecdsa or id_rsa"
	}
	fps := make([]string, len(held))
	for i, s := range held {
		fps[i] = sshsig.Fingerprint(s.PublicKey())
	}
	return strings.Join(fps, ", ")
}

func noteText(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}
