// Package cluster is the in-memory store of what podlint knows about a
// cluster, indexed for the checks: nodes by label, pod-spec workloads by
// host port, and named objects by namespace.
//
// Every source feeds the same store: the inputs of a lint run, snapshot
// files, live list calls, and the webhook's informers. The store records,
// per kind and namespace, whether that part of the cluster is known, so that
// checks can tell "absent" from "nobody said". It does no I/O.
package cluster
