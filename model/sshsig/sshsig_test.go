package sshsig_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"relman/model/sshsig"
	"relman/model/sshsig/testkeys"
)

func signers(t *testing.T) map[string]ssh.Signer {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ssh.Signer{}
	for name, k := range map[string]any{"ecdsa": ec, "rsa": rk} {
		s, err := ssh.NewSignerFromKey(k)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	return out
}

func TestSignVerifyRoundTrip(t *testing.T) {
	msg := []byte("0000 event bytes")
	alice := testkeys.Of("alice")
	sig, err := alice.Signer().Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sshsig.Verify(sig, msg, sshsig.Namespace)
	if err != nil || sshsig.AuthorizedKey(pub) != alice.PublicKey() {
		t.Fatalf("Verify = %v, %v", pub, err)
	}
	if _, err := sshsig.Verify(sig, []byte("0000 event bytez"), sshsig.Namespace); err == nil {
		t.Error("a changed message verified")
	}
	if _, err := sshsig.Verify(sig, msg, "git"); err == nil {
		t.Error("a relman signature verified in namespace git")
	}
	if back, err := sshsig.Unarmor(sshsig.Armor(sig)); err != nil || string(back) != string(sig) {
		t.Errorf("armor round trip: %v", err)
	}
	for name, s := range signers(t) {
		sig, err := sshsig.Sign(s, sshsig.Namespace, msg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := sshsig.Verify(sig, msg, sshsig.Namespace); err != nil {
			t.Errorf("%s signature does not verify: %v", name, err)
		}
	}
}

// TestOpenSSHAgrees checks relman's signatures with ssh-keygen -Y verify,
// and ssh-keygen's with Verify, for ed25519, ECDSA and RSA keys.
func TestOpenSSHAgrees(t *testing.T) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed (apt-get install openssh-client): OpenSSH cannot be asked")
	}
	dir := t.TempDir()
	msg := []byte("relman event\n{\"seq\":1}")
	msgFile := filepath.Join(dir, "1.msg")
	if err := os.WriteFile(msgFile, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	all := signers(t)
	alice := testkeys.Of("alice")
	keyFile := alice.WriteIdentity(t, dir)
	var allowed strings.Builder
	sigs := map[string][]byte{}
	all["ed25519"] = alice.SSHSigner()
	for name, s := range all {
		if sigs[name], err = sshsig.Sign(s, sshsig.Namespace, msg); err != nil {
			t.Fatal(err)
		}
		allowed.WriteString(name + " namespaces=\"relman\" " + sshsig.AuthorizedKey(s.PublicKey()) + "\n")
	}
	signersFile := filepath.Join(dir, "allowed_signers")
	if err := os.WriteFile(signersFile, []byte(allowed.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, sig := range sigs {
		sigFile := filepath.Join(dir, name+".sig")
		if err := os.WriteFile(sigFile, sshsig.Armor(sig), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(keygen, "-Y", "verify", "-f", signersFile, "-I", name, "-n", "relman", "-s", sigFile)
		cmd.Stdin = strings.NewReader(string(msg))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("ssh-keygen -Y verify of relman's %s signature: %v\n%s", name, err, out)
		}
		cmd = exec.Command(keygen, "-Y", "verify", "-f", signersFile, "-I", name, "-n", "relman", "-s", sigFile)
		cmd.Stdin = strings.NewReader(string(msg) + "x")
		if err := cmd.Run(); err == nil {
			t.Errorf("ssh-keygen accepted relman's %s signature for another message", name)
		}
	}
	// And the other way: ssh-keygen signs, relman verifies.
	cmd := exec.Command(keygen, "-Y", "sign", "-f", keyFile, "-n", "relman", msgFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
	armored, err := os.ReadFile(msgFile + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := sshsig.Unarmor(armored)
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := sshsig.Verify(sig, msg, sshsig.Namespace); err != nil || sshsig.AuthorizedKey(pub) != alice.PublicKey() {
		t.Errorf("ssh-keygen's signature: %v, %v", pub, err)
	}
}
