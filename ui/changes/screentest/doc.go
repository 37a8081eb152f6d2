// Package screentest supports the tests of the change request screens and
// the editor: a fixture store with a realistic history built once per test
// binary through ui/actions (real store, real local orgs copied from
// testdata/orgs), a fixed clock, and a harness that runs the commands a
// screen returns and hands back the messages a test waits for.
//
// Only tests import it. It may import model/..., store, ui/actions,
// ui/common, ui/theme and the Charm libraries.
package screentest
