// Package cli is the podlint command: flag parsing (ParseFlags, pure),
// configuration loading, running the linter and choosing the exit code
// (Main). cmd/podlint only wires Main to the process.
package cli
