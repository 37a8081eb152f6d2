// Package deploytest supports the tests of the deployment screens (ui/deploy)
// and the Deployment Logs screen (ui/logs): simulated orgs started in-process
// (orgclient/sim, speaking Salesforce's wire protocol on loopback) over copies
// of testdata/orgs, a fixture store with deployment records in every state
// built once per test binary through ui/actions, a fixed clock, and a harness
// that runs the commands a screen returns.
//
// Only tests import it. It may import model/..., store, orgclient/sim,
// ui/actions, ui/common, ui/theme and the Charm libraries; never bbolt.
package deploytest
