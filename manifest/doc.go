// Package manifest is the shared decoder below podlint's front ends: it
// turns a YAML or JSON document, or the object of an AdmissionReview, into
// the checks.Target the checks see, with the positions of what was written.
// lint uses it for files, webhook for admission requests, and a future
// front end (`podlint why` for a stuck pod) would use it the same way, so
// an object gets the same target, the same schema issues and therefore the
// same findings whichever way it reaches podlint. It depends on checks and
// on nothing of any front end.
//
// Parse splits a stream into documents itself (at column-0 "---" lines) so
// that a syntax error loses only its own document, parses each document
// into a yaml.v3 node tree, expands kind: List and the *List kinds, and
// decodes every object by walking the node tree together with the Go type.
// That walk is what makes schema problems precise: an unknown field, a
// wrong type, an unparseable quantity or a duplicate key becomes a
// checks.SchemaIssue at its exact line and column, the offending value is
// dropped, and the rest of the object still decodes so the other checks
// run on it.
//
// Streams: Splitter cuts a stream into the same documents while reading
// it, normalising each one as Parse normalises the whole stream, and
// ParseDocument decodes one document; lint reads its inputs that way, so
// that a stream is never held whole (a test fuzzes Splitter against
// Parse's cuts).
//
// Values are read the way the API server reads them after kubectl turned
// the YAML into JSON: YAML 1.1 booleans (yes, on, off, …) are booleans, a
// number where a string is expected is an error, and field names are
// case-sensitive.
//
// Helm output: a "# Source: chart/templates/x.yaml" comment before a
// document is kept as the object's Rendered hint. Positions stay in the
// stream that was read: the value a finding is about often comes from
// another template (_helpers.tpl) or from a toYaml further down, so a line
// counted from the comment would point into the wrong file or the wrong
// place.
//
// Kustomize patches: a document with a top-level "$patch" key
// ("$patch: delete") is returned with Patch set and Known false; it is not
// an object.
//
// API versions: kinds that the client-go scheme knows at a GA version are
// decoded. A pre-release version of a kind that also exists as GA
// (extensions/v1beta1 Deployment, batch/v1beta1 CronJob, …) is treated as
// unknown: current API servers no longer serve most of them, and their
// types do not carry the pod spec the checks read. Unknown objects have
// Known false and no Target; callers count them as skipped.
package manifest
