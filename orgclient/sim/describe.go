package sim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// describeResult is DescribeMetadataResult (§2.3).
type describeResult struct {
	MetadataObjects       []describeObject `xml:"metadataObjects"`
	OrganizationNamespace string           `xml:"organizationNamespace"`
	PartialSaveAllowed    bool             `xml:"partialSaveAllowed"`
	TestRequired          bool             `xml:"testRequired"`
}

// describeObject is DescribeMetadataObject (§2.3).
type describeObject struct {
	ChildXMLNames []string `xml:"childXmlNames"`
	DirectoryName string   `xml:"directoryName"`
	InFolder      bool     `xml:"inFolder"`
	MetaFile      bool     `xml:"metaFile"`
	Suffix        string   `xml:"suffix,omitempty"`
	Name          string   `xml:"xmlName"`
}

// describeMetadata lists the registry's top-level types: children appear
// only as their parent's childXmlNames and folder types not at all, as in a
// real org's answer (§2.3).
func (s *Server) describeMetadata() describeResult {
	out := describeResult{PartialSaveAllowed: true, TestRequired: s.cfg.Kind == KindProduction}
	for _, t := range metadata.Types() {
		if t.IsChild() || t.FolderContentType != "" {
			continue
		}
		d := describeObject{DirectoryName: t.Directory, InFolder: t.InFolder, MetaFile: t.MetaFile || t.MixedContent, Suffix: t.Suffix, Name: t.Name}
		for _, c := range t.Children {
			if ct, ok := metadata.LookupType(c); ok && !ct.PartOfParent {
				d.ChildXMLNames = append(d.ChildXMLNames, c)
			}
		}
		out.MetadataObjects = append(out.MetadataObjects, d)
	}
	return out
}

// fileProperties is FileProperties, fields in WSDL order (§2.4).
type fileProperties struct {
	CreatedByID        string `xml:"createdById"`
	CreatedByName      string `xml:"createdByName"`
	CreatedDate        sfTime `xml:"createdDate"`
	FileName           string `xml:"fileName"`
	FullName           string `xml:"fullName"`
	ID                 string `xml:"id"`
	LastModifiedByID   string `xml:"lastModifiedById"`
	LastModifiedByName string `xml:"lastModifiedByName"`
	LastModifiedDate   sfTime `xml:"lastModifiedDate"`
	ManageableState    string `xml:"manageableState"`
	Type               string `xml:"type"`
}

// properties describes component c, whose zip path is fileName.
func (s *Server) properties(c metadata.Component, fileName, id string, modified time.Time) fileProperties {
	return fileProperties{
		CreatedByID: s.userID, CreatedByName: "Sim Admin", CreatedDate: sfTime(s.created),
		FileName: fileName, FullName: c.FullName, ID: id,
		LastModifiedByID: s.userID, LastModifiedByName: s.modifiedBy(c), LastModifiedDate: sfTime(modified),
		ManageableState: "unmanaged", Type: c.Type,
	}
}

// listMetadata answers listMetadata: one FileProperties per component of
// the queried types (folder types: the folder's content), and no result
// element at all when nothing matches (§2.4). A type the simulator does
// not know lists nothing: real orgs know hundreds more types than it does,
// and a client listing one must not be refused.
func (s *Server) listMetadata(w http.ResponseWriter, r *http.Request, req *listRequest) {
	var out []any
	for _, q := range req.queries {
		t, ok := metadata.LookupType(q.Type)
		if !ok {
			continue
		}
		items, err := s.listNoticing(r.Context(), t.Name)
		if err != nil {
			writeSFFault(w, "UNKNOWN_EXCEPTION", err.Error())
			return
		}
		for _, it := range items {
			c := it.Component
			if t.InFolder && !strings.HasPrefix(c.FullName, q.Folder+"/") {
				continue // content types list one folder at a time
			}
			out = append(out, s.properties(c, mdapiFileName(c), s.componentID(c), s.modified(c)))
		}
	}
	writeSOAP(w, "listMetadata", out...)
}

// readOrg lists the org's components with their files, under the read lock.
// Files that are not metadata relman knows are left out, as a real org has
// no such thing to show.
func (s *Server) readOrg(ctx context.Context, f local.Filter) ([]metadata.Item, error) {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	return s.readOrgLocked(ctx, f)
}

// readOrgLocked is readOrg for a caller already holding orgMu.
func (s *Server) readOrgLocked(ctx context.Context, f local.Filter) ([]metadata.Item, error) {
	items, err := s.org.Items(ctx, f)
	var ue *metadata.UnresolvedError
	if errors.As(err, &ue) {
		err = nil
	}
	return items, err
}

// modified is when c last changed: when this simulator deployed it, else
// the org's creation.
func (s *Server) modified(c metadata.Component) time.Time {
	s.modMu.Lock()
	defer s.modMu.Unlock()
	if t, ok := s.changed[c]; ok {
		return t
	}
	return s.created
}
