// Package demo builds `relman demo`: simulated Production, UAT and Dev orgs
// (orgclient/sim, speaking Salesforce's wire protocol on loopback) backed by
// copies of the sample orgs, and a store seeded — through the same use cases
// the CLI and the UI call — with users alice, bob and carol and change
// requests in every status with their history.
//
// A demo folder can be reused: the orgs keep what was deployed to them, the
// store keeps its records, and the environments are pointed at the
// simulators' new addresses on every start.
//
// demo may import model/..., store, orgclient/..., ui/actions.
package demo
