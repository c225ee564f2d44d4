// Package cli is the podlint why command: flag and TARGET parsing
// (ParseFlags, pure), reading the cluster or the dump, diagnosing and
// choosing the exit code (Main). cmd/podlint dispatches "podlint why ..."
// here; the same binary installed as kubectl-podlint makes it
// "kubectl podlint why ...".
package cli

// docs/causes.md is the markdown rule table; TestCausesDocUpToDate fails
// when it is stale. "make docs" runs this.
//go:generate sh -c "go run ../../cmd/podlint why --list-causes -o markdown > ../../docs/causes.md.tmp && mv ../../docs/causes.md.tmp ../../docs/causes.md"
