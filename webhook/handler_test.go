package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/cluster"
)

// testChecks react to the first container's image so each test can pick a
// behaviour with one field: "error", "warn:N" (N long warnings), "panic",
// "slow".
func testChecks() []*checks.Check {
	return []*checks.Check{
		{ID: "test-error", Severity: checks.Error, Run: func(p *checks.Pass) {
			for _, c := range p.Target.Containers() {
				if strings.HasPrefix(c.Container.Image, "error") {
					p.Report(c.Path.Child("image"), c.Container.Name, "image %q is refused by the test check", c.Container.Image)
				}
			}
		}},
		{ID: "test-warn", Severity: checks.Warning, Run: func(p *checks.Pass) {
			for _, c := range p.Target.Containers() {
				var n int
				if _, err := fmt.Sscanf(c.Container.Image, "warn:%d", &n); err == nil {
					for i := range n {
						p.Report(c.Path.Child("env").Index(i), c.Container.Name, "%s", strings.Repeat("w", 100+i))
					}
				}
			}
		}},
		{ID: "test-panic", Severity: checks.Error, Run: func(p *checks.Pass) {
			if p.Target.Spec.Containers[0].Image == "panic" {
				panic("boom")
			}
		}},
		{ID: "test-slow", Severity: checks.Error, Run: func(p *checks.Pass) {
			if p.Target.Spec.Containers[0].Image == "slow" {
				time.Sleep(500 * time.Millisecond)
			}
		}},
	}
}

type harness struct {
	store *cluster.Store
	h     *Handler
	http  http.Handler
}

func newHarness(t *testing.T, mode Mode, timeout time.Duration) *harness {
	t.Helper()
	store := cluster.New()
	eng := &checks.Engine{Checks: testChecks(), Config: checks.DefaultConfig()}
	h := NewHandler(HandlerOptions{
		Engine:    func() *checks.Engine { return eng },
		Inventory: store.Inventory,
		Mode:      mode,
		Timeout:   timeout,
		Metrics:   NewMetrics(nil),
	})
	return &harness{store: store, h: h, http: NewHTTPHandler(h, 1<<20)}
}

// post sends raw bytes as an AdmissionReview and decodes the answer.
func (hs *harness) post(t *testing.T, body []byte) (int, *admissionv1.AdmissionReview) {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, Path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	hs.http.ServeHTTP(w, r)
	var ar admissionv1.AdmissionReview
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &ar); err != nil {
			t.Fatalf("response is not an AdmissionReview: %v\n%s", err, w.Body.String())
		}
	}
	return w.Code, &ar
}

