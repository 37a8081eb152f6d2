// Package orgclient is how the rest of relman talks to an environment: the
// Org interface and Open, which builds the right implementation from a
// model.Environment — a directory (orgclient/local) or a Salesforce org
// (orgclient/salesforce, speaking OAuth, the SOAP Metadata API and the
// REST/Tooling API). orgclient/sim is a simulated Salesforce org serving the
// same wire protocol on loopback, for tests and `relman demo`.
//
// orgclient may import model/... (and diff, in sim only); never store or ui,
// bbolt or the Charm libraries.
package orgclient
