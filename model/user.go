package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// EntityUser is the audit entity of users and their keys.
const EntityUser = "user"

// Role is what a registered user may do.
type Role string

// The roles (process.md "User").
const (
	RoleRequester      Role = "requester"       // creates change requests, deployment and rollback records
	RoleApprover       Role = "approver"        // may be listed as an approver and decide
	RoleReleaseManager Role = "release-manager" // runs retrieve, validate, deploy and rollback
	RoleAdmin          Role = "admin"           // manages users and environments
)

// Roles lists every role a person can hold, in the order they are shown.
var Roles = []Role{RoleRequester, RoleApprover, RoleReleaseManager, RoleAdmin}

// RoleServer is not a person's: it registers the host key of a relman
// serve, which signs the events of SSH sessions whose client forwarded no
// agent, each naming the session's key (SessionSigner). It goes alone, and
// a server never acts by itself.
const RoleServer Role = "server"

// rolesShown is every role in the order they are shown, the server's last.
var rolesShown = append(slices.Clone(Roles), RoleServer)

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	for _, r := range rolesShown {
		if strings.EqualFold(strings.TrimSpace(s), string(r)) {
			return r, nil
		}
	}
	return "", ErrInvalidUser.With(fmt.Sprintf("role %q: use requester, approver, release-manager or admin (or server, alone, for a relman serve host key)", s))
}

// UserKey is one SSH public key of a user.
type UserKey struct {
	// Fingerprint is "SHA256:…" as ssh-keygen -l prints it.
	Fingerprint string `json:"fingerprint"`
	// PublicKey is the key in authorized_keys form without a comment.
	PublicKey string    `json:"publicKey"`
	Comment   string    `json:"comment,omitempty"`
	AddedAt   time.Time `json:"addedAt"`
}

