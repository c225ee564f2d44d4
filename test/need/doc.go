// Package need is the one rule for tests that depend on something outside
// the repository (kubectl, pre-commit, the shared corpus, the envtest
// binaries): without it a test is skipped locally, and fails when CI is
// set, so that a green CI run means those tests ran.
package need
