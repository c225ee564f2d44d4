// Package webhook is podlint's admission adapter: it judges the workload
// kinds that run pods (checks.WorkloadKinds), decodes the object of an
// AdmissionReview with the decoder the CLI uses (package manifest), runs
// the shared checks with an inventory fed by informer caches, and turns the
// findings into a decision (deny for errors, admission warnings otherwise).
//
// No check logic lives here. Everything on the request path reads memory
// only: cluster state comes from informers, never from a live API call, so
// a slow or unreachable API server cannot make admission slow. The handler
// fails open: timeouts, overload and panics allow the request with a
// warning, because a policy webhook that blocks every Pod is worse than one
// that lets a broken manifest through.
//
// It also defends itself, since an OOM-killed or starved webhook fails
// open for the whole cluster: its own HTTPS server (TLSServer) bounds the
// handshake and headers and the number of connections; the HTTP layer
// gives each request one deadline for its body and its checks, and an
// in-flight byte budget that bodies draw from as they arrive and keep
// until their checks finish; the handler answers by the deadline and
// gives the request's slot back then, counting checks that run on.
package webhook
