package sim

import (
	"fmt"
	"strings"
)

// argSpec describes one WSDL argument of an operation (§2.2).
type argSpec struct {
	name     string
	complex  bool // has child elements (a struct), else a scalar
	repeated bool // 0..∞: may be absent
}

// bindArgs binds an operation's child elements to its WSDL arguments by
// position, not by name: real clients name them differently (jsforce
// <request> for retrieveRequest, ForceCLI <id> for asyncProcessId, §2.1).
// Consecutive elements of one name form one argument (an array). An
// optional argument whose shape (struct or scalar) does not match the next
// group is taken as absent, so listMetadata without queries still finds
// its asOfVersion. Missing trailing arguments are nil.
func bindArgs(args []*xnode, specs []argSpec) ([][]*xnode, error) {
	var groups [][]*xnode
	for _, a := range args {
		if n := len(groups); n > 0 && groups[n-1][0].name == a.name {
			groups[n-1] = append(groups[n-1], a)
			continue
		}
		groups = append(groups, []*xnode{a})
	}
	out := make([][]*xnode, len(specs))
	g := 0
	for i, spec := range specs {
		if g == len(groups) {
			break
		}
		isComplex := len(groups[g][0].kids) > 0
		if spec.repeated && isComplex != spec.complex {
			continue
		}
		out[i] = groups[g]
		g++
	}
	if g < len(groups) {
		return nil, fmt.Errorf("unexpected element <%s>: the operation takes %d argument(s)", groups[g][0].name, len(specs))
	}
	return out, nil
}

// first returns the first node of a bound argument, or nil.
func first(arg []*xnode) *xnode {
	if len(arg) == 0 {
		return nil
	}
	return arg[0]
}

// parseBool reads an xsd:boolean; empty is false (§5.6: missing DeployOptions
// booleans default to false).
func parseBool(name, s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0", "":
		return false, nil
	}
	return false, fmt.Errorf("'%s' is not a valid value for the type xsd:boolean of %s", s, name)
}

// Typed operation requests, bound from a soapRequest.

type listQuery struct{ Type, Folder string }

type listRequest struct {
	queries []listQuery
}

type retrieveRequest struct {
	apiVersion    string
	packageNames  []string
	singlePackage bool
	unpackaged    *xnode // a Package: <types><members/><name/></types>…
}

type statusRequest struct {
	id     string
	detail bool // includeZip / includeDetails
}

type deployRequest struct {
	zip  string // base64
	opts deployOptions
}

// bindOperation binds the arguments of a Metadata API operation into its
// typed request: *listRequest, *retrieveRequest, *statusRequest,
// *deployRequest, a string id (cancelDeploy, deployRecentValidation), a
// []string of ids (checkStatus) or nil (describeMetadata). Struct fields are
// matched by local name in any order (§2.1).
func bindOperation(req *soapRequest) (any, error) {
	one := func(name string) []argSpec { return []argSpec{{name: name}} }
	switch req.op {
	case "describeMetadata":
		_, err := bindArgs(req.args, one("asOfVersion"))
		return nil, err
	case "listMetadata":
		a, err := bindArgs(req.args, []argSpec{{name: "queries", complex: true, repeated: true}, {name: "asOfVersion"}})
		if err != nil {
			return nil, err
		}
		out := &listRequest{}
		for _, q := range a[0] {
			out.queries = append(out.queries, listQuery{Type: q.field("type"), Folder: q.field("folder")})
		}
		return out, nil
	case "retrieve":
		a, err := bindArgs(req.args, []argSpec{{name: "retrieveRequest", complex: true}})
		if err != nil {
			return nil, err
		}
		r := first(a[0])
		if r == nil {
			return nil, fmt.Errorf("retrieve needs a RetrieveRequest")
		}
		out := &retrieveRequest{apiVersion: r.field("apiVersion"), unpackaged: r.child("unpackaged")}
		for _, p := range r.all("packageNames") {
			out.packageNames = append(out.packageNames, p.value())
		}
		out.singlePackage, err = parseBool("singlePackage", r.field("singlePackage"))
		return out, err
	case "checkRetrieveStatus", "checkDeployStatus":
		a, err := bindArgs(req.args, []argSpec{{name: "asyncProcessId"}, {name: "include"}})
		if err != nil {
			return nil, err
		}
		out := &statusRequest{id: first(a[0]).value(), detail: req.op == "checkRetrieveStatus"}
		if n := first(a[1]); n != nil {
			out.detail, err = parseBool(n.name, n.value())
		}
		return out, err
	case "deploy":
		a, err := bindArgs(req.args, []argSpec{{name: "ZipFile"}, {name: "DeployOptions", complex: true}})
		if err != nil {
			return nil, err
		}
		out := &deployRequest{zip: first(a[0]).value()}
		out.opts, err = soapDeployOptions(first(a[1]))
		return out, err
	case "cancelDeploy", "deployRecentValidation":
		a, err := bindArgs(req.args, one("id"))
		if err != nil {
			return nil, err
		}
		return first(a[0]).value(), nil
	case "checkStatus":
		a, err := bindArgs(req.args, []argSpec{{name: "asyncProcessId", repeated: true}})
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, n := range a[0] {
			ids = append(ids, n.value())
		}
		return ids, nil
	}
	return nil, errUnknownOperation
}

// errUnknownOperation marks an operation the simulator does not serve.
var errUnknownOperation = fmt.Errorf("unknown operation")

// soapDeployOptions reads DeployOptions by field name in any order; missing
// booleans are false (§2.6, §5.6).
func soapDeployOptions(n *xnode) (deployOptions, error) {
	var o deployOptions
	if n == nil {
		return o, nil
	}
	flags := []struct {
		name string
		dst  *bool
	}{
		{"allowMissingFiles", &o.AllowMissingFiles}, {"autoUpdatePackage", &o.AutoUpdatePackage},
		{"checkOnly", &o.CheckOnly}, {"ignoreWarnings", &o.IgnoreWarnings}, {"performRetrieve", &o.PerformRetrieve},
		{"purgeOnDelete", &o.PurgeOnDelete}, {"rollbackOnError", &o.RollbackOnError}, {"singlePackage", &o.SinglePackage},
	}
	for _, f := range flags {
		v, err := parseBool(f.name, n.field(f.name))
		if err != nil {
			return o, err
		}
		*f.dst = v
	}
	o.TestLevel = n.field("testLevel")
	for _, t := range n.all("runTests") {
		if v := t.value(); v != "" {
			o.RunTests = append(o.RunTests, v)
		}
	}
	return o, nil
}
