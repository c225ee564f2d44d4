// Package scale builds the cluster that webhook's BenchmarkReview and
// make loadtest (hack/loadtest) measure against, so that the two measure
// the same thing: Nodes in five pools across three zones with the
// well-known labels, pool taints, allocatable and a few cordoned, and
// DaemonSets that hold host ports.
package scale
