package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/podlint/podlint/certs"
	"github.com/podlint/podlint/cluster"
	"github.com/podlint/podlint/webhook"
)

// hook is one podlint-webhook reached directly (not through the API
// server), so that several differently configured servers can share one
// API server.
type hook struct {
	srv     *webhook.Server
	addr    string // webhook host:port
	probe   string // healthz/readyz host:port
	metrics string // metrics host:port, "" when off
}

// runHook parses args as podlint-webhook's command line (plus a port, the
// probe address and podlint's namespace), lets tweak adjust the extras and
// runs the server until the test ends.
func runHook(t *testing.T, cfg *rest.Config, args []string, tweak func(*webhook.Options, *webhook.ServerExtras)) *hook {
	t.Helper()
	h := &hook{probe: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	port := freePort(t)
	h.addr = fmt.Sprintf("127.0.0.1:%d", port)
	args = append([]string{
		"--webhook-bind-address", h.addr, "--health-probe-bind-address", h.probe, "--metrics-bind-address", "0",
		"--namespace", "podlint-system", "--webhook-config-name", "podlint-hardening",
		"--extra-dns-names", "localhost",
	}, args...)
	o, err := webhook.ParseFlags(args)
	if err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	x := webhook.ServerExtras{Host: "127.0.0.1", Registry: prometheus.NewRegistry()}
	if tweak != nil {
		tweak(o, &x)
	}
	if o.MetricsBindAddress != "0" {
		h.metrics = o.MetricsBindAddress
	}
	ctx, cancel := context.WithCancel(t.Context())
	h.srv, err = webhook.NewServer(ctx, cfg, o, x)
	if err != nil {
		cancel()
		t.Fatalf("NewServer: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.srv.Manager.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("webhook server did not stop")
		}
	})
	return h
}

// probeStatus GETs a health endpoint and returns the status and body.
func (h *hook) probeStatus(ctx context.Context, path string) (int, string, error) {
	return get(ctx, "http://"+h.probe+path)
}

func get(ctx context.Context, url string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func (h *hook) waitReady(t *testing.T) {
	t.Helper()
	eventually(t, 60*time.Second, "readyz at "+h.probe, func() error {
		code, body, err := h.probeStatus(t.Context(), "/readyz?verbose")
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("status %d: %s", code, body)
		}
		return nil
	})
}

// handshake dials addr over TLS with cfg and returns the connection state.
func handshake(ctx context.Context, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState(), nil
}

// review sends obj as a CREATE AdmissionReview straight to the webhook and
// returns its answer. The server's certificate is not what these tests
// look at, so the client does not verify it.
func (h *hook) review(t *testing.T, obj client.Object, kind metav1.GroupVersionKind) *admissionv1.AdmissionResponse {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	ar := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "hardening", Kind: kind, Operation: admissionv1.Create,
			Namespace: obj.GetNamespace(), Name: obj.GetName(),
		},
	}
	ar.Request.Object.Raw = raw
	body, err := json.Marshal(ar)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+h.addr+webhook.Path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("posting the review: %v", err)
	}
	defer resp.Body.Close()
	var out admissionv1.AdmissionReview
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("webhook answered %d: %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Response == nil {
		t.Fatalf("no AdmissionReview response (%v)", err)
	}
	return out.Response
}

var deploymentKind = metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}

// typedDeployment is deployment() with the TypeMeta an admission request
// carries.
func typedDeployment(ns, name string, mutate func(*corev1.PodSpec)) client.Object {
	d := deployment(ns, name, mutate)
	d.APIVersion, d.Kind = "apps/v1", "Deployment"
	return d
}

// findingIn tells whether an admission response names check id, in the
// denial or in a warning.
func findingIn(r *admissionv1.AdmissionResponse, id string) bool {
	tag := "[" + id + "]"
	if r.Result != nil && strings.Contains(r.Result.Message, tag) {
		return true
	}
	return strings.Contains(strings.Join(r.Warnings, "\n"), tag)
}

// globalRegistry registers with controller-runtime's registry, which is
// what the manager's /metrics serves, and unregisters when the test ends
// so that -count=N does not register twice.
type globalRegistry struct {
	prometheus.Registerer
	t *testing.T
}

func (r globalRegistry) MustRegister(cs ...prometheus.Collector) {
	r.Registerer.MustRegister(cs...)
	r.t.Cleanup(func() {
		for _, c := range cs {
			r.Unregister(c)
		}
	})
}

