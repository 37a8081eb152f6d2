package salesforce

import (
	"context"
	"encoding/xml"
	"errors"
	"maps"
	"slices"
	"strings"

	"relman/model/metadata"
)

// DescribeMetadataResult is what describeMetadata says about the org (§2.3).
type DescribeMetadataResult struct {
	MetadataObjects       []MetadataObject `xml:"metadataObjects"`
	OrganizationNamespace string           `xml:"organizationNamespace"`
	PartialSaveAllowed    bool             `xml:"partialSaveAllowed"`
	TestRequired          bool             `xml:"testRequired"`
}

// MetadataObject describes one metadata type (DescribeMetadataObject, §2.3).
type MetadataObject struct {
	ChildXMLNames []string `xml:"childXmlNames"`
	DirectoryName string   `xml:"directoryName"`
	InFolder      bool     `xml:"inFolder"`
	// MetaFile means the component ships a -meta.xml companion.
	MetaFile bool   `xml:"metaFile"`
	Suffix   string `xml:"suffix"`
	// Name is the type name (xmlName), e.g. ApexClass.
	Name string `xml:"xmlName"`
}

// DescribeMetadata lists the org's metadata types at the client's API
// version (§2.3).
func (c *Client) DescribeMetadata(ctx context.Context) (DescribeMetadataResult, error) {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return DescribeMetadataResult{}, err
	}
	payload := struct {
		XMLName     xml.Name `xml:"describeMetadata"`
		AsOfVersion string   `xml:"asOfVersion"`
	}{AsOfVersion: v}
	res, err := soapCall[DescribeMetadataResult](ctx, c, "describeMetadata", payload, true)
	return single(c, "describeMetadata", res, err)
}

// ListQuery asks listMetadata for one type; Folder is required for the
// folder types Dashboard, Document, EmailTemplate and Report (§2.4).
type ListQuery struct {
	Type   string `xml:"type"`
	Folder string `xml:"folder,omitempty"`
}

// FileProperties describes one listed or retrieved component (§2.4).
type FileProperties struct {
	CreatedByID        string   `xml:"createdById"`
	CreatedByName      string   `xml:"createdByName"`
	CreatedDate        DateTime `xml:"createdDate"`
	FileName           string   `xml:"fileName"`
	FullName           string   `xml:"fullName"`
	ID                 string   `xml:"id"`
	LastModifiedByID   string   `xml:"lastModifiedById"`
	LastModifiedByName string   `xml:"lastModifiedByName"`
	LastModifiedDate   DateTime `xml:"lastModifiedDate"`
	ManageableState    string   `xml:"manageableState"`
	NamespacePrefix    string   `xml:"namespacePrefix"`
	Type               string   `xml:"type"`
}

// Component is the listed component's identity.
func (p FileProperties) Component() metadata.Component {
	return metadata.Component{Type: p.Type, FullName: p.FullName}
}

// maxListQueries is listMetadata's limit of queries per call (§2.2).
const maxListQueries = 3

// ListMetadata lists the components of the queried types, three queries per
// call (§2.2). A type with no components contributes nothing (§2.4).
func (c *Client) ListMetadata(ctx context.Context, queries []ListQuery) ([]FileProperties, error) {
	v, err := c.APIVersion(ctx)
	if err != nil {
		return nil, err
	}
	var all []FileProperties
	for batch := range slices.Chunk(queries, maxListQueries) {
		payload := struct {
			XMLName     xml.Name    `xml:"listMetadata"`
			Queries     []ListQuery `xml:"queries"`
			AsOfVersion string      `xml:"asOfVersion"`
		}{Queries: batch, AsOfVersion: v}
		res, err := soapCall[FileProperties](ctx, c, "listMetadata", payload, true)
		if err != nil {
			return nil, err
		}
		all = append(all, res...)
	}
	return all, nil
}

// RetrieveRequest says what to retrieve (§2.5). Give Components for an
// unpackaged retrieve, or PackageNames, or SpecificFiles with SinglePackage.
type RetrieveRequest struct {
	// APIVersion defaults to the client's API version.
	APIVersion    string
	PackageNames  []string
	SinglePackage bool
	SpecificFiles []string
	// Components become the unpackaged manifest (package.xml types/members).
	Components []metadata.Component
}

// wirePackage is a package.xml body: types sorted by name, members sorted,
// version last, as SDR writes it (§3.1).
type wirePackage struct {
	Types   []wireTypes `xml:"types"`
	Version string      `xml:"version"`
}

type wireTypes struct {
	Members []string `xml:"members"`
	Name    string   `xml:"name"`
}

func newWirePackage(cs []metadata.Component, version string) *wirePackage {
	byType := map[string][]string{}
	for _, c := range cs {
		byType[c.Type] = append(byType[c.Type], c.FullName)
	}
	p := &wirePackage{Version: version}
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		members := byType[t]
		slices.Sort(members)
		p.Types = append(p.Types, wireTypes{Members: slices.Compact(members), Name: t})
	}
	return p
}

// AsyncResult is the answer to retrieve and deploy submissions (§2.2).
type AsyncResult struct {
	Done    bool   `xml:"done"`
	ID      string `xml:"id"`
	Message string `xml:"message"`
	// State is Queued, InProgress, Completed or Error.
	State      string `xml:"state"`
	StatusCode string `xml:"statusCode"`
}

