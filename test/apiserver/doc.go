// Package apiserver starts, for tests, the real kube-apiserver and etcd that
// hack/build-envtest-bins.sh builds into <repo>/bin, through
// controller-runtime's envtest. Every test that needs a cluster uses it;
// without the binaries it follows package need's rule (skip locally, fail
// in CI).
package apiserver
