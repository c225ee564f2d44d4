package e2e

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/webhook"
)

// TestAPIServerTimeout slows the checks artificially through the real API
// server, with podlint's --timeout (10 s) longer than the API server's
// timeoutSeconds (1 s): podlint must take its deadline from the timeout
// the API server sends with each call, answer "not checked" before the
// API server gives up, and count it. Had the answer come late, the API
// server would have admitted the object without podlint's warning and
// counted a fail-open.
func TestAPIServerTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	reg := prometheus.NewRegistry()
	e := start(t, func(cfg *rest.Config, o *webhook.Options, x *webhook.ServerExtras) {
		o.Timeout = 10 * time.Second
		x.ExtraChecks = []*checks.Check{stuckCheck(release)}
		x.Registry = reg
		c, err := client.New(cfg, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		setTimeoutSeconds(t, c, o.WebhookConfigName, 1)
	})
	mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}})
	cs, err := kubernetes.NewForConfig(e.cfg)
	if err != nil {
		t.Fatal(err)
	}

	const want = "checks did not finish within 900ms"
	failOpen0 := apiserverMetric(t, cs, "apiserver_admission_webhook_fail_open_count")
	unchecked0, _ := gathered(reg, `podlint_webhook_unchecked_total{reason="timeout"}`)
	var v verdict
	var took time.Duration
	// The API server picks the new timeoutSeconds up from its watch; until
	// then podlint answers at 2.7 s (3 s less the margin).
	for i := range 5 {
		obj := deployment("team", fmt.Sprintf("stuck-%d", i), func(s *corev1.PodSpec) { s.Containers[0].Image = stuckImage })
		begin := time.Now()
		v = e.create(obj, true)
		took = time.Since(begin)
		if v.err != nil || strings.Contains(v.warnings, want) {
			break
		}
		time.Sleep(time.Second)
	}
	if v.err != nil || !strings.Contains(v.warnings, want) {
		t.Fatalf("err=%v warnings=%q, want admitted with %q", v.err, v.warnings, want)
	}
	t.Logf("answered in %s: %q", took, v.warnings)
	if took > 3*time.Second {
		t.Errorf("dry-run create took %s", took)
	}
	unchecked, err := gathered(reg, `podlint_webhook_unchecked_total{reason="timeout"}`)
	if err != nil || unchecked-unchecked0 < 1 {
		t.Errorf("unchecked{reason=timeout} went from %v to %v (%v), want it to count the answer", unchecked0, unchecked, err)
	}
	if d := apiserverMetric(t, cs, "apiserver_admission_webhook_fail_open_count") - failOpen0; d != 0 {
		t.Errorf("apiserver_admission_webhook_fail_open_count grew by %v: the API server gave up on podlint", d)
	}
}

// setTimeoutSeconds sets timeoutSeconds on every webhook of the named
// configuration.
func setTimeoutSeconds(t *testing.T, c client.Client, name string, seconds int32) {
	t.Helper()
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := c.Get(context.Background(), client.ObjectKey{Name: name}, &vwc); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(vwc.DeepCopy())
	for i := range vwc.Webhooks {
		vwc.Webhooks[i].TimeoutSeconds = &seconds
	}
	if err := c.Patch(context.Background(), &vwc, patch); err != nil {
		t.Fatal(err)
	}
}

// apiserverMetric sums the samples of one metric on the API server's
// /metrics (0 when it has none yet).
func apiserverMetric(t *testing.T, cs kubernetes.Interface, name string) float64 {
	t.Helper()
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(t.Context())
	if err != nil {
		t.Fatalf("API server metrics: %v", err)
	}
	sum := 0.0
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		f := strings.Fields(line)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}
