package sim

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// sobject is a setup object the simulator answers through SOQL queries
// and the sObject resource: the ones tools read (§4.1, §4.2; the Salesforce
// CLI reads User and Organization when it logs in and deploys).
type sobject struct {
	name          string
	data, tooling bool // answered by /query and /sobjects, by /tooling/…
	// restricted objects refuse ORDER BY, COUNT() and LIKE, as
	// MetadataComponentDependency does (§4.2).
	restricted bool
	fields     []string          // canonical names, in describe order
	rels       map[string]string // relationship field → its id field
	// served says whether this org has the object at all (nil: always).
	served  func(s *Server) bool
	records func(s *Server, ctx context.Context) ([]*sobjectRecord, error)
}

// sobjectRecord is one record: values by canonical field name; a
// relationship holds a *sobjectRecord (or nil).
type sobjectRecord struct {
	typ, id string
	values  map[string]any
}

var sobjects = []*sobject{
	{name: "User", data: true, tooling: true, fields: []string{"Id", "Username", "Name", "FirstName", "LastName", "Alias", "Email",
		"IsActive", "UserType", "ProfileId", "LanguageLocaleKey", "LocaleSidKey", "TimeZoneSidKey", "EmailEncodingKey",
		"CreatedDate", "LastModifiedDate"}, records: (*Server).userRecords},
	{name: "Organization", data: true, tooling: true, fields: []string{"Id", "Name", "InstanceName", "IsSandbox", "OrganizationType",
		"TrialExpirationDate", "NamespacePrefix", "LanguageLocaleKey", "DefaultLocaleSidKey", "TimeZoneSidKey", "Country",
		"CreatedDate", "LastModifiedDate"}, records: (*Server).orgRecords},
	{name: "ApexClass", data: true, tooling: true, fields: []string{"Id", "Name", "NamespacePrefix", "ApiVersion", "Status", "IsValid",
		"LengthWithoutComments", "Body", "CreatedById", "CreatedDate", "LastModifiedById", "LastModifiedDate"},
		records: func(s *Server, ctx context.Context) ([]*sobjectRecord, error) { return s.apexRecords(ctx, "ApexClass") }},
	{name: "ApexTrigger", data: true, tooling: true, fields: []string{"Id", "Name", "TableEnumOrId", "NamespacePrefix", "ApiVersion",
		"Status", "IsValid", "LengthWithoutComments", "Body", "CreatedById", "CreatedDate", "LastModifiedById", "LastModifiedDate"},
		records: func(s *Server, ctx context.Context) ([]*sobjectRecord, error) {
			return s.apexRecords(ctx, "ApexTrigger")
		}},
	{name: "ApexCodeCoverageAggregate", tooling: true, fields: []string{"Id", "ApexClassOrTriggerId", "NumLinesCovered",
		"NumLinesUncovered", "Coverage", "CreatedDate", "LastModifiedDate"}, rels: map[string]string{"ApexClassOrTrigger": "ApexClassOrTriggerId"},
		records: (*Server).coverageRecords},
	{name: "ApexOrgWideCoverage", tooling: true, fields: []string{"Id", "PercentCovered", "CreatedDate", "LastModifiedDate"},
		records: (*Server).orgWideCoverageRecords},
	{name: "DeployRequest", tooling: true, fields: []string{"Id", "Status", "CheckOnly", "IgnoreWarnings", "RollbackOnError",
		"RunTestsEnabled", "StateDetail", "NumberComponentErrors", "NumberComponentsDeployed", "NumberComponentsTotal",
		"NumberTestErrors", "NumberTestsCompleted", "NumberTestsTotal", "ErrorMessage", "ErrorStatusCode", "CanceledById",
		"CreatedById", "CreatedDate", "StartDate", "CompletedDate", "LastModifiedDate"}, records: (*Server).deployRequestRecords},
	// SourceMember is source tracking, which sandboxes have and production
	// orgs do not: there a query answers INVALID_TYPE, which is how the
	// Salesforce CLI tells whether an org tracks source.
	{name: "SourceMember", tooling: true, fields: []string{"Id", "MemberName", "MemberType", "MemberIdOrName", "RevisionCounter",
		"IsNameObsolete", "IsNewMember", "ChangedBy", "LastModifiedDate"},
		served: func(s *Server) bool { return s.cfg.Kind == KindSandbox }, records: (*Server).sourceMemberRecords},
	// SetupAuditTrail records the edits made in Setup: here, the
	// out-of-band edits of the org's directory (outofband.go).
	{name: "SetupAuditTrail", data: true, fields: []string{"Id", "Action", "Section", "Display", "CreatedDate", "CreatedById",
		"DelegateUser"}, rels: map[string]string{"CreatedBy": "CreatedById"}, records: (*Server).setupAuditTrailRecords},
	{name: dependencyEntity, tooling: true, restricted: true, fields: dependencyFields, records: (*Server).dependencyRecords},
}

