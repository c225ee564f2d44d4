package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

func testVWC(name string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	none := admissionregistrationv1.SideEffectClassNone
	hook := func(n string) admissionregistrationv1.ValidatingWebhook {
		return admissionregistrationv1.ValidatingWebhook{
			Name:                    n,
			SideEffects:             &none,
			AdmissionReviewVersions: []string{"v1"},
			ClientConfig: admissionregistrationv1.WebhookClientConfig{
				Service: &admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "hook"},
			},
		}
	}
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Webhooks:   []admissionregistrationv1.ValidatingWebhook{hook("pods.podlint.io"), hook("workloads.podlint.io")},
	}
}

// secretWrites counts successful creates and updates of Secrets.
type secretWrites struct{ n atomic.Int32 }

func (w *secretWrites) client(objs ...client.Object) client.Client {
	base := fake.NewClientBuilder().WithObjects(objs...).Build()
	return interceptor.NewClient(base.(client.WithWatch), interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			err := c.Create(ctx, obj, opts...)
			if _, ok := obj.(*corev1.Secret); ok && err == nil {
				w.n.Add(1)
			}
			return err
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			err := c.Update(ctx, obj, opts...)
			if _, ok := obj.(*corev1.Secret); ok && err == nil {
				w.n.Add(1)
			}
			return err
		},
	})
}

type fixture struct {
	t        *testing.T
	c        client.Client
	clock    *clocktesting.FakePassiveClock
	writes   *secretWrites
	replicas []*SelfManaged
	rotated  []atomic.Int32
}

func newFixture(t *testing.T, replicas int) *fixture {
	f := &fixture{t: t, clock: clocktesting.NewFakePassiveClock(t0), writes: &secretWrites{}, rotated: make([]atomic.Int32, replicas)}
	f.c = f.writes.client(testVWC("podlint"))
	for i := range replicas {
		m, err := NewSelfManaged(f.c, Options{
			Namespace: "ns", ServiceName: "hook",
			CAValidity: 100 * time.Hour, CARotateBefore: 30 * time.Hour,
			Validity: 10 * time.Hour, RotateBefore: 3 * time.Hour,
			CheckInterval: time.Minute, Overlap: 10 * time.Minute,
			Clock:    f.clock,
			Log:      logr.Discard(),
			OnRotate: func(time.Time) { f.rotated[i].Add(1) },
		})
		if err != nil {
			t.Fatal(err)
		}
		f.replicas = append(f.replicas, m)
	}
	return f
}