// User is a registered person. Who acts is proven by holding the private
// half of one of Keys; the name alone proves nothing.
type User struct {
	// Name is folded to lower case: names compare case-insensitively.
	Name      string    `json:"name"`
	Roles     []Role    `json:"roles"`
	Keys      []UserKey `json:"keys"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Has reports whether u holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// KeyByFingerprint returns u's key with that fingerprint.
func (u User) KeyByFingerprint(fp string) (UserKey, bool) {
	for _, k := range u.Keys {
		if k.Fingerprint == fp {
			return k, true
		}
	}
	return UserKey{}, false
}

// HasPublicKey reports whether the key (authorized_keys form) is one of u's.
func (u User) HasPublicKey(pub string) bool {
	return slices.ContainsFunc(u.Keys, func(k UserKey) bool { return k.PublicKey == pub })
}

// RoleNames is the roles joined with commas, as events and lists show them.
func (u User) RoleNames() string { return joinRoles(u.Roles) }

func joinRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// maxUserName bounds a user name; it is shown in every list and event.
const maxUserName = 64

// NormalizeUserName checks a user name and folds it to lower case. Names are
// letters, digits, '.', '_' and '-', start with a letter or digit and are at
// most 64 long: nothing a terminal or a spreadsheet could interpret.
func NormalizeUserName(name string) (string, error) {
	bad := func(why string) (string, error) {
		return "", ErrInvalidUser.With(fmt.Sprintf("user name %q %s: use letters a-z, digits, '.', '_' or '-', starting with a letter or digit (at most %d)", name, why, maxUserName))
	}
	switch {
	case name == "":
		return bad("is empty")
	case len(name) > maxUserName:
		return bad("is too long")
	}
	for i, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		case i > 0 && (r == '.' || r == '_' || r == '-'):
		default:
			return bad(fmt.Sprintf("has %q at position %d", r, i+1))
		}
	}
	return strings.ToLower(name), nil
}

// SameUser compares user names as relman does everywhere: ignoring case.
func SameUser(a, b string) bool { return strings.EqualFold(a, b) }

// CleanComment keeps a key comment printable and short: it is shown, never
// trusted.
func CleanComment(c string) string {
	c = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, strings.TrimSpace(c))
	if len(c) > 100 {
		c = c[:100]
	}
	return c
}

// Signer signs audit events with one SSH key. The store calls it where it
// appends an event; implementations hold a key file's key, an SSH agent's,
// or (for relman serve) a session's, so the store never reaches for one.
type Signer interface {
	// PublicKey is the signing key in authorized_keys form, no comment.
	PublicKey() string
	// Sign returns the SSHSIG signature (namespace "relman", binary form)
	// of message.
	Sign(message []byte) ([]byte, error)
}

// SessionSigner is a Signer that signs for an SSH session of relman serve
// whose client forwarded no agent: the server's host key (registered with
// RoleServer) signs, and each event it signs names the session's key in
// its DetailSessionKey, so verify can tell, and check, whose session it was.
type SessionSigner interface {
	Signer
	// SessionKey is the key that authenticated the session, in
	// authorized_keys form without a comment.
	SessionKey() string
}

// DetailSessionKey is the detail of an event signed by a relman serve host
// key: the fingerprint of the SSH session's key, one of the event user's.
const DetailSessionKey = "sessionKey"

// Users is every registered user, what the user rules check against.
type Users []User

// Find returns the user with name (any case).
func (us Users) Find(name string) (User, bool) {
	for _, u := range us {
		if SameUser(u.Name, name) {
			return u, true
		}
	}
	return User{}, false
}

// owner returns the user holding the key with fingerprint fp.
func (us Users) owner(fp string) (User, bool) {
	for _, u := range us {
		if _, ok := u.KeyByFingerprint(fp); ok {
			return u, true
		}
	}
	return User{}, false
}

func (us Users) admins() int {
	n := 0
	for _, u := range us {
		if u.Has(RoleAdmin) {
			n++
		}
	}
	return n
}

// mustBeAdmin refuses actor unless it is a registered admin.
func (us Users) mustBeAdmin(actor, what string) error {
	if a, ok := us.Find(actor); ok && a.Has(RoleAdmin) {
		return nil
	}
	return ErrNotAllowed.With(fmt.Sprintf("%s: only an admin may do this, and %s is not one; ask an admin (relman user list shows them)", what, actor))
}

// selfOrAdmin returns user name if actor may change them: they are the
// user, or an admin.
func (us Users) selfOrAdmin(actor, name, what string) (User, error) {
	u, ok := us.Find(name)
	if !ok {
		return User{}, ErrUnknownUser.With(what + ": no such user")
	}
	if !SameUser(actor, u.Name) {
		if err := us.mustBeAdmin(actor, what); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// NewUser registers name with roles and key. On an empty store the first
// user becomes an admin and must be the actor (they prove it by signing with
// key); after that only an admin adds users.
func NewUser(all Users, actor, name string, roles []Role, key UserKey, now time.Time) (User, Change, error) {
	name, err := NormalizeUserName(name)
	if err != nil {
		return User{}, Change{}, err
	}
	what := "user add " + name
	if len(all) == 0 {
		if !SameUser(actor, name) {
			return User{}, Change{}, ErrNotAllowed.With(what + ": the first user registers themselves, holding the key they register")
		}
		if !slices.Contains(roles, RoleAdmin) {
			roles = append(roles, RoleAdmin)
		}
	} else if err := all.mustBeAdmin(actor, what); err != nil {
		return User{}, Change{}, err
	}
	if _, ok := all.Find(name); ok {
		return User{}, Change{}, ErrUserConflict.With(what + ": a user of that name exists (names ignore case); use relman user key add to give them another key")
	}
	if o, ok := all.owner(key.Fingerprint); ok {
		return User{}, Change{}, ErrUserConflict.With(fmt.Sprintf("%s: key %s is already %s's; every person needs their own key", what, key.Fingerprint, o.Name))
	}
	if len(roles) == 0 {
		return User{}, Change{}, ErrInvalidUser.With(what + ": give at least one --role (requester, approver, release-manager, admin)")
	}
	if slices.Contains(roles, RoleServer) && len(sortedRoles(roles)) > 1 {
		return User{}, Change{}, ErrInvalidUser.With(what + ": the server role goes alone: a relman serve host key signs for SSH sessions and never acts itself")
	}
	roles = sortedRoles(roles)
	key.AddedAt = now
	u := User{Name: name, Roles: roles, Keys: []UserKey{key}, CreatedAt: now, UpdatedAt: now}
	return u, Change{Entity: EntityUser, EntityID: name, Action: "add", Details: map[string]string{
		"roles": joinRoles(roles), "key": key.PublicKey, "fingerprint": key.Fingerprint}}, nil
}

// RemoveUser unregisters name; only an admin may, and never the last admin.
func RemoveUser(all Users, actor, name string, now time.Time) (Change, error) {
	what := "user rm " + name
	if err := all.mustBeAdmin(actor, what); err != nil {
		return Change{}, err
	}
	u, ok := all.Find(name)
	if !ok {
		return Change{}, ErrUnknownUser.With(what + ": no such user")
	}
	if u.Has(RoleAdmin) && all.admins() == 1 {
		return Change{}, ErrUserConflict.With(what + ": " + u.Name + " is the last admin; make another admin first")
	}
	return Change{Entity: EntityUser, EntityID: u.Name, Action: "remove"}, nil
}

// AddUserKey gives name another key; an admin or the user may.
func AddUserKey(all Users, actor, name string, key UserKey, now time.Time) (User, Change, error) {
	what := "user key add " + name
	u, err := all.selfOrAdmin(actor, name, what)
	if err != nil {
		return User{}, Change{}, err
	}
	if o, ok := all.owner(key.Fingerprint); ok {
		return User{}, Change{}, ErrUserConflict.With(fmt.Sprintf("%s: key %s is already %s's", what, key.Fingerprint, o.Name))
	}
	key.AddedAt = now
	u.Keys = append(slices.Clone(u.Keys), key)
	u.UpdatedAt = now
	return u, Change{Entity: EntityUser, EntityID: u.Name, Action: "key-add", Details: map[string]string{
		"key": key.PublicKey, "fingerprint": key.Fingerprint}}, nil
}

// RemoveUserKey takes a key from name; an admin or the user may, but a user
// keeps at least one key.
func RemoveUserKey(all Users, actor, name, fingerprint string, now time.Time) (User, Change, error) {
	what := "user key rm " + name
	u, err := all.selfOrAdmin(actor, name, what)
	if err != nil {
		return User{}, Change{}, err
	}
	if _, ok := u.KeyByFingerprint(fingerprint); !ok {
		return User{}, Change{}, ErrUnknownUser.With(fmt.Sprintf("%s: %s has no key %s (relman user show %s lists them)", what, u.Name, fingerprint, u.Name))
	}
	if len(u.Keys) == 1 {
		return User{}, Change{}, ErrUserConflict.With(what + ": it is " + u.Name + "'s only key; add the new key first, or remove the user")
	}
	removed, _ := u.KeyByFingerprint(fingerprint)
	u.Keys = slices.DeleteFunc(slices.Clone(u.Keys), func(k UserKey) bool { return k.Fingerprint == fingerprint })
	u.UpdatedAt = now
	return u, Change{Entity: EntityUser, EntityID: u.Name, Action: "key-remove", Details: map[string]string{
		"key": removed.PublicKey, "fingerprint": fingerprint}}, nil
}

func sortedRoles(roles []Role) []Role {
	out := make([]Role, 0, len(roles))
	for _, r := range rolesShown {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out
}

// KeyRegistry is who held which key at one point of the audit trail,
// rebuilt from the user events alone: what verify checks signatures
// against. The zero value is empty and ready.
type KeyRegistry struct {
	// Fingerprint computes a key's fingerprint ("SHA256:…") once, as the
	// key is registered, for HoldsFingerprint; without it no fingerprint
	// matches. (model cannot parse keys: model/sshsig does.)
	Fingerprint func(key string) string
	keys        map[string][]registeredKey // user name → keys
	servers     map[string]bool            // names registered with RoleServer
	admins      map[string]bool            // names registered with RoleAdmin
}

// registeredKey is a public key (authorized_keys form) and its fingerprint.
type registeredKey struct{ key, fingerprint string }

// Apply updates the registry with one audit event (other entities are
// ignored).
func (r *KeyRegistry) Apply(ev AuditEvent) {
	if ev.Entity != EntityUser {
		return
	}
	if r.keys == nil {
		r.keys, r.servers, r.admins = map[string][]registeredKey{}, map[string]bool{}, map[string]bool{}
	}
	name := strings.ToLower(ev.EntityID)
	switch ev.Action {
	case "add", "key-add":
		k := registeredKey{key: ev.Details["key"]}
		if r.Fingerprint != nil {
			k.fingerprint = r.Fingerprint(k.key)
		}
		r.keys[name] = append(r.keys[name], k)
		if ev.Action == "add" {
			roles := strings.Split(ev.Details["roles"], ",")
			if slices.Contains(roles, string(RoleServer)) {
				r.servers[name] = true
			}
			if slices.Contains(roles, string(RoleAdmin)) {
				r.admins[name] = true
			}
		}
	case "key-remove":
		r.keys[name] = slices.DeleteFunc(r.keys[name], func(k registeredKey) bool { return k.key == ev.Details["key"] })
	case "remove":
		delete(r.keys, name)
		delete(r.servers, name)
		delete(r.admins, name)
	}
}

// Holds reports whether user held key at this point.
func (r KeyRegistry) Holds(user, key string) bool {
	return slices.ContainsFunc(r.keys[strings.ToLower(user)], func(k registeredKey) bool { return k.key == key })
}

// HoldsAdmin reports whether user was an admin holding key at this point.
func (r KeyRegistry) HoldsAdmin(user, key string) bool {
	return r.admins[strings.ToLower(user)] && r.Holds(user, key)
}

// HoldsFingerprint reports whether user held a key with that fingerprint
// ("SHA256:…") at this point.
func (r KeyRegistry) HoldsFingerprint(user, fingerprint string) bool {
	return fingerprint != "" && slices.ContainsFunc(r.keys[strings.ToLower(user)], func(k registeredKey) bool { return k.fingerprint == fingerprint })
}

// Server returns the server (a user with RoleServer) holding key at this
// point.
func (r KeyRegistry) Server(key string) (name string, ok bool) {
	for name := range r.servers {
		if r.Holds(name, key) {
			return name, true
		}
	}
	return "", false
}

// Empty reports whether no user is registered at this point.
func (r KeyRegistry) Empty() bool { return len(r.keys) == 0 }

// Actor is who performs a change: a registered user's name and a Signer
// holding one of their keys. The edge (key file, SSH agent, or an SSH
// session of relman serve) builds it once; everything below takes it as
// given.
type Actor struct {
	User   string
	Signer Signer
}
