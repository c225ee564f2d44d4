package e2e

import (
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/podlint/podlint/certs"
	"github.com/podlint/podlint/webhook"
)

// TestCertificateRotation forces a serving certificate that lives seconds
// and keeps a client creating a broken object while it rotates several
// times. Every request must come back denied by podlint: a request that
// failed TLS would be admitted silently (failurePolicy Ignore), so an
// admitted one is a failed one.
func TestCertificateRotation(t *testing.T) {
	var mu sync.Mutex
	served := map[time.Time]bool{}
	e := start(t, func(cfg *rest.Config, o *webhook.Options, x *webhook.ServerExtras) {
		c, err := client.New(cfg, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		src, err := certs.NewSelfManaged(c, certs.Options{
			Namespace: o.Namespace, SecretName: o.SecretName, ServiceName: o.ServiceName,
			WebhookConfigName: o.WebhookConfigName, ExtraDNSNames: o.ExtraDNSNames,
			Validity: 12 * time.Second, RotateBefore: 8 * time.Second,
			CheckInterval: time.Second, Overlap: 2 * time.Second,
			OnRotate: func(notAfter time.Time) {
				mu.Lock()
				defer mu.Unlock()
				served[notAfter] = true
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		x.Certs = src
	})
	mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "busy"}})
	obj := deployment("busy", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") })
	deadline := time.Now().Add(20 * time.Second)
	requests := 0
	for time.Now().Before(deadline) {
		v := e.create(obj, true)
		requests++
		if err := v.check("memory-unit-milli", containerPath+".resources.limits[memory]", true); err != nil {
			t.Fatalf("request %d during rotation: %v", requests, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(served) < 3 {
		t.Errorf("served %d certificates in 20s, want at least 3 (rotation every ~4s)", len(served))
	}
	t.Logf("%d requests, all denied by podlint, across %d serving certificates", requests, len(served))
}
