// Package salesforce is relman's client for real Salesforce orgs: it signs
// in with every model.AuthMethod (OAuth 2.0 grants, JWT bearer, SFDX auth
// URLs, Salesforce CLI logins), speaks the SOAP Metadata API (describe,
// list, retrieve, deploy, status, cancel, quick deploy) and the REST/Tooling
// API (identity, limits, queries, component dependencies).
//
// Everything here is built from the wire facts in
// /work/shared/docs/salesforce-api.md, cited as §N.N in comments, so that it
// works the first time it meets a real org. The shape follows go-github:
// context first, option funcs, typed errors (*OpError around *SOAPFault,
// *APIError, *AuthError, *ResponseError, *LimitError) and tests against
// httptest servers that answer with the recorded Salesforce bodies.
//
// Secrets (access and refresh tokens, passwords, client secrets, SFDX auth
// URLs, private keys) never appear in an error, a log line or a String()
// result: this package logs nothing and its errors are built only from
// non-secret parts.
//
// The package may import relman/model/... and the standard library, plus
// golang.org/x/oauth2 and github.com/golang-jwt/jwt/v5; never store, ui,
// diff, bbolt or the Charm libraries.
package salesforce
