// Package uitest is the one test harness of relman's screens: the fixtures
// they share and the bulk builders of large stores for benchmarks.
//
// BulkCRs builds a store of many change requests the way relman writes
// them — each one put and recorded with a signed audit event in the same
// transaction — but thousands per transaction, so a million take minutes
// rather than hours; BulkCRStore caches such a store between runs.
//
// uitest may import anything relman's ui may; only tests import it.
package uitest