// servingPair writes a fresh serving certificate for localhost, signed by
// ca, to dir as tls.crt and tls.key (renamed into place, like the
// kubelet's atomic writer, so the watcher never reads half a file).
func servingPair(t *testing.T, dir string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, validity time.Duration) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"tls.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"tls.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	} {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func testCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "podlint hardening test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key
}

// TestWebhookHardening checks the transport and operational promises of
// podlint-webhook (TLS floor, HTTP/2 off by default, readiness, metrics,
// switched-off Secret watches, external certificates) against one API
// server, each with its own server configured through the command line.
func TestWebhookHardening(t *testing.T) {
	te, cfg := startEnvtest(t)
	logTo := io.Discard
	if os.Getenv("PODLINT_E2E_LOG") != "" {
		logTo = os.Stderr
	}
	ctrl.SetLogger(webhook.NewLogger(webhook.DefaultOptions(), logTo))
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "podlint-system"}})
	mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}})
	createNode(t, c, node("worker-1", map[string]string{"kubernetes.io/os": "linux"}))

	t.Run("TLS 1.2 minimum", func(t *testing.T) {
		// Go's server refuses TLS 1.0 and 1.1 by default, so without
		// this setting the test would pass on the library default alone;
		// with it only podlint's own MinVersion keeps them out.
		t.Setenv("GODEBUG", "tls10server=1")
		h := runHook(t, cfg, []string{"--secret-name", "tls-floor"}, nil)
		h.waitReady(t)
		for _, tc := range []struct {
			name     string
			min, max uint16
			ok       bool
		}{
			{"TLS 1.0", tls.VersionTLS10, tls.VersionTLS10, false},
			{"TLS 1.1 and below", tls.VersionTLS10, tls.VersionTLS11, false},
			{"TLS 1.2", tls.VersionTLS12, tls.VersionTLS12, true},
			{"TLS 1.3", tls.VersionTLS13, tls.VersionTLS13, true},
		} {
			st, err := handshake(t.Context(), h.addr, &tls.Config{InsecureSkipVerify: true, MinVersion: tc.min, MaxVersion: tc.max})
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s: handshake failed: %v", tc.name, err)
			case tc.ok && st.Version != tc.max:
				t.Errorf("%s: negotiated %s", tc.name, tls.VersionName(st.Version))
			case !tc.ok && err == nil:
				t.Errorf("%s: handshake succeeded with %s, want it refused", tc.name, tls.VersionName(st.Version))
			case !tc.ok && !strings.Contains(err.Error(), "protocol version"):
				// The refusal must come from the server's alert, not from
				// a client that could not offer the version at all.
				t.Errorf("%s: failed for another reason: %v", tc.name, err)
			}
		}
	})

	t.Run("HTTP/2", func(t *testing.T) {
		off := runHook(t, cfg, []string{"--secret-name", "h2-off"}, nil)
		on := runHook(t, cfg, []string{"--secret-name", "h2-on", "--enable-http2"}, nil)
		for _, tc := range []struct {
			name  string
			h     *hook
			proto string
		}{{"default", off, "http/1.1"}, {"--enable-http2", on, "h2"}} {
			tc.h.waitReady(t)
			st, err := handshake(t.Context(), tc.h.addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if st.NegotiatedProtocol != tc.proto {
				t.Errorf("%s: ALPN chose %q, want %q", tc.name, st.NegotiatedProtocol, tc.proto)
			}
		}
		// With HTTP/2 on, an h2 request is actually served (not just
		// negotiated) and the review is answered.
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		body, _ := json.Marshal(admissionv1.AdmissionReview{
			TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
			Request:  &admissionv1.AdmissionRequest{UID: "h2", Kind: metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Operation: admissionv1.Create},
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+on.addr+webhook.Path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK {
			t.Errorf("--enable-http2: %s %d, want HTTP/2.0 200", resp.Proto, resp.StatusCode)
		}
	})

	t.Run("readiness waits for caches and certificate", func(t *testing.T) { readiness(t, cfg, c) })

	t.Run("metrics", func(t *testing.T) {
		dir := t.TempDir()
		ca, caKey := testCA(t)
		leaf := servingPair(t, dir, ca, caKey, 3*time.Hour)
		metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		h := runHook(t, cfg, []string{"--cert-mode", "external", "--cert-dir", dir, "--metrics-bind-address", metricsAddr},
			func(_ *webhook.Options, x *webhook.ServerExtras) {
				x.Registry = globalRegistry{Registerer: crmetrics.Registry, t: t}
			})
		h.waitReady(t)
		admitted := h.review(t, typedDeployment("team", "fine", nil), deploymentKind)
		if !admitted.Allowed {
			t.Fatalf("plain deployment denied: %+v", admitted.Result)
		}
		admittedAs := "allowed"
		if len(admitted.Warnings) > 0 {
			admittedAs = "warned"
		}
		denied := h.review(t, typedDeployment("team", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") }), deploymentKind)
		if denied.Allowed || !findingIn(denied, "memory-unit-milli") {
			t.Fatalf("memory 1024m: allowed=%v result=%+v", denied.Allowed, denied.Result)
		}

		code, text, err := get(t.Context(), "http://"+metricsAddr+"/metrics")
		if err != nil || code != http.StatusOK {
			t.Fatalf("/metrics: %d %v", code, err)
		}
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(text))
		if err != nil {
			t.Fatalf("parsing /metrics: %v", err)
		}
		value := func(name string, labels map[string]string) (float64, error) {
			f := fams[name]
			if f == nil {
				return 0, fmt.Errorf("%s not exposed", name)
			}
		next:
			for _, m := range f.Metric {
				have := map[string]string{}
				for _, l := range m.Label {
					have[l.GetName()] = l.GetValue()
				}
				for k, v := range labels {
					if have[k] != v {
						continue next
					}
				}
				switch f.GetType() {
				case dto.MetricType_COUNTER:
					return m.GetCounter().GetValue(), nil
				case dto.MetricType_GAUGE:
					return m.GetGauge().GetValue(), nil
				case dto.MetricType_HISTOGRAM:
					return float64(m.GetHistogram().GetSampleCount()), nil
				}
			}
			return 0, fmt.Errorf("%s has no series with %v", name, labels)
		}
		for _, tc := range []struct {
			name   string
			labels map[string]string
			want   func(float64) bool
			what   string
		}{
			{"podlint_webhook_requests_total", map[string]string{"kind": "Deployment", "operation": "CREATE", "decision": admittedAs}, eq(1), "1"},
			{"podlint_webhook_requests_total", map[string]string{"kind": "Deployment", "operation": "CREATE", "decision": "denied"}, eq(1), "1"},
			{"podlint_webhook_findings_total", map[string]string{"check": "memory-unit-milli", "severity": "error", "action": "deny"}, eq(1), "1"},
			{"podlint_webhook_request_duration_seconds", map[string]string{"kind": "Deployment", "operation": "CREATE"}, eq(2), "2 observations"},
			{"podlint_webhook_cache_objects", map[string]string{"kind": "Node"}, eq(1), "1"},
			{"podlint_webhook_cache_objects", map[string]string{"kind": "Namespace"}, func(v float64) bool { return v >= 2 }, ">= 2"},
			{"podlint_webhook_certificate_expiry_timestamp_seconds", nil, eq(float64(leaf.NotAfter.Unix())), fmt.Sprint(leaf.NotAfter.Unix())},
		} {
			v, err := value(tc.name, tc.labels)
			if err != nil {
				t.Error(err)
				continue
			}
			if !tc.want(v) {
				t.Errorf("%s%v = %v, want %s", tc.name, tc.labels, v, tc.what)
			}
		}
		// A plain counter has its series from the start.
		if v, err := value("podlint_webhook_panics_total", nil); err != nil || v != 0 {
			t.Errorf("podlint_webhook_panics_total = %v, %v; want 0", v, err)
		}
	})

	t.Run("watch-secrets", func(t *testing.T) {
		mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "pulls"}})
		on := runHook(t, cfg, []string{"--secret-name", "secrets-on"}, nil)
		off := runHook(t, cfg, []string{"--secret-name", "secrets-off", "--watch-secrets=false"}, nil)
		on.waitReady(t)
		off.waitReady(t)
		pull := typedDeployment("pulls", "pull", func(s *corev1.PodSpec) {
			s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "harbor-pull"}}
		})
		// A missing ConfigMap proves the switched-off server does consult
		// its caches: only Secrets are unknown to it.
		cm := typedDeployment("pulls", "cm", func(s *corev1.PodSpec) {
			s.Volumes = []corev1.Volume{{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "cart-config"}}}}}
		})
		eventually(t, 30*time.Second, "missing pull secret found with Secrets watched", func() error {
			if r := on.review(t, pull, deploymentKind); !findingIn(r, "image-pull-secret-not-found") {
				return fmt.Errorf("no finding: allowed=%v warnings=%q", r.Allowed, r.Warnings)
			}
			return nil
		})
		eventually(t, 30*time.Second, "missing ConfigMap found with Secrets not watched", func() error {
			if r := off.review(t, cm, deploymentKind); !findingIn(r, "configmap-not-found") {
				return fmt.Errorf("no finding: allowed=%v warnings=%q", r.Allowed, r.Warnings)
			}
			return nil
		})
		if r := off.review(t, pull, deploymentKind); findingIn(r, "image-pull-secret-not-found") || !r.Allowed {
			t.Errorf("--watch-secrets=false: allowed=%v result=%+v warnings=%q; an unwatched Secret must count as unknown", r.Allowed, r.Result, r.Warnings)
		}
		// And the watched server follows the Secret once it exists.
		mustCreate(t, c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "harbor-pull", Namespace: "pulls"},
			Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)}})
		eventually(t, 30*time.Second, "pull secret seen once created", func() error {
			if r := on.review(t, pull, deploymentKind); findingIn(r, "image-pull-secret-not-found") {
				return errors.New("still reported missing")
			}
			return nil
		})
	})

	t.Run("binary", func(t *testing.T) { binary(t, te, cfg) })

	overload(t, cfg)

	t.Run("external certificate reload", func(t *testing.T) {
		dir := t.TempDir()
		ca, caKey := testCA(t)
		first := servingPair(t, dir, ca, caKey, 2*time.Hour)
		h := runHook(t, cfg, []string{"--cert-mode=external", "--cert-dir", dir}, nil)
		h.waitReady(t)
		roots := x509.NewCertPool()
		roots.AddCert(ca)
		served := func() (*x509.Certificate, error) {
			st, err := handshake(t.Context(), h.addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
			if err != nil {
				return nil, err
			}
			return st.PeerCertificates[0], nil
		}
		got, err := served()
		if err != nil {
			t.Fatalf("verified handshake: %v", err)
		}
		if !got.Equal(first) {
			t.Fatalf("serves serial %v, want the one on disk (%v)", got.SerialNumber, first.SerialNumber)
		}
		second := servingPair(t, dir, ca, caKey, 4*time.Hour)
		eventually(t, 30*time.Second, "new certificate served without restart", func() error {
			got, err := served()
			if err != nil {
				return err
			}
			if !got.Equal(second) {
				return fmt.Errorf("still serial %v, want %v", got.SerialNumber, second.SerialNumber)
			}
			return nil
		})
	})
}

