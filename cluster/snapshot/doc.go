// Package snapshot is where the podlint CLI gets cluster knowledge beyond
// its inputs: snapshot files (what `kubectl get ... -A -o yaml|json` prints,
// or what `podlint --live --write-snapshot` wrote) and read-only list calls
// against a live API server.
//
// Both sources feed a Sink (the cluster.Store, or a Snapshot to be written)
// through the rows of the kinds table, and mark as known only the kinds
// that were listed completely. A kind that could not be read (RBAC forbids
// it, the server is unreachable) stays unknown, so the checks that need it
// stay silent rather than guess.
//
// Secret data never enters this package: snapshot Secrets are cut down to
// metadata and type before they are decoded, and live Secrets and
// ConfigMaps are read through server-side tables and metadata-only list
// calls.
package snapshot
