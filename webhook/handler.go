package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/manifest"
)

// admits tells whether podlint judges requests for a kind: the workload
// kinds that run pods (checks.WorkloadKinds). This is the webhook's one kind
// filter; the decoder and the checks take what passes it.
func admits(gk schema.GroupKind) bool {
	w, ok := checks.LookupWorkloadKind(gk)
	return ok && w.RunsPods
}

// Decisions, as counted in podlint_webhook_requests_total.
const (
	decisionAllowed  = "allowed"
	decisionWarned   = "warned"
	decisionDenied   = "denied"
	decisionSkipped  = "skipped"
	decisionTimeout  = "timeout"
	decisionOverload = "overload"
	decisionPanic    = "panic"
	decisionError    = "error"
)

// HandlerOptions configure a Handler.
type HandlerOptions struct {
	// Engine returns the engine to use for a request; the config watcher
	// swaps it when the config file changes.
	Engine func() *checks.Engine
	// Inventory returns the cluster knowledge; it must only read memory.
	Inventory func() checks.Inventory
	// Mode is the global mode; a namespace's podlint.io/mode label
	// overrides it.
	Mode           Mode
	Timeout        time.Duration
	MaxConcurrency int
	Metrics        *Metrics
	// MaxOverruns caps checks still running after their request was
	// answered at the deadline; while that many run, new requests are
	// allowed unchecked (default MaxConcurrency).
	MaxOverruns int
	// TrustedControllers are usernames, besides the built-in controllers
	// (see trustedController), whose Pods with a controller owner
	// reference only get warnings. A trailing "*" matches any rest.
	TrustedControllers []string
	// DenyMissingReferences judges missing referenced objects like any
	// other error (Options.MissingReferences enforce) instead of warning.
	DenyMissingReferences bool
}

// Handler is podlint's admission.Handler.
type Handler struct {
	engine  func() *checks.Engine
	inv     func() checks.Inventory
	mode    Mode
	timeout time.Duration
	// sem holds a slot per request being checked; it is given back when
	// the request is answered, even if its checks run on.
	sem chan struct{}
	// overrunning counts checks still running after their answer; no new
	// check starts while there are maxOverruns, so abandoned checks cannot
	// pile up without bound.
	overrunning atomic.Int64
	maxOverruns int64
	metrics     *Metrics
	trusted     []string
	denyMissing bool
	workers     *workers
	// uncheckedLog limits the lines about requests not checked.
	uncheckedLog *logLimiter
}

var _ admission.Handler = (*Handler)(nil)

// NewHandler returns a handler; unset options get their defaults.
func NewHandler(o HandlerOptions) *Handler {
	d := DefaultOptions()
	h := &Handler{engine: o.Engine, inv: o.Inventory, mode: o.Mode, timeout: o.Timeout, metrics: o.Metrics,
		trusted: slices.Clone(o.TrustedControllers), denyMissing: o.DenyMissingReferences}
	if h.engine == nil {
		e := checks.NewEngine(nil)
		h.engine = func() *checks.Engine { return e }
	}
	if h.inv == nil {
		h.inv = func() checks.Inventory { return checks.Inventory{} }
	}
	if h.mode == "" {
		h.mode = d.Mode
	}
	if h.timeout <= 0 {
		h.timeout = d.Timeout
	}
	n := o.MaxConcurrency
	if n <= 0 {
		n = d.MaxConcurrency
	}
	h.sem = make(chan struct{}, n)
	h.workers = &workers{jobs: make(chan func()), idle: workerIdle}
	h.uncheckedLog = newLogLimiter()
	h.maxOverruns = int64(o.MaxOverruns)
	if h.maxOverruns <= 0 {
		h.maxOverruns = int64(n)
	}
	return h
}

