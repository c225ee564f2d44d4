// Package manifests holds tests that render manifests/ with the real
// kubectl kustomize and check the properties that keep podlint from taking
// a cluster down: fail open, a short timeout, no side effects, the control
// plane and podlint's own namespace left out, least privilege, and names
// that agree with the defaults of package certs.
package manifests
