package orgclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"relman/model/metadata"
	"relman/orgclient/salesforce"
)

// Modification is who last changed a component and when, as the org
// reports it (listMetadata's lastModifiedByName and lastModifiedDate).
type Modification struct {
	Component metadata.Component
	At        time.Time
	By        string
}

// SetupChange is one row of an org's Setup Audit Trail.
type SetupChange struct {
	At      time.Time
	By      string
	Action  string
	Section string
	Display string
}

// ChangeTracker is an Org that says who last changed its components and,
// where the org offers one, what its Setup Audit Trail records. A
// directory org is no ChangeTracker: monitoring it knows only what changed.
type ChangeTracker interface {
	// Modifications lists every component with its last modification.
	Modifications(ctx context.Context) ([]Modification, error)
	// SetupAuditTrail lists the trail's rows since the given time, oldest
	// first; ok is false when the org does not offer the trail.
	SetupAuditTrail(ctx context.Context, since time.Time) (rows []SetupChange, ok bool, err error)
}

// maxTrailRows bounds what one read of the Setup Audit Trail keeps.
const maxTrailRows = 50_000

// Modifications implements ChangeTracker with listMetadata.
func (o salesforceOrg) Modifications(ctx context.Context) ([]Modification, error) {
	props, err := o.listProps(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Modification, len(props))
	for i, p := range props {
		out[i] = Modification{Component: p.Component(), At: p.LastModifiedDate.Time, By: p.LastModifiedByName}
	}
	return out, nil
}

// SetupAuditTrail implements ChangeTracker with a SOQL query of
// SetupAuditTrail; an org without access to it (INVALID_TYPE) reports
// ok false.
func (o salesforceOrg) SetupAuditTrail(ctx context.Context, since time.Time) ([]SetupChange, bool, error) {
	// The trail keeps 180 days; rows before since are skipped here rather
	// than filtered in SOQL, which not every org's query endpoint parses
	// date-time literals for.
	soql := "SELECT Action, Section, Display, CreatedDate, CreatedBy.Name FROM SetupAuditTrail ORDER BY CreatedDate"
	var out []SetupChange
	err := o.c.Query(ctx, soql, func(rec json.RawMessage) error {
		if len(out) >= maxTrailRows {
			return fmt.Errorf("environment %s: the Setup Audit Trail has more than %d rows since %s; monitor more often", o.name, maxTrailRows, since.Format(time.RFC3339))
		}
		var r struct {
			Action, Section, Display string
			CreatedDate              string
			CreatedBy                *struct{ Name string }
		}
		if err := json.Unmarshal(rec, &r); err != nil {
			return fmt.Errorf("environment %s: a Setup Audit Trail row: %w", o.name, err)
		}
		row := SetupChange{Action: r.Action, Section: r.Section, Display: r.Display}
		row.At, _ = parseSFTime(r.CreatedDate)
		if r.CreatedBy != nil {
			row.By = r.CreatedBy.Name
		}
		if !row.At.After(since) {
			return nil
		}
		out = append(out, row)
		return nil
	})
	var apiErr *salesforce.APIError
	if errors.As(err, &apiErr) && apiErr.Code == "INVALID_TYPE" {
		return nil, false, nil
	}
	return out, err == nil, err
}

// parseSFTime reads the REST form of a Salesforce date-time
// ("2026-12-01T10:00:00.000+0000").
func parseSFTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date-time %q", s)
}
