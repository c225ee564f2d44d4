// Package chart tests the webhook's Helm chart (manifests/chart/
// podlint-webhook): with default values it renders, object for object, what
// "kubectl kustomize manifests/" renders, and with certMode=cert-manager
// what the cert-manager overlay renders; its values change what they say
// and nothing else; the schema refuses bad values; helm lint passes and
// podlint finds nothing in any rendering.
//
// The chart is rendered by the real helm CLI at a pinned version, built
// from the Go module proxy by hack/helm.sh (once; cached), so podlint's own
// module does not depend on Helm.
package chart
