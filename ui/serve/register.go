package serve

import (
	"fmt"

	gossh "golang.org/x/crypto/ssh"

	"relman/model"
	"relman/model/sshsig"
	"relman/ui/actions"
)

// DefaultServerName is the registered name of a relman serve's host key.
const DefaultServerName = "relman-serve"

// Registration says how the host key stands in the store.
type Registration struct {
	// Server is the registered server (a user with the server role)
	// holding the host key; empty when none does.
	Server string
	// Added is set when EnsureRegistered registered it just now.
	Added bool
}

// EnsureRegistered makes the server's host key a registered server's, so
// it may sign for SSH sessions whose client forwarded no agent: it already
// is one, or admin (the person starting relman serve, proven by their own
// key) registers it as name, or gives the existing server of that name the
// new key. Without a registered host key the server still runs: sessions
// read, and write only when they forward an agent holding their key.
func EnsureRegistered(admin *actions.Service, hostKey gossh.PublicKey, name string) (Registration, error) {
	users, err := admin.Users()
	if err != nil {
		return Registration{}, err
	}
	pub := sshsig.AuthorizedKey(hostKey)
	for _, u := range users {
		if u.Has(model.RoleServer) && u.HasPublicKey(pub) {
			return Registration{Server: u.Name}, nil
		}
	}
	key, err := sshsig.ParseUserKey(string(gossh.MarshalAuthorizedKey(hostKey)))
	if err != nil {
		return Registration{}, err
	}
	key.Comment = "relman serve host key"
	if existing, ok := users.Find(name); ok {
		if !existing.Has(model.RoleServer) {
			return Registration{}, fmt.Errorf("host key: %s is a person, not a server: choose another --server-name", name)
		}
		_, err = admin.AddUserKey(name, key)
	} else {
		_, err = admin.AddUser(name, []model.Role{model.RoleServer}, key)
	}
	if err != nil {
		return Registration{}, fmt.Errorf("registering the host key %s as server %s: %w; until an admin does (start relman serve as an admin, or relman user add %s --role server --public-key-string %q), sessions write only with a forwarded agent (ssh -A)",
			key.Fingerprint, name, err, name, pub)
	}
	return Registration{Server: name, Added: true}, nil
}
