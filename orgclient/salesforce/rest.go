package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"relman/model/metadata"
)

// getJSON GETs path on the instance and decodes its JSON answer. GETs are
// idempotent, so they are retried after 5xx answers and timeouts.
func (c *Client) getJSON(ctx context.Context, op, path string, out any) error {
	return c.do(ctx, request{op: op, method: http.MethodGet, path: path, idempotent: true}, func(resp *http.Response) error {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return &ResponseError{StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
				Problem: "the answer is not the expected JSON: " + err.Error()}
		}
		return nil
	})
}

// Identity is who the client is signed in as, and where (§1.7).
type Identity struct {
	OrgID       string
	UserID      string
	Username    string
	DisplayName string
	InstanceURL string
	APIVersion  string
}

// Identity calls /services/oauth2/userinfo (§1.7): what Test Connection shows.
func (c *Client) Identity(ctx context.Context) (Identity, error) {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return Identity{}, err
	}
	var u struct {
		OrganizationID    string `json:"organization_id"`
		UserID            string `json:"user_id"`
		PreferredUsername string `json:"preferred_username"`
		Name              string `json:"name"`
	}
	if err := c.getJSON(ctx, "identity", "/services/oauth2/userinfo", &u); err != nil {
		return Identity{}, err
	}
	return Identity{OrgID: u.OrganizationID, UserID: u.UserID, Username: u.PreferredUsername, DisplayName: u.Name,
		InstanceURL: c.InstanceURL(), APIVersion: v}, nil
}

// Limit is one entry of the org's limits, e.g. DailyApiRequests (§1.7).
type Limit struct {
	Max       int64 `json:"Max"`
	Remaining int64 `json:"Remaining"`
}

// Limits returns the org's limits by name (GET …/limits/, §1.7).
func (c *Client) Limits(ctx context.Context) (map[string]Limit, error) {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return nil, err
	}
	var out map[string]Limit
	if err := c.getJSON(ctx, "limits", "/services/data/v"+v+"/limits/", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ToolingQuery runs a Tooling API SOQL query and calls fn with each record,
// following nextRecordsUrl until done (§4.1). An error from fn stops the
// query and is returned as is.
func (c *Client) ToolingQuery(ctx context.Context, soql string, fn func(record json.RawMessage) error) error {
	return c.query(ctx, "tooling/query", soql, fn)
}

// Query runs a SOQL query through the data API (/query), following
// nextRecordsUrl, and hands each record to fn (§4.1).
func (c *Client) Query(ctx context.Context, soql string, fn func(record json.RawMessage) error) error {
	return c.query(ctx, "query", soql, fn)
}

func (c *Client) query(ctx context.Context, resource, soql string, fn func(record json.RawMessage) error) error {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return err
	}
	op := strings.ReplaceAll(resource, "/", " ")
	path := "/services/data/v" + v + "/" + resource + "/?" + url.Values{"q": {soql}}.Encode()
	for {
		var page struct {
			Done           bool              `json:"done"`
			NextRecordsURL string            `json:"nextRecordsUrl"`
			Records        []json.RawMessage `json:"records"`
		}
		if err := c.getJSON(ctx, op, path, &page); err != nil {
			return err
		}
		for _, r := range page.Records {
			if err := fn(r); err != nil {
				return err
			}
		}
		if page.Done {
			return nil
		}
		// Only a path on this instance is followed, so a bad answer cannot
		// send the bearer token to another host.
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/") {
			return c.opErr(op, &ResponseError{StatusCode: http.StatusOK, ContentType: "application/json",
				Problem: "done is false but nextRecordsUrl is not a /services/data/ path on this instance"})
		}
		path = page.NextRecordsURL
	}
}

// Dependency is one MetadataComponentDependency row: the component
// references the Ref component (§4.2). Names are as the Dependency API gives
// them (a custom field is "Region", not "Account.Region__c"), so match on
// the ids, which listMetadata also reports.
type Dependency struct {
	ComponentID        string `json:"MetadataComponentId"`
	ComponentName      string `json:"MetadataComponentName"`
	ComponentNamespace string `json:"MetadataComponentNamespace"`
	ComponentType      string `json:"MetadataComponentType"`
	RefID              string `json:"RefMetadataComponentId"`
	RefName            string `json:"RefMetadataComponentName"`
	RefNamespace       string `json:"RefMetadataComponentNamespace"`
	RefType            string `json:"RefMetadataComponentType"`
}

