package sshsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Namespace is the SSHSIG namespace of every relman signature (`-n relman`):
// a relman signature is never valid as a git commit or file signature, nor
// the other way round.
const Namespace = "relman"

const (
	magic      = "SSHSIG"
	version    = 1
	hashSHA512 = "sha512"
	hashSHA256 = "sha256"
	// maxBlob bounds a signature read from a store or a file: the largest
	// real one (RSA 16384) is far below it.
	maxBlob = 16 << 10
)

// blob is the SSHSIG signature blob (PROTOCOL.sshsig).
type blob struct {
	Magic     [6]byte
	Version   uint32
	PublicKey []byte
	Namespace string
	Reserved  string
	HashAlg   string
	Signature []byte
}

// signedData is what the key actually signs: the message's digest with the
// namespace, so a signature cannot be replayed in another namespace.
type signedData struct {
	Magic     [6]byte
	Namespace string
	Reserved  string
	HashAlg   string
	Hash      []byte
}

func digest(alg string, message []byte) ([]byte, error) {
	switch alg {
	case hashSHA512:
		h := sha512.Sum512(message)
		return h[:], nil
	case hashSHA256:
		h := sha256.Sum256(message)
		return h[:], nil
	}
	return nil, fmt.Errorf("hash algorithm %q is not sha512 or sha256", alg)
}

func toSign(namespace, alg string, message []byte) ([]byte, error) {
	h, err := digest(alg, message)
	if err != nil {
		return nil, err
	}
	sd := signedData{Namespace: namespace, HashAlg: alg, Hash: h}
	copy(sd.Magic[:], magic)
	return ssh.Marshal(sd), nil
}

// Sign signs message with s in namespace and returns the binary SSHSIG blob.
// RSA keys sign with rsa-sha2-512, as ssh-keygen does (SSHSIG refuses SHA-1).
func Sign(s ssh.Signer, namespace string, message []byte) ([]byte, error) {
	data, err := toSign(namespace, hashSHA512, message)
	if err != nil {
		return nil, err
	}
	var sig *ssh.Signature
	if as, ok := s.(ssh.AlgorithmSigner); ok && s.PublicKey().Type() == ssh.KeyAlgoRSA {
		sig, err = as.SignWithAlgorithm(nil, data, ssh.KeyAlgoRSASHA512)
	} else {
		sig, err = s.Sign(nil, data)
	}
	if err != nil {
		return nil, fmt.Errorf("signing with %s key %s: %w", s.PublicKey().Type(), ssh.FingerprintSHA256(s.PublicKey()), err)
	}
	b := blob{Version: version, PublicKey: s.PublicKey().Marshal(), Namespace: namespace, HashAlg: hashSHA512,
		Signature: ssh.Marshal(sig)}
	copy(b.Magic[:], magic)
	return ssh.Marshal(b), nil
}

// Verify checks that sig is a valid SSHSIG signature of message in namespace
// and returns the public key that made it. The caller decides whether that
// key was allowed to sign.
func Verify(sig, message []byte, namespace string) (ssh.PublicKey, error) {
	if len(sig) > maxBlob {
		return nil, fmt.Errorf("signature of %d bytes is longer than any SSH signature", len(sig))
	}
	var b blob
	if err := ssh.Unmarshal(sig, &b); err != nil {
		return nil, fmt.Errorf("not an SSH signature: %w", err)
	}
	if string(b.Magic[:]) != magic || b.Version != version {
		return nil, errors.New("not an SSHSIG v1 signature")
	}
	if b.Namespace != namespace {
		return nil, fmt.Errorf("signature is for namespace %q, not %q", b.Namespace, namespace)
	}
	pub, err := ssh.ParsePublicKey(b.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("signature's public key: %w", err)
	}
	var s ssh.Signature
	if err := ssh.Unmarshal(b.Signature, &s); err != nil {
		return nil, fmt.Errorf("signature value: %w", err)
	}
	if pub.Type() == ssh.KeyAlgoRSA && s.Format == ssh.KeyAlgoRSA {
		return nil, errors.New("RSA signature uses SHA-1 (ssh-rsa), which SSHSIG refuses")
	}
	data, err := toSign(namespace, b.HashAlg, message)
	if err != nil {
		return nil, err
	}
	if err := pub.Verify(data, &s); err != nil {
		return nil, fmt.Errorf("signature by %s does not match the message: %w", ssh.FingerprintSHA256(pub), err)
	}
	return pub, nil
}

// Armor is the PEM-like text form ssh-keygen writes to .sig files.
func Armor(sig []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString("-----BEGIN SSH SIGNATURE-----\n")
	enc := base64.StdEncoding.EncodeToString(sig)
	for len(enc) > 70 {
		buf.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	buf.WriteString(enc + "\n-----END SSH SIGNATURE-----\n")
	return buf.Bytes()
}

// Unarmor reverses Armor.
func Unarmor(text []byte) ([]byte, error) {
	s := strings.TrimSpace(string(text))
	const begin, end = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
	if !strings.HasPrefix(s, begin) || !strings.HasSuffix(s, end) {
		return nil, errors.New("not an armored SSH signature (-----BEGIN SSH SIGNATURE-----)")
	}
	body := strings.Join(strings.Fields(s[len(begin):len(s)-len(end)]), "")
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("armored SSH signature: %w", err)
	}
	return b, nil
}