// Handle judges one admission request. It never returns an error response:
// every failure of podlint itself allows the request with a warning. It
// answers by the deadline of ctx or its timeout, whichever comes first,
// whether or not the checks have finished.
func (h *Handler) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	// Latency counts from the request's arrival when the HTTP layer
	// recorded it: reading the body and decoding the review are part of
	// what the API server waits for.
	start := time.Now()
	if a, ok := arrivalFrom(ctx); ok {
		start = a.at
	}
	defer func() {
		// The checks run behind their own recover; this one covers the
		// adapter itself, so that no bug of podlint's denies a request.
		if p := recover(); p != nil {
			h.metrics.panicked()
			h.metrics.notChecked(reasonPanic)
			requestLog(ctx, req).Error(fmt.Errorf("panic: %v", p), "recovered a panic in the handler; request allowed", "stack", string(debug.Stack()))
			resp = allowWithWarning("podlint: internal error while checking; this object was not checked")
		}
	}()
	resp, decision, reason := h.handle(ctx, req)
	h.metrics.request(req.Kind.Kind, string(req.Operation), decision, time.Since(start))
	h.metrics.notChecked(reason)
	base := log.FromContext(ctx)
	if decision != decisionDenied && reason != reasonPanic && reason != reasonError && !base.V(1).Enabled() {
		// Most requests log nothing at the default verbosity; only those
		// that do pay for the request's logger (zap encodes its fields
		// when it is made).
		if reason != "" {
			if ok, suppressed := h.uncheckedLog.take(); ok {
				requestLog(ctx, req).Info("not checked", "decision", decision, "reason", reason, "warnings", resp.Warnings,
					"elapsed", time.Since(start).String(), "suppressed", suppressed)
			}
		}
		return resp
	}
	lg := requestLog(ctx, req).WithValues("decision", decision)
	switch {
	case decision == decisionDenied:
		lg.Info("denied", "message", resp.Result.Message)
	case reason == reasonPanic || reason == reasonError:
		lg.Info("not checked", "reason", reason, "warnings", resp.Warnings)
	case reason != "":
		// Overload and timeouts come in floods: every one is counted, and
		// logged one by one only at -v=1 (above, a few lines a second
		// that say how many were left out).
		lg.V(1).Info("not checked", "reason", reason, "warnings", resp.Warnings, "elapsed", time.Since(start).String())
	default:
		lg.V(1).Info("admitted", "warnings", resp.Warnings, "elapsed", time.Since(start).String())
	}
	return resp
}

// requestLog is the logger for lines about req: every line names the
// request once; the keys are not repeated by whoever logs.
func requestLog(ctx context.Context, req admission.Request) logr.Logger {
	return log.FromContext(ctx).WithValues("uid", req.UID, "kind", req.Kind.Kind, "namespace", req.Namespace,
		"name", req.Name, "operation", req.Operation, "user", req.UserInfo.Username, "dryRun", req.DryRun != nil && *req.DryRun)
}

// outcome is what the checking goroutine hands back.
type outcome struct {
	verdicts []verdict
	ref      checks.ObjectRef
	err      error
	panicked any
	stack    []byte
	// untrustedUser is set for a Pod that names a controller owner but
	// comes from a user who is not a controller: that user.
	untrustedUser string
	untrusted     bool
}

// Run states of a check, for telling an overrun from a check that
// finished in time.
const (
	runRunning int32 = iota
	runFinished
	runAbandoned
)

