// Package plugin tests podlint as a kubectl plugin: "make build" puts
// kubectl-podlint beside podlint, the real kubectl finds it on PATH and
// runs it, and the krew manifest kept in plugins/podlint.yaml is valid.
//
// Validate checks a krew Plugin manifest by krew's own rules; the release
// tests use it on the manifest "make release" writes.
package plugin
