package sshsig

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"relman/model"
)

// Signer is a model.Signer over an ssh.Signer (a key file's or an agent's).
type Signer struct{ s ssh.Signer }

// NewSigner wraps s.
func NewSigner(s ssh.Signer) Signer { return Signer{s: s} }

// PublicKey is the key in authorized_keys form, without a comment.
func (s Signer) PublicKey() string { return AuthorizedKey(s.s.PublicKey()) }

// Sign makes the SSHSIG signature of message in the relman namespace.
func (s Signer) Sign(message []byte) ([]byte, error) { return Sign(s.s, Namespace, message) }

var _ model.Signer = Signer{}

// AuthorizedKey is pub as "TYPE BASE64", the form relman stores and
// allowed_signers expects.
func AuthorizedKey(pub ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

// ParseUserKey reads one public key in authorized_keys form ("ssh-ed25519
// AAAA… comment") into the model's UserKey. Certificates and keys with
// options are refused: a relman user is a plain key.
func ParseUserKey(text string) (model.UserKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return model.UserKey{}, fmt.Errorf("public key is empty: give the contents of a .pub file, e.g. ~/.ssh/id_ed25519.pub")
	}
	if strings.Contains(text, "PRIVATE KEY") {
		return model.UserKey{}, fmt.Errorf("that is a private key: give the public key (the .pub file) — relman never takes private keys this way")
	}
	pub, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		return model.UserKey{}, fmt.Errorf("public key %q is not in OpenSSH form (ssh-ed25519 AAAA… as in a .pub file): %v", clip(text), err)
	}
	if len(options) > 0 || len(strings.TrimSpace(string(rest))) > 0 {
		return model.UserKey{}, fmt.Errorf("public key %q: give exactly one key without options", clip(text))
	}
	if _, ok := pub.(*ssh.Certificate); ok {
		return model.UserKey{}, fmt.Errorf("public key %q is a certificate: give the plain key", clip(text))
	}
	return model.UserKey{Fingerprint: ssh.FingerprintSHA256(pub), PublicKey: AuthorizedKey(pub), Comment: model.CleanComment(comment)}, nil
}

// Describe names a key as "TYPE SHA256:…" for messages.
func Describe(pub ssh.PublicKey) string { return pub.Type() + " " + ssh.FingerprintSHA256(pub) }

// Fingerprint is the SHA256 fingerprint ("SHA256:…", as ssh-keygen -l shows)
// of a key in authorized_keys form, or "" if it does not parse.
func Fingerprint(authorizedKey string) string {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(authorizedKey))
	if err != nil {
		return ""
	}
	return ssh.FingerprintSHA256(pub)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