func eq(want float64) func(float64) bool { return func(v float64) bool { return v == want } }

// readiness runs a server as a user that at first may do nothing, then
// grants it the cached kinds, then its Secret: /readyz must fail on the
// informers and then on the certificate, and pass only at the end, while
// /healthz answers throughout.
func readiness(t *testing.T, cfg *rest.Config, admin client.Client) {
	user := "podlint-readiness"
	restricted := rest.CopyConfig(cfg)
	// Impersonation keeps the test on the admin's credentials while the
	// API server authorizes as the restricted user.
	restricted.Impersonate = rest.ImpersonationConfig{UserName: user}
	const secretName = "readiness-tls"
	h := runHook(t, restricted, []string{"--secret-name", secretName}, func(o *webhook.Options, x *webhook.ServerExtras) {
		uc, err := client.New(restricted, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// A short check interval so the certificate source retries
		// within the test once it is allowed to.
		src, err := certs.NewSelfManaged(uc, certs.Options{
			Namespace: o.Namespace, SecretName: secretName, ServiceName: o.ServiceName,
			WebhookConfigName: o.WebhookConfigName, ExtraDNSNames: o.ExtraDNSNames,
			CheckInterval: time.Second, Overlap: 2 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		x.Certs = src
	})
	ctx := t.Context()
	check := func(path string, want int) error {
		code, body, err := h.probeStatus(ctx, path)
		if err != nil {
			return err
		}
		if code != want {
			return fmt.Errorf("%s: status %d, want %d: %s", path, code, want, body)
		}
		return nil
	}
	eventually(t, 30*time.Second, "healthz answers", func() error { return check("/healthz", http.StatusOK) })
	for _, p := range []string{"/readyz", "/readyz/informers", "/readyz/certificate"} {
		if err := check(p, http.StatusInternalServerError); err != nil {
			t.Errorf("before any permission: %v", err)
		}
	}

	// The cached kinds, list and watch only (Secrets as metadata), from
	// the kinds table: a kind added there is granted here too.
	var cacheRules []rbacv1.PolicyRule
	for _, r := range cluster.Kinds() {
		if r.Watch != "" {
			cacheRules = append(cacheRules, rbacv1.PolicyRule{APIGroups: []string{r.GroupVersionKind().Group},
				Verbs: []string{"list", "watch"}, Resources: []string{r.Resource}})
		}
	}
	mustCreate(t, admin, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-cache"},
		Rules:      cacheRules,
	})
	mustCreate(t, admin, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-cache"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user + "-cache"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})
	// The informers back off after the refusals; allow for that.
	eventually(t, 90*time.Second, "informers ready", func() error { return check("/readyz/informers", http.StatusOK) })
	for _, p := range []string{"/readyz", "/readyz/certificate"} {
		if err := check(p, http.StatusInternalServerError); err != nil {
			t.Errorf("caches synced, no access to the Secret yet: %v", err)
		}
	}

	mustCreate(t, admin, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-secret", Namespace: "podlint-system"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"},
			Verbs: []string{"get", "create", "update"}}},
	})
	mustCreate(t, admin, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-secret", Namespace: "podlint-system"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: user + "-secret"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})
	mustCreate(t, admin, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-vwc"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"admissionregistration.k8s.io"},
			Resources: []string{"validatingwebhookconfigurations"}, Verbs: []string{"get", "update"}}},
	})
	mustCreate(t, admin, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-vwc"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: user + "-vwc"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	})
	h.waitReady(t)
	if err := check("/healthz", http.StatusOK); err != nil {
		t.Error(err)
	}
}

