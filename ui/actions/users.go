package actions

import (
	"time"

	"relman/model"
	"relman/store"
)

// Users lists the registered users.
func (s *Service) Users() (model.Users, error) {
	var us model.Users
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		us, err = tx.Users()
		return err
	})
	return us, err
}

// RegisteredUser reads one registered user (any case).
func (s *Service) RegisteredUser(name string) (model.User, error) {
	var u model.User
	err := s.Store.View(func(tx *store.Tx) error {
		var err error
		u, err = tx.User(name)
		return err
	})
	return u, err
}

// AddUser registers a user with one key. On an empty store the acting user
// registers themselves and becomes the first admin; the event is signed
// with the very key being registered, so the caller must hold it.
func (s *Service) AddUser(name string, roles []model.Role, key model.UserKey) (model.User, error) {
	return s.changeUser(func(all model.Users, now time.Time) (model.User, model.Change, error) {
		return model.NewUser(all, s.User, name, roles, key, now)
	})
}

// RemoveUser unregisters a user; their past events keep verifying.
func (s *Service) RemoveUser(name string) error {
	now := s.now()
	return s.update(model.RoleAdmin, func(tx *store.Tx) error {
		all, err := tx.Users()
		if err != nil {
			return err
		}
		ch, err := model.RemoveUser(all, s.User, name, now)
		if err != nil {
			return err
		}
		if err := tx.DeleteUser(ch.EntityID); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
}

// AddUserKey gives a user another key (an admin, or the user themself).
func (s *Service) AddUserKey(name string, key model.UserKey) (model.User, error) {
	return s.changeUser(func(all model.Users, now time.Time) (model.User, model.Change, error) {
		return model.AddUserKey(all, s.User, name, key, now)
	})
}

// RemoveUserKey takes a key from a user (an admin, or the user themself).
func (s *Service) RemoveUserKey(name, fingerprint string) (model.User, error) {
	return s.changeUser(func(all model.Users, now time.Time) (model.User, model.Change, error) {
		return model.RemoveUserKey(all, s.User, name, fingerprint, now)
	})
}

// changeUser applies a user rule to everyone registered and stores the
// user it returns with its event, in one transaction.
func (s *Service) changeUser(rule func(all model.Users, now time.Time) (model.User, model.Change, error)) (model.User, error) {
	var u model.User
	now := s.now()
	err := s.update("", func(tx *store.Tx) error {
		all, err := tx.Users()
		if err != nil {
			return err
		}
		var ch model.Change
		if u, ch, err = rule(all, now); err != nil {
			return err
		}
		if err := tx.PutUser(u); err != nil {
			return err
		}
		return s.record(tx, now, ch)
	})
	return u, err
}
