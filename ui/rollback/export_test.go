package rollback

import "relman/ui/actions"

// The journey (package rollback_test, which may import ui without a
// cycle) works on the same world as the Update tests.

// World is the deployed world of the tests.
type World = world

// NewWorld is newWorld.
var NewWorld = newWorld

// As is a service acting as user on the world's store and clock.
func (w *world) As(user string) *actions.Service { return w.as(user) }

// Deployment is the id of the world's deployment.
func (w *world) Deployment() int64 { return w.dr.ID }

// OrgFile is the path of a file of the simulated org name.
func (w *world) OrgFile(name string, parts ...string) string { return w.orgFile(name, parts...) }

// MaskJobIDs hides the org job ids a run makes up, keeping their width.
func MaskJobIDs(view string) string { return jobID.ReplaceAllString(view, "0AfXXXXXXXXXXXXXXX") }