// lookupSObject finds an object by name (case-insensitive) among those
// the API answers.
func (s *Server) lookupSObject(name string, tooling bool) *sobject {
	for _, o := range sobjects {
		if strings.EqualFold(o.name, name) && (tooling && o.tooling || !tooling && o.data) && (o.served == nil || o.served(s)) {
			return o
		}
	}
	return nil
}

// sfDate is a REST dateTime value (§5.6).
func sfDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

func (s *Server) userRecords(context.Context) ([]*sobjectRecord, error) {
	created := sfDate(s.created)
	return []*sobjectRecord{{typ: "User", id: s.userID, values: map[string]any{
		"Id": s.userID, "Username": s.user, "Name": "Sim Admin", "FirstName": "Sim", "LastName": "Admin", "Alias": "sadmin",
		"Email": s.user, "IsActive": true, "UserType": "Standard", "ProfileId": sfID("00e", "8d0000"+hashedBody("profile:"+s.orgID, 6)),
		"LanguageLocaleKey": "en_US", "LocaleSidKey": "en_GB", "TimeZoneSidKey": "Europe/London", "EmailEncodingKey": "UTF-8",
		"CreatedDate": created, "LastModifiedDate": created,
	}}}, nil
}

func (s *Server) orgRecords(context.Context) ([]*sobjectRecord, error) {
	created := sfDate(s.created)
	edition := "Enterprise Edition"
	if s.cfg.Kind == KindSandbox {
		edition = "Developer Edition"
	}
	return []*sobjectRecord{{typ: "Organization", id: s.orgID, values: map[string]any{
		"Id": s.orgID, "Name": "Relman Sim", "InstanceName": "SIM1", "IsSandbox": s.cfg.Kind == KindSandbox,
		"OrganizationType": edition, "TrialExpirationDate": nil, "NamespacePrefix": nil, "LanguageLocaleKey": "en_US",
		"DefaultLocaleSidKey": "en_GB", "TimeZoneSidKey": "Europe/London", "Country": "GB",
		"CreatedDate": created, "LastModifiedDate": created,
	}}}, nil
}

var apiVersionElement = regexp.MustCompile(`<apiVersion>\s*([0-9.]+)\s*</apiVersion>`)

// apexRecords lists the org's classes or triggers as ApexClass or
// ApexTrigger records.
func (s *Server) apexRecords(ctx context.Context, typ string) ([]*sobjectRecord, error) {
	items, err := s.readOrg(ctx, local.Filter{Types: []string{typ}})
	if err != nil {
		return nil, err
	}
	var out []*sobjectRecord
	for _, it := range items {
		files, err := readFiles(it)
		if err != nil {
			return nil, err
		}
		var body string
		version := float64(latestVersion)
		for p, b := range files {
			switch {
			case strings.HasSuffix(p, "-meta.xml"):
				if m := apiVersionElement.FindSubmatch(b); m != nil {
					version, _ = strconv.ParseFloat(string(m[1]), 64)
				}
			default:
				body = string(b)
			}
		}
		c := it.Component
		id := s.componentID(c)
		v := map[string]any{"Id": id, "Name": c.FullName, "NamespacePrefix": nil, "ApiVersion": double(version), "Status": "Active",
			"IsValid": true, "LengthWithoutComments": len(body), "Body": body, "CreatedById": s.userID, "CreatedDate": sfDate(s.created),
			"LastModifiedById": s.userID, "LastModifiedDate": sfDate(s.modified(c))}
		if typ == "ApexTrigger" {
			v["TableEnumOrId"] = triggerObject(body)
		}
		out = append(out, &sobjectRecord{typ: typ, id: id, values: v})
	}
	return out, nil
}

