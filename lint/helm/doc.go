// Package helm renders the Helm charts of a lint run in-process, the way
// `helm template` does, and places every finding on a rendered object
// where the user must edit: the template line when the offending value is
// written there, the values file line when it came from a value.
//
// A chart is a directory holding Chart.yaml, given as a path or met while
// walking; a file inside a chart given by name (as pre-commit passes
// staged files) stands for its chart. Subcharts vendored in charts/ (as
// directories or .tgz archives) are rendered with their parent and never
// on their own; every file of a rendered chart belongs to the chart and is
// never linted as a manifest. Remote dependencies are never fetched:
// podlint works offline, so a dependency Chart.yaml lists but charts/ does
// not hold is one error at its line in Chart.yaml.
//
// Render uses only the packages rendering needs (pkg/chart/loader,
// pkg/chartutil, pkg/engine, pkg/releaseutil, pkg/strvals), not
// pkg/action: it loads the chart under the run's size cap (regular files
// only, .helmignore honoured), merges values as `helm template -f ...
// --set ...` does, processes dependencies (conditions, tags, aliases,
// import-values), validates values.schema.json, renders the templates
// with client-only capabilities at the Kubernetes version podlint targets
// (Helm's built-in default, v1.20, makes many charts refuse), and orders
// the documents as Helm does: CRDs from crds/, then the manifests in
// install order, then the hooks. Template errors, `required` and `fail`
// messages and schema failures are one error each, at the template's
// file:line when Helm names it.
//
// Each render is its own apply: its objects carry the render's group.
// With no values given, a chart with ci/*-values.yaml files (the
// chart-testing convention) is rendered once per such file.
//
// Positions (locate.go): a finding's field path is resolved in the
// rendered document. A scalar written literally in the template (the
// line `memory: 1024m`, no action on it) is placed at that template
// line; a scalar that equals a value of the values files (values.yaml of
// the chart or a subchart, -f files, a ci/ file), where that file is the
// one that wins for the key and the templates refer to the key, is placed
// at the value's line; anything else is placed in the template file at
// the line of the render, with a note that the line is rendered.
package helm
