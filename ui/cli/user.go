package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"relman/model"
	"relman/model/sshsig"
	"relman/ui/actions"
	"relman/ui/identity"
)

func userCommands() map[string]command {
	return map[string]command{
		"add":  {usage: `user add NAME (--public-key FILE | --public-key-string "ssh-ed25519 …") [--role requester|approver|release-manager|admin ...]`, run: userAdd},
		"list": {usage: "user list", run: userList},
		"show": {usage: "user show NAME", run: userShow},
		"rm":   {usage: "user rm NAME", run: userRemove},
		"key":  {usage: `user key add NAME (--public-key FILE | --public-key-string "…") | user key rm NAME FINGERPRINT`, run: userKey},
	}
}

// userView is a user as printed and as --json gives it.
type userView struct {
	Name  string          `json:"name"`
	Roles []model.Role    `json:"roles"`
	Keys  []model.UserKey `json:"keys"`
}

func viewOfUser(u model.User) userView { return userView{Name: u.Name, Roles: u.Roles, Keys: u.Keys} }

// maxPublicKeyFile bounds a .pub file read.
const maxPublicKeyFile = 16 << 10

// keyFlags binds --public-key and --public-key-string and reads the key
// they give.
type keyFlags struct{ file, text *string }

func bindKeyFlags(fs interface {
	String(name, value, usage string) *string
}) keyFlags {
	return keyFlags{file: fs.String("public-key", "", "the user's public key file (.pub)"),
		text: fs.String("public-key-string", "", `the user's public key itself ("ssh-ed25519 AAAA…")`)}
}

func (k keyFlags) read(r *runner) (model.UserKey, error) {
	switch {
	case *k.file != "" && *k.text != "":
		return model.UserKey{}, usageErr("give --public-key FILE or --public-key-string, not both")
	case *k.text != "":
		key, err := sshsig.ParseUserKey(*k.text)
		if err != nil {
			return model.UserKey{}, usageErr("--public-key-string: %v", err)
		}
		return key, nil
	case *k.file != "":
		data, err := r.readBounded(*k.file, maxPublicKeyFile)
		if err != nil {
			return model.UserKey{}, usageErr("--public-key %s: %v", *k.file, err)
		}
		key, err := sshsig.ParseUserKey(string(data))
		if err != nil {
			return model.UserKey{}, usageErr("--public-key %s: %v", *k.file, err)
		}
		return key, nil
	}
	return model.UserKey{}, usageErr(`give the user's public key: --public-key ~/.ssh/id_ed25519.pub or --public-key-string "ssh-ed25519 AAAA…"`)
}

