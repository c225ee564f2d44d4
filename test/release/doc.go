// Package release tests "make release" (hack/release) for the host
// platform: archives holding podlint, kubectl-podlint and podlint-webhook,
// each printing the stamped version, SHA256SUMS that match, and the
// Dockerfile building its webhook with the same command. The full
// six-platform release runs in CI (.ci/run) after the tests.
package release
