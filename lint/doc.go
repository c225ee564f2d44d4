// Package lint is podlint's manifest linter: it finds the input files,
// decodes them with positions (package manifest), builds the inventory from
// all inputs of the run, runs the check engine and places every finding at
// file:line:column.
//
// An input that cannot be read or parsed never stops the run; it becomes
// an InputError and the other inputs are still linted. Output formats
// live in lint/output and the command line in lint/cli.
package lint
