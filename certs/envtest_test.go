package certs_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/podlint/podlint/test/apiserver"

	"github.com/podlint/podlint/certs"
)

// startAPIServer starts a real kube-apiserver and etcd (see test/apiserver).
func startAPIServer(t *testing.T) *rest.Config { return apiserver.Start(t).Config }

const ns = "podlint-system"

// countingClient counts this replica's successful writes to Secrets.
func countingClient(t *testing.T, cfg *rest.Config, writes *atomic.Int32) client.Client {
	t.Helper()
	c, err := client.NewWithWatch(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(obj client.Object, err error) error {
		if _, ok := obj.(*corev1.Secret); ok && err == nil {
			writes.Add(1)
		}
		return err
	}
	return interceptor.NewClient(c, interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			return count(obj, c.Create(ctx, obj, opts...))
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			return count(obj, c.Update(ctx, obj, opts...))
		},
	})
}

func webhookConfiguration() *admissionregistrationv1.ValidatingWebhookConfiguration {
	none := admissionregistrationv1.SideEffectClassNone
	ignore := admissionregistrationv1.Ignore
	url := "https://127.0.0.1:1/validate"
	hook := func(name string) admissionregistrationv1.ValidatingWebhook {
		return admissionregistrationv1.ValidatingWebhook{
			Name: name, SideEffects: &none, FailurePolicy: &ignore,
			AdmissionReviewVersions: []string{"v1"},
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url},
			// A group nobody serves: the API server never calls it.
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"podlint.test"}, APIVersions: []string{"v1"}, Resources: []string{"widgets"}},
			}},
		}
	}
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: certs.DefaultWebhookConfigName},
		Webhooks:   []admissionregistrationv1.ValidatingWebhook{hook("pods.podlint.io"), hook("workloads.podlint.io")},
	}
}

// TestSelfManagedAgainstAPIServer runs two replicas against a real API
// server with certificates short-lived enough to rotate several times,
// including a CA rotation, while a client keeps connecting to both
// replicas and verifying with the caBundle the API server holds.
func TestSelfManagedAgainstAPIServer(t *testing.T) {
	cfg := startAPIServer(t)
	admin, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	if err := admin.Create(ctx, webhookConfiguration()); err != nil {
		t.Fatal(err)
	}

	opts := certs.Options{
		Namespace:      ns,
		CAValidity:     40 * time.Second,
		CARotateBefore: 30 * time.Second,
		Validity:       10 * time.Second,
		RotateBefore:   6 * time.Second,
		CheckInterval:  250 * time.Millisecond,
		Overlap:        2 * time.Second,
		Log:            testr.New(t),
	}
	var writes atomic.Int32
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	t.Cleanup(func() { stop(); wg.Wait() })
	var replicas []*certs.SelfManaged
	var servers []string
	for range 2 {
		m, err := certs.NewSelfManaged(countingClient(t, cfg, &writes), opts)
		if err != nil {
			t.Fatal(err)
		}
		if m.NeedLeaderElection() {
			t.Fatal("NeedLeaderElection must be false")
		}
		replicas = append(replicas, m)
		wg.Go(func() {
			if err := m.Start(runCtx); err != nil {
				t.Errorf("Start: %v", err)
			}
		})
		servers = append(servers, serveTLS(t, runCtx, &wg, m.GetCertificate))
	}

	waitFor(t, 30*time.Second, "both replicas ready", func() bool {
		return replicas[0].Ready() == nil && replicas[1].Ready() == nil
	})
	if n := writes.Load(); n != 1 {
		t.Errorf("bootstrap made %d secret writes, want exactly 1 (one replica creates, the other follows)", n)
	}
	var list corev1.SecretList
	if err := admin.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != certs.DefaultSecretName {
		t.Fatalf("secrets in %s: %d, want just %s", ns, len(list.Items), certs.DefaultSecretName)
	}
	waitFor(t, 10*time.Second, "caBundle injected into every webhook", func() bool {
		b := caBundles(t, admin)
		return len(b) == 2 && len(b[0]) > 0 && string(b[0]) == string(b[1])
	})

	// Keep connecting through at least one CA rotation (the CA reaches
	// its threshold 10s after creation) and several serving rotations.
	serials := map[string]bool{}
	cas := map[string]bool{}
	sawTwoCAs, sawDrop := false, false
	deadline := time.Now().Add(20 * time.Second)
	var handshakes, failures int
	for time.Now().Before(deadline) {
		bundle := caBundles(t, admin)[0]
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(bundle) {
			t.Fatalf("caBundle from the API server does not parse: %q", bundle)
		}
		n := 0
		for rest := bundle; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			cas[string(b.Bytes)] = true
			n++
		}
		if n >= 2 {
			sawTwoCAs = true
		} else if sawTwoCAs {
			sawDrop = true
		}
		for i, addr := range servers {
			leaf, err := handshake(ctx, addr, pool)
			handshakes++
			if err != nil {
				failures++
				t.Errorf("replica %d: handshake failed with the API server's caBundle (%d CAs): %v", i, n, err)
				continue
			}
			serials[leaf.SerialNumber.String()] = true
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%d handshakes, %d failures, %d serving certificates, %d CAs seen", handshakes, failures, len(serials), len(cas))
	if len(serials) < 3 {
		t.Errorf("saw %d serving certificates, want several rotations", len(serials))
	}
	if len(cas) < 2 || !sawTwoCAs || !sawDrop {
		t.Errorf("CA rotation not observed: %d CAs, both in caBundle=%v, old dropped=%v", len(cas), sawTwoCAs, sawDrop)
	}
	for i, m := range replicas {
		if err := m.Ready(); err != nil {
			t.Errorf("replica %d not ready after rotations: %v", i, err)
		}
	}
}

func serveTLS(t *testing.T, ctx context.Context, wg *sync.WaitGroup, get func(*tls.ClientHelloInfo) (*tls.Certificate, error)) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: get, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() {
		<-ctx.Done()
		_ = ln.Close()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				_ = conn.(*tls.Conn).Handshake()
				_, _ = conn.Write([]byte("ok"))
			}()
		}
	})
	return ln.Addr().String()
}

func handshake(ctx context.Context, addr string, roots *x509.CertPool) (*x509.Certificate, error) {
	d := tls.Dialer{Config: &tls.Config{RootCAs: roots, ServerName: certs.DefaultServiceName + "." + ns + ".svc", MinVersion: tls.VersionTLS12}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	buf := make([]byte, 2)
	if _, err := conn.Read(buf); err != nil && !errors.Is(err, net.ErrClosed) {
		return nil, err
	}
	return conn.(*tls.Conn).ConnectionState().PeerCertificates[0], nil
}

func caBundles(t *testing.T, c client.Client) [][]byte {
	t.Helper()
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: certs.DefaultWebhookConfigName}, v); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, w := range v.Webhooks {
		out = append(out, w.ClientConfig.CABundle)
	}
	return out
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
