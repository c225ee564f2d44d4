// Package e2e runs podlint-webhook's real server code against a real
// kube-apiserver and etcd (envtest, binaries in <repo>/bin built by
// hack/build-envtest-bins.sh) and drives the API through client-go and
// kubectl. The tests skip when the binaries are missing, unless CI is set.
package e2e
