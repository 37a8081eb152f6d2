package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var userT0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func key(n string) UserKey {
	return UserKey{Fingerprint: "SHA256:" + n, PublicKey: "ssh-ed25519 AAAA" + n}
}

func TestNormalizeUserName(t *testing.T) {
	for in, want := range map[string]string{"alice": "alice", "Alice": "alice", "j.doe-2_x": "j.doe-2_x", "BOB": "bob"} {
		if got, err := NormalizeUserName(in); err != nil || got != want {
			t.Errorf("NormalizeUserName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "mallory\x1b[2K\rbob", "=HYPERLINK(1)", "-rf", ".hidden", "a b", "émile", "bob\n", strings.Repeat("a", 65), "@team"} {
		if _, err := NormalizeUserName(bad); !errors.Is(err, ErrInvalidUser) {
			t.Errorf("NormalizeUserName(%q) = %v, want ErrInvalidUser", bad, err)
		}
	}
}

func TestFirstUserIsAdminThenOnlyAdminsAdd(t *testing.T) {
	alice, ch, err := NewUser(nil, "Alice", "Alice", []Role{RoleApprover}, key("a"), userT0)
	if err != nil || alice.Name != "alice" || !alice.Has(RoleAdmin) || !alice.Has(RoleApprover) || ch.Action != "add" || ch.Details["key"] != key("a").PublicKey {
		t.Fatalf("first user = %+v %+v, %v", alice, ch, err)
	}
	if _, _, err := NewUser(nil, "mallory", "alice", nil, key("m"), userT0); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("someone else registering the first user = %v, want ErrNotAllowed", err)
	}
	all := Users{alice}
	bob, _, err := NewUser(all, "ALICE", "bob", []Role{RoleApprover}, key("b"), userT0)
	if err != nil || bob.Has(RoleAdmin) {
		t.Fatalf("admin adds bob = %+v, %v", bob, err)
	}
	all = append(all, bob)
	if _, _, err := NewUser(all, "bob", "carol", []Role{RoleApprover}, key("c"), userT0); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("a non-admin adding a user = %v, want ErrNotAllowed", err)
	}
	if _, _, err := NewUser(all, "alice", "BOB", []Role{RoleApprover}, key("x"), userT0); !errors.Is(err, ErrUserConflict) {
		t.Errorf("Bob beside bob = %v, want ErrUserConflict", err)
	}
	if _, _, err := NewUser(all, "alice", "carol", []Role{RoleApprover}, key("b"), userT0); !errors.Is(err, ErrUserConflict) {
		t.Errorf("bob's key for carol = %v, want ErrUserConflict", err)
	}
	if _, _, err := NewUser(all, "alice", "carol", nil, key("c"), userT0); !errors.Is(err, ErrInvalidUser) {
		t.Errorf("a user without roles = %v, want ErrInvalidUser", err)
	}
	if _, err := RemoveUser(all, "alice", "alice", userT0); !errors.Is(err, ErrUserConflict) {
		t.Errorf("removing the last admin = %v, want ErrUserConflict", err)
	}
	if ch, err := RemoveUser(all, "alice", "Bob", userT0); err != nil || ch.EntityID != "bob" {
		t.Errorf("admin removes Bob = %+v, %v", ch, err)
	}
}

func TestUserKeys(t *testing.T) {
	alice, _, _ := NewUser(nil, "alice", "alice", nil, key("a"), userT0)
	bob, _, _ := NewUser(Users{alice}, "alice", "bob", []Role{RoleRequester}, key("b"), userT0)
	all := Users{alice, bob}
	bob2, ch, err := AddUserKey(all, "bob", "bob", key("b2"), userT0)
	if err != nil || len(bob2.Keys) != 2 || ch.Action != "key-add" {
		t.Fatalf("bob adds his own key = %+v, %v", bob2, err)
	}
	if _, _, err := AddUserKey(all, "bob", "alice", key("evil"), userT0); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("bob adding a key to alice = %v, want ErrNotAllowed", err)
	}
	if _, _, err := RemoveUserKey(all, "bob", "bob", key("b").Fingerprint, userT0); !errors.Is(err, ErrUserConflict) {
		t.Errorf("removing bob's only key = %v, want ErrUserConflict", err)
	}
	all[1] = bob2
	out, ch, err := RemoveUserKey(all, "alice", "bob", key("b").Fingerprint, userT0)
	if err != nil || len(out.Keys) != 1 || ch.Details["key"] != key("b").PublicKey {
		t.Fatalf("admin removes bob's old key = %+v %+v, %v", out, ch, err)
	}
	// The registry rebuilt from the events follows the same history.
	reg := KeyRegistry{}
	for _, c := range []Change{
		{Entity: EntityUser, EntityID: "bob", Action: "add", Details: map[string]string{"key": key("b").PublicKey}},
		{Entity: EntityUser, EntityID: "bob", Action: "key-add", Details: map[string]string{"key": key("b2").PublicKey}},
		ch,
	} {
		reg.Apply(c.Event("alice", userT0))
	}
	if reg.Holds("Bob", key("b").PublicKey) || !reg.Holds("BOB", key("b2").PublicKey) {
		t.Errorf("registry after the key change = %v", reg)
	}
}

