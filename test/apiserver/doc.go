// Package apiserver starts, for tests, the real kube-apiserver and etcd that
// hack/build-envtest-bins.sh builds into <repo>/bin, through
// controller-runtime's envtest. Every test that needs a cluster uses it, so
// the rule "skip locally without the binaries, fail in CI" lives in one
// place.
package apiserver
