// Package checks is podlint's engine: the catalogue of checks, the targets
// they run over (a pod spec and the object that owns it), the narrow
// inventory interfaces through which a check learns what else exists, and
// the findings it reports.
//
// The package is pure: it does no I/O and does not import controller-runtime,
// so the CLI (package lint) and the admission webhook (package webhook) run
// exactly the same code and reach exactly the same verdicts.
package checks
