package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// Source is a serving certificate for the webhook server. Both SelfManaged
// and External implement it; add it to the manager (it needs no leader
// election: every replica serves) and pass GetCertificate to the webhook
// server's tls.Config.
type Source interface {
	manager.Runnable
	manager.LeaderElectionRunnable
	// GetCertificate returns the certificate to serve now.
	GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// Ready returns nil once a valid certificate is being served.
	Ready() error
	// ReadyCheck is Ready as a healthz.Checker for readyz.
	ReadyCheck(*http.Request) error
}

var (
	_ Source = (*SelfManaged)(nil)
	_ Source = (*External)(nil)
)

// caCommonNamePrefix marks CAs podlint generated, so that caBundle
// injection only ever reasons about its own CAs.
const caCommonNamePrefix = "podlint-webhook-ca@"

// maxAttempts bounds one reconcile's read-decide-write rounds; a conflict
// means another replica wrote, so the next round usually finds nothing to do.
const maxAttempts = 5

// SelfManaged generates, stores, injects, serves and rotates podlint's own
// certificates. Create it with NewSelfManaged and add it to the manager.
type SelfManaged struct {
	c client.Client
	o Options

	mu        sync.RWMutex
	current   *tls.Certificate
	bundle    []byte
	loadedRV  string
	lastErr   error
	reconcile sync.Mutex
}

