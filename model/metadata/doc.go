// Package metadata is relman's knowledge of Salesforce metadata: component
// identity (Type:FullName), the type registry (directories, suffixes, folders,
// bundles, source-format decomposition), per-type name rules, package.xml and
// destructiveChanges.xml, and conversion between source format and the
// Metadata API format.
//
// It is pure Go: it may import only the standard library and other model
// packages, never store, orgclient, diff, ui, bbolt, net/http or the Charm
// libraries.
package metadata
