// Package snapshot is where the podlint CLI gets cluster knowledge beyond
// its inputs: snapshot files (what `kubectl get ... -A -o yaml|json` prints,
// or what `podlint --live --write-snapshot` wrote) and read-only list calls
// against a live API server.
//
// Both sources produce a Snapshot, which feeds a cluster.Store and marks
// as known only the kinds that were listed completely. A kind that could not
// be read (RBAC forbids it, the server is unreachable) stays unknown, so the
// checks that need it stay silent rather than guess.
//
// Secret data never enters this package's types: Secrets are decoded into
// metadata and type only, and live Secrets and ConfigMaps are read through
// metadata-only list calls.
package snapshot
