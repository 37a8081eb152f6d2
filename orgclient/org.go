package orgclient

import (
	"context"
	"fmt"
	"time"

	"relman/model"
	"relman/model/metadata"
	"relman/orgclient/local"
	"relman/orgclient/salesforce"
)

// Identity is what Test Connection reports about an environment.
type Identity struct {
	OrgID      string
	User       string
	APIVersion string
	Instance   string
	// Summary says in one line what was found, e.g. the layout and component
	// counts of a directory.
	Summary string
}

// Filter narrows what is listed or compared; the zero Filter means everything.
type Filter struct {
	Types             []string
	Components        []metadata.Component
	ExcludeNamespaces []string
}

// Org is one environment as the rest of relman sees it.
type Org interface {
	// Identity calls the org and says who and what it is (Test Connection).
	Identity(ctx context.Context) (Identity, error)
	// Components lists every component of the org.
	Components(ctx context.Context) ([]metadata.Component, error)
	// Items returns the filtered components with their content in source format.
	Items(ctx context.Context, f Filter) ([]metadata.Item, error)
	// Retrieve builds a Metadata API package of the given components.
	Retrieve(ctx context.Context, cs []metadata.Component) (Package, error)
	// Deploy starts deploying a package zip and returns its first state;
	// the job id is in it before any waiting, so a caller can save it.
	Deploy(ctx context.Context, zip []byte, opts DeployOptions) (DeployState, error)
	// QuickDeploy deploys a recent successful validation without running
	// its tests again.
	QuickDeploy(ctx context.Context, validationID string) (DeployState, error)
	// WaitDeploy polls a job until it is done, reporting each change of
	// state to onProgress; it returns the final state with details.
	WaitDeploy(ctx context.Context, jobID string, onProgress func(DeployState)) (DeployState, error)
	// FindDeploys lists the deploy jobs (validations included) the signed-in
	// user started at or after since, newest first: how a deploy whose
	// answer was lost is found again.
	FindDeploys(ctx context.Context, since time.Time) ([]DeployState, error)
	// CancelDeploy asks the org to cancel a running job.
	CancelDeploy(ctx context.Context, jobID string) error
	// Dependencies returns what the org knows the components reference;
	// orgs without a dependency API return nil.
	Dependencies(ctx context.Context, cs []metadata.Component) ([]Reference, error)
}

// Open builds the Org for an environment.
func Open(env model.Environment) (Org, error) { return OpenRotating(env, nil) }

// OpenRotating builds the Org for an environment; rotated receives its
// credentials whenever the org rotates the refresh token, to be stored.
func OpenRotating(env model.Environment, rotated func(model.Credentials)) (Org, error) {
	switch env.Connection {
	case model.ConnLocal:
		o, err := local.Open(env.Dir)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", env.Name, err)
		}
		return localOrg{o}, nil
	case model.ConnSalesforce:
		var opts []salesforce.Option
		if rotated != nil {
			opts = append(opts, salesforce.WithCredentialsUpdate(rotated))
		}
		c, err := salesforce.New(salesforce.ConfigFromEnvironment(env), opts...)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", env.Name, err)
		}
		return salesforceOrg{name: env.Name, c: c}, nil
	}
	return nil, fmt.Errorf("environment %s: unknown connection %q", env.Name, env.Connection)
}