// readBounded reads a file the user names, at most limit bytes; "-" is
// standard input, the one file an SSH client can give relman serve.
func (r *runner) readBounded(path string, limit int64) ([]byte, error) {
	in := r.io.In
	if path != "-" {
		if err := actions.LocalOnly(r.io.Actor != nil, fmt.Sprintf("reading %q", path)); err != nil {
			return nil, fmt.Errorf("%w (give - to read it from standard input)", err)
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	if in == nil {
		return nil, fmt.Errorf("- means standard input, and there is none here")
	}
	data, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("over %d KiB: not a public key file", limit>>10)
	}
	return data, nil
}

func userAdd(_ context.Context, r *runner, args []string) error {
	usage := userCommands()["add"].usage
	fs := newFlags("user add")
	keys := bindKeyFlags(fs)
	var roleNames multiFlag
	fs.Var(&roleNames, "role", "requester, approver, release-manager or admin (repeatable; the first user is always admin)")
	pos, err := parse(fs, args, 1, usage)
	if err != nil {
		return err
	}
	key, err := keys.read(r)
	if err != nil {
		return err
	}
	roles := make([]model.Role, 0, len(roleNames))
	for _, n := range roleNames {
		role, err := model.ParseRole(n)
		if err != nil {
			return usageErr("--role: %v", err)
		}
		roles = append(roles, role)
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	users, err := svc.Users()
	if err != nil {
		return err
	}
	if len(users) == 0 && r.io.Actor == nil {
		// The first user proves they hold the key they register by signing
		// its registration with it.
		name, err := model.NormalizeUserName(pos[0])
		if err != nil {
			return err
		}
		held, notes, err := identity.Held(r.identityOptions())
		if err != nil {
			return err
		}
		actor, err := identity.Bootstrap(held, name, key, notes)
		if err != nil {
			return err
		}
		svc = actions.New(svc.Store, actor)
	}
	u, err := svc.AddUser(pos[0], roles, key)
	if err != nil {
		return err
	}
	return r.emit(viewOfUser(u), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Registered %s (%s) with key %s.\n", u.Name, u.RoleNames(), key.Fingerprint)
		return err
	})
}

// userArgs parses a user command's arguments and opens the store.
func (r *runner) userArgs(verb string, args []string, want int) ([]string, *actions.Service, error) {
	pos, err := parse(newFlags("user "+verb), args, want, userCommands()[verb].usage)
	if err != nil {
		return nil, nil, err
	}
	svc, err := r.service()
	return pos, svc, err
}

func userList(_ context.Context, r *runner, args []string) error {
	_, svc, err := r.userArgs("list", args, 0)
	if err != nil {
		return err
	}
	users, err := svc.Users()
	if err != nil {
		return err
	}
	views := make([]userView, len(users))
	rows := make([][]string, len(users))
	for i, u := range users {
		views[i] = viewOfUser(u)
		fps := make([]string, len(u.Keys))
		for j, k := range u.Keys {
			fps[j] = k.Fingerprint
		}
		rows[i] = []string{u.Name, u.RoleNames(), strings.Join(fps, " ")}
	}
	return r.emit(views, func(w io.Writer) error {
		if len(users) == 0 {
			_, err := fmt.Fprintln(w, "No users yet. Register yourself first: relman user add NAME --public-key ~/.ssh/id_ed25519.pub")
			return err
		}
		return table(w, []string{"NAME", "ROLES", "KEYS"}, rows)
	})
}

func userShow(_ context.Context, r *runner, args []string) error {
	pos, svc, err := r.userArgs("show", args, 1)
	if err != nil {
		return err
	}
	u, err := svc.RegisteredUser(pos[0])
	if err != nil {
		return err
	}
	return r.emit(viewOfUser(u), func(w io.Writer) error {
		pairs := [][2]string{{"Name", u.Name}, {"Roles", u.RoleNames()}}
		for _, k := range u.Keys {
			pairs = append(pairs, [2]string{"Key", k.Fingerprint + " " + k.Comment + " (added " + k.AddedAt.Local().Format("2006-01-02") + ")"})
		}
		return fields(w, pairs)
	})
}

func userRemove(_ context.Context, r *runner, args []string) error {
	pos, svc, err := r.userArgs("rm", args, 1)
	if err != nil {
		return err
	}
	if err := svc.RemoveUser(pos[0]); err != nil {
		return err
	}
	return r.emit(map[string]string{"removed": strings.ToLower(pos[0])}, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Removed user %s; their past events keep their signatures.\n", strings.ToLower(pos[0]))
		return err
	})
}

// userKey is `user key add NAME …` and `user key rm NAME FINGERPRINT`.
func userKey(_ context.Context, r *runner, args []string) error {
	usage := userCommands()["key"].usage
	if len(args) == 0 || (args[0] != "add" && args[0] != "rm") {
		return usageErr("user key: say add or rm\nusage: relman %s", usage)
	}
	verb, args := args[0], args[1:]
	fs := newFlags("user key " + verb)
	var keys keyFlags
	want := 2
	if verb == "add" {
		keys, want = bindKeyFlags(fs), 1
	}
	pos, err := parse(fs, args, want, usage)
	if err != nil {
		return err
	}
	svc, err := r.service()
	if err != nil {
		return err
	}
	var u model.User
	var done string
	if verb == "add" {
		key, err := keys.read(r)
		if err != nil {
			return err
		}
		if u, err = svc.AddUserKey(pos[0], key); err != nil {
			return err
		}
		done = "Added key " + key.Fingerprint + " to " + u.Name + "."
	} else {
		if u, err = svc.RemoveUserKey(pos[0], pos[1]); err != nil {
			return err
		}
		done = "Removed key " + pos[1] + " from " + u.Name + "."
	}
	return r.emit(viewOfUser(u), func(w io.Writer) error {
		_, err := fmt.Fprintln(w, done)
		return err
	})
}
