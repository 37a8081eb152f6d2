// Command gen writes model/metadata's generated type table from the
// Salesforce CLI's metadata registry (source-deploy-retrieve's
// metadataRegistry.json, Apache-2.0). It runs only at `go generate` time:
//
//	go generate ./model/metadata
//
// reads ../shared/data/sdr-metadataRegistry.json (relative to the
// repository) and writes registry_gen.go, which is committed so that the
// build never needs the JSON file.
package main
