package actions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"relman/model"
	"relman/orgclient"
	"relman/store"
)

// OrgOpener builds the Org for an environment; orgclient.Open in production,
// the same function in tests (the orgs under test are real directories and
// real simulated orgs, not doubles).
type OrgOpener func(model.Environment) (orgclient.Org, error)

// Service runs use cases for one acting user.
type Service struct {
	Store *store.Store
	Open  OrgOpener
	// User is the acting user's registered name, Signer holds one of their
	// keys: every audit event is signed with it. Both come from the edge
	// (key file, SSH agent, or relman serve's SSH session) through New.
	User   string
	Signer model.Signer
	// Unproven says why the caller holds no registered key (Signer is nil):
	// reads work, every write is refused with it.
	Unproven error
	// Now is the clock; time.Now unless a test fixes it.
	Now func() time.Time
	// Remote is set for a session of relman serve: the person acting sits
	// at another machine, so a path they type names a file of the server
	// and a program would run on the server, as the server. Every use case
	// that would read or write a path the user gives, or start a program,
	// refuses then (ErrServerFiles): over SSH relman is only the store.
	Remote bool
}

// ErrServerFiles refuses, in a relman serve session, what would read or
// write the server's files or run a program there.
var ErrServerFiles = errors.New("over SSH relman does not touch the server's files or run programs there")

// LocalOnly refuses what, named by what, in a relman serve session: it
// would read or write the server's files or run a program there.
func (s *Service) LocalOnly(what string) error { return LocalOnly(s.Remote, what) }

// LocalOnly is Service.LocalOnly for edges that have no Service yet.
func LocalOnly(remote bool, what string) error {
	if remote {
		return fmt.Errorf("%s: %w; run it on the server itself, where the files are yours", what, ErrServerFiles)
	}
	return nil
}

// New returns a Service acting as actor on st, opening orgs with
// orgclient.Open. An actor without a Signer may read; its writes are
// refused with store.ErrNoIdentity (or Unproven, when the edge set it).
func New(st *store.Store, actor model.Actor) *Service {
	s := &Service{Store: st, User: actor.User, Signer: actor.Signer, Now: time.Now}
	s.Open = func(env model.Environment) (orgclient.Org, error) {
		return orgclient.OpenRotating(env, func(c model.Credentials) { s.saveRotated(env.Name, c) })
	}
	return s
}

// saveRotated re-seals an environment's credentials the moment the org
// rotated its refresh token: the old one no longer works, so losing the
// new one would break the environment on its next use. The write is
// audited like every other (without the secret).
func (s *Service) saveRotated(name string, c model.Credentials) {
	now := s.now()
	_ = s.update("", func(tx *store.Tx) error {
		e, err := tx.Environment(name)
		if err != nil {
			return err
		}
		e.Credentials, e.UpdatedAt = c, now
		if err := tx.PutEnvironment(e); err != nil {
			return err
		}
		return s.record(tx, now, model.Change{Entity: model.EntityEnvironment, EntityID: name, Action: "credentials-rotated",
			Details: map[string]string{"credentials": "stored encrypted"}})
	})
}

// Actor is who this Service acts as.
func (s *Service) Actor() model.Actor { return model.Actor{User: s.User, Signer: s.Signer} }

func (s *Service) now() time.Time { return s.Now().UTC() }

// update runs fn in a write transaction once the acting user is proven and,
// when need is set, holds that role; the check runs inside the transaction,
// so a role taken away meanwhile counts.
func (s *Service) update(need model.Role, fn func(tx *store.Tx) error) error {
	if err := s.proven(); err != nil {
		return err
	}
	return s.Store.Update(func(tx *store.Tx) error {
		if need != "" {
			if err := s.mustHave(tx, need); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// proven refuses an actor without a registered key: nothing they do could
// be signed.
func (s *Service) proven() error {
	if s.Signer != nil {
		return nil
	}
	if s.Unproven != nil {
		return s.Unproven
	}
	return store.ErrNoIdentity
}

// Allowed returns the refusal an action needing role would meet now (no
// registered key, or the role missing), or nil. Screens offer an action
// only when it is nil, and show the refusal, word for word what the CLI
// prints, when the key is pressed anyway.
func (s *Service) Allowed(need model.Role) error {
	if err := s.proven(); err != nil || need == "" {
		return err
	}
	return s.Store.View(func(tx *store.Tx) error { return s.mustHave(tx, need) })
}

// mustHave refuses unless the acting user holds role.
func (s *Service) mustHave(tx *store.Tx, role model.Role) error {
	u, err := tx.User(s.User)
	if err != nil {
		return err
	}
	if !u.Has(role) {
		return model.ErrNotAllowed.With(u.Name + " does not have the " + string(role) + " role")
	}
	return nil
}

// record appends the changes' audit events inside tx, signed by the actor.
func (s *Service) record(tx *store.Tx, now time.Time, changes ...model.Change) error {
	for _, c := range changes {
		if err := tx.Record(s.Actor(), now, c); err != nil {
			return err
		}
	}
	return nil
}

// testConnection calls the environment's org and stores the result (with its
// audit event) whatever it is, so the screen and `env show` can tell when an
// environment last answered. It returns the updated environment.
func (s *Service) testConnection(ctx context.Context, name string) (model.Environment, error) {
	var env model.Environment
	if err := s.Store.View(func(tx *store.Tx) error {
		var err error
		env, err = tx.Environment(name)
		return err
	}); err != nil {
		return env, err
	}
	result := model.TestResult{At: s.now()}
	id, err := s.identify(ctx, env)
	if err != nil {
		result.Message = err.Error()
	} else {
		result.OK, result.OrgID, result.User, result.APIVersion, result.Instance, result.Message =
			true, id.OrgID, id.User, id.APIVersion, id.Instance, id.Summary
		if env.OrgID != "" && !model.SameOrgID(env.OrgID, id.OrgID) {
			result.OK, result.Message = false, fmt.Sprintf("environment %s is pinned to org %s (its first successful test), but this sign-in landed in org %s; check its credentials and URL, or remove it and add it again if the org really changed",
				name, env.OrgID, id.OrgID)
		}
	}
	now := s.now()
	uerr := s.update("", func(tx *store.Tx) error {
		cur, err := tx.Environment(name)
		if err != nil {
			return err
		}
		cur.LastTest = &result
		cur.UpdatedAt = now
		// The first successful test pins the environment to its org.
		pin := cur.OrgID == "" && result.OK && result.OrgID != "" && cur.Connection == model.ConnSalesforce
		if pin {
			cur.OrgID = result.OrgID
		}
		if err := tx.PutEnvironment(cur); err != nil {
			return err
		}
		env = cur
		details := map[string]string{"ok": boolString(result.OK), "message": result.Message}
		if result.OrgID != "" {
			details["orgId"] = result.OrgID
		}
		if pin {
			details["pinnedOrgId"] = cur.OrgID
		}
		return s.record(tx, now, model.Change{Entity: model.EntityEnvironment, EntityID: name, Action: "test", Details: details})
	})
	if uerr != nil {
		return env, uerr
	}
	return env, nil
}

func (s *Service) identify(ctx context.Context, env model.Environment) (orgclient.Identity, error) {
	org, err := s.Open(env)
	if err != nil {
		return orgclient.Identity{}, err
	}
	return org.Identity(ctx)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