// handle returns the answer, the decision for the metrics and, when the
// object was not checked, the reason.
func (h *Handler) handle(ctx context.Context, req admission.Request) (admission.Response, string, string) {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed(""), decisionSkipped, ""
	}
	if !admits(schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind}) || req.SubResource != "" {
		return admission.Allowed(""), decisionSkipped, ""
	}
	mode := h.modeFor(req.Namespace)
	if mode == Off {
		return admission.Allowed(""), decisionSkipped, ""
	}
	if h.overrunning.Load() >= h.maxOverruns {
		return allowWithWarning("podlint: too many earlier checks are still running past their deadline; this object was not checked"), decisionOverload, reasonBacklog
	}
	select {
	case h.sem <- struct{}{}:
	default:
		return allowWithWarning("podlint: too many requests at once; this object was not checked"), decisionOverload, reasonOverload
	}
	// The slot goes back when the request is answered. Checks that run
	// on are counted in overrunning instead, which bounds them.
	defer func() { <-h.sem }()

	deadline := time.Now().Add(h.timeout)
	budget := h.timeout
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
		if a, ok := arrivalFrom(ctx); ok {
			budget = a.budget
		}
	}
	res := reservationFrom(ctx)
	res.hold()
	var state atomic.Int32
	done := make(chan outcome, 1)
	h.workers.run(func() {
		// The request's bytes stay counted until the decoded object is
		// no longer used.
		defer res.done()
		defer func() {
			if state.Swap(runFinished) == runAbandoned {
				h.overrunning.Add(-1)
				h.metrics.overrunEnded()
			}
		}()
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{panicked: p, stack: debug.Stack()}
			}
		}()
		done <- h.evaluate(req, mode)
	})
	abandon := func() {
		if state.CompareAndSwap(runRunning, runAbandoned) {
			h.overrunning.Add(1)
			h.metrics.overrun()
		}
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var out outcome
	select {
	case out = <-done:
	case <-timer.C:
		abandon()
		return allowWithWarning(fmt.Sprintf("podlint: checks did not finish within %s; this object was not checked", budget)), decisionTimeout, reasonTimeout
	case <-ctx.Done():
		abandon()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || !time.Now().Before(deadline) {
			return allowWithWarning(fmt.Sprintf("podlint: checks did not finish within %s; this object was not checked", budget)), decisionTimeout, reasonTimeout
		}
		return allowWithWarning("podlint: request cancelled before the checks finished; this object was not checked"), decisionTimeout, reasonCancelled
	}
	switch {
	case out.panicked != nil:
		h.metrics.panicked()
		requestLog(ctx, req).Error(fmt.Errorf("panic: %v", out.panicked), "recovered a panic while checking; request allowed", "stack", string(out.stack))
		return allowWithWarning("podlint: internal error while checking; this object was not checked"), decisionPanic, reasonPanic
	case out.err != nil:
		return allowWithWarning("podlint: " + out.err.Error() + "; this object was not checked"), decisionError, reasonError
	}
	resp, decision := h.respond(out)
	return resp, decision, ""
}

// evaluate decodes and checks the object (and, on UPDATE, the old object
// for ratcheting). It runs on its own goroutine.
func (h *Handler) evaluate(req admission.Request, mode Mode) outcome {
	t, err := manifest.ParseAdmission(req.Object.Raw)
	if err != nil {
		return outcome{err: err}
	}
	if t.Meta.DeletionTimestamp != nil {
		// Finalizers being removed: the object is going away.
		return outcome{ref: t.Ref}
	}
	fillNamespace(t, req.Namespace, req.Name)
	eng, inv := h.engine(), h.inv()
	res := eng.RunTarget(t, inv)
	var old []checks.Finding
	if req.Operation == admissionv1.Update && len(res.Findings) > 0 && len(req.OldObject.Raw) > 0 {
		if ot, err := manifest.ParseAdmission(req.OldObject.Raw); err == nil {
			fillNamespace(ot, req.Namespace, req.Name)
			old = eng.RunTarget(ot, inv).Findings
		}
	}
	claimed := controlledPod(t)
	trusted := claimed && h.trustedController(req.UserInfo)
	var mayAppear map[string]bool
	if len(res.Findings) > 0 {
		mayAppear = h.mayAppear(eng, inv, t.Namespace())
	}
	out := outcome{ref: t.Ref, verdicts: judge(res.Findings, old, mode, trusted, mayAppear), untrusted: claimed && !trusted}
	if out.untrusted {
		out.untrustedUser = req.UserInfo.Username
	}
	return out
}

// builtinControllers are the users whose Pods may claim a controller
// owner: kube-controller-manager's controllers (each its own kube-system
// service account with --use-service-account-credentials, as kubeadm and
// most distributions run it, or the manager's own user otherwise) and the
// nodes (the kubelet's mirror pods).
var builtinControllers = []string{
	"system:serviceaccount:kube-system:*",
	"system:kube-controller-manager",
}

