package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"relman/model"
)

// PutEnvironment stores an environment. Its credentials are sealed into the
// secrets bucket; the environment record itself never holds them.
func (tx *Tx) PutEnvironment(e model.Environment) error {
	tx.touch(model.EntityEnvironment, e.Name)
	if e.Name == "" {
		return errors.New("environment: a name is required")
	}
	what := "environment " + e.Name
	envs, err := tx.bucket(bucketEnvironments)
	if err != nil {
		return err
	}
	secrets, err := tx.bucket(bucketSecrets)
	if err != nil {
		return err
	}
	data, err := json.Marshal(e) // Credentials are tagged json:"-".
	if err != nil {
		return fmt.Errorf("%s: encoding: %w", what, err)
	}
	if err := envs.Put([]byte(e.Name), data); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if e.Credentials.IsZero() {
		if err := secrets.Delete([]byte(e.Name)); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	// With other secrets stored, a missing key is never made anew, and a
	// key that cannot open them is refused: sealing on would split the
	// store between two keys.
	others := holdsOtherSecrets(secrets, e.Name)
	key, err := tx.s.sealer(!others)
	if err == nil && others {
		err = checkSameKey(secrets, key, e.Name)
	}
	if err != nil {
		return fmt.Errorf("%s: sealing its credentials: %w", what, err)
	}
	plain, err := json.Marshal(e.Credentials)
	if err != nil {
		return fmt.Errorf("%s: encoding its credentials failed", what)
	}
	sealed, err := key.seal(plain, []byte(e.Name))
	clear(plain)
	if err != nil {
		return fmt.Errorf("%s: sealing its credentials: %w", what, err)
	}
	if err := secrets.Put([]byte(e.Name), sealed); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Environment reads one environment with its credentials unsealed.
func (tx *Tx) Environment(name string) (model.Environment, error) {
	envs, err := tx.bucket(bucketEnvironments)
	if err != nil {
		return model.Environment{}, err
	}
	data := envs.Get([]byte(name))
	if data == nil {
		return model.Environment{}, fmt.Errorf("environment %s: %w", name, ErrNotFound)
	}
	return tx.decodeEnvironment(name, data)
}

// Environments lists every environment, sorted by name (byte order), with
// credentials unsealed.
func (tx *Tx) Environments() ([]model.Environment, error) {
	envs, err := tx.bucket(bucketEnvironments)
	if err != nil {
		return nil, err
	}
	var out []model.Environment
	err = envs.ForEach(func(k, v []byte) error {
		e, err := tx.decodeEnvironment(string(k), v)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteEnvironment removes an environment and its credentials.
func (tx *Tx) DeleteEnvironment(name string) error {
	tx.touch(model.EntityEnvironment, name)
	envs, err := tx.bucket(bucketEnvironments)
	if err != nil {
		return err
	}
	secrets, err := tx.bucket(bucketSecrets)
	if err != nil {
		return err
	}
	if envs.Get([]byte(name)) == nil {
		return fmt.Errorf("environment %s: %w", name, ErrNotFound)
	}
	if err := envs.Delete([]byte(name)); err != nil {
		return fmt.Errorf("environment %s: %w", name, err)
	}
	if err := secrets.Delete([]byte(name)); err != nil {
		return fmt.Errorf("environment %s: %w", name, err)
	}
	return nil
}

func (tx *Tx) decodeEnvironment(name string, data []byte) (model.Environment, error) {
	what := "environment " + name
	var e model.Environment
	if err := json.Unmarshal(data, &e); err != nil {
		return model.Environment{}, damaged(what, err)
	}
	secrets, err := tx.bucket(bucketSecrets)
	if err != nil {
		return model.Environment{}, err
	}
	sealed := secrets.Get([]byte(name))
	if sealed == nil {
		return e, nil
	}
	key, err := tx.s.sealer(false)
	if err != nil {
		return model.Environment{}, fmt.Errorf("%s: reading its credentials: %w", what, err)
	}
	plain, err := key.open(sealed, []byte(name))
	if err != nil {
		return model.Environment{}, fmt.Errorf("%s: its credentials cannot be read: %w; set the right key, or enter the credentials again", what, err)
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, &e.Credentials); err != nil {
		// The JSON error could quote the plaintext, so it is not passed on.
		return model.Environment{}, fmt.Errorf("%s: its decrypted credentials are malformed; enter them again", what)
	}
	return e, nil
}
