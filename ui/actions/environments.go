package actions

import (
	"context"
	"errors"
	"fmt"

	"relman/model"
	"relman/store"
)

// ErrEnvironmentExists refuses to overwrite an environment by adding it again.
var ErrEnvironmentExists = errors.New("environment already exists")

// AddEnvironment validates and stores a new environment with its sealed
// credentials.
func (s *Service) AddEnvironment(env model.Environment) (model.Environment, error) {
	if err := model.ValidateEnvironment(env); err != nil {
		return env, err
	}
	if err := s.serverFilesOf(env); err != nil {
		return env, err
	}
	now := s.now()
	env.CreatedAt, env.UpdatedAt, env.LastTest = now, now, nil
	err := s.update(model.RoleAdmin, func(tx *store.Tx) error {
		if _, err := tx.Environment(env.Name); err == nil {
			return fmt.Errorf("environment %s: %w; remove it first with `relman env rm %s` or choose another name", env.Name, ErrEnvironmentExists, env.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.PutEnvironment(env); err != nil {
			return err
		}
		details := map[string]string{"kind": string(env.Kind), "connection": string(env.Connection)}
		if env.Dir != "" {
			details["dir"] = env.Dir
		}
		if env.URL != "" {
			details["url"], details["auth"] = env.URL, string(env.Auth)
		}
		if !env.Credentials.IsZero() {
			details["credentials"] = "stored encrypted"
		}
		return s.record(tx, now, model.Change{Entity: model.EntityEnvironment, EntityID: env.Name, Action: "add", Details: details})
	})
	return env, err
}

// RemoveEnvironment deletes an environment and its credentials. Change
// requests that name it keep their history.
func (s *Service) RemoveEnvironment(name string) error {
	now := s.now()
	return s.update(model.RoleAdmin, func(tx *store.Tx) error {
		if _, err := tx.Environment(name); err != nil {
			return err
		}
		if err := tx.DeleteEnvironment(name); err != nil {
			return err
		}
		return s.record(tx, now, model.Change{Entity: model.EntityEnvironment, EntityID: name, Action: "remove"})
	})
}

// Environment reads one environment.
func (s *Service) Environment(name string) (model.Environment, error) {
	var env model.Environment
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		env, err = tx.Environment(name)
		return err
	})
	return env, err
}

// Environments lists every environment by name.
func (s *Service) Environments() ([]model.Environment, error) {
	var envs []model.Environment
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		envs, err = tx.Environments()
		return err
	})
	return envs, err
}

// TestEnvironment runs Test Connection and records its result.
func (s *Service) TestEnvironment(ctx context.Context, name string) (model.Environment, error) {
	return s.testConnection(ctx, name)
}

// UpdateEnvironment replaces an environment's settings. With keepSecrets, a
// secret left blank keeps its stored value, so an edit form never has to
// show or re-ask for credentials. Changing the connection clears the last
// Test Connection result: it described another org.
func (s *Service) UpdateEnvironment(env model.Environment, keepSecrets bool) (model.Environment, error) {
	if err := s.serverFilesOf(env); err != nil {
		return env, err
	}
	now := s.now()
	var saved model.Environment
	err := s.update(model.RoleAdmin, func(tx *store.Tx) error {
		cur, err := tx.Environment(env.Name)
		if err != nil {
			return err
		}
		if keepSecrets {
			env.Credentials = mergeCredentials(cur.Credentials, env.Credentials)
		}
		if err := model.ValidateEnvironment(env); err != nil {
			return err
		}
		env.CreatedAt, env.UpdatedAt, env.LastTest = cur.CreatedAt, now, cur.LastTest
		if env.Connection != cur.Connection || env.Dir != cur.Dir || env.URL != cur.URL || env.Auth != cur.Auth {
			env.LastTest = nil
		}
		if err := tx.PutEnvironment(env); err != nil {
			return err
		}
		saved = env
		details := map[string]string{"kind": string(env.Kind), "connection": string(env.Connection)}
		if env.Dir != "" {
			details["dir"] = env.Dir
		}
		if env.URL != "" {
			details["url"], details["auth"] = env.URL, string(env.Auth)
		}
		if env.Credentials != cur.Credentials {
			details["credentials"] = "replaced, stored encrypted"
		}
		return s.record(tx, now, model.Change{Entity: model.EntityEnvironment, EntityID: env.Name, Action: "edit", Details: details})
	})
	return saved, err
}

// mergeCredentials keeps each stored secret the update leaves blank.
func mergeCredentials(stored, update model.Credentials) model.Credentials {
	pick := func(u, s string) string {
		if u != "" {
			return u
		}
		return s
	}
	return model.Credentials{
		AccessToken:  pick(update.AccessToken, stored.AccessToken),
		RefreshToken: pick(update.RefreshToken, stored.RefreshToken),
		ClientSecret: pick(update.ClientSecret, stored.ClientSecret),
		Password:     pick(update.Password, stored.Password),
		SfdxAuthURL:  pick(update.SfdxAuthURL, stored.SfdxAuthURL),
	}
}

// serverFilesOf refuses, in a relman serve session, an environment that
// would make relman read the server's files: a metadata directory, a JWT key
// file, or the Salesforce CLI's logins of the server's account.
func (s *Service) serverFilesOf(env model.Environment) error {
	switch {
	case env.Dir != "":
		return s.LocalOnly(fmt.Sprintf("environment %s: the directory %q", env.Name, env.Dir))
	case env.KeyFile != "":
		return s.LocalOnly(fmt.Sprintf("environment %s: the key file %q", env.Name, env.KeyFile))
	case env.Auth == model.AuthSfAlias:
		return s.LocalOnly(fmt.Sprintf("environment %s: the Salesforce CLI login %q", env.Name, env.Alias))
	}
	return nil
}