// binary runs the built podlint-webhook command (flags, kubeconfig,
// signal handling, JSON logs) rather than NewServer: it must become ready,
// judge a review, and exit 0 on SIGTERM.
func binary(t *testing.T, te *envtest.Environment, cfg *rest.Config) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	exe := filepath.Join(t.TempDir(), "podlint-webhook")
	build := exec.CommandContext(ctx, "go", "build", "-o", exe, "./cmd/podlint-webhook")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	user, err := te.AddUser(envtest.User{Name: "binary-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubecfg := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubecfg, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca, caKey := testCA(t)
	servingPair(t, dir, ca, caKey, time.Hour)
	h := &hook{addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), probe: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	cmd := exec.CommandContext(ctx, exe, "--cert-mode=external", "--cert-dir", dir, "--kubeconfig", kubecfg,
		"--webhook-bind-address", h.addr, "--health-probe-bind-address", h.probe, "--metrics-bind-address", "0", "-v", "1")
	// A KUBECONFIG that does not exist proves the flag is what is used; in
	// a pod the service account is used instead.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(dir, "no-such-kubeconfig"))
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	eventually(t, 60*time.Second, "binary ready", func() error {
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("podlint-webhook exited early: %v\n%s", err, stderr.String())
		default:
		}
		code, body, err := h.probeStatus(ctx, "/readyz")
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("status %d: %s", code, body)
		}
		return nil
	})
	r := h.review(t, typedDeployment("team", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") }), deploymentKind)
	if r.Allowed || !findingIn(r, "memory-unit-milli") {
		t.Errorf("memory 1024m through the binary: allowed=%v result=%+v", r.Allowed, r.Result)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("podlint-webhook did not stop after SIGTERM\n%s", stderr.String())
	}
	// Logs are one JSON object per line, no key twice in one; the denial
	// is among them.
	denial := false
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		keys, err := jsonKeys(line)
		if err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		for k, n := range keys {
			if n > 1 {
				t.Errorf("key %q %d times in %s", k, n, line)
			}
		}
		denial = denial || strings.Contains(line, `"decision":"denied"`)
	}
	if !denial {
		t.Errorf("no denial logged:\n%s", stderr.String())
	}
}

// lockedBuffer is a bytes.Buffer a running command writes to while the
// test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