// NewSelfManaged returns a SelfManaged that keeps opts.SecretName current.
//
// c must read straight from the API server (client.New, not the manager's
// cached client): a cached client would start a cluster-wide informer on
// Secrets, which podlint must neither need nor be allowed to hold. Only
// get/create/update on the one Secret and get/update on the one
// ValidatingWebhookConfiguration are used.
func NewSelfManaged(c client.Client, opts Options) (*SelfManaged, error) {
	if c == nil {
		return nil, errors.New("certs: nil client")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &SelfManaged{c: c, o: o}, nil
}

// NeedLeaderElection is false: every replica serves, so every replica must
// hold the certificate; writes are made safe by optimistic concurrency.
func (m *SelfManaged) NeedLeaderElection() bool { return false }

// Start reconciles at once, then every CheckInterval (sooner, with backoff,
// after an error) until ctx ends. Errors are logged and retried, never
// returned: a webhook that fails open must not crash on an API hiccup.
func (m *SelfManaged) Start(ctx context.Context) error {
	retry := time.Second
	for {
		wait := m.o.CheckInterval
		if err := m.Reconcile(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			m.o.Log.Error(err, "certificate reconcile failed", "retryIn", retry.String())
			wait, retry = min(retry, m.o.CheckInterval), min(2*retry, m.o.CheckInterval)
		} else {
			retry = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// Reconcile runs one check: read the Secret, make at most the writes the
// rotation schedule calls for, serve what the Secret holds and make sure
// the webhook configuration trusts it. Start calls it; tests call it
// directly.
func (m *SelfManaged) Reconcile(ctx context.Context) error {
	m.reconcile.Lock()
	defer m.reconcile.Unlock()
	err := m.reconcileOnce(ctx)
	m.mu.Lock()
	m.lastErr = err
	m.mu.Unlock()
	return err
}

func (m *SelfManaged) reconcileOnce(ctx context.Context) error {
	key := client.ObjectKey{Namespace: m.o.Namespace, Name: m.o.SecretName}
	for range maxAttempts {
		sec := &corev1.Secret{}
		if err := m.c.Get(ctx, key, sec); apierrors.IsNotFound(err) {
			sec = nil
		} else if err != nil {
			return fmt.Errorf("get secret %s: %w", key, err)
		}
		vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := m.c.Get(ctx, client.ObjectKey{Name: m.o.WebhookConfigName}, vwc); apierrors.IsNotFound(err) {
			vwc = nil
		} else if err != nil {
			return fmt.Errorf("get validatingwebhookconfiguration %s: %w", m.o.WebhookConfigName, err)
		}

		now := m.o.Clock.Now()
		st := parseState(sec)
		injected := vwc == nil || (st.signer != nil && vwcTrusts(vwc, st.signer.Cert))
		act, why := plan(st, now, &m.o, injected)
		if act != actNone {
			wrote, err := m.write(ctx, sec, st, act, now)
			if err != nil {
				return err
			}
			if wrote {
				m.o.Log.Info("certificate secret updated", "action", act.String(), "reason", why, "secret", key.String())
			}
			// Re-read and re-plan: either our write or a peer's changed
			// the Secret.
			continue
		}
		if err := m.load(sec, st); err != nil {
			return err
		}
		if vwc == nil {
			return nil
		}
		conflict, err := m.inject(ctx, vwc, st.bundle, now)
		if err != nil {
			return err
		}
		if !conflict {
			return nil
		}
	}
	return fmt.Errorf("secret %s or webhook configuration %s kept changing under %d attempts", key, m.o.WebhookConfigName, maxAttempts)
}

// write makes act's change to the Secret. A conflict or an AlreadyExists
// means a peer wrote first; it is not an error, the caller re-reads.
func (m *SelfManaged) write(ctx context.Context, sec *corev1.Secret, st *state, act action, now time.Time) (bool, error) {
	next := &corev1.Secret{}
	if sec != nil {
		next = sec.DeepCopy()
	} else {
		next.Namespace, next.Name = m.o.Namespace, m.o.SecretName
		next.Type = corev1.SecretTypeTLS
		next.Labels = map[string]string{"app.kubernetes.io/managed-by": "podlint", "app.kubernetes.io/name": "podlint-webhook"}
	}
	if next.Data == nil {
		next.Data = map[string][]byte{}
	}
	if next.Annotations == nil {
		next.Annotations = map[string]string{}
	}
	stamp := now.UTC().Format(time.RFC3339Nano)
	names := m.o.names()

	switch act {
	case actNewCA, actRotateCA:
		ca, err := newCA(now, m.o.CAValidity)
		if err != nil {
			return false, err
		}
		next.Data[keyCACert] = encodeBundle(mergeBundle(now, []*x509.Certificate{ca.Cert}, st.bundle))
		next.Data[keyCAKey] = ca.KeyPEM
		next.Annotations[annCARotatedAt] = stamp
		if act == actNewCA || st.serving == nil {
			sv, err := newServing(now, m.o.Validity, ca, names)
			if err != nil {
				return false, err
			}
			next.Data[keyTLSCert], next.Data[keyTLSKey] = sv.CertPEM, sv.KeyPEM
			next.Annotations[annServingIssuedAt] = stamp
		}
	case actIssueServing:
		sv, err := newServing(now, m.o.Validity, st.signer, names)
		if err != nil {
			return false, err
		}
		next.Data[keyTLSCert], next.Data[keyTLSKey] = sv.CertPEM, sv.KeyPEM
		next.Annotations[annServingIssuedAt] = stamp
	case actDropOldCAs:
		next.Data[keyCACert] = encodeBundle(mergeBundle(now, []*x509.Certificate{st.signer.Cert}))
	default:
		return false, nil
	}

	var err error
	if sec == nil {
		err = m.c.Create(ctx, next)
	} else {
		// next carries sec's resourceVersion: the update fails with a
		// conflict if a peer wrote since we read.
		err = m.c.Update(ctx, next)
	}
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err):
		m.o.Log.V(1).Info("another replica wrote the certificate secret first; following it", "action", act.String())
		return false, nil
	default:
		return false, fmt.Errorf("write secret %s/%s: %w", m.o.Namespace, m.o.SecretName, err)
	}
}

// load makes the Secret's serving certificate the one served, if it is new.
func (m *SelfManaged) load(sec *corev1.Secret, st *state) error {
	if sec == nil || st.serving == nil {
		return errors.New("secret holds no serving certificate")
	}
	m.mu.RLock()
	same := m.loadedRV == sec.ResourceVersion && m.current != nil
	m.mu.RUnlock()
	if same {
		return nil
	}
	tc, err := tls.X509KeyPair(sec.Data[keyTLSCert], sec.Data[keyTLSKey])
	if err != nil {
		return fmt.Errorf("load serving certificate: %w", err)
	}
	m.mu.Lock()
	changed := m.current == nil || !bytes.Equal(m.current.Certificate[0], tc.Certificate[0])
	if changed {
		m.current = &tc
	}
	m.bundle = encodeBundle(st.bundle)
	m.loadedRV = sec.ResourceVersion
	m.mu.Unlock()
	if changed {
		m.o.Log.Info("serving certificate loaded", "notAfter", tc.Leaf.NotAfter.UTC().Format(time.RFC3339), "serial", tc.Leaf.SerialNumber.Text(16))
		if m.o.OnRotate != nil {
			m.o.OnRotate(tc.Leaf.NotAfter)
		}
	}
	return nil
}

// inject sets caBundle on every webhook of the configuration. It reports a
// conflict (a peer updated the configuration) so the caller can re-read.
func (m *SelfManaged) inject(ctx context.Context, vwc *admissionregistrationv1.ValidatingWebhookConfiguration, bundle []*x509.Certificate, now time.Time) (bool, error) {
	changed := false
	for i := range vwc.Webhooks {
		cc := &vwc.Webhooks[i].ClientConfig
		want := desiredCABundle(cc.CABundle, bundle, now)
		if sameCerts(cc.CABundle, want) {
			continue
		}
		cc.CABundle = encodeBundle(want)
		changed = true
	}
	if !changed {
		return false, nil
	}
	err := m.c.Update(ctx, vwc)
	switch {
	case err == nil:
		m.o.Log.Info("caBundle injected", "validatingwebhookconfiguration", vwc.Name, "cas", len(bundle))
		return false, nil
	case apierrors.IsConflict(err):
		return true, nil
	default:
		return false, fmt.Errorf("inject caBundle into validatingwebhookconfiguration %s: %w", vwc.Name, err)
	}
}

// desiredCABundle is the Secret's bundle, plus any podlint CA already in
// caBundle that is newer than every CA the Secret holds. Such a CA can only
// come from a peer that rotated after we read the Secret; removing it would
// take trust away from the certificate the peer is about to serve.
func desiredCABundle(current []byte, secretBundle []*x509.Certificate, now time.Time) []*x509.Certificate {
	var newest time.Time
	for _, c := range secretBundle {
		if c.NotBefore.After(newest) {
			newest = c.NotBefore
		}
	}
	var keep []*x509.Certificate
	if existing, err := parseBundle(current); err == nil {
		for _, c := range existing {
			if c.IsCA && strings.HasPrefix(c.Subject.CommonName, caCommonNamePrefix) && c.NotBefore.After(newest) {
				keep = append(keep, c)
			}
		}
	}
	return mergeBundle(now, secretBundle, keep)
}

// sameCerts compares a PEM bundle with a set of certificates, ignoring
// order, so that two replicas never rewrite each other's equal bundles.
func sameCerts(pemBundle []byte, want []*x509.Certificate) bool {
	have, err := parseBundle(pemBundle)
	if err != nil {
		return len(want) == 0
	}
	have = mergeBundle(time.Time{}, have)
	if len(have) != len(want) {
		return false
	}
	for _, c := range want {
		if !containsCert(have, c) {
			return false
		}
	}
	return true
}

// vwcTrusts tells whether every webhook of the configuration trusts ca.
func vwcTrusts(vwc *admissionregistrationv1.ValidatingWebhookConfiguration, ca *x509.Certificate) bool {
	for _, w := range vwc.Webhooks {
		b, err := parseBundle(w.ClientConfig.CABundle)
		if err != nil || !containsCert(b, ca) {
			return false
		}
	}
	return true
}

// GetCertificate returns the serving certificate this replica holds.
func (m *SelfManaged) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.current == nil {
		return nil, errors.New("no serving certificate loaded yet")
	}
	return m.current, nil
}

// CABundle returns the PEM CA bundle of the Secret as last loaded: what
// clients of the webhook should trust.
func (m *SelfManaged) CABundle() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return bytes.Clone(m.bundle)
}

// Ready returns nil while a certificate is loaded and not expired.
func (m *SelfManaged) Ready() error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return readyErr(m.current, m.o.Clock.Now(), m.lastErr)
}

// ReadyCheck is Ready for healthz.
func (m *SelfManaged) ReadyCheck(*http.Request) error { return m.Ready() }

func readyErr(c *tls.Certificate, now time.Time, lastErr error) error {
	if c == nil || c.Leaf == nil {
		if lastErr != nil {
			return fmt.Errorf("no serving certificate yet: %w", lastErr)
		}
		return errors.New("no serving certificate yet")
	}
	if !now.Before(c.Leaf.NotAfter) {
		return fmt.Errorf("serving certificate expired at %s", c.Leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}
