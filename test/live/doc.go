// Package live runs the podlint command against a real kube-apiserver and
// etcd (envtest, binaries from hack/build-envtest-bins.sh): --live,
// --write-snapshot and --cluster-snapshot end to end, through cli.Main.
package live
