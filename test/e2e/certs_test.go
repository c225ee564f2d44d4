package e2e

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
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
// admitted one is a failed one. Between requests the test shakes hands
// with the webhook itself, trusting only the caBundle the API server
// has at that moment: the certificates actually presented must change,
// and each must verify. (Counting certificate loads would not notice a
// server that keeps presenting its first certificate.)
func TestCertificateRotation(t *testing.T) {
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
		})
		if err != nil {
			t.Fatal(err)
		}
		x.Certs = src
	})
	mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "busy"}})
	obj := deployment("busy", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") })
	presented := map[[32]byte]time.Time{} // certificate fingerprint: when first presented
	deadline := time.Now().Add(20 * time.Second)
	requests := 0
	for time.Now().Before(deadline) {
		v := e.create(obj, true)
		requests++
		if err := v.check("memory-unit-milli", containerPath+".resources.limits[memory]", true); err != nil {
			t.Fatalf("request %d during rotation: %v", requests, err)
		}
		leaf, err := e.presented(t.Context())
		if err != nil {
			t.Fatalf("handshake %d during rotation: %v", requests, err)
		}
		fp := sha256.Sum256(leaf.Raw)
		if _, seen := presented[fp]; !seen {
			presented[fp] = time.Now()
			if time.Until(leaf.NotAfter) <= 0 {
				t.Errorf("presented an expired certificate (NotAfter %v)", leaf.NotAfter)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(presented) < 3 {
		t.Errorf("the webhook presented %d distinct certificates in 20s of handshakes, want at least 3 (rotation every ~4s)", len(presented))
	}
	t.Logf("%d requests, all denied by podlint, across %d presented serving certificates", requests, len(presented))
}

// presented shakes hands with the webhook, verifying its certificate for
// "localhost" against the caBundle of the webhook configuration as it is
// now, and returns the certificate presented.
func (e *env) presented(ctx context.Context) (*x509.Certificate, error) {
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := e.c.Get(ctx, client.ObjectKey{Name: e.vwcName}, &vwc); err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if len(vwc.Webhooks) == 0 || !roots.AppendCertsFromPEM(vwc.Webhooks[0].ClientConfig.CABundle) {
		return nil, fmt.Errorf("webhook configuration %s has no caBundle", e.vwcName)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d := tls.Dialer{Config: &tls.Config{RootCAs: roots, ServerName: "localhost", MinVersion: tls.VersionTLS12}}
	conn, err := d.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates[0], nil
}
