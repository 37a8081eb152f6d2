package actions

import (
	"strings"
	"testing"

	"relman/model"
	"relman/model/metadata"
)

// A file compared byte for byte that is no component of its folder's type
// (classes/notes.txt) is never written into a manifest the Metadata API
// would refuse: it is left out, with a warning naming its file.
func TestPlanPackageLeavesOutOpaqueFiles(t *testing.T) {
	entries := []model.CompareEntry{
		{Component: metadata.Component{Type: "ApexClass", FullName: "Known"}, Category: model.OnlyInSource, Files: []string{"classes/Known.cls"}},
		{Component: metadata.Component{Type: "ApexClass", FullName: "notes.txt"}, Category: model.OnlyInSource, Files: []string{"classes/notes.txt"}},
		{Component: metadata.Component{Type: "ApexClass", FullName: "old.bak"}, Category: model.OnlyInTarget, Files: []string{"classes/old.bak"}},
		{Component: metadata.Component{Type: "Flow", FullName: "Gone"}, Category: model.OnlyInTarget, Files: []string{"flows/Gone.flow-meta.xml"}},
		// A valid name, but its file is no Apex class.
		{Component: metadata.Component{Type: "ApexClass", FullName: "README"}, Category: model.Different, Files: []string{"classes/README"}},
	}
	p := PlanPackage(entries)
	if len(p.Deploy) != 1 || p.Deploy[0].FullName != "Known" || len(p.Destroy) != 1 || p.Destroy[0].FullName != "Gone" {
		t.Errorf("plan deploys %v, destroys %v; want Known and Gone only", p.Deploy, p.Destroy)
	}
	if len(p.LeftOut) != 3 || p.LeftOut[0].Path != "classes/notes.txt" || !strings.Contains(p.LeftOut[0].Problem, "left out of package.xml") ||
		p.LeftOut[2].Path != "classes/README" {
		t.Errorf("left out %+v; want notes.txt, old.bak and README named", p.LeftOut)
	}
}
