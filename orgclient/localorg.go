package orgclient

import (
	"context"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// localOrg adapts a directory org to Org.
type localOrg struct{ *local.Org }

// Identity implements Org: a directory has no org id or user; Test
// Connection says what the directory holds.
func (o localOrg) Identity(ctx context.Context) (Identity, error) {
	if err := ctx.Err(); err != nil {
		return Identity{}, err
	}
	d := o.Describe()
	return Identity{APIVersion: d.APIVersion, Instance: d.Dir, Summary: d.String()}, nil
}

// Items implements Org.
func (o localOrg) Items(ctx context.Context, f Filter) ([]metadata.Item, error) {
	return o.Org.Items(ctx, local.Filter{Types: f.Types, Components: f.Components, ExcludeNamespaces: f.ExcludeNamespaces})
}
