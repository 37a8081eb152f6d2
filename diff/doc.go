// Package diff compares metadata snapshots and computes reviewable diffs.
//
// It answers three questions for the Compare and review screens:
//
//   - Compare: which components are only in the source, only in the target,
//     different or the same, with content hashes so a review can be bound to
//     exactly what was seen;
//   - Normalize: what a file looks like once insignificant whitespace and
//     meaningless XML element order are removed, so those options can hide
//     noise without hiding real changes (picklist values and other ordered
//     lists are never reordered);
//   - Lines, ItemDiff and WriteUnified: the line edits between two versions of
//     a file, with word-level emphasis inside changed lines, as structured data
//     for the UI and as a plain unified diff.
//
// Everything here is a pure function of its inputs: no I/O other than reading
// the files handed in, no colours (they belong to ui/), no global state.
//
// Imports: the standard library, relman/model, relman/model/metadata and
// github.com/aymanbagabas/go-udiff (line and token edits). Never store,
// orgclient, ui, bbolt, net/http or the Charm libraries.
package diff
