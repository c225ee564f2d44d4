// Package output writes a lint.Report in the formats podlint offers: text
// for people, json for scripts, sarif for code-scanning uploads and github
// for workflow annotations. Formats only render; every decision (colour,
// which findings exist, their order) is made before, so that the same
// report always renders to the same bytes.
package output
