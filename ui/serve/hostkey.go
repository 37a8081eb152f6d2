package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	gossh "golang.org/x/crypto/ssh"
)

// maxHostKeyFile bounds what is read as a host key: an ed25519 or RSA
// private key in OpenSSH form is a few kilobytes.
const maxHostKeyFile = 64 << 10

// DefaultHostKeyPath is where the host key lives unless --host-key says
// otherwise: beside the store, like the store's sealing key.
func DefaultHostKeyPath(storePath string) string { return storePath + ".host_key" }

// loadHostKey reads the server's private host key at path, or creates a
// new ed25519 key there (0600, with path.pub beside it for known_hosts)
// when there is none. created says which.
func loadHostKey(path string) (signer gossh.Signer, created bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		signer, err := createHostKey(path)
		return signer, err == nil, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %v", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %v", path, err)
	}
	// Whoever reads the host key can pose as this server and sign audit
	// events as it: like sshd, refuse a key others may read.
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("host key %s is readable by other accounts (mode %04o): run `chmod 600 %s`", path, perm, path)
	}
	pemBytes, err := io.ReadAll(io.LimitReader(f, maxHostKeyFile+1))
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %v", path, err)
	}
	if len(pemBytes) > maxHostKeyFile {
		return nil, false, fmt.Errorf("host key %s is larger than %d bytes: it is not an SSH private key; give another file with --host-key", path, maxHostKeyFile)
	}
	signer, err = gossh.ParsePrivateKey(pemBytes)
	var missing *gossh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, false, fmt.Errorf("host key %s is protected by a passphrase; relman serve needs a key without one, readable only by its account (ssh-keygen -t ed25519 -N '' -f FILE)", path)
	case err != nil:
		return nil, false, fmt.Errorf("host key %s is not an SSH private key (%v); give another file with --host-key, or remove it to have one created", path, err)
	}
	return signer, false, nil
}

// createHostKey writes a new ed25519 private key to path (0600, never
// overwriting a file) and its public half to path.pub.
func createHostKey(path string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "relman serve host key")
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating host key %s: %v", path, err)
	}
	_, werr := f.Write(pem.EncodeToMemory(block))
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("writing host key %s: %v", path, err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644); err != nil {
		return nil, fmt.Errorf("writing host public key %s.pub: %v", path, err)
	}
	return signer, nil
}
