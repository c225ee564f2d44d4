// Package why explains pods that are already stuck. It reads what the API
// server holds — pods, their events, nodes, the owning workloads, leases —
// from a live cluster (ReadLive) or from a kubectl dump (Decode), and turns
// each stuck pod or workload into diagnoses: the cause, the status fields
// and events the verdict rests on, the fix from the troubleshooting guide
// with the pod's own names filled in, and the podlint findings on its spec
// that would have caught it before deploy.
//
// Every verdict comes from one table, Rules(): a row per cause with the
// state it shows, the reasons and message wordings (Docker, containerd and
// CRI-O, several Kubernetes versions) that identify it, and the remediation
// template. docs/causes.md is generated from it.
//
// The package is deterministic: no network beyond the API server, and "now"
// is an input (the newest timestamp of a dump), so a dump always gives the
// same answer.
package why