// triggerObject is the sObject of `trigger X on Object (…)`.
func triggerObject(src string) string {
	toks := apexTokens(src)
	for i := range toks {
		if is(toks, i, "on") && i+1 < len(toks) {
			return toks[i+1].text
		}
	}
	return ""
}

// orgCoverage runs the coverage model over the org as it is with all its
// local tests: what ApexCodeCoverageAggregate and ApexOrgWideCoverage
// report after a full test run.
func (s *Server) orgCoverage(ctx context.Context) (*coverage, error) {
	items, err := s.readOrg(ctx, local.Filter{Types: []string{"ApexClass", "ApexTrigger"}})
	if err != nil {
		return nil, err
	}
	inOrg := map[metadata.Component]metadata.Item{}
	for _, it := range items {
		inOrg[it.Component] = it
	}
	srcs, classes, err := collectApex(inOrg)
	if err != nil {
		return nil, err
	}
	var tests []apexTest
	for _, ts := range classes {
		tests = append(tests, ts...)
	}
	return newCoverageModel(srcs).run(tests), nil
}

func (s *Server) coverageRecords(ctx context.Context) ([]*sobjectRecord, error) {
	cov, err := s.orgCoverage(ctx)
	if err != nil {
		return nil, err
	}
	var out []*sobjectRecord
	for _, u := range cov.model.order {
		uc := cov.of(u)
		targetID := s.unitID(u)
		covered := []int{}
		for _, l := range u.lines {
			if cov.covered[u][l] {
				covered = append(covered, l)
			}
		}
		uncovered := append([]int{}, uc.notCovered...)
		id := sfID("715", "8d0000"+hashedBody("coverage:"+targetID, 6))
		out = append(out, &sobjectRecord{typ: "ApexCodeCoverageAggregate", id: id, values: map[string]any{
			"Id": id, "ApexClassOrTriggerId": targetID,
			"ApexClassOrTrigger": &sobjectRecord{typ: "Name", id: targetID, values: map[string]any{"Id": targetID, "Name": u.name}},
			"NumLinesCovered":    uc.total - uc.uncovered, "NumLinesUncovered": uc.uncovered,
			"Coverage":    map[string][]int{"coveredLines": covered, "uncoveredLines": uncovered},
			"CreatedDate": sfDate(s.created), "LastModifiedDate": sfDate(s.now()),
		}})
	}
	return out, nil
}

func (s *Server) orgWideCoverageRecords(ctx context.Context) ([]*sobjectRecord, error) {
	cov, err := s.orgCoverage(ctx)
	if err != nil {
		return nil, err
	}
	covered, total := cov.orgWide()
	id := sfID("716", "8d0000"+hashedBody("orgwide:"+s.orgID, 6))
	return []*sobjectRecord{{typ: "ApexOrgWideCoverage", id: id, values: map[string]any{
		"Id": id, "PercentCovered": percent(covered, total), "CreatedDate": sfDate(s.created), "LastModifiedDate": sfDate(s.now()),
	}}}, nil
}

// deployRequestRecords lists the deploys the org remembers, oldest first.
func (s *Server) deployRequestRecords(context.Context) ([]*sobjectRecord, error) {
	s.jobs.mu.Lock()
	ids := append([]string{}, s.jobs.deployOrder...)
	s.jobs.mu.Unlock()
	var out []*sobjectRecord
	for _, id := range ids {
		job := s.deployJob(id)
		if job == nil {
			continue
		}
		r := s.result(job, false)
		v := map[string]any{"Id": r.ID, "Status": r.Status, "CheckOnly": r.CheckOnly, "IgnoreWarnings": r.IgnoreWarnings,
			"RollbackOnError": r.RollbackOnError, "RunTestsEnabled": r.RunTestsEnabled, "StateDetail": r.StateDetail,
			"NumberComponentErrors": r.NumberComponentErrors, "NumberComponentsDeployed": r.NumberComponentsDeployed,
			"NumberComponentsTotal": r.NumberComponentsTotal, "NumberTestErrors": r.NumberTestErrors,
			"NumberTestsCompleted": r.NumberTestsCompleted, "NumberTestsTotal": r.NumberTestsTotal,
			"ErrorMessage": r.ErrorMessage, "ErrorStatusCode": r.ErrorStatusCode, "CanceledById": r.CanceledBy,
			"CreatedById": r.CreatedBy, "CreatedDate": r.CreatedDate, "StartDate": r.StartDate, "CompletedDate": r.CompletedDate,
			"LastModifiedDate": r.LastModifiedDate}
		out = append(out, &sobjectRecord{typ: "DeployRequest", id: r.ID, values: v})
	}
	return out, nil
}