func podJSON(t *testing.T, name, image string, mutate ...func(*corev1.Pod)) []byte {
	t.Helper()
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "team"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}
	for _, m := range mutate {
		m(p)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type reviewOpts struct {
	op        admissionv1.Operation
	kind      metav1.GroupVersionKind
	object    []byte
	oldObject []byte
	dryRun    bool
	namespace string
	user      string
	groups    []string
}

func review(t *testing.T, o reviewOpts) []byte {
	t.Helper()
	if o.op == "" {
		o.op = admissionv1.Create
	}
	if o.kind.Kind == "" {
		o.kind = metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}
	}
	if o.namespace == "" {
		o.namespace = "team"
	}
	ar := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "uid-1", Kind: o.kind, Operation: o.op, Namespace: o.namespace, Name: "p",
			DryRun:   &o.dryRun,
			UserInfo: authenticationv1.UserInfo{Username: o.user, Groups: o.groups},
		},
	}
	ar.Request.Object.Raw = o.object
	ar.Request.OldObject.Raw = o.oldObject
	b, err := json.Marshal(ar)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHandlerEdges(t *testing.T) {
	for _, tc := range []struct {
		name         string
		mode         Mode
		nsLabel      string
		body         func(t *testing.T) []byte
		wantCode     int
		wantAllowed  bool
		wantWarnings []string // substrings, in order
		wantDenied   string   // substring of the status message
	}{
		{
			name:     "malformed body",
			body:     func(*testing.T) []byte { return []byte(`{"request": [`) },
			wantCode: http.StatusOK, wantAllowed: false, // controller-runtime answers 400 inside the review; no uid, so the API server treats it as a call failure and failurePolicy Ignore admits
		},
		{
			name: "unknown kind is allowed unchecked",
			body: func(t *testing.T) []byte {
				return review(t, reviewOpts{kind: metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, object: []byte(`{"apiVersion":"v1","kind":"ConfigMap"}`)})
			},
			wantCode: 200, wantAllowed: true,
		},
		{
			name: "delete is allowed unchecked",
			body: func(t *testing.T) []byte {
				return review(t, reviewOpts{op: admissionv1.Delete, oldObject: podJSON(t, "p", "error")})
			},
			wantCode: 200, wantAllowed: true,
		},
		{
			name:     "error finding denies with field and check id",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "error-img")}) },
			wantCode: 200, wantAllowed: false,
			wantDenied: `spec.containers[0].image: image "error-img" is refused by the test check [test-error]`,
		},
		{
			name: "dry run is judged the same",
			body: func(t *testing.T) []byte {
				return review(t, reviewOpts{object: podJSON(t, "p", "error-img"), dryRun: true})
			},
			wantCode: 200, wantAllowed: false,
			wantDenied: `[test-error]`,
		},
		{
			name: "pod owned by a controller only gets warnings",
			body: func(t *testing.T) []byte {
				yes := true
				return review(t, reviewOpts{user: "system:serviceaccount:kube-system:replicaset-controller", object: podJSON(t, "p", "error-img", func(p *corev1.Pod) {
					p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs", UID: "u", Controller: &yes}}
				})})
			},
			wantCode: 200, wantAllowed: true,
			wantWarnings: []string{`spec.containers[0].image: image "error-img" is refused by the test check [test-error]`},
		},
		{
			name:     "global warn mode",
			mode:     Warn,
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "error-img")}) },
			wantCode: 200, wantAllowed: true, wantWarnings: []string{"[test-error]"},
		},
		{
			name: "namespace label warn", nsLabel: "warn",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "error-img")}) },
			wantCode: 200, wantAllowed: true, wantWarnings: []string{"[test-error]"},
		},
		{
			name: "namespace label off", nsLabel: "off",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "error-img")}) },
			wantCode: 200, wantAllowed: true,
		},
		{
			name: "namespace label enforce beats global warn", mode: Warn, nsLabel: "enforce",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "error-img")}) },
			wantCode: 200, wantAllowed: false, wantDenied: "[test-error]",
		},
		{
			name: "bad namespace label falls back to the global mode", nsLabel: "nonsense",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "error-img")}) },
			wantCode: 200, wantAllowed: false, wantDenied: "[test-error]",
		},
		{
			name: "update ratchets a finding the old object had",
			body: func(t *testing.T) []byte {
				return review(t, reviewOpts{op: admissionv1.Update,
					object:    podJSON(t, "p", "error-new", func(p *corev1.Pod) { p.Labels = map[string]string{"x": "y"} }),
					oldObject: podJSON(t, "p", "error-old")})
			},
			wantCode: 200, wantAllowed: true, wantWarnings: []string{`image "error-new" is refused by the test check [test-error]`},
		},
		{
			name: "update that introduces the problem is denied",
			body: func(t *testing.T) []byte {
				return review(t, reviewOpts{op: admissionv1.Update, object: podJSON(t, "p", "error-new"), oldObject: podJSON(t, "p", "good")})
			},
			wantCode: 200, wantAllowed: false, wantDenied: "[test-error]",
		},
		{
			name:     "panic inside a check allows with a warning",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "panic")}) },
			wantCode: 200, wantAllowed: true, wantWarnings: []string{"podlint: internal error while checking"},
		},
		{
			name:     "deadline exceeded allows with a warning",
			body:     func(t *testing.T) []byte { return review(t, reviewOpts{object: podJSON(t, "p", "slow")}) },
			wantCode: 200, wantAllowed: true, wantWarnings: []string{"podlint: checks did not finish within 50ms"},
		},
		{
			name: "undecodable object allows with a warning",
			body: func(t *testing.T) []byte {
				return review(t, reviewOpts{object: []byte(`"not an object"`)})
			},
			wantCode: 200, wantAllowed: true, wantWarnings: []string{"podlint: "},
		},
		{
			name: "subresource is not checked",
			body: func(t *testing.T) []byte {
				b := review(t, reviewOpts{object: podJSON(t, "p", "error-img")})
				return bytes.Replace(b, []byte(`"operation"`), []byte(`"subResource":"ephemeralcontainers","operation"`), 1)
			},
			wantCode: 200, wantAllowed: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t, tc.mode, 50*time.Millisecond)
			hs.store.MarkKnown(cluster.Namespaces, cluster.AllNamespaces)
			if tc.nsLabel != "" {
				hs.store.Add(cluster.Namespaces, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team", Labels: map[string]string{ModeLabel: tc.nsLabel}}})
			}
			code, ar := hs.post(t, tc.body(t))
			if code != tc.wantCode {
				t.Fatalf("HTTP %d, want %d", code, tc.wantCode)
			}
			if code != 200 {
				return
			}
			resp := ar.Response
			if resp == nil {
				t.Fatal("no response")
			}
			if resp.Allowed != tc.wantAllowed {
				t.Fatalf("allowed = %v, want %v (result %+v, warnings %q)", resp.Allowed, tc.wantAllowed, resp.Result, resp.Warnings)
			}
			if tc.wantAllowed == false && tc.wantDenied != "" {
				if resp.UID != "uid-1" {
					t.Errorf("uid = %q", resp.UID)
				}
				if resp.Result == nil || !strings.Contains(resp.Result.Message, tc.wantDenied) {
					t.Fatalf("denial %+v does not contain %q", resp.Result, tc.wantDenied)
				}
				if resp.Result.Details == nil || len(resp.Result.Details.Causes) == 0 ||
					resp.Result.Details.Causes[0].Type != metav1.CauseTypeFieldValueInvalid || resp.Result.Details.Causes[0].Field == "" {
					t.Errorf("denial has no field cause: %+v", resp.Result.Details)
				}
			}
			if len(resp.Warnings) != len(tc.wantWarnings) {
				t.Fatalf("warnings %q, want %d matching %q", resp.Warnings, len(tc.wantWarnings), tc.wantWarnings)
			}
			for i, w := range tc.wantWarnings {
				if !strings.Contains(resp.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, resp.Warnings[i], w)
				}
			}
		})
	}
}

