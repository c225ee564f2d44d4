// Package cli is the podlint command: flag parsing (ParseFlags, pure),
// configuration loading, running the linter and choosing the exit code
// (Main), and ending promptly on SIGINT and SIGTERM (NotifySignals).
// cmd/podlint only wires them to the process.
package cli

// docs/checks.md is the markdown catalogue; TestDocsUpToDate fails when it
// is stale. "make docs" runs this.
//go:generate sh -c "go run ../../cmd/podlint --list-checks -o markdown > ../../docs/checks.md.tmp && mv ../../docs/checks.md.tmp ../../docs/checks.md"