// trustedController tells whether a request comes from a controller, so
// that a Pod it creates with a controller owner reference was already
// judged through its owner. Anyone can write ownerReferences by hand; only
// the requesting user tells a controller's Pod from a bare one.
func (h *Handler) trustedController(u authenticationv1.UserInfo) bool {
	if strings.HasPrefix(u.Username, "system:node:") && slices.Contains(u.Groups, "system:nodes") {
		return true
	}
	for _, p := range slices.Concat(builtinControllers, h.trusted) {
		if p == u.Username || (strings.HasSuffix(p, "*") && strings.HasPrefix(u.Username, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

// mayAppear returns the checks whose error findings only warn because the
// missing object may still be created: kubectl apply sends a file's
// objects one request at a time, so a ConfigMap written after its
// Deployment arrives a moment later, and Kubernetes simply waits for it.
// The CLI sees the whole apply and keeps these as errors. In a terminating
// namespace nothing new can be created, so they deny again, as they do
// with --missing-references=enforce.
func (h *Handler) mayAppear(eng *checks.Engine, inv checks.Inventory, namespace string) map[string]bool {
	if h.denyMissing {
		return nil
	}
	if inv.Namespaces != nil {
		if ns, pr := inv.Namespaces.Namespace(namespace); pr == checks.Present && ns != nil &&
			(ns.Status.Phase == corev1.NamespaceTerminating || ns.DeletionTimestamp != nil) {
			return nil
		}
	}
	out := map[string]bool{}
	for _, c := range eng.Checks {
		if c.MissingReference {
			out[c.ID] = true
		}
	}
	return out
}

// fillNamespace puts the request's namespace and name on objects that do
// not carry them (a create with generateName, a manifest without
// namespace), so namespaced lookups and messages use the real ones.
func fillNamespace(t *checks.Target, ns, name string) {
	if t.Meta.Namespace == "" && ns != "" {
		t.Meta.Namespace = ns
		t.Ref.Namespace = ns
	}
	if t.Ref.Name == "" {
		t.Ref.Name = name
		if t.Ref.Name == "" {
			t.Ref.Name = t.Meta.GenerateName
		}
	}
}

// controlledPod tells whether t is a Pod that names a controller as its
// owner: if a controller really created it, its owner was already judged,
// and denying the Pod only makes the controller retry.
func controlledPod(t *checks.Target) bool {
	if t.Ref.Kind != "Pod" {
		return false
	}
	for _, r := range t.Meta.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return true
		}
	}
	return false
}

// verdict is a finding with what the webhook does about it.
type verdict struct {
	checks.Finding
	deny bool
	// why says why an error finding only warns ("" when it denies or is
	// not an error).
	why string
}

// judge decides per finding. Ratcheting compares check and field, not the
// message: a message may mention replica counts or node totals, so scaling
// a workload changes it while the problem stays the one the old object
// already had. An edit that changes the broken value (1024m to 2048m) in
// the same field therefore also only warns; an edit that breaks another
// field is denied.
//
// A missing referenced object (the checks in mayAppear: ConfigMaps,
// Secrets, PVCs, ServiceAccounts, their keys, Priority and RuntimeClasses)
// only warns: it may come later in the same apply.
func judge(findings, old []checks.Finding, mode Mode, controlled bool, mayAppear map[string]bool) []verdict {
	had := map[[2]string]bool{}
	for _, f := range old {
		had[[2]string{f.Check, f.Field}] = true
	}
	out := make([]verdict, 0, len(findings))
	for _, f := range findings {
		v := verdict{Finding: f}
		if f.Severity == checks.Error {
			switch {
			case had[[2]string{f.Check, f.Field}]:
				v.why = "already present before this update"
			case controlled:
				v.why = "pod owned by a controller"
			case mayAppear[f.Check]:
				v.why = "the missing object may be created later in the same apply"
			case mode == Warn:
				v.why = "mode warn"
			default:
				v.deny = true
			}
		}
		out = append(out, v)
	}
	return out
}

func (h *Handler) respond(out outcome) (admission.Response, string) {
	var warnings []string
	var denials []verdict
	for _, v := range out.verdicts {
		action := "warn"
		if v.deny {
			action = "deny"
			denials = append(denials, v)
		} else {
			warnings = append(warnings, warningText(v.Finding))
		}
		h.metrics.finding(v.Check, v.Severity.String(), action)
	}
	if out.untrusted && len(out.verdicts) > 0 {
		warnings = append([]string{fmt.Sprintf("podlint: this Pod names a controller owner but comes from %q, not a controller; it was judged as a bare Pod", truncate(out.untrustedUser, 128))}, warnings...)
	}
	warnings = limitWarnings(warnings)
	if len(denials) > 0 {
		return deny(out.ref, denials, warnings), decisionDenied
	}
	resp := admission.Allowed("")
	resp.Warnings = warnings
	if len(warnings) > 0 {
		return resp, decisionWarned
	}
	return resp, decisionAllowed
}

// Denial limits. One line per problem is what the API server does, but a
// Pod with thousands of broken containers would make a megabyte answer
// that every client prints and the API server logs; past these limits the
// denial ends with "and N more".
const (
	denialMaxCauses  = 50
	denialMaxMessage = 16 << 10
	denialMaxLine    = 1 << 10
)

// deny builds the API server's kind of error: a message listing the
// problems as `field: message [check-id]` and one cause per field, so
// clients that read causes (kubectl, client-go's apierrors) see them; both
// capped, and the rest counted in a last line and a last cause.
func deny(ref checks.ObjectRef, vs []verdict, warnings []string) admission.Response {
	var b strings.Builder
	fmt.Fprintf(&b, "podlint: %s %q would leave its pods stuck:", ref.Kind, truncate(ref.Name, 253))
	causes := make([]metav1.StatusCause, 0, min(len(vs), denialMaxCauses)+1)
	shown := 0
	for _, v := range vs {
		line := limitLine(v.Finding, denialMaxLine)
		// Room is kept for the last line.
		if shown == denialMaxCauses || b.Len()+len(line)+3 > denialMaxMessage-64 {
			break
		}
		b.WriteString("\n  ")
		b.WriteString(line)
		msg := oneLine(v.Message)
		causes = append(causes, metav1.StatusCause{
			Type:    metav1.CauseTypeFieldValueInvalid,
			Field:   v.Field,
			Message: truncate(msg, max(denialMaxLine-len(v.Check)-3, 0)) + " [" + v.Check + "]",
		})
		shown++
	}
	if rest := len(vs) - shown; rest > 0 {
		more := fmt.Sprintf("podlint: and %d more problem(s) not shown", rest)
		b.WriteString("\n  ")
		b.WriteString(more)
		causes = append(causes, metav1.StatusCause{Type: metav1.CauseTypeFieldValueInvalid, Message: more})
	}
	resp := admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{
		Allowed: false,
		Result: &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusUnprocessableEntity,
			Reason:  metav1.StatusReasonInvalid,
			Message: b.String(),
			Details: &metav1.StatusDetails{Name: ref.Name, Kind: ref.Kind, Causes: causes},
		},
	}}
	resp.Warnings = warnings
	return resp
}