func TestWarningLimits(t *testing.T) {
	hs := newHarness(t, Enforce, time.Second)
	// 60 findings of 100+ characters each: well over 4 KiB in total.
	_, ar := hs.post(t, review(t, reviewOpts{object: podJSON(t, "p", "warn:60")}))
	resp := ar.Response
	if !resp.Allowed {
		t.Fatalf("warnings must not deny: %+v", resp.Result)
	}
	total := 0
	for _, w := range resp.Warnings {
		if len(w) > warningHardLimit {
			t.Errorf("warning of %d bytes: %q", len(w), w)
		}
		total += len(w)
	}
	if total >= warningTotalLimit {
		t.Errorf("warnings total %d bytes, want < %d", total, warningTotalLimit)
	}
	last := resp.Warnings[len(resp.Warnings)-1]
	shown := len(resp.Warnings) - 1
	if want := fmt.Sprintf("podlint: and %d more warning(s) not shown", 60-shown); last != want {
		t.Errorf("last warning %q, want %q", last, want)
	}
	if !strings.HasPrefix(resp.Warnings[0], "spec.containers[0].env[0]: www") || !strings.HasSuffix(resp.Warnings[0], "[test-warn]") {
		t.Errorf("first warning %q lost its field or check ID", resp.Warnings[0])
	}
}

func TestWarningText(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes
	for _, tc := range []struct {
		name string
		f    checks.Finding
		want string
	}{
		{"short stays whole", checks.Finding{Check: "c", Field: "spec.x", Message: "m"}, "spec.x: m [c]"},
		{"line breaks flattened", checks.Finding{Check: "c", Field: "f", Message: "a\nb\tc"}, "f: a b c [c]"},
		{"long message cut, field and id kept", checks.Finding{Check: "chk", Field: "spec.f", Message: long},
			"spec.f: " + strings.Repeat("é", (warningHardLimit-len("spec.f: ")-len(" [chk]")-len("…"))/2) + "… [chk]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := warningText(tc.f)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if len(got) > warningHardLimit {
				t.Errorf("%d bytes > %d", len(got), warningHardLimit)
			}
		})
	}
}

// blockingEngine's one check signals started and waits for release.
func blockingEngine() (*checks.Engine, chan struct{}, chan struct{}) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	eng := &checks.Engine{Config: checks.DefaultConfig(), Checks: []*checks.Check{{ID: "block", Run: func(*checks.Pass) {
		started <- struct{}{}
		<-release
	}}}}
	return eng, started, release
}

