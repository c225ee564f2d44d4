// Package cluster is what podlint knows about a cluster: the table of
// cluster kinds (kinds.go) and the in-memory Store the checks ask, indexed
// for them: nodes by label, pod-spec workloads by host port, and named
// objects by namespace.
//
// The table has one row per kind podlint reads: where it lives in the API,
// what podlint keeps of it, which checks need it, and its field reader,
// the one place the kind's fields enter the Store. Every source feeds the
// Store through those rows: the inputs of a lint run, snapshot files and
// live list calls (package cluster/snapshot), and the webhook's informers
// (package cluster/informers).
//
// The Store records, per kind and namespace, whether that part of the
// cluster is known, so that checks can tell "absent" from "nobody said".
// It does no I/O.
package cluster
