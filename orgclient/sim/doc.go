// Package sim is a simulated Salesforce org: an HTTP server on loopback that
// speaks Salesforce's own wire protocol — OAuth token endpoint, identity,
// versions (31.0–68.0) and limits, the SOAP Metadata API (describe, list,
// retrieve, deploy, status, cancel, quick deploy), the REST deployRequest
// resource, and SOQL through /query and /tooling/query plus the sObject
// resource for the setup objects tools read (User, Organization, ApexClass,
// ApexTrigger, ApexCodeCoverageAggregate, ApexOrgWideCoverage,
// DeployRequest, SourceMember in sandboxes, MetadataComponentDependency) —
// over metadata kept in a directory (source or Metadata API format, read and
// written through orgclient/local).
//
// It exists for relman's tests, `relman sim` and `relman demo`. The goal is
// fidelity: a real client (jsforce, the Salesforce CLI, ForceCLI,
// simple-salesforce) must be able to log in, list, retrieve, deploy, poll,
// cancel and quick-deploy against it unchanged. Every protocol choice follows
// /work/shared/docs/salesforce-api.md and cites it as §N.N; where that page is
// silent the simulator picks the behaviour a real org is believed to have and
// says so in a comment.
//
// What it simulates beyond the wire shapes: deploys run asynchronously
// (Pending → InProgress → tests → Succeeded, SucceededPartial, Failed or
// Canceled) one at a time per org, components are checked (malformed XML,
// references to fields, objects, classes and pages that exist neither in the
// package nor in the org), Apex tests are "run" from the @isTest classes
// present after the package is applied (a method whose body calls
// System.assert(false …) fails), code coverage is derived from what the
// tests call (coverage.go), a production org enforces Salesforce's rules —
// 75 % coverage per test level, no NoTestRun, quick deploy only for
// validations whose tests passed and met coverage — while a sandbox stays
// permissive, and successful deploys are written back to the directory, so
// a restarted simulator keeps them. Faults (latency, random 500s, expiring
// sessions, an API request limit) can be injected.
//
// Not simulated (answered as a real org would answer an unknown resource or
// operation): the partner SOAP login, JWT and client-credentials grants,
// CRUD-style Metadata calls (readMetadata, createMetadata, …), Bulk API and
// runTestsAsynchronous, flow coverage, DML/SOQL details of Apex coverage,
// performRetrieve and specificFiles. Jobs live in memory only; the
// metadata lives in the directory.
//
// sim may import relman/model/..., relman/orgclient/local, relman/diff and
// the standard library; never store, ui, bbolt or the Charm libraries, and
// never orgclient/salesforce outside tests: the simulator is held to the
// protocol, not to relman's client.
package sim