// reconcileAll runs every replica's reconcile at the same time, as replicas
// polling on the same tick would.
func (f *fixture) reconcileAll(at time.Time) {
	f.t.Helper()
	f.clock.SetTime(at)
	var wg sync.WaitGroup
	errs := make([]error, len(f.replicas))
	for i, m := range f.replicas {
		wg.Go(func() { errs[i] = m.Reconcile(f.t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			f.t.Fatalf("replica %d reconcile at %v: %v", i, at, err)
		}
	}
}

func (f *fixture) served() []*x509.Certificate {
	f.t.Helper()
	var out []*x509.Certificate
	for i, m := range f.replicas {
		c, err := m.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil {
			f.t.Fatalf("replica %d: %v", i, err)
		}
		out = append(out, c.Leaf)
	}
	for i := 1; i < len(out); i++ {
		if !out[i].Equal(out[0]) {
			f.t.Fatalf("replica %d serves serial %x, replica 0 serves %x", i, out[i].SerialNumber, out[0].SerialNumber)
		}
	}
	return out
}

func (f *fixture) secret() *state {
	f.t.Helper()
	s := &corev1.Secret{}
	if err := f.c.Get(f.t.Context(), client.ObjectKey{Namespace: "ns", Name: DefaultSecretName}, s); err != nil {
		f.t.Fatal(err)
	}
	return parseState(s)
}

// caBundles returns each webhook's caBundle, parsed.
func (f *fixture) caBundles() [][]*x509.Certificate {
	f.t.Helper()
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := f.c.Get(f.t.Context(), client.ObjectKey{Name: "podlint"}, v); err != nil {
		f.t.Fatal(err)
	}
	var out [][]*x509.Certificate
	for _, w := range v.Webhooks {
		b, err := parseBundle(w.ClientConfig.CABundle)
		if err != nil {
			f.t.Fatalf("webhook %s caBundle: %v", w.Name, err)
		}
		out = append(out, b)
	}
	return out
}

func (f *fixture) wantCABundle(want ...*x509.Certificate) {
	f.t.Helper()
	for i, b := range f.caBundles() {
		if !sameCerts(encodeBundle(b), want) {
			f.t.Fatalf("webhook %d caBundle = %v, want %v", i, subjects(b), subjects(want))
		}
	}
}

func (f *fixture) wantWrites(n int32) {
	f.t.Helper()
	if got := f.writes.n.Load(); got != n {
		f.t.Fatalf("secret writes = %d, want %d", got, n)
	}
}

func TestSelfManagedLifecycle(t *testing.T) {
	f := newFixture(t, 3)
	for i, m := range f.replicas {
		if m.Ready() == nil {
			t.Fatalf("replica %d ready before any certificate", i)
		}
		if m.NeedLeaderElection() {
			t.Fatal("NeedLeaderElection must be false: every replica serves")
		}
	}

	// Bootstrap: three replicas race to create the Secret; one wins.
	f.reconcileAll(t0)
	f.wantWrites(1)
	st := f.secret()
	ca1 := st.signer.Cert
	first := f.served()[0]
	if !first.Equal(st.serving.Cert) {
		t.Fatal("replicas do not serve the secret's certificate")
	}
	f.wantCABundle(ca1)
	for i, m := range f.replicas {
		if err := m.Ready(); err != nil {
			t.Fatalf("replica %d not ready: %v", i, err)
		}
		if got := f.rotated[i].Load(); got != 1 {
			t.Fatalf("replica %d OnRotate called %d times, want 1", i, got)
		}
	}

	// Nothing to do an hour later.
	f.reconcileAll(t0.Add(time.Hour))
	f.wantWrites(1)

	// The serving certificate enters its last third: one replica reissues.
	f.reconcileAll(t0.Add(7*time.Hour + time.Minute))
	f.wantWrites(2)
	second := f.served()[0]
	if second.Equal(first) || !signedBy(second, ca1) {
		t.Fatal("serving certificate not reissued by the same CA")
	}
	for i := range f.replicas {
		if got := f.rotated[i].Load(); got != 2 {
			t.Fatalf("replica %d OnRotate called %d times, want 2", i, got)
		}
	}

	// Keep the serving certificate fresh up to the CA rotation.
	for h := 8; h < 70; h++ {
		f.reconcileAll(t0.Add(time.Duration(h) * time.Hour))
	}
	writes := f.writes.n.Load()

	// Step 1: the CA is inside its last 30h. A new CA joins caBundle; the
	// old serving certificate stays.
	rot := t0.Add(70*time.Hour + 30*time.Minute)
	before := f.served()[0]
	f.reconcileAll(rot)
	f.wantWrites(writes + 1)
	st = f.secret()
	ca2 := st.signer.Cert
	if ca2.Equal(ca1) || len(st.bundle) != 2 {
		t.Fatalf("after CA rotation: bundle %v", subjects(st.bundle))
	}
	f.wantCABundle(ca1, ca2)
	if !f.served()[0].Equal(before) {
		t.Fatal("serving certificate switched before the new CA spread")
	}

	f.reconcileAll(rot.Add(9 * time.Minute))
	f.wantWrites(writes + 1)

	// Step 2: after Overlap, the serving certificate switches to the new CA.
	f.reconcileAll(rot.Add(10 * time.Minute))
	f.wantWrites(writes + 2)
	now := f.served()[0]
	if !signedBy(now, ca2) {
		t.Fatal("serving certificate not switched to the new CA")
	}
	f.wantCABundle(ca1, ca2)

	// Step 3: after another Overlap, the old CA leaves caBundle.
	f.reconcileAll(rot.Add(19 * time.Minute))
	f.wantWrites(writes + 2)
	f.reconcileAll(rot.Add(20 * time.Minute))
	f.wantWrites(writes + 3)
	f.wantCABundle(ca2)
	if st := f.secret(); len(st.bundle) != 1 || !st.bundle[0].Equal(ca2) {
		t.Fatalf("secret ca.crt = %v, want the new CA alone", subjects(st.bundle))
	}

	// Ready turns false once the served certificate expires unreplaced.
	f.clock.SetTime(now.NotAfter.Add(time.Second))
	if f.replicas[0].Ready() == nil {
		t.Fatal("ready with an expired certificate")
	}
}

func TestSelfManagedRepairsCABundle(t *testing.T) {
	f := newFixture(t, 1)
	f.reconcileAll(t0)
	ca := f.secret().signer.Cert

	// Someone re-applies the configuration without caBundle.
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := f.c.Get(t.Context(), client.ObjectKey{Name: "podlint"}, v); err != nil {
		t.Fatal(err)
	}
	v.Webhooks[1].ClientConfig.CABundle = nil
	if err := f.c.Update(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	f.reconcileAll(t0.Add(time.Minute))
	f.wantCABundle(ca)
	f.wantWrites(1)
}

func TestSelfManagedRegeneratesBrokenSecret(t *testing.T) {
	f := newFixture(t, 1)
	broken := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: DefaultSecretName},
		Data:       map[string][]byte{keyCACert: []byte("garbage"), keyTLSCert: []byte("garbage")},
	}
	if err := f.c.Create(t.Context(), broken); err != nil {
		t.Fatal(err)
	}
	f.reconcileAll(t0)
	st := f.secret()
	if st.signer == nil || st.serving == nil {
		t.Fatal("broken secret not regenerated")
	}
	if err := verifies(f.served()[0], st.bundle, "hook.ns.svc", t0); err != nil {
		t.Fatal(err)
	}
}

func TestSelfManagedWithoutWebhookConfiguration(t *testing.T) {
	w := &secretWrites{}
	m, err := NewSelfManaged(w.client(), Options{Namespace: "ns", Clock: clocktesting.NewFakePassiveClock(t0), Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reconcile(t.Context()); err != nil {
		t.Fatalf("a missing webhook configuration must not fail reconcile: %v", err)
	}
	if err := m.Ready(); err != nil {
		t.Fatal(err)
	}
	if len(m.CABundle()) == 0 {
		t.Fatal("CABundle empty")
	}
}
