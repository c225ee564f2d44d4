//go:build tools

// Package tools pins the Go modules from which hack/build-envtest-bins.sh
// builds the real control-plane binaries (kube-apiserver and etcd) that
// envtest starts in tests. It is a separate module so that the root
// module's dependency graph is not affected by k8s.io/kubernetes.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
