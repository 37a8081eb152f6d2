package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DeployRequestRow is one deploy job as the Tooling API's DeployRequest
// lists it.
type DeployRequestRow struct {
	ID          string    `json:"Id"`
	Status      string    `json:"Status"`
	CheckOnly   bool      `json:"CheckOnly"`
	CreatedByID string    `json:"CreatedById"`
	CreatedDate time.Time `json:"-"`
}

// MaxRecentDeploys bounds RecentDeploys: more deploys than this by one user
// in the window is not a lookup relman can settle on its own.
const MaxRecentDeploys = 50

// RecentDeploys lists the deploy jobs (validations included) the signed-in
// user started at or after since, newest first. It finds a deploy whose
// answer was lost: the org records the request when it accepts the call.
func (c *Client) RecentDeploys(ctx context.Context, since time.Time) ([]DeployRequestRow, error) {
	id, err := c.Identity(ctx)
	if err != nil {
		return nil, err
	}
	soql := fmt.Sprintf("SELECT Id, Status, CheckOnly, CreatedById, CreatedDate FROM DeployRequest WHERE CreatedDate >= %s AND CreatedById = %s ORDER BY CreatedDate DESC LIMIT %d",
		since.UTC().Format("2006-01-02T15:04:05Z"), soqlQuote(id.UserID), MaxRecentDeploys+1)
	var out []DeployRequestRow
	err = c.ToolingQuery(ctx, soql, func(raw json.RawMessage) error {
		var r DeployRequestRow
		var created struct {
			CreatedDate string `json:"CreatedDate"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return c.opErr("tooling query", fmt.Errorf("reading a DeployRequest: %w", err))
		}
		if json.Unmarshal(raw, &created) == nil {
			r.CreatedDate, _ = parseDateTime(created.CreatedDate)
		}
		out = append(out, r)
		return nil
	})
	if err == nil && len(out) > MaxRecentDeploys {
		err = c.opErr("tooling query", fmt.Errorf("more than %d deploys by this user since %s; find the job in Setup → Deployment Status",
			MaxRecentDeploys, since.UTC().Format(time.RFC3339)))
	}
	return out, err
}