func TestConcurrencyCap(t *testing.T) {
	store := cluster.New()
	eng, started, release := blockingEngine()
	h := NewHandler(HandlerOptions{Engine: func() *checks.Engine { return eng }, Inventory: store.Inventory, MaxConcurrency: 1, Timeout: 5 * time.Second})
	hs := &harness{store: store, h: h, http: NewHTTPHandler(h, 1<<20)}
	first := make(chan *admissionv1.AdmissionReview, 1)
	go func() {
		_, ar := hs.post(t, review(t, reviewOpts{object: podJSON(t, "p", "x")}))
		first <- ar
	}()
	<-started
	_, ar := hs.post(t, review(t, reviewOpts{object: podJSON(t, "q", "x")}))
	if !ar.Response.Allowed || len(ar.Response.Warnings) != 1 || !strings.Contains(ar.Response.Warnings[0], "too many requests") {
		t.Errorf("over capacity: allowed=%v warnings=%q", ar.Response.Allowed, ar.Response.Warnings)
	}
	close(release)
	if ar := <-first; !ar.Response.Allowed || len(ar.Response.Warnings) != 0 {
		t.Errorf("first request: %+v", ar.Response)
	}
}

func TestOversizeBody(t *testing.T) {
	hs := newHarness(t, Enforce, time.Second)
	hs.http = NewHTTPHandler(hs.h, 2048)
	big := podJSON(t, "p", "error", func(p *corev1.Pod) { p.Annotations = map[string]string{"a": strings.Repeat("x", 4096)} })
	code, ar := hs.post(t, review(t, reviewOpts{object: big}))
	if code != 200 || ar.Response == nil {
		t.Fatalf("HTTP %d", code)
	}
	if !ar.Response.Allowed || ar.Response.UID != "uid-1" || len(ar.Response.Warnings) != 1 || !strings.Contains(ar.Response.Warnings[0], "larger than 2048 bytes") {
		t.Errorf("oversize: %+v", ar.Response)
	}
	// Without a readable uid there is no valid answer: an HTTP error,
	// which failurePolicy Ignore turns into admission.
	code, _ = hs.post(t, append([]byte(`{"request":{"object":"`), bytes.Repeat([]byte("x"), 4096)...))
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize without uid: HTTP %d", code)
	}
}

