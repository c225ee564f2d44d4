// Package lint is podlint's manifest linter: it finds the input files,
// renders the kustomizations among them (lint/kustomize), decodes them
// with positions (package manifest), builds the inventory from all inputs
// of the run, runs the check engine and places every finding at
// file:line:column.
//
// The files of a run are one apply and each rendered kustomization
// another: a render's objects are cluster state for that render only
// (kustomize.go), and its findings are placed where the value is written,
// not in the render.
//
// An input that cannot be read or parsed never stops the run; it becomes
// an InputError and the other inputs are still linted. Output formats
// live in lint/output and the command line in lint/cli.
package lint