// Limits of the Dependency API's Tooling queries (§4.2).
const (
	// maxDependencyRows is the most rows one query returns; there is no
	// queryMore, so a full page may be cut short.
	maxDependencyRows = 2000
	// dependencyIDsPerQuery keeps the GET URL short (each id adds ~40 bytes).
	dependencyIDsPerQuery = 100
)

// folderTypes need a folder in listMetadata queries (§2.4).
var folderTypes = map[string]bool{"Dashboard": true, "Document": true, "EmailTemplate": true, "Report": true}

// Dependencies returns what the given components reference in the org. It
// finds their ids with listMetadata, then queries MetadataComponentDependency
// by id: the Dependency API rejects WHERE filters on component names and
// accepts only =, !=, AND and OR (Tooling API reference, §4.2). Components
// the org does not have yet are skipped: they have no dependencies there.
func (c *Client) Dependencies(ctx context.Context, components []metadata.Component) ([]Dependency, error) {
	want := map[metadata.Component]bool{}
	seen := map[ListQuery]bool{}
	var queries []ListQuery
	for _, comp := range components {
		want[comp] = true
		q := ListQuery{Type: comp.Type}
		if folder, _, ok := strings.Cut(comp.FullName, "/"); ok && folderTypes[comp.Type] {
			q.Folder = folder
		}
		if !seen[q] {
			seen[q] = true
			queries = append(queries, q)
		}
	}
	props, err := c.ListMetadata(ctx, queries)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range props {
		if want[p.Component()] && p.ID != "" {
			ids = append(ids, p.ID)
		}
	}
	slices.Sort(ids)
	return c.DependenciesByID(ctx, slices.Compact(ids))
}

// DependenciesByID returns the MetadataComponentDependency rows whose
// referencing component has one of ids, querying in batches and splitting a
// batch that hits the 2000-row cap (§4.2).
func (c *Client) DependenciesByID(ctx context.Context, ids []string) ([]Dependency, error) {
	var all []Dependency
	for batch := range slices.Chunk(ids, dependencyIDsPerQuery) {
		rows, err := c.dependencyQuery(ctx, batch)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
	}
	return all, nil
}

func (c *Client) dependencyQuery(ctx context.Context, ids []string) ([]Dependency, error) {
	where := make([]string, len(ids))
	for i, id := range ids {
		where[i] = "MetadataComponentId = " + soqlQuote(id)
	}
	soql := "SELECT MetadataComponentId, MetadataComponentName, MetadataComponentNamespace, MetadataComponentType, " +
		"RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentNamespace, RefMetadataComponentType " +
		"FROM MetadataComponentDependency WHERE " + strings.Join(where, " OR ")
	var rows []Dependency
	err := c.ToolingQuery(ctx, soql, func(rec json.RawMessage) error {
		var d Dependency
		if err := json.Unmarshal(rec, &d); err != nil {
			return c.opErr("dependencies", &ResponseError{StatusCode: http.StatusOK, ContentType: "application/json",
				Problem: "a MetadataComponentDependency record is not the expected JSON: " + err.Error()})
		}
		rows = append(rows, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rows) < maxDependencyRows {
		return rows, nil
	}
	if len(ids) == 1 {
		return nil, c.opErr("dependencies", fmt.Errorf("component %s has %d or more dependencies; the Tooling API returns at most %d rows per query and cannot page them, so the list would be incomplete",
			ids[0], maxDependencyRows, maxDependencyRows))
	}
	half := len(ids) / 2
	a, err := c.dependencyQuery(ctx, ids[:half])
	if err != nil {
		return nil, err
	}
	b, err := c.dependencyQuery(ctx, ids[half:])
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// soqlQuote writes a SOQL string literal: backslash escapes quote and
// backslash, and control characters are refused by the org anyway.
func soqlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return "'" + r.Replace(s) + "'"
}
