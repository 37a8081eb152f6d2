package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"relman/model"
	"relman/model/sshsig/testkeys"
)

// sessionSigner is a relman serve host key (the test key of host) signing
// for the SSH session of the key of session.
type sessionSigner struct {
	model.Signer
	session string
}

func (s sessionSigner) SessionKey() string { return s.session }

func viaServer(host, session string) model.Signer {
	return sessionSigner{Signer: testkeys.Of(host).Signer(), session: testkeys.Of(session).PublicKey()}
}

// registerServer has alice (the admin) register host's key with the server
// role, as relman serve does when an admin starts it.
func registerServer(t testing.TB, s *Store, host string) {
	t.Helper()
	mustUpdate(t, s, func(tx *Tx) error {
		all, err := tx.Users()
		if err != nil {
			return err
		}
		u, ch, err := model.NewUser(all, "alice", host, []model.Role{model.RoleServer}, testkeys.Of(host).UserKey(), t0)
		if err != nil {
			return err
		}
		if err := tx.PutUser(u); err != nil {
			return err
		}
		return tx.Record(as("alice"), t0, ch)
	})
}

// A registered server's host key signs for a session of one of the user's
// keys; the event names that key, and verify counts it apart.
func TestServerSignsForSessions(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob")
	c := model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "approve"}
	bobViaHost := model.Actor{User: "bob", Signer: viaServer("host", "bob")}
	// Not yet registered as a server: refused.
	err := s.Update(func(tx *Tx) error { return tx.Record(bobViaHost, t0, c) })
	if !errors.Is(err, ErrNoIdentity) || !strings.Contains(err.Error(), "host key") {
		t.Fatalf("an unregistered host key signing for bob: %v, want ErrNoIdentity naming the host key", err)
	}
	registerServer(t, s, "host")
	for _, a := range []model.Actor{
		{User: "bob", Signer: viaServer("host", "alice")},    // the session was alice's, the event claims bob
		{User: "bob", Signer: viaServer("mallory", "bob")},   // a host key nobody registered
		{User: "host", Signer: testkeys.Of("host").Signer()}, // the server acting by itself
	} {
		if err := s.Update(func(tx *Tx) error { return tx.Record(a, t0, c) }); !errors.Is(err, ErrNoIdentity) {
			t.Errorf("Record as %s via %s: %v, want ErrNoIdentity", a.User, a.Signer.PublicKey(), err)
		}
	}
	mustUpdate(t, s, func(tx *Tx) error { return tx.Record(bobViaHost, t0, c) })
	var last model.AuditEvent
	if err := s.View(func(tx *Tx) error {
		evs, err := tx.AuditEvents(AuditQuery{})
		last = evs[len(evs)-1]
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := last.Details[model.DetailSessionKey], testkeys.Of("bob").Fingerprint(); got != want {
		t.Errorf("the server-signed event names session key %q, want bob's %q", got, want)
	}
	res, err := s.Verify()
	if err != nil || !res.OK || res.ServerSigned != 1 || res.Signed != 4 {
		t.Errorf("Verify = %+v, %v; want ok, 4 signed of which 1 by the server", res, err)
	}
}

// A host key signs only for keys its user held at that point: once bob's
// key is gone, an event the server signed for it afterwards fails verify,
// and so does one whose session key was swapped for another user's.
func TestVerifyChecksServerSignedEvents(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob", "carol")
	registerServer(t, s, "host")
	c := model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "approve"}
	mustUpdate(t, s, func(tx *Tx) error {
		return tx.Record(model.Actor{User: "bob", Signer: viaServer("host", "bob")}, t0, c)
	})
	seq := uint64(5) // alice, bob, carol, host, then the approval
	// Whoever holds the host key (and the file) re-signs the altered event.
	rewrite(t, s.Path(), seq, func(ev *model.AuditEvent) {
		ev.Details[model.DetailSessionKey] = testkeys.Of("carol").Fingerprint()
	})
	rawUpdate(t, s.Path(), func(tx *bolt.Tx) error { return resign(tx, seq, "host") })
	res, err := s.Verify()
	if err != nil || res.OK || res.FirstBad != seq || !strings.Contains(res.Reason, "not a key of bob") {
		t.Fatalf("Verify after swapping the session key = %+v, %v; want event %d bad: not a key of bob", res, err, seq)
	}
}

// Once the server is removed, its host key signs for nobody.
func TestRemovedServerSignsNoMore(t *testing.T) {
	s := openTest(t)
	register(t, s, "alice", "bob")
	registerServer(t, s, "host")
	mustUpdate(t, s, func(tx *Tx) error {
		all, err := tx.Users()
		if err != nil {
			return err
		}
		ch, err := model.RemoveUser(all, "alice", "host", t0)
		if err != nil {
			return err
		}
		if err := tx.DeleteUser("host"); err != nil {
			return err
		}
		return tx.Record(as("alice"), t0, ch)
	})
	c := model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "approve"}
	err := s.Update(func(tx *Tx) error {
		return tx.Record(model.Actor{User: "bob", Signer: viaServer("host", "bob")}, t0, c)
	})
	if !errors.Is(err, ErrNoIdentity) {
		t.Errorf("a removed server's host key signing for bob: %v, want ErrNoIdentity", err)
	}
}

// BenchmarkVerifySessionSigned checks a trail of 100,000 events signed by
// their user's own key (the baseline) and one signed by a relman serve host
// key for the user's sessions, measured in the same run: the host key's
// events cost a fingerprint lookup more, never a key parse per event.
func BenchmarkVerifySessionSigned(b *testing.B) {
	const events = 100_000
	for _, c := range []struct {
		name   string
		signer model.Signer
	}{
		{"user", testkeys.Of("bob").Signer()},
		{"server", viaServer("host", "bob")},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := openTest(b)
			register(b, s, "alice", "bob")
			registerServer(b, s, "host")
			for done := 0; done < events; done += 10_000 {
				mustUpdate(b, s, func(tx *Tx) error {
					for i := range 10_000 {
						ch := model.Change{Entity: model.EntityChangeRequest, EntityID: "CR-0001", Action: "edit",
							Details: map[string]string{"revision": fmt.Sprint(done + i)}}
						if err := tx.Record(model.Actor{User: "bob", Signer: c.signer}, t0, ch); err != nil {
							return err
						}
					}
					return nil
				})
			}
			b.ResetTimer()
			for b.Loop() {
				res, err := s.Verify()
				if err != nil || !res.OK || res.Events != events+3 {
					b.Fatalf("Verify = %+v, %v", res, err)
				}
			}
		})
	}
}
