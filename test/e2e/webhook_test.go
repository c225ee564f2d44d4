package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/podlint/podlint/test/apiserver"
	"github.com/podlint/podlint/test/need"
	"sigs.k8s.io/yaml"

	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/webhook"
)

// env is one API server with podlint-webhook registered and serving.
type env struct {
	t       *testing.T
	cfg     *rest.Config
	c       client.Client
	kubecfg string
	addr    string // the webhook's host:port
	vwcName string
	stop    context.CancelFunc
	stopped chan struct{}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

// start brings up envtest, registers the webhook configuration from
// manifests/ with its clientConfig pointed at a local port, and runs the
// real server (self-managed certificates, so the caBundle gets injected
// by podlint itself).
func start(t *testing.T, tweak ...func(*rest.Config, *webhook.Options, *webhook.ServerExtras)) *env {
	t.Helper()
	root := repoRoot(t)
	te, cfg := startEnvtest(t)
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	user, err := te.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, cfg)
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

	ctx := t.Context()
	mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "podlint-system"}})
	// envtest runs no kubelet; a cluster without Nodes would make every
	// scheduling check fire, so the test cluster gets one ordinary worker.
	createNode(t, c, node("worker-1", map[string]string{"kubernetes.io/os": "linux", "disktype": "hdd"}))

	port := freePort(t)
	vwc := webhookConfig(t, root, fmt.Sprintf("https://localhost:%d%s", port, webhook.Path))
	mustCreate(t, c, vwc)

	o := webhook.DefaultOptions()
	logTo := io.Discard
	if os.Getenv("PODLINT_E2E_LOG") != "" {
		logTo = os.Stderr
	}
	ctrl.SetLogger(webhook.NewLogger(o, logTo))
	o.BindAddress, o.MetricsBindAddress, o.HealthProbeBindAddress = fmt.Sprintf("127.0.0.1:%d", port), "0", "0"
	o.Namespace, o.WebhookConfigName = "podlint-system", vwc.Name
	o.ExtraDNSNames = []string{"localhost"}
	x := webhook.ServerExtras{Host: "127.0.0.1", Registry: prometheus.NewRegistry()}
	for _, f := range tweak {
		f(cfg, o, &x)
	}
	sctx, cancel := context.WithCancel(ctx)
	srv, err := webhook.NewServer(sctx, cfg, o, x)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e := &env{t: t, cfg: cfg, c: c, kubecfg: kubecfg, addr: fmt.Sprintf("127.0.0.1:%d", port), vwcName: vwc.Name,
		stop: cancel, stopped: make(chan struct{})}
	go func() {
		defer close(e.stopped)
		if err := srv.Manager.Start(sctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	t.Cleanup(e.shutdown)

	// The caBundle is podlint's to inject; until it is there the API
	// server cannot verify podlint and admits everything.
	eventually(t, 60*time.Second, "caBundle injected", func() error {
		var got admissionregistrationv1.ValidatingWebhookConfiguration
		if err := c.Get(ctx, client.ObjectKey{Name: vwc.Name}, &got); err != nil {
			return err
		}
		for _, w := range got.Webhooks {
			if len(w.ClientConfig.CABundle) == 0 {
				return fmt.Errorf("webhook %s has no caBundle", w.Name)
			}
		}
		return nil
	})
	eventually(t, 60*time.Second, "informers synced", srv.Feeder.Synced)
	return e
}

// startEnvtest starts a kube-apiserver and etcd (see test/apiserver),
// stopped when the test ends.
func startEnvtest(t *testing.T) (*envtest.Environment, *rest.Config) {
	te := apiserver.Start(t)
	return te, te.Config
}

func (e *env) shutdown() {
	e.stop()
	select {
	case <-e.stopped:
	case <-time.After(30 * time.Second):
		e.t.Error("webhook server did not stop")
	}
}

// webhookConfig reads the ValidatingWebhookConfiguration from manifests/
// and points every webhook at url (the rules, selectors, match conditions
// and failure policy stay as shipped).
func webhookConfig(t *testing.T, root, url string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "manifests", "base", "validatingwebhookconfiguration.yaml"))
	if err != nil {
		t.Fatalf("reading the shipped webhook configuration: %v", err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict(data, &vwc); err != nil {
		t.Fatal(err)
	}
	if len(vwc.Webhooks) == 0 {
		t.Fatal("manifests define no webhooks")
	}
	for i := range vwc.Webhooks {
		u := url
		vwc.Webhooks[i].ClientConfig = admissionregistrationv1.WebhookClientConfig{URL: &u}
	}
	return &vwc
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func mustCreate(t *testing.T, c client.Client, o client.Object) {
	t.Helper()
	if err := c.Create(t.Context(), o); err != nil {
		t.Fatalf("creating %T %s: %v", o, o.GetName(), err)
	}
}

func eventually(t *testing.T, d time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	var err error
	for time.Now().Before(deadline) {
		if err = f(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %v", what, d, err)
}

// warnings collects admission warnings for one client.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.list, "\n")
}

// verdict is what one create got: the error (denial) and the warnings.
type verdict struct {
	err      error
	warnings string
}

// create creates obj (dry-run when asked) with a client that records
// warnings.
func (e *env) create(obj client.Object, dryRun bool) verdict {
	cfg := rest.CopyConfig(e.cfg)
	w := &warnings{}
	cfg.WarningHandler = w
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	var opts []client.CreateOption
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	err = c.Create(e.t.Context(), obj.DeepCopyObject().(client.Object), opts...)
	return verdict{err: err, warnings: w.all()}
}

// createAs is create as another user (impersonated by the admin).
func (e *env) createAs(obj client.Object, dryRun bool, user string, groups []string) verdict {
	cfg := rest.CopyConfig(e.cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user, Groups: groups}
	w := &warnings{}
	cfg.WarningHandler = w
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	var opts []client.CreateOption
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	err = c.Create(e.t.Context(), obj.DeepCopyObject().(client.Object), opts...)
	return verdict{err: err, warnings: w.all()}
}

// expect says how a check's finding should come back: denied with the
// field in a cause, or admitted with a warning.
func (v verdict) check(id, field string, deny bool) error {
	tag := "[" + id + "]"
	if deny {
		if v.err == nil {
			return fmt.Errorf("admitted, want a denial by %s (warnings %q)", id, v.warnings)
		}
		var se apierrors.APIStatus
		if !errors.As(v.err, &se) || !strings.Contains(v.err.Error(), tag) || !strings.Contains(v.err.Error(), field) {
			return fmt.Errorf("error %q does not name %s and %s", v.err, field, tag)
		}
		found := false
		if d := se.Status().Details; d != nil {
			for _, c := range d.Causes {
				found = found || ((field == "" || c.Field == field) && strings.Contains(c.Message, tag))
			}
		}
		if !found {
			return fmt.Errorf("no cause for %s %s in %+v", field, tag, se.Status().Details)
		}
		return nil
	}
	if v.err != nil {
		return fmt.Errorf("denied (%v), want a warning from %s", v.err, id)
	}
	if !strings.Contains(v.warnings, tag) || !strings.Contains(v.warnings, field) {
		return fmt.Errorf("warnings %q lack %s at %s", v.warnings, tag, field)
	}
	return nil
}

func deployment(ns, name string, mutate func(*corev1.PodSpec)) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}
	if mutate != nil {
		mutate(&spec)
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}
}

func limits(mem string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)}}
}

