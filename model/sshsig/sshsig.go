package sshsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
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

// appendDigest appends the bytes the key signs for the message made of
// parts: the signed data around its digest by alg, computed with hashers.
func appendDigest(dst []byte, hashers *hashers, namespace, alg string, parts ...[]byte) ([]byte, error) {
	var h hash.Hash
	switch alg {
	case hashSHA512:
		h = hashers.get(&hashers.sha512, sha512.New)
	case hashSHA256:
		h = hashers.get(&hashers.sha256, sha256.New)
	default:
		return nil, fmt.Errorf("hash algorithm %q is not sha512 or sha256", alg)
	}
	for _, p := range parts {
		h.Write(p)
	}
	var sum [sha512.Size]byte
	return appendSignedData(dst, namespace, alg, h.Sum(sum[:0])), nil
}

// hashers keeps one hash of each kind, reset for each use.
type hashers struct{ sha512, sha256 hash.Hash }

func (hs *hashers) get(h *hash.Hash, make func() hash.Hash) hash.Hash {
	if *h == nil {
		*h = make()
	}
	(*h).Reset()
	return *h
}

// Sign signs message with s in namespace and returns the binary SSHSIG blob.
// RSA keys sign with rsa-sha2-512, as ssh-keygen does (SSHSIG refuses SHA-1).
func Sign(s ssh.Signer, namespace string, message []byte) ([]byte, error) {
	data, err := appendDigest(nil, &hashers{}, namespace, hashSHA512, message)
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
	pub, _, err := NewVerifier(namespace).verify(sig, message)
	return pub, err
}

// Verifier checks many signatures in one namespace, parsing each distinct
// public key once: verifying an audit trail meets the same few keys over
// and over. A Verifier is not safe for concurrent use; give each goroutine
// its own.
type Verifier struct {
	namespace string
	keys      map[string]verifierKey // by the key's wire bytes
	data      []byte                 // scratch for the signed data
	hashers   hashers
}

type verifierKey struct {
	pub        ssh.PublicKey
	authorized string
}

// NewVerifier returns a Verifier for namespace.
func NewVerifier(namespace string) *Verifier {
	return &Verifier{namespace: namespace, keys: map[string]verifierKey{}}
}

// Verify is the package's Verify of the message made of parts, one after
// the other (they need not be copied together), returning the signing key
// in authorized_keys form, as relman stores keys.
func (v *Verifier) Verify(sig []byte, parts ...[]byte) (string, error) {
	_, authorized, err := v.verify(sig, parts...)
	return authorized, err
}

func (v *Verifier) verify(sig []byte, parts ...[]byte) (ssh.PublicKey, string, error) {
	if len(sig) > maxBlob {
		return nil, "", fmt.Errorf("signature of %d bytes is longer than any SSH signature", len(sig))
	}
	b, err := parseBlob(sig)
	if err != nil {
		return nil, "", err
	}
	if string(b.Namespace) != v.namespace {
		return nil, "", fmt.Errorf("signature is for namespace %q, not %q", b.Namespace, v.namespace)
	}
	key, ok := v.keys[string(b.PublicKey)]
	if !ok {
		pub, err := ssh.ParsePublicKey(b.PublicKey)
		if err != nil {
			return nil, "", fmt.Errorf("signature's public key: %w", err)
		}
		key = verifierKey{pub: pub, authorized: AuthorizedKey(pub)}
		v.keys[string(b.PublicKey)] = key
	}
	// ssh.Signature's wire form is format, blob and, for some key types,
	// more: read by hand like the blob, for the same reason.
	format, rest, ok1 := readString(b.Signature)
	blobBytes, rest, ok2 := readString(rest)
	if !ok1 || !ok2 {
		return nil, "", errors.New("signature value: not an SSH signature")
	}
	s := ssh.Signature{Format: string(format), Blob: blobBytes}
	if len(rest) > 0 {
		s.Rest = rest
	}
	if key.pub.Type() == ssh.KeyAlgoRSA && s.Format == ssh.KeyAlgoRSA {
		return nil, "", errors.New("RSA signature uses SHA-1 (ssh-rsa), which SSHSIG refuses")
	}
	v.data, err = appendDigest(v.data[:0], &v.hashers, v.namespace, string(b.HashAlg), parts...)
	if err != nil {
		return nil, "", err
	}
	if err := key.pub.Verify(v.data, &s); err != nil {
		return nil, "", fmt.Errorf("signature by %s does not match the message: %w", ssh.FingerprintSHA256(key.pub), err)
	}
	return key.pub, key.authorized, nil
}

// parsedBlob is an SSHSIG blob read in place: its fields point into the
// signature's bytes.
type parsedBlob struct {
	PublicKey, Namespace, HashAlg, Signature []byte
}

// parseBlob reads the SSHSIG blob by hand: it is read once per audit event,
// and reflection-based decoding cost more than the hashing.
func parseBlob(sig []byte) (parsedBlob, error) {
	var b parsedBlob
	bad := errors.New("not an SSHSIG v1 signature")
	if len(sig) < len(magic)+4 || string(sig[:len(magic)]) != magic {
		return b, bad
	}
	rest := sig[len(magic):]
	if binary.BigEndian.Uint32(rest) != version {
		return b, bad
	}
	rest = rest[4:]
	var fields [5][]byte
	for i := range fields {
		var ok bool
		if fields[i], rest, ok = readString(rest); !ok {
			return b, fmt.Errorf("not an SSH signature: %w", bad)
		}
	}
	if len(rest) != 0 {
		return b, fmt.Errorf("not an SSH signature: %d bytes after it", len(rest))
	}
	// fields[2] is the reserved string, which nothing reads.
	b.PublicKey, b.Namespace, b.HashAlg, b.Signature = fields[0], fields[1], fields[3], fields[4]
	return b, nil
}

// readString reads an SSH wire string (uint32 length, then the bytes).
func readString(in []byte) (s, rest []byte, ok bool) {
	if len(in) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(in)
	if uint64(n) > uint64(len(in)-4) {
		return nil, nil, false
	}
	return in[4 : 4+n], in[4+n:], true
}

// appendSignedData appends the bytes the key signs (PROTOCOL.sshsig):
// the magic, then namespace, reserved, hash algorithm and hash as strings.
func appendSignedData(dst []byte, namespace, alg string, hash []byte) []byte {
	dst = append(dst, magic...)
	for _, f := range [...]string{namespace, "", alg} {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(f)))
		dst = append(dst, f...)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(hash)))
	return append(dst, hash...)
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