// sourceMemberRecords lists what this simulator deployed, one revision
// each, as a sandbox's source tracking reports it.
func (s *Server) sourceMemberRecords(context.Context) ([]*sobjectRecord, error) {
	s.modMu.Lock()
	defer s.modMu.Unlock()
	var out []*sobjectRecord
	for c, at := range s.changed {
		id := sfID("0MZ", "8d0000"+hashedBody("member:"+c.String(), 6))
		out = append(out, &sobjectRecord{typ: "SourceMember", id: id, values: map[string]any{
			"Id": id, "MemberName": c.FullName, "MemberType": c.Type, "MemberIdOrName": s.componentID(c),
			"RevisionCounter": 1, "IsNameObsolete": false, "IsNewMember": false, "ChangedBy": s.userID, "LastModifiedDate": sfDate(at),
		}})
	}
	return out, nil
}

func (s *Server) dependencyRecords(ctx context.Context) ([]*sobjectRecord, error) {
	rows, err := s.dependencies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*sobjectRecord, len(rows))
	for i, row := range rows {
		v := map[string]any{}
		for k, x := range row {
			v[k] = x
		}
		for _, f := range dependencyFields {
			if _, ok := v[f]; !ok {
				v[f] = nil // the namespaces
			}
		}
		out[i] = &sobjectRecord{typ: dependencyEntity, id: "000000000000000AAA", values: v}
	}
	return out, nil
}

// recordURL is a record's attributes.url.
func recordURL(ver string, tooling bool, typ, id string) string {
	base := "/services/data/v" + ver + "/"
	if tooling {
		base += "tooling/"
	}
	return base + "sobjects/" + typ + "/" + id
}

// encode writes a record with the fields asked for, attributes first;
// "Rel.Field" fields nest under the relationship as Salesforce nests them.
func (r *sobjectRecord) encode(ver string, tooling bool, fields []string) json.RawMessage {
	var b strings.Builder
	r.writeJSON(&b, ver, tooling, fields)
	return json.RawMessage(b.String())
}

func (r *sobjectRecord) writeJSON(b *strings.Builder, ver string, tooling bool, fields []string) {
	attrs, _ := json.Marshal(map[string]string{"type": r.typ, "url": recordURL(ver, tooling, r.typ, r.id)})
	b.WriteString(`{"attributes":`)
	b.Write(attrs)
	done := map[string]bool{}
	for _, f := range fields {
		rel, _, nested := strings.Cut(f, ".")
		if done[rel] {
			continue
		}
		done[rel] = true
		enc, _ := json.Marshal(rel)
		b.WriteString(",")
		b.Write(enc)
		b.WriteString(":")
		if !nested {
			v, _ := json.Marshal(r.values[f])
			b.Write(v)
			continue
		}
		related, _ := r.values[rel].(*sobjectRecord)
		if related == nil {
			b.WriteString("null")
			continue
		}
		var subs []string
		for _, g := range fields {
			if x, y, ok := strings.Cut(g, "."); ok && x == rel {
				subs = append(subs, y)
			}
		}
		related.writeJSON(b, ver, tooling, subs)
	}
	b.WriteString("}")
}

// value is a field's value as a SOQL condition compares it: "\x00" for
// null, booleans and numbers in their literal form.
func (r *sobjectRecord) value(field string) string {
	if rel, sub, ok := strings.Cut(field, "."); ok {
		related, _ := r.values[rel].(*sobjectRecord)
		if related == nil {
			return soqlNull
		}
		return related.value(sub)
	}
	switch v := r.values[field].(type) {
	case nil:
		return soqlNull
	case *string:
		if v == nil {
			return soqlNull
		}
		return *v
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case double:
		return strconv.FormatFloat(float64(v), 'f', -1, 64)
	case sfTime:
		return sfDate(time.Time(v))
	case *sfTime:
		if v == nil {
			return soqlNull
		}
		return sfDate(time.Time(*v))
	}
	enc, _ := json.Marshal(r.values[field])
	return string(enc)
}
