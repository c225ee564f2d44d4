package manifests

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/podlint/podlint/test/apiserver"

	"github.com/podlint/podlint/certs"
)

func startAPIServer(t *testing.T) *rest.Config { return apiserver.Start(t).Config }

// reviewRecorder is a webhook that allows everything and remembers what
// the API server sent it.
type reviewRecorder struct {
	mu   sync.Mutex
	seen []string // "Kind namespace/name"
}

func (r *reviewRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(req.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "bad review", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.seen = append(r.seen, review.Request.Kind.Kind+" "+review.Request.Namespace+"/"+review.Request.Name)
	r.mu.Unlock()
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	review.Request = nil
	_ = json.NewEncoder(w).Encode(&review)
}

func (r *reviewRecorder) called(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.seen, id)
}

// TestManifestsAgainstAPIServer creates every rendered object in a real API
// server (schema, RBAC and the CEL of matchConditions are validated there),
// then points the webhook configuration, rules and selectors unchanged, at
// a recording server to show what the API server does and does not send.
func TestManifestsAgainstAPIServer(t *testing.T) {
	r := kustomize(t, "manifests")
	cfg := startAPIServer(t)
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	objs := make([]client.Object, 0, len(r.typed))
	for _, o := range r.typed {
		objs = append(objs, o.(client.Object))
	}
	// Namespaces first, so namespaced objects have somewhere to go.
	slices.SortStableFunc(objs, func(a, b client.Object) int {
		_, an := a.(*corev1.Namespace)
		_, bn := b.(*corev1.Namespace)
		switch {
		case an && !bn:
			return -1
		case bn && !an:
			return 1
		}
		return 0
	})
	for _, o := range objs {
		if err := c.Create(ctx, o); err != nil {
			t.Fatalf("the API server rejects %T %s: %v", o, o.GetName(), err)
		}
	}

	rec := &reviewRecorder{}
	srv := httptest.NewTLSServer(rec)
	t.Cleanup(srv.Close)
	caBundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Get(ctx, client.ObjectKey{Name: certs.DefaultWebhookConfigName}, vwc); err != nil {
		t.Fatal(err)
	}
	url := srv.URL + "/validate"
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: caBundle}
	}
	if err := c.Update(ctx, vwc); err != nil {
		t.Fatal(err)
	}

	for _, n := range []string{"apps", "kube-system", ns} {
		if n == "apps" {
			if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}); err != nil {
				t.Fatal(err)
			}
		}
		// No controller-manager runs here to create the default
		// ServiceAccount that pod admission looks for.
		if err := c.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: n, Name: "default"}}); err != nil {
			t.Fatal(err)
		}
	}
	pod := func(namespace, name string, annotations map[string]string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Annotations: annotations},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
		}
	}
	deployment := func(namespace, name string) *appsv1.Deployment {
		labels := map[string]string{"app": name}
		return &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
				},
			},
		}
	}
	// The API server accepts the mirror annotation only on a bound pod, as
	// the kubelet creates them.
	mirror := pod("apps", "mirror", map[string]string{corev1.MirrorPodAnnotationKey: "hash"})
	mirror.Spec.NodeName = "node-1"
	tests := []struct {
		name string
		obj  client.Object
		id   string
		sent bool
	}{
		{"pod", pod("apps", "plain", nil), "Pod apps/plain", true},
		{"pod with other annotations", pod("apps", "annotated", map[string]string{"a": "b"}), "Pod apps/annotated", true},
		{"mirror pod", mirror, "Pod apps/mirror", false},
		{"pod in kube-system", pod("kube-system", "sys", nil), "Pod kube-system/sys", false},
		{"deployment", deployment("apps", "web"), "Deployment apps/web", true},
		{"deployment in podlint's namespace", deployment(ns, "own"), "Deployment " + ns + "/own", false},
		{"deployment in kube-system", deployment("kube-system", "sys"), "Deployment kube-system/sys", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Create(ctx, tt.obj); err != nil {
				t.Fatal(err)
			}
			if got := rec.called(tt.id); got != tt.sent {
				t.Errorf("webhook called for %s = %v, want %v", tt.id, got, tt.sent)
			}
		})
	}
}
