package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"relman/model"
)

func changeLogName(id int64) string { return "change " + model.FormatID(model.PrefixChangeLog, id) }

// NextChangeLogID issues a new change log id.
func (tx *Tx) NextChangeLogID() (int64, error) { return tx.nextID(bucketChangeLogs) }

// PutChangeLog stores a change log under its ID.
func (tx *Tx) PutChangeLog(c model.ChangeLog) error {
	tx.touch(model.EntityChangeLog, c.Key())
	return tx.putJSON(bucketChangeLogs, c.ID, changeLogName(c.ID), "NextChangeLogID", c)
}

// ChangeLog reads one change log.
func (tx *Tx) ChangeLog(id int64) (model.ChangeLog, error) {
	var c model.ChangeLog
	err := tx.getJSON(bucketChangeLogs, id, changeLogName(id), &c)
	return c, err
}

// ChangeLogQuery selects change logs; zero fields select everything.
type ChangeLogQuery struct {
	Env    string
	Status model.ComplianceStatus
}

// ListChangeLogs lists the change logs q selects, oldest first.
func (tx *Tx) ListChangeLogs(q ChangeLogQuery) ([]model.ChangeLog, error) {
	return listJSON(tx, bucketChangeLogs, changeLogName, func(c *model.ChangeLog) bool {
		return (q.Env == "" || c.Env == q.Env) && (q.Status == "" || c.Status == q.Status)
	})
}

// PutPolicy stores a policy under its name.
func (tx *Tx) PutPolicy(p model.Policy) error {
	b, err := tx.bucket(bucketPolicies)
	if err != nil {
		return err
	}
	if p.Name == "" {
		return fmt.Errorf("policy without a name: name it %q or after an environment", model.DefaultPolicy)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("policy %s: encoding: %w", p.Name, err)
	}
	tx.touch(model.EntityPolicy, p.Name)
	if err := b.Put([]byte(p.Name), data); err != nil {
		return fmt.Errorf("policy %s: %w", p.Name, err)
	}
	return nil
}

// Policy reads the policy stored under name (model.DefaultPolicy or an
// environment's name); ErrNotFound when there is none.
func (tx *Tx) Policy(name string) (model.Policy, error) {
	b, err := tx.bucket(bucketPolicies)
	if err != nil {
		return model.Policy{}, err
	}
	v := b.Get([]byte(name))
	if v == nil {
		return model.Policy{}, fmt.Errorf("policy %s: %w", name, ErrNotFound)
	}
	var p model.Policy
	if err := json.Unmarshal(v, &p); err != nil {
		return model.Policy{}, damaged("policy "+name, err)
	}
	return p, nil
}

// PolicyFor is the policy that applies to env: its own, else the stored
// default, else model.NewDefaultPolicy.
func (tx *Tx) PolicyFor(env string) (model.Policy, error) {
	for _, name := range []string{env, model.DefaultPolicy} {
		if name == "" {
			continue
		}
		p, err := tx.Policy(name)
		if !errors.Is(err, ErrNotFound) {
			return p, err
		}
	}
	return model.NewDefaultPolicy(), nil
}
