package actions

import (
	"context"

	"relman/model/metadata"
)

// Components lists every component of an environment, for the editor's
// customization picker. The UI caches the answer per environment.
func (s *Service) Components(ctx context.Context, envName string) ([]metadata.Component, error) {
	env, err := s.Environment(envName)
	if err != nil {
		return nil, err
	}
	org, err := s.Open(env)
	if err != nil {
		return nil, err
	}
	return org.Components(ctx)
}
