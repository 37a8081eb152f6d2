package model

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

func TestCanonicalIsStable(t *testing.T) {
	e := AuditEvent{Seq: 3, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)), User: "alice",
		Entity: EntityChangeRequest, EntityID: "CR-0001", Action: "approve", Details: map[string]string{"b": "2", "a": "1"}}
	want := `{"seq":3,"time":"2026-01-02T02:04:05.000000006Z","user":"alice","entity":"change-request","entityId":"CR-0001","action":"approve","details":{"a":"1","b":"2"}}`
	if got := string(e.Canonical()); got != want {
		t.Fatalf("canonical =\n%s\nwant\n%s", got, want)
	}
	sealed := e.Seal(GenesisHash)
	if sealed.Hash != ChainHash(GenesisHash, e.Canonical()) || sealed.PrevHash != GenesisHash {
		t.Fatalf("seal = %+v", sealed)
	}
	changed := e
	changed.User = "bob"
	if changed.Seal(GenesisHash).Hash == sealed.Hash || bytes.Equal(changed.Canonical(), e.Canonical()) {
		t.Fatal("a changed event hashes the same")
	}
	if e.Seal(sealed.Hash).Hash == sealed.Hash {
		t.Fatal("the previous hash does not feed the hash")
	}
}

func TestCredentialsNeverPrint(t *testing.T) {
	c := Credentials{AccessToken: "00Dxx!secret-token", Password: "hunter2"}
	env := Environment{Name: "p", Credentials: c}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out := fmt.Sprintf(verb, env) + fmt.Sprintf(verb, c)
		if bytes.Contains([]byte(out), []byte("secret-token")) || bytes.Contains([]byte(out), []byte("hunter2")) {
			t.Fatalf("%s leaked a secret: %s", verb, out)
		}
	}
}