func TestSelfApprovalIgnoresCase(t *testing.T) {
	approvers := []Approver{{User: "bob"}, {User: "alice"}}
	if _, _, err := decide(approvers, ApprovalPending, "alice", "Alice", DecisionApproved, "", "scope", userT0); !errors.Is(err, ErrSelfApproval) {
		t.Errorf("Alice approving alice's request = %v, want ErrSelfApproval", err)
	}
	out, _, err := decide(approvers, ApprovalPending, "alice", "BOB", DecisionApproved, "", "scope", userT0)
	if err != nil || out[0].Decision != DecisionApproved {
		t.Errorf("BOB deciding as listed approver bob = %+v, %v", out, err)
	}
}

// A server (a relman serve host key) is registered with the server role
// alone, never as the store's first user; the registry knows it as one
// and finds each user's keys by fingerprint, until it is removed.
func TestServerRole(t *testing.T) {
	if _, _, err := NewUser(nil, "host", "host", []Role{RoleServer}, key("h"), userT0); !errors.Is(err, ErrInvalidUser) {
		t.Errorf("a server as the first user (an admin) = %v, want ErrInvalidUser", err)
	}
	alice, addAlice, _ := NewUser(nil, "alice", "alice", nil, key("a"), userT0)
	if _, _, err := NewUser(Users{alice}, "alice", "host", []Role{RoleServer, RoleApprover}, key("h"), userT0); !errors.Is(err, ErrInvalidUser) {
		t.Errorf("a server with another role = %v, want ErrInvalidUser", err)
	}
	if r, err := ParseRole("Server"); err != nil || r != RoleServer {
		t.Errorf("ParseRole(Server) = %q, %v", r, err)
	}
	host, addHost, err := NewUser(Users{alice}, "alice", "host", []Role{RoleServer}, key("h"), userT0)
	if err != nil || !host.Has(RoleServer) || len(host.Roles) != 1 {
		t.Fatalf("registering a server = %+v, %v", host, err)
	}
	reg := KeyRegistry{Fingerprint: func(k string) string { return "SHA256:" + strings.TrimPrefix(k, "ssh-ed25519 AAAA") }}
	reg.Apply(addAlice.Event("alice", userT0))
	reg.Apply(addHost.Event("alice", userT0))
	if name, ok := reg.Server(key("h").PublicKey); !ok || name != "host" {
		t.Errorf("Server(host's key) = %q, %v", name, ok)
	}
	if _, ok := reg.Server(key("a").PublicKey); ok {
		t.Error("alice's key counts as a server's")
	}
	if !reg.HoldsFingerprint("alice", key("a").Fingerprint) || reg.HoldsFingerprint("alice", key("h").Fingerprint) || reg.HoldsFingerprint("alice", "") {
		t.Error("HoldsFingerprint does not follow alice's keys")
	}
	reg.Apply(Change{Entity: EntityUser, EntityID: "host", Action: "remove"}.Event("alice", userT0))
	if _, ok := reg.Server(key("h").PublicKey); ok {
		t.Error("a removed server still counts")
	}
	// alice, the first user, is an admin; the server is not, and a removed
	// admin is no longer one.
	if !reg.HoldsAdmin("Alice", key("a").PublicKey) || reg.HoldsAdmin("alice", key("h").PublicKey) || reg.HoldsAdmin("host", key("h").PublicKey) {
		t.Error("HoldsAdmin does not follow the admin role and its keys")
	}
	reg.Apply(Change{Entity: EntityUser, EntityID: "alice", Action: "remove"}.Event("alice", userT0))
	if reg.HoldsAdmin("alice", key("a").PublicKey) {
		t.Error("a removed admin still counts")
	}
}
