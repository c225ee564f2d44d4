// Package lint is podlint's manifest linter: it finds the input files,
// renders the kustomizations among them (lint/kustomize), decodes them
// with positions (package manifest), lays the inputs over the cluster
// knowledge where they are applied together (applied.go: one directory,
// standard input, one rendered kustomization; explicit namespaces across
// the run), runs the check engine and places every finding at
// file:line:column.
//
// A rendered kustomization is one apply, like `kubectl apply -k`, and the
// files it reads are linted through it, not on their own; the findings of
// its objects, and the objects they name, are placed where the value is
// written (the base file, the patch, the kustomization's transformer
// entry), never in the render. Without rendering (--kustomize=never, an
// excluded kustomization file) the patch files a kustomization lists are
// skipped (patches.go).
//
// Inputs are read as streams (stream.go), so that memory follows the
// largest document, not the whole input: documents are cut while read
// (manifest.Splitter) and decoded on every core, each object's own checks
// run at once and are placed while its node tree is there, and of the
// object only what the checks across objects need is kept — the objects
// the inventory is made of, trimmed (key names, never values), and
// workloads — in protobuf form in an unlinked spool file (compact.go;
// Secrets stay in memory), with their documents for the positions of
// findings that come later: a few words each in memory until every input
// is read. The checks that ask
// about other objects run when every input is read (the probe inventory,
// probe.go, tells them apart), so a ServiceAccount later in the stream
// still counts, and findings come out sorted exactly as before. A
// render (kustomize, Helm) arrives whole, after the inputs; its objects go
// through the same first pass but stay whole, since they place their own
// findings.
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
