// Package precommit tests the pre-commit hook in .pre-commit-hooks.yaml
// with the real pre-commit tool: it installs the hook from a git
// repository holding this source tree and runs it over a project with a
// broken manifest.
package precommit
