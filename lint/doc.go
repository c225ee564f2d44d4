// Package lint is podlint's manifest linter: it finds the input files,
// decodes them with positions (package manifest), lays the inputs over the
// cluster knowledge where they are applied together (applied.go: one
// directory, standard input, explicit namespaces across the run), runs the
// check engine and places every finding at file:line:column.
//
// Helm charts among the inputs are rendered by lint/helm (helm.go): their
// files are taken out of the inputs, each render is one apply group, and
// a finding on a rendered object is placed where the user edits (a
// template or values file line) through the object's placer, never in
// the render.
//
// An input that cannot be read or parsed never stops the run; it becomes
// an InputError and the other inputs are still linted. Output formats
// live in lint/output and the command line in lint/cli.
package lint