// Retrieve starts a retrieve and returns its id (09S…). Submissions are not
// retried: a retry could start a second job.
func (c *Client) Retrieve(ctx context.Context, req RetrieveRequest) (string, error) {
	v, err := req.APIVersion, error(nil)
	if v == "" {
		v, err = c.APIVersion(ctx)
	} else if v, err = normalizeVersion(v); err != nil {
		err = c.opErr("retrieve", err)
	}
	if err != nil {
		return "", err
	}
	if len(req.Components) == 0 && len(req.PackageNames) == 0 && len(req.SpecificFiles) == 0 {
		return "", c.opErr("retrieve", errors.New("nothing to retrieve: give components, package names or specific files"))
	}
	type wireRequest struct {
		APIVersion    string       `xml:"apiVersion"`
		PackageNames  []string     `xml:"packageNames,omitempty"`
		SinglePackage bool         `xml:"singlePackage"`
		SpecificFiles []string     `xml:"specificFiles,omitempty"`
		Unpackaged    *wirePackage `xml:"unpackaged,omitempty"`
	}
	payload := struct {
		XMLName xml.Name    `xml:"retrieve"`
		Request wireRequest `xml:"retrieveRequest"`
	}{Request: wireRequest{APIVersion: v, PackageNames: req.PackageNames, SinglePackage: req.SinglePackage, SpecificFiles: req.SpecificFiles}}
	if len(req.Components) > 0 {
		payload.Request.Unpackaged = newWirePackage(req.Components, v)
	}
	// Starting a retrieve changes nothing in the org, so it is retried
	// like any read: a second job after a lost answer costs nothing.
	res, err := soapCall[AsyncResult](ctx, c, "retrieve", payload, true)
	r, err := single(c, "retrieve", res, err)
	return r.ID, err
}

// RetrieveStatus is a retrieve's status (§2.5).
type RetrieveStatus string

// Retrieve statuses.
const (
	RetrievePending    RetrieveStatus = "Pending"
	RetrieveInProgress RetrieveStatus = "InProgress"
	RetrieveSucceeded  RetrieveStatus = "Succeeded"
	RetrieveFailed     RetrieveStatus = "Failed"
)

// RetrieveMessage is a problem with one file of a retrieve. A requested but
// missing member is reported here, not as a failure (§2.5).
type RetrieveMessage struct {
	FileName string `xml:"fileName"`
	Problem  string `xml:"problem"`
}

// RetrieveResult is checkRetrieveStatus's answer (§2.5).
type RetrieveResult struct {
	Done            bool              `xml:"done"`
	ErrorMessage    string            `xml:"errorMessage"`
	ErrorStatusCode string            `xml:"errorStatusCode"`
	FileProperties  []FileProperties  `xml:"fileProperties"`
	ID              string            `xml:"id"`
	Messages        []RetrieveMessage `xml:"messages"`
	// NumberFiles is the number of files in the zip, when the org reports it.
	NumberFiles int            `xml:"numberFiles"`
	Status      RetrieveStatus `xml:"status"`
	Success     bool           `xml:"success"`
	// ZipFile is the decoded zip, present once done when asked for.
	ZipFile []byte `xml:"-"`
}

// UnmarshalXML decodes zipFile from base64 without an extra text copy.
func (r *RetrieveResult) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain RetrieveResult
	var w struct {
		plain
		Zip base64Bytes `xml:"zipFile"`
	}
	if err := d.DecodeElement(&w, &start); err != nil {
		return err
	}
	*r = RetrieveResult(w.plain)
	r.ZipFile = w.Zip
	return nil
}

// CheckRetrieveStatus polls a retrieve once. Ask for the zip only when done:
// the org hands it out once.
func (c *Client) CheckRetrieveStatus(ctx context.Context, id string, includeZip bool) (RetrieveResult, error) {
	payload := struct {
		XMLName        xml.Name `xml:"checkRetrieveStatus"`
		AsyncProcessID string   `xml:"asyncProcessId"`
		IncludeZip     bool     `xml:"includeZip"`
	}{AsyncProcessID: id, IncludeZip: includeZip}
	var zip []byte
	res, err := soapCallZip[RetrieveResult](ctx, c, "checkRetrieveStatus", payload, true, &zip)
	r, err := single(c, "checkRetrieveStatus", res, err)
	if zip != nil {
		r.ZipFile = zip
	}
	return r, err
}

// RetrieveAndWait starts a retrieve, polls it with backoff (calling
// onProgress after each poll) and returns the final result with the zip.
// A Failed retrieve is an error naming the org's errorStatusCode and message.
func (c *Client) RetrieveAndWait(ctx context.Context, req RetrieveRequest, onProgress func(RetrieveResult)) (RetrieveResult, error) {
	id, err := c.Retrieve(ctx, req)
	if err != nil {
		return RetrieveResult{}, err
	}
	p := c.newPoller(ctx, "retrieve "+id, DefaultRetrieveWait)
	for {
		r, err := c.CheckRetrieveStatus(ctx, id, false)
		if err != nil {
			return r, err
		}
		if r.Done {
			if r.Status != RetrieveFailed {
				if r, err = c.CheckRetrieveStatus(ctx, id, true); err != nil {
					return r, err
				}
			}
			if onProgress != nil {
				onProgress(r)
			}
			if r.Status == RetrieveFailed || r.ErrorStatusCode != "" {
				why := strings.TrimPrefix(strings.Join([]string{r.ErrorStatusCode, r.ErrorMessage}, ": "), ": ")
				return r, c.opErr("retrieve "+id, errors.New("the org reports the retrieve failed: "+why))
			}
			return r, nil
		}
		if onProgress != nil {
			onProgress(r)
		}
		if err := p.wait(ctx, string(r.Status)); err != nil {
			return r, c.opErr("retrieve "+id, err)
		}
	}
}
