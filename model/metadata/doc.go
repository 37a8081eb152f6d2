// Package metadata is relman's knowledge of Salesforce metadata: component
// identity (Type:FullName), the type registry (directories, suffixes, folders,
// bundles, source-format decomposition), per-type name rules, package.xml and
// destructiveChanges.xml, and conversion between source format and the
// Metadata API format.
//
// It is pure Go: it may import only the standard library and other model
// packages, never store, orgclient, diff, ui, bbolt, net/http or the Charm
// libraries.
//
// # Formats
//
// The canonical in-memory form of an org's metadata is a sorted list of Items
// in source (SFDX) format, one per component, each with its files relative to
// a source root (the folder holding objects/, classes/, ...). The two formats
// differ as the Salesforce CLI (source-deploy-retrieve) has them:
//
//   - XML-only types: X.suffix in the Metadata API format, X.suffix-meta.xml
//     in source format (profiles/Admin.profile-meta.xml).
//   - Code and other content types keep their content file and its -meta.xml
//     companion in both (classes/Foo.cls, classes/Foo.cls-meta.xml); bundles
//     are folders in both (lwc/myCmp/...).
//   - CustomObject is decomposed in source format: objects/X/X.object-meta.xml
//     holds the object without its children, and each field, validation rule,
//     record type, list view, ... is a file of its own
//     (objects/X/fields/Y__c.field-meta.xml) and a component of its own
//     (CustomField:X.Y__c). CustomObjectTranslation is split the same way,
//     but its field translations stay part of the one component.
//   - Labels, workflows, sharing rules, assignment rules, ... stay one file in
//     source format, shared by several components. ReadSourceTree cuts each
//     child out as a Fragment: the child element's XML, so that a label can
//     be compared, deployed and written back on its own.
//   - Static resources are X.resource in the Metadata API format; in source
//     format a zip resource is expanded into staticresources/X/ and anything
//     else is named after its content type (X.json).
//   - Folders (reports/Sales-meta.xml) become reports/Sales.reportFolder-meta.xml,
//     and a Document's meta file is named X.document-meta.xml.
//
// # Reading projects
//
// The type table is the Salesforce CLI's registry (registry_gen.go,
// generated from source-deploy-retrieve's metadataRegistry.json; relman's
// overlays in registry_table.go). ReadSourceTree resolves a package
// directory the way the CLI does (placeFile): by suffix wherever a file
// sits, fixed layouts inside their directory, Metadata API-format files
// converted, non-metadata skipped. Item files carry a canonical Path
// (classes/Foo.cls) and the Origin they were read from. What cannot be
// placed is a Warning, never an error; Incompleteness tells a comparison
// which deletions those warnings make unsafe.
//
// XML that relman generates (recomposed parents, split children, fragments)
// is written the way the Salesforce CLI writes it: the UTF-8 declaration,
// 4-space indentation, text kept exactly as it was escaped. Files that convert
// by renaming keep their bytes, so source → Metadata API → source gives back
// byte-identical files for trees in that style.
//
// # Limits
//
// Trees are listed lazily: only files shared by several components are read
// while listing. Zips beyond Salesforce's limits (MaxZipFiles,
// MaxZipCompressed, MaxZipUncompressed) are refused with a message naming the
// limit.
package metadata
