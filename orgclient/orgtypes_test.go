package orgclient

import (
	"reflect"
	"testing"

	"relman/model/metadata"
	"relman/orgclient/salesforce"
)

// Types an org describes that the registry does not know yet are the ones
// relman lists and compares byte for byte; known ones, in-folder ones
// (whose folder type describeMetadata does not name) and nameless ones are
// not among them.
func TestUnknownOrgTypes(t *testing.T) {
	desc := salesforce.DescribeMetadataResult{MetadataObjects: []salesforce.MetadataObject{
		{Name: "ApexClass", DirectoryName: "classes", Suffix: "cls", MetaFile: true},
		{Name: "QuantumWidget", DirectoryName: "quantumWidgets", Suffix: "qwidget"},
		{Name: "QuantumReport", DirectoryName: "quantumReports", Suffix: "qreport", InFolder: true},
		{Name: "QuantumCode", DirectoryName: "quantumCode", Suffix: "qc", MetaFile: true},
		{Name: "", DirectoryName: "x"},
	}}
	want := []metadata.OrgType{
		{Name: "QuantumWidget", Directory: "quantumWidgets", Suffix: "qwidget"},
		{Name: "QuantumCode", Directory: "quantumCode", Suffix: "qc", MetaFile: true},
	}
	if got := unknownOrgTypes(desc); !reflect.DeepEqual(got, want) {
		t.Errorf("unknownOrgTypes = %+v\nwant %+v", got, want)
	}
}
