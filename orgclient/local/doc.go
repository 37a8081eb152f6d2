// Package local makes a directory on disk behave as an org: relman can list
// its components, compare them with another org's, and deploy into it or
// delete from it. This is the "local" connection of an environment
// (design.md), used for SFDX projects kept in version control and for
// Metadata API folders such as an unzipped retrieve.
//
// Open recognises three layouts:
//
//   - sfdx-project: a folder holding sfdx-project.json. Every package
//     directory it lists is read whole, in the listed order, the way the
//     Salesforce CLI resolves it (metadata.ReadSourceTree): files by suffix
//     wherever they sit, fixed layouts inside their directories. A
//     component split over several package directories is joined; one
//     present twice keeps the first copy, with a warning. The source roots
//     (folders holding type directories such as classes/ or objects/,
//     conventionally <pkg>/main/default) decide where new components are
//     written. The project's .forceignore is honoured.
//   - mdapi: a Metadata API folder holding package.xml (or whose only entry
//     is a folder holding one, the unpackaged/ layout of a retrieve).
//   - source-dir: a folder in source format without a project file, such as
//     a bare force-app or a folder directly holding type directories.
//
// Whatever the layout, components come out as source-format
// metadata.Items: model/metadata does the reading, splitting and
// conversion; this package finds the files, filters, and decides where
// writes go. Files that could not be read or classified never stop a read:
// they come back, in full, in a *metadata.UnresolvedError beside the
// items.
//
// local may import model/... and the standard library only; never store,
// ui, diff, bbolt, net/http or the Charm libraries.
package local
