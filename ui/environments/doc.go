// Package environments holds the two screens that manage saved orgs.
//
// The list (NewList) shows every environment — name, kind, connection and
// the last Test Connection result — with the selected one's details beside
// or below it. From there the user tests a connection (t), adds (n), edits
// (e) or removes (d) an environment. The editor (NewEditor) adds or edits
// one: a directory of metadata, or a Salesforce org with exactly the fields
// its auth method needs. Secrets are typed into masked fields, never shown
// and never pre-filled: left blank when editing, the stored ones are kept.
//
// Every store and org call runs in a tea.Cmd and comes back as this
// package's own message, tagged so that stale answers are dropped; the two
// screens talk to each other only through such messages.
//
// environments may import model/..., ui/actions, ui/common, ui/theme,
// ui/components/..., store types and the Charm libraries; never bbolt.
package environments
