package sim

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"strings"

	"relman/model/metadata"
	"relman/orgclient/local"
)

// deployPlan is what a deploy will do, decided when it starts: each
// component's outcome, what to write and delete, which tests to run.
type deployPlan struct {
	units                []deployUnit
	write                []metadata.Item
	deletes, deletesPost []metadata.Component
	tests                []apexTest
	runTests             bool
	testErr              string // a test option that cannot be honoured
	level                string // the test level in effect
	apex                 *coverageModel
	deployedApex         map[string]bool // "ApexClass:name" (lower-case name) of the package
}

// deployUnit is one component's outcome, revealed as the deploy proceeds.
type deployUnit struct {
	msg    deployMessage
	failed bool // counts as a component error
}

// planDeploy checks the package against the org as it is now (§2.7): each
// component succeeds or fails (malformed, a reference to something that
// exists neither in the org nor the package, an unknown Apex type), and the
// test level picks the tests.
func (s *Server) planDeploy(job *deployJob) (*deployPlan, error) {
	s.orgMu.RLock()
	defer s.orgMu.RUnlock()
	orgItems, err := s.readOrgLocked(job.ctx, local.Filter{})
	if err != nil {
		return nil, err
	}
	pkg, opts, now := job.pkg, job.opts, sfTime(s.now())
	inOrg := map[metadata.Component]metadata.Item{}
	for _, it := range orgItems {
		inOrg[it.Component] = it
	}
	gone := map[metadata.Component]bool{}
	for _, c := range slices.Concat(pkg.deletes, pkg.deletesPost) {
		gone[c] = true
	}
	after := map[metadata.Component]metadata.Item{}
	for c, it := range inOrg {
		if !gone[c] {
			after[c] = it
		}
	}
	for _, it := range pkg.items {
		after[it.Component] = it
	}
	idx := newOrgIndex(slices.Collect(maps.Keys(after)))
	known := map[string]bool{}
	for k := range idx.classes {
		known[k] = true
	}
	for k := range idx.objects {
		known[k] = true
	}

	plan := &deployPlan{}
	plan.deletes = s.planDeletes(plan, pkg.deletes, inOrg, pkg.prefix, opts, now)
	for _, p := range pkg.problems {
		p.CreatedDate = now
		plan.units = append(plan.units, deployUnit{msg: p, failed: *p.ProblemType == "Error" || !opts.IgnoreWarnings})
	}
	for _, it := range pkg.items {
		files, err := readFiles(it)
		if err != nil {
			return nil, err
		}
		c := it.Component
		msg := deployMessage{ComponentType: c.Type, FullName: c.FullName, FileName: pkg.prefix + mdapiFileName(c),
			ID: ptr(s.componentID(c)), CreatedDate: now}
		if problem, line, col := checkComponent(c, files, idx, known); problem != "" {
			msg.Problem, msg.ProblemType = ptr(problem), ptr("Error")
			if line > 0 {
				msg.LineNumber, msg.ColumnNumber = ptr(line), ptr(col)
			}
			plan.units = append(plan.units, deployUnit{msg: msg, failed: true})
			continue
		}
		old, existed := inOrg[c]
		msg.Success, msg.Created = true, !existed
		msg.Changed = !existed || !sameFiles(old, files)
		plan.units = append(plan.units, deployUnit{msg: msg})
		plan.write = append(plan.write, it)
	}
	plan.deletesPost = s.planDeletes(plan, pkg.deletesPost, inOrg, pkg.prefix, opts, now)
	err = s.planTests(plan, job, after)
	return plan, err
}

// planDeletes adds destructive changes' outcomes: deleted, or a warning
// "No T named: X found" for a component the org does not have (§3.2).
func (s *Server) planDeletes(plan *deployPlan, cs []metadata.Component, inOrg map[metadata.Component]metadata.Item, prefix string, opts deployOptions, now sfTime) []metadata.Component {
	var out []metadata.Component
	for _, c := range cs {
		msg := deployMessage{ComponentType: c.Type, FullName: c.FullName, FileName: prefix + mdapiFileName(c), CreatedDate: now}
		if _, ok := inOrg[c]; !ok {
			msg.Problem, msg.ProblemType = ptr("No "+c.Type+" named: "+c.FullName+" found"), ptr("Warning")
			plan.units = append(plan.units, deployUnit{msg: msg, failed: !opts.IgnoreWarnings})
			continue
		}
		msg.ID, msg.Success, msg.Changed, msg.Deleted = ptr(s.componentID(c)), true, true, true
		plan.units = append(plan.units, deployUnit{msg: msg})
		out = append(out, c)
	}
	return out
}

