// Package identitytest makes tests act as a person the way relman itself
// requires: with that person's registered SSH key. It is the one helper for
// it, used by the ui screen tests, the ui/actions tests and the root
// journeys through the built binary (store tests, which cannot import
// ui/..., use model/sshsig/testkeys, the keys underneath):
//
//	svc := identitytest.As(t, st, "bob")            // a Service signing as bob (Team registered)
//	env := identitytest.Env(t, "bob")               // RELMAN_IDENTITY=… for a relman process
//	identitytest.Register(st, identitytest.Team...) // alice (admin), bob, carol, dave
//
// People are registered with every role unless RegisterRoles says
// otherwise; the first one registered in a store becomes its admin, and
// registers the others, exactly as `relman user add` does.
package identitytest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"relman/model"
	"relman/model/sshsig/testkeys"
	"relman/store"
	"relman/ui/actions"
)

// Team is the usual cast of the tests: alice first, so she is the admin.
var Team = []string{"alice", "bob", "carol", "dave"}

// Actor is name acting with their test key.
func Actor(name string) model.Actor { return testkeys.Of(name).Actor() }

// Register registers names (with every role) unless they are registered.
func Register(st *store.Store, names ...string) error {
	for _, n := range names {
		if err := RegisterRoles(st, n, testkeys.AllRoles...); err != nil {
			return err
		}
	}
	return nil
}

// RegisterRoles registers name with exactly roles unless they are
// registered: on an empty store name registers themselves (and becomes
// admin), otherwise the store's first admin registers them.
func RegisterRoles(st *store.Store, name string, roles ...model.Role) error {
	var users model.Users
	if err := st.View(func(tx *store.Tx) error {
		var err error
		users, err = tx.Users()
		return err
	}); err != nil {
		return err
	}
	if _, ok := users.Find(name); ok {
		return nil
	}
	by := name
	for _, u := range users {
		if u.Has(model.RoleAdmin) {
			by = u.Name
			break
		}
	}
	if _, err := actions.New(st, Actor(by)).AddUser(name, roles, testkeys.Of(name).UserKey()); err != nil {
		return fmt.Errorf("identitytest: registering %s: %w", name, err)
	}
	return nil
}

// Service is a Service on st acting as name with their test key. The Team
// and name are registered first (with every role) unless they are, so the
// usual approvers are always there to be listed.
func Service(st *store.Store, name string) (*actions.Service, error) {
	if st != nil {
		if err := Register(st, append(Team, name)...); err != nil {
			return nil, err
		}
	}
	return actions.New(st, Actor(name)), nil
}

// As is Service failing tb on error.
func As(tb testing.TB, st *store.Store, name string) *actions.Service {
	tb.Helper()
	svc, err := Service(st, name)
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// keyDir is one test's folder of key files and the names written there.
type keyDir struct {
	dir   string
	paths map[string]string
}

var (
	filesMu sync.Mutex
	files   = map[testing.TB]*keyDir{}
)

// IdentityFile is name's private key as an OpenSSH key file (0600), with
// its .pub beside it, written once per test into its temporary directory:
// what --identity takes.
func IdentityFile(tb testing.TB, name string) string {
	tb.Helper()
	filesMu.Lock()
	defer filesMu.Unlock()
	kd := files[tb]
	if kd == nil {
		kd = &keyDir{dir: filepath.Join(tb.TempDir(), "keys"), paths: map[string]string{}}
		if err := os.MkdirAll(kd.dir, 0o700); err != nil {
			tb.Fatal(err)
		}
		files[tb] = kd
		tb.Cleanup(func() {
			filesMu.Lock()
			defer filesMu.Unlock()
			delete(files, tb)
		})
	}
	if p, ok := kd.paths[name]; ok {
		return p
	}
	p := testkeys.Of(name).WriteIdentity(tb, kd.dir)
	kd.paths[name] = p
	return p
}

// Env is what makes a relman process act as name: their key file as
// RELMAN_IDENTITY and their name as RELMAN_USER (which alone would prove
// nothing). An agent the developer runs is switched off, so the test sees
// only name's key.
func Env(tb testing.TB, name string) []string {
	tb.Helper()
	return []string{"RELMAN_IDENTITY=" + IdentityFile(tb, name), "RELMAN_USER=" + name, "SSH_AUTH_SOCK="}
}