func allowWithWarning(w string) admission.Response {
	resp := admission.Allowed("")
	resp.Warnings = []string{w}
	return resp
}

// modeFor reads the namespace's podlint.io/mode label from the informer
// cache; an unknown namespace or a bad label value gets the global mode.
func (h *Handler) modeFor(namespace string) Mode {
	inv := h.inv()
	if namespace == "" || inv.Namespaces == nil {
		return h.mode
	}
	ns, p := inv.Namespaces.Namespace(namespace)
	if p != checks.Present || ns == nil {
		return h.mode
	}
	switch m := Mode(ns.Labels[ModeLabel]); m {
	case Enforce, Warn, Off:
		return m
	}
	return h.mode
}

// workerIdle is how long a checking goroutine waits for the next request
// before it exits.
const workerIdle = 30 * time.Second

// workers run the checks of requests on goroutines that outlive a request.
// A new goroutine's stack starts small and is copied each time decoding
// recurses past it (about 4% of the webhook's CPU at 1,000 reviews/s); a
// goroutine that stays keeps its stack. There are never more than the
// requests being checked at once, which MaxConcurrency and MaxOverruns
// bound, and each exits after workerIdle without work.
type workers struct {
	jobs chan func() // unbuffered: a send succeeds only to an idle worker
	idle time.Duration
	// started counts the goroutines started, for tests.
	started atomic.Int64
}

// run starts f on an idle worker, or on a new one when none is idle; it
// never waits.
func (w *workers) run(f func()) {
	select {
	case w.jobs <- f:
	default:
		w.started.Add(1)
		go w.work(f)
	}
}

func (w *workers) work(f func()) {
	t := time.NewTimer(w.idle)
	defer t.Stop()
	for {
		f()
		f = nil // an idle worker must not keep the last request alive
		t.Reset(w.idle)
		select {
		case f = <-w.jobs:
		case <-t.C:
			return
		}
	}
}