func TestRealChecksDenyMilliMemory(t *testing.T) {
	if checks.Lookup("memory-unit-milli") == nil {
		t.Skip("memory-unit-milli not registered yet")
	}
	h := NewHandler(HandlerOptions{Inventory: cluster.New().Inventory})
	hs := &harness{h: h, http: NewHTTPHandler(h, 1<<20)}
	dep := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team"},
	"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
	"spec":{"containers":[{"name":"app","image":"nginx:1.27","resources":{"limits":{"memory":"1024m"}}}]}}}}`)
	_, ar := hs.post(t, review(t, reviewOpts{kind: metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, object: dep}))
	if ar.Response.Allowed {
		t.Fatalf("memory 1024m allowed: %+v", ar.Response)
	}
	want := "spec.template.spec.containers[0].resources.limits[memory]: "
	if !strings.Contains(ar.Response.Result.Message, want) || !strings.Contains(ar.Response.Result.Message, "[memory-unit-milli]") {
		t.Errorf("message %q lacks %q and the check ID", ar.Response.Result.Message, want)
	}
}

func TestMetricsCountDecisions(t *testing.T) {
	hs := newHarness(t, Enforce, time.Second)
	m := NewMetrics(prometheus.NewRegistry())
	hs.h.metrics = m
	hs.post(t, review(t, reviewOpts{object: podJSON(t, "p", "error-img")}))
	hs.post(t, review(t, reviewOpts{object: podJSON(t, "p", "warn:1")}))
	hs.post(t, review(t, reviewOpts{object: podJSON(t, "p", "panic")}))
	for _, tc := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.requests.WithLabelValues("Pod", "CREATE", decisionDenied), 1},
		{m.requests.WithLabelValues("Pod", "CREATE", decisionWarned), 1},
		{m.requests.WithLabelValues("Pod", "CREATE", decisionPanic), 1},
		{m.findings.WithLabelValues("test-error", "error", "deny"), 1},
		{m.findings.WithLabelValues("test-warn", "warning", "warn"), 1},
		{m.panics, 1},
	} {
		if got := counterValue(tc.c); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.c, got, tc.want)
		}
	}
}

// counterValue reads one counter (client_golang's testutil would pull in
// another module for the same three lines).
func counterValue(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// TestMissingReferenceWarns: kubectl apply sends a file's objects one by
// one, so a Deployment may arrive before the ConfigMap written after it.
// A missing ConfigMap, Secret, PVC or ServiceAccount therefore only warns
// (Kubernetes waits for it), unless the namespace is terminating and
// nothing new can be created in it, or --missing-references=enforce asks
// for denials. The CLI keeps these as errors.
func TestMissingReferenceWarns(t *testing.T) {
	dep := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"team"},
	"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
	"spec":{"serviceAccountName":"deployer","containers":[{"name":"app","image":"nginx:1.27",
	"envFrom":[{"configMapRef":{"name":"app-config"}},{"secretRef":{"name":"app-secrets"}}]}],
	"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data"}}]}}}}`)
	wantChecks := []string{"[configmap-not-found]", "[secret-not-found]", "[pvc-not-found]", "[service-account-not-found]"}
	for _, tc := range []struct {
		name        string
		terminating bool
		deny        bool
	}{
		{"active namespace: warnings", false, false},
		{"terminating namespace: denied", true, false},
		{"--missing-references=enforce: denied", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := cluster.New()
			for _, k := range []cluster.Kind{cluster.ConfigMaps, cluster.Secrets, cluster.PVCs, cluster.ServiceAccounts, cluster.Namespaces} {
				store.MarkKnown(k, cluster.AllNamespaces)
			}
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}
			if tc.terminating {
				ns.Status.Phase = corev1.NamespaceTerminating
			}
			store.Add(cluster.Namespaces, ns)
			h := NewHandler(HandlerOptions{Inventory: store.Inventory, DenyMissingReferences: tc.deny})
			hs := &harness{h: h, http: NewHTTPHandler(h, 1<<20)}
			_, ar := hs.post(t, review(t, reviewOpts{kind: metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, object: dep}))
			if denied := tc.terminating || tc.deny; ar.Response.Allowed == denied {
				t.Fatalf("allowed=%v, want %v: %+v", ar.Response.Allowed, !denied, ar.Response)
			}
			text := strings.Join(ar.Response.Warnings, "\n")
			if !ar.Response.Allowed {
				text = ar.Response.Result.Message
			}
			for _, id := range wantChecks {
				if !strings.Contains(text, id) {
					t.Errorf("%s missing from %q", id, text)
				}
			}
		})
	}
}

// TestUncheckedLogged: at the default verbosity every request answered
// without its checks is counted, and logged a few lines a second, the
// next line saying how many were left out.
func TestUncheckedLogged(t *testing.T) {
	store := cluster.New()
	eng, started, release := blockingEngine()
	m := NewMetrics(prometheus.NewRegistry())
	h := NewHandler(HandlerOptions{Engine: func() *checks.Engine { return eng }, Inventory: store.Inventory, MaxConcurrency: 1, Timeout: 5 * time.Second, Metrics: m})
	now := time.Unix(1000, 0)
	h.uncheckedLog.now = func() time.Time { return now }
	var buf syncBuffer
	ctx := log.IntoContext(t.Context(), NewLogger(DefaultOptions(), &buf))
	req := func(name string) admission.Request {
		return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Create,
			Kind: metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, Namespace: "team", Object: runtime.RawExtension{Raw: podJSON(t, name, "x")}}}
	}
	go h.Handle(ctx, req("first"))
	<-started
	const over = 50
	for i := range over {
		if resp := h.Handle(ctx, req(fmt.Sprint("p", i))); !resp.Allowed {
			t.Fatalf("over capacity: %+v", resp)
		}
	}
	now = now.Add(errorLogEvery)
	h.Handle(ctx, req("last"))
	close(release)

	if got := counterValue(m.unchecked.WithLabelValues(reasonOverload)); got != over+1 {
		t.Errorf("overload counted %v, want %d", got, over+1)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != errorLogBurst+1 {
		t.Fatalf("%d lines logged, want %d:\n%s", len(lines), errorLogBurst+1, buf.String())
	}
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last["msg"] != "not checked" || last["reason"] != reasonOverload || last["suppressed"] != float64(over-errorLogBurst) {
		t.Errorf("last line %v, want reason overload and suppressed %d", last, over-errorLogBurst)
	}
}