// severityDenies tells whether a registered check's default severity
// denies; checks not registered yet skip their case.
func severityDenies(t *testing.T, id string) bool {
	t.Helper()
	c := checks.Lookup(id)
	if c == nil {
		t.Skipf("check %s is not registered", id)
	}
	// A missing ConfigMap, Secret, PVC or ServiceAccount only warns in
	// the webhook: it may be created later in the same apply.
	return c.Severity == checks.Error && !c.MissingReference
}

const containerPath = "spec.template.spec.containers[0]"

func TestWebhookE2E(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	e := start(t, func(_ *rest.Config, _ *webhook.Options, x *webhook.ServerExtras) {
		x.ExtraChecks = []*checks.Check{stuckCheck(release)}
	})
	mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}})

	// Static checks: one seed case each, through client-go, and the same
	// object as a dry run must get the same verdict.
	static := []struct {
		id, field string
		obj       client.Object
	}{
		{"memory-unit-milli", containerPath + ".resources.limits[memory]", deployment("team", "milli", func(s *corev1.PodSpec) {
			s.Containers[0].Resources = limits("1024m")
		})},
		{"memory-unit-missing", containerPath + ".resources.limits[memory]", deployment("team", "bare", func(s *corev1.PodSpec) {
			s.Containers[0].Resources = limits("4")
		})},
		{"image-pull-secret-missing", containerPath + ".image", deployment("team", "private", func(s *corev1.PodSpec) {
			s.Containers[0].Image = "docker02:35000/shop/cart:1.4"
		})},
		{"image-name-invalid", containerPath + ".image", deployment("team", "badimage", func(s *corev1.PodSpec) {
			s.Containers[0].Image = "Shop/Cart:1.4"
		})},
		{"probe-port-undefined", containerPath + ".livenessProbe.httpGet.port", deployment("team", "probe", func(s *corev1.PodSpec) {
			s.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("http")}}}
		})},
	}
	for _, tc := range static {
		t.Run("static/"+tc.id, func(t *testing.T) {
			deny := severityDenies(t, tc.id)
			for _, dry := range []bool{true, false} {
				if err := e.create(tc.obj, dry).check(tc.id, tc.field, deny); err != nil {
					t.Errorf("dryRun=%v: %v", dry, err)
				}
			}
		})
	}

	t.Run("kube-system is never intercepted", func(t *testing.T) {
		v := e.create(deployment("kube-system", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") }), false)
		// The API server itself warns about "1024m"; podlint must not.
		if v.err != nil || strings.Contains(v.warnings, "[memory-unit-milli]") {
			t.Errorf("kube-system: err=%v warnings=%q", v.err, v.warnings)
		}
	})

	t.Run("namespace mode warn", func(t *testing.T) {
		mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "relaxed", Labels: map[string]string{webhook.ModeLabel: "warn"}}})
		obj := deployment("relaxed", "milli", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") })
		eventually(t, 20*time.Second, "warn mode seen", func() error {
			return e.create(obj, true).check("memory-unit-milli", containerPath+".resources.limits[memory]", false)
		})
	})

	t.Run("scaling an existing broken deployment warns", func(t *testing.T) {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Labels: map[string]string{webhook.ModeLabel: "off"}}}
		mustCreate(t, e.c, ns)
		obj := deployment("legacy", "old", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") })
		eventually(t, 20*time.Second, "created while podlint is off", func() error { return e.create(obj, false).err })
		// Back to enforce: a new broken deployment is refused...
		ns.Labels = nil
		if err := e.c.Update(t.Context(), ns); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "enforce again", func() error {
			v := e.create(deployment("legacy", "new", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") }), true)
			if v.err == nil {
				return errors.New("still admitted")
			}
			return nil
		})
		// ...but scaling the old one is not.
		cfg := rest.CopyConfig(e.cfg)
		w := &warnings{}
		cfg.WarningHandler = w
		c, _ := client.New(cfg, client.Options{})
		var d appsv1.Deployment
		if err := c.Get(t.Context(), client.ObjectKey{Namespace: "legacy", Name: "old"}, &d); err != nil {
			t.Fatal(err)
		}
		three := int32(3)
		d.Spec.Replicas = &three
		if err := c.Update(t.Context(), &d); err != nil {
			t.Fatalf("scaling refused: %v", err)
		}
		if !strings.Contains(w.all(), "[memory-unit-milli]") {
			t.Errorf("scaling: warnings %q lack the ratcheted finding", w.all())
		}
	})

	t.Run("kubectl shows field and check ID", func(t *testing.T) {
		need.Kubectl(t)
		dir := t.TempDir()
		bad := filepath.Join(dir, "bad.yaml")
		writeFile(t, bad, `apiVersion: apps/v1
kind: Deployment
metadata: {name: kubectl-milli, namespace: team}
spec:
  selector: {matchLabels: {app: k}}
  template:
    metadata: {labels: {app: k}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        resources: {limits: {memory: 1024m}}
`)
		out, err := exec.CommandContext(t.Context(), "kubectl", "--kubeconfig", e.kubecfg, "apply", "-f", bad).CombinedOutput()
		if err == nil {
			t.Fatalf("kubectl apply admitted memory 1024m:\n%s", out)
		}
		for _, want := range []string{"is invalid", containerPath + ".resources.limits[memory]", "[memory-unit-milli]"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("kubectl output lacks %q:\n%s", want, out)
			}
		}
		if checks.Lookup("image-pull-secret-missing") != nil && checks.Lookup("image-pull-secret-missing").Severity != checks.Error {
			warn := filepath.Join(dir, "warn.yaml")
			writeFile(t, warn, strings.NewReplacer("kubectl-milli", "kubectl-private", "nginx:1.27", "docker02:35000/shop/cart:1.4",
				"resources: {limits: {memory: 1024m}}", "resources: {}").Replace(mustRead(t, bad)))
			out, err := exec.CommandContext(t.Context(), "kubectl", "--kubeconfig", e.kubecfg, "apply", "-f", warn).CombinedOutput()
			if err != nil {
				t.Fatalf("kubectl apply of a warning-only object failed: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "Warning: ") || !strings.Contains(string(out), "[image-pull-secret-missing]") {
				t.Errorf("kubectl shows no warning:\n%s", out)
			}
		}
	})

	t.Run("hand-written controller ownerReferences do not soften a bare Pod", func(t *testing.T) {
		yes := true
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "fake-owned", Namespace: "team", OwnerReferences: []metav1.OwnerReference{
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-5d8f", UID: "0b5c6f5e-0000-4000-8000-000000000001", Controller: &yes}}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27", Resources: limits("1024m")}}},
		}
		field := "spec.containers[0].resources.limits[memory]"
		// The admin (a person, or a CI token) writing ownerReferences by hand.
		if err := e.create(pod, true).check("memory-unit-milli", field, true); err != nil {
			t.Errorf("as admin: %v", err)
		}
		// The ReplicaSet controller creating its Pod: already judged
		// through the ReplicaSet, so only warned.
		v := e.createAs(pod, true, "system:serviceaccount:kube-system:replicaset-controller",
			[]string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"})
		if err := v.check("memory-unit-milli", field, false); err != nil {
			t.Errorf("as the replicaset controller: %v", err)
		}
	})

	t.Run("a denial of hundreds of problems is capped", func(t *testing.T) {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "many", Namespace: "team"}}
		for i := range 500 {
			pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: fmt.Sprintf("c%d", i), Image: "nginx:1.27", Resources: limits("1024m")})
		}
		v := e.create(pod, true)
		var se apierrors.APIStatus
		if !errors.As(v.err, &se) || se.Status().Details == nil {
			t.Fatalf("not denied with details: %v", v.err)
		}
		// At least one problem a container (1024m is also too small to
		// start, so there may be two).
		causes := se.Status().Details.Causes
		var more int
		if len(causes) != 51 {
			t.Errorf("%d causes, want 50 and one counting the rest", len(causes))
		} else if _, err := fmt.Sscanf(causes[50].Message, "podlint: and %d more problem(s) not shown", &more); err != nil || more < 450 {
			t.Errorf("last cause %q, want it to count at least 450 more problems", causes[50].Message)
		}
		if n := len(se.Status().Message); n > 17<<10 {
			t.Errorf("denial message of %d bytes", n)
		}
	})

	t.Run("a slow check is answered by the deadline", func(t *testing.T) {
		obj := deployment("team", "stuck", func(s *corev1.PodSpec) { s.Containers[0].Image = stuckImage })
		begin := time.Now()
		v := e.create(obj, true)
		took := time.Since(begin)
		// podlint answers at its 2 s deadline, before the API server's 3 s
		// timeoutSeconds, so its warning reaches the client.
		if v.err != nil || !strings.Contains(v.warnings, "checks did not finish within 2s") {
			t.Errorf("err=%v warnings=%q, want admitted with podlint's deadline warning", v.err, v.warnings)
		}
		if took > 5*time.Second {
			t.Errorf("create took %s", took)
		}
	})

	t.Run("cluster", func(t *testing.T) { clusterCases(t, e) })

	t.Run("fail open when podlint is down", func(t *testing.T) {
		e.shutdown()
		obj := deployment("team", "while-down", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("1024m") })
		begin := time.Now()
		v := e.create(obj, false)
		if v.err != nil {
			t.Fatalf("create with podlint stopped: %v", v.err)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("create took %s with podlint stopped; timeoutSeconds is 3", d)
		}
	})
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
