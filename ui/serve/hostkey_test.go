package serve

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// The host key is made once (ed25519, 0600, .pub beside it) and then read
// back; a key others can read, or a file that is no key, is refused.
func TestHostKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relman.db.host_key")
	first, created, err := loadHostKey(path)
	if err != nil || !created {
		t.Fatalf("first load: created %v, %v", created, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, %v; want mode 0600", info, err)
	}
	if first.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s, want ed25519", first.PublicKey().Type())
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil || !bytes.Equal(pub, gossh.MarshalAuthorizedKey(first.PublicKey())) {
		t.Errorf("%s.pub: %q, %v", path, pub, err)
	}
	again, created, err := loadHostKey(path)
	if err != nil || created || !bytes.Equal(again.PublicKey().Marshal(), first.PublicKey().Marshal()) {
		t.Errorf("second load: created %v, %v, same key %v", created, err, err == nil && bytes.Equal(again.PublicKey().Marshal(), first.PublicKey().Marshal()))
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
		t.Errorf("a host key others can read: %v, want refused with chmod 600", err)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadHostKey(junk); err == nil || !strings.Contains(err.Error(), "is not an SSH private key") {
		t.Errorf("a file that is no key: %v", err)
	}
}