// checkComponent returns the first problem that fails a component: a
// strict reference to a component that does not exist, or an Apex use of
// an unknown type or custom field (a compile error).
func checkComponent(c metadata.Component, files map[string][]byte, idx *orgIndex, known map[string]bool) (string, int, int) {
	for _, r := range references(c, files, idx) {
		if r.strict && !idx.has[r.to] {
			return "In field: " + r.element + " - no " + r.to.Type + " named " + r.to.FullName + " found", r.line, r.col
		}
	}
	if c.Type != "ApexClass" && c.Type != "ApexTrigger" {
		return "", 0, 0
	}
	for p, data := range files {
		if strings.HasSuffix(p, "-meta.xml") {
			continue
		}
		u := append(apexUnknownTypes(string(data), known), apexUnknownFields(string(data), idx)...)
		slices.SortFunc(u, func(a, b apexUnknownType) int { return cmp.Or(a.line-b.line, a.col-b.col) })
		if len(u) > 0 {
			return u[0].problem, u[0].line, u[0].col
		}
	}
	return "", 0, 0
}

// planTests picks the test methods by test level (§2.6): none; the runTests
// classes (or Class.method); every test class of the org as the package
// leaves it; and, with no level, local tests in production when the
// package carries Apex. A quick deploy runs none: its validation did.
func (s *Server) planTests(plan *deployPlan, job *deployJob, after map[metadata.Component]metadata.Item) error {
	opts := job.opts
	level := opts.TestLevel
	switch {
	case job.quick:
		return nil
	case level == "" && len(opts.RunTests) > 0:
		level = "RunSpecifiedTests"
	case level == "" && s.cfg.Kind == KindProduction && job.pkg.hasApex():
		level = "RunLocalTests"
	case level == "":
		level = "NoTestRun"
	}
	switch {
	case level == "NoTestRun":
		return nil
	case level != "RunSpecifiedTests" && len(opts.RunTests) > 0:
		plan.testErr = "runTests can only be used with a testLevel of RunSpecifiedTests"
		return nil
	case level == "RunSpecifiedTests" && len(opts.RunTests) == 0:
		plan.testErr = "RunSpecifiedTests needs the names of the test classes to run in runTests"
		return nil
	}
	plan.runTests, plan.level = true, level
	srcs, classes, err := collectApex(after)
	if err != nil {
		return err
	}
	names := slices.Collect(maps.Keys(classes))
	plan.apex = newCoverageModel(srcs)
	plan.deployedApex = map[string]bool{}
	for _, it := range job.pkg.items {
		if c := it.Component; c.Type == "ApexClass" || c.Type == "ApexTrigger" {
			plan.deployedApex[c.Type+":"+strings.ToLower(c.FullName)] = true
		}
	}
	if level != "RunSpecifiedTests" {
		sort.Strings(names)
		for _, n := range names {
			plan.tests = append(plan.tests, classes[n]...)
		}
		return nil
	}
	for _, spec := range opts.RunTests {
		for _, one := range strings.Split(spec, ",") {
			class, method, _ := strings.Cut(strings.TrimSpace(one), ".")
			tests, ok := classes[strings.ToLower(class)]
			if !ok {
				plan.testErr = "Apex test class " + class + " was not found in the org or the package"
				return nil
			}
			for _, t := range tests {
				if method == "" || strings.EqualFold(method, t.method) {
					plan.tests = append(plan.tests, t)
				}
			}
		}
	}
	return nil
}

// collectApex reads the classes and triggers among items: their sources
// for the coverage model and, by lower-case class name, the test methods
// of each test class.
func collectApex(items map[metadata.Component]metadata.Item) ([]apexSource, map[string][]apexTest, error) {
	var srcs []apexSource
	classes := map[string][]apexTest{}
	for c, it := range items {
		if c.Type != "ApexClass" && c.Type != "ApexTrigger" {
			continue
		}
		src, err := apexBody(it)
		if err != nil {
			return nil, nil, err
		}
		srcs = append(srcs, apexSource{name: c.FullName, src: src, trigger: c.Type == "ApexTrigger"})
		if tests := apexTestMethods(c.FullName, src); c.Type == "ApexClass" && len(tests) > 0 {
			classes[strings.ToLower(c.FullName)] = tests
		}
	}
	return srcs, classes, nil
}

// apexBody is the source of an Apex class or trigger (its .cls or
// .trigger file).
func apexBody(it metadata.Item) (string, error) {
	files, err := readFiles(it)
	if err != nil {
		return "", err
	}
	for p, b := range files {
		if strings.HasSuffix(p, ".cls") || strings.HasSuffix(p, ".trigger") {
			return string(b), nil
		}
	}
	return "", nil
}
