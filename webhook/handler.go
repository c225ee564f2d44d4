package webhook

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
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
}

// Handler is podlint's admission.Handler.
type Handler struct {
	engine  func() *checks.Engine
	inv     func() checks.Inventory
	mode    Mode
	timeout time.Duration
	sem     chan struct{}
	metrics *Metrics
}

var _ admission.Handler = (*Handler)(nil)

// NewHandler returns a handler; unset options get their defaults.
func NewHandler(o HandlerOptions) *Handler {
	d := DefaultOptions()
	h := &Handler{engine: o.Engine, inv: o.Inventory, mode: o.Mode, timeout: o.Timeout, metrics: o.Metrics}
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
	return h
}

// Handle judges one admission request. It never returns an error response:
// every failure of podlint itself allows the request with a warning.
func (h *Handler) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	start := time.Now()
	defer func() {
		// The checks run behind their own recover; this one covers the
		// adapter itself, so that no bug of podlint's denies a request.
		if p := recover(); p != nil {
			h.metrics.panicked()
			log.FromContext(ctx).Error(fmt.Errorf("panic: %v", p), "recovered a panic in the handler; request allowed",
				"uid", req.UID, "stack", string(debug.Stack()))
			resp = allowWithWarning("podlint: internal error while checking; this object was not checked")
		}
	}()
	resp, decision := h.handle(ctx, req)
	h.metrics.request(req.Kind.Kind, string(req.Operation), decision, time.Since(start))
	lg := log.FromContext(ctx).WithValues("uid", req.UID, "kind", req.Kind.Kind, "namespace", req.Namespace,
		"name", req.Name, "operation", req.Operation, "dryRun", req.DryRun != nil && *req.DryRun, "decision", decision)
	switch decision {
	case decisionDenied:
		lg.Info("denied", "message", resp.Result.Message, "user", req.UserInfo.Username)
	case decisionPanic, decisionError:
		lg.Info("not checked", "warnings", resp.Warnings)
	default:
		lg.V(1).Info("admitted", "warnings", resp.Warnings, "elapsed", time.Since(start).String())
	}
	return resp
}

// outcome is what the checking goroutine hands back.
type outcome struct {
	verdicts []verdict
	ref      checks.ObjectRef
	err      error
	panicked any
	stack    []byte
}

func (h *Handler) handle(ctx context.Context, req admission.Request) (admission.Response, string) {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed(""), decisionSkipped
	}
	if !admits(schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind}) || req.SubResource != "" {
		return admission.Allowed(""), decisionSkipped
	}
	mode := h.modeFor(req.Namespace)
	if mode == Off {
		return admission.Allowed(""), decisionSkipped
	}
	select {
	case h.sem <- struct{}{}:
	default:
		return allowWithWarning("podlint: too many requests at once; this object was not checked"), decisionOverload
	}
	done := make(chan outcome, 1)
	go func() {
		// The slot is held until the checks really finish, even after
		// the deadline answered the API server, so a pile of slow
		// requests cannot start unbounded goroutines.
		defer func() { <-h.sem }()
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{panicked: p, stack: debug.Stack()}
			}
		}()
		done <- h.evaluate(req, mode)
	}()
	timer := time.NewTimer(h.timeout)
	defer timer.Stop()
	var out outcome
	select {
	case out = <-done:
	case <-timer.C:
		return allowWithWarning(fmt.Sprintf("podlint: checks did not finish within %s; this object was not checked", h.timeout)), decisionTimeout
	case <-ctx.Done():
		return allowWithWarning("podlint: request cancelled before the checks finished; this object was not checked"), decisionTimeout
	}
	switch {
	case out.panicked != nil:
		h.metrics.panicked()
		log.FromContext(ctx).Error(fmt.Errorf("panic: %v", out.panicked), "recovered a panic while checking; request allowed",
			"uid", req.UID, "kind", req.Kind.Kind, "namespace", req.Namespace, "name", req.Name, "stack", string(out.stack))
		return allowWithWarning("podlint: internal error while checking; this object was not checked"), decisionPanic
	case out.err != nil:
		return allowWithWarning("podlint: " + out.err.Error() + "; this object was not checked"), decisionError
	}
	return h.respond(out)
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
	return outcome{ref: t.Ref, verdicts: judge(res.Findings, old, mode, controlledPod(t), mayAppear(eng, inv, t.Namespace()))}
}

// mayAppear returns the checks whose error findings only warn because the
// missing object may still be created: kubectl apply sends a file's
// objects one request at a time, so a ConfigMap written after its
// Deployment arrives a moment later, and Kubernetes simply waits for it.
// The CLI sees the whole apply and keeps these as errors. In a terminating
// namespace nothing new can be created, so they deny again.
func mayAppear(eng *checks.Engine, inv checks.Inventory, namespace string) map[string]bool {
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

// controlledPod tells whether t is a Pod that a controller owns: its owner
// was already judged, and denying the Pod only makes the controller retry.
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
// A missing ConfigMap, Secret, PVC or ServiceAccount (the checks in
// mayAppear) only warns: it may come later in the same apply.
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

// deny builds the API server's kind of error: a message listing every
// problem as `field: message [check-id]` and one cause per field, so
// clients that read causes (kubectl, client-go's apierrors) see them.
func deny(ref checks.ObjectRef, vs []verdict, warnings []string) admission.Response {
	var b strings.Builder
	fmt.Fprintf(&b, "podlint: %s %q would leave its pods stuck:", ref.Kind, ref.Name)
	causes := make([]metav1.StatusCause, 0, len(vs))
	for _, v := range vs {
		b.WriteString("\n  ")
		b.WriteString(formatFinding(v.Finding))
		causes = append(causes, metav1.StatusCause{
			Type:    metav1.CauseTypeFieldValueInvalid,
			Field:   v.Field,
			Message: oneLine(v.Message) + " [" + v.Check + "]",
		})
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
