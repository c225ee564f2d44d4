package e2e

import (
	"errors"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/podlint/podlint/webhook"
)

// clusterCases need cluster state the webhook learns from its informers:
// each creates that state through the API and then waits until the verdict
// follows (the cache is eventually consistent by design). Adding a case is
// one entry: the setup objects, the object under test and the expectation.
func clusterCases(t *testing.T, e *env) {
	const poll = 30 * time.Second
	cases := []struct {
		name, id, field string
		setup           []client.Object
		obj             client.Object
	}{
		{
			name: "host port held by a hostNetwork DaemonSet", id: "host-port-conflict",
			field: "spec.template.spec.containers[0].ports[0].hostPort",
			setup: []client.Object{
				&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}},
				daemonSet("monitoring", "node-exporter", func(s *corev1.PodSpec) {
					s.HostNetwork = true
					s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100}}
				}),
			},
			obj: daemonSet("monitoring", "node-exporter-2", func(s *corev1.PodSpec) {
				s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}
			}),
		},
		{
			name: "pull secret not found", id: "image-pull-secret-not-found",
			field: "spec.template.spec.imagePullSecrets[0].name",
			setup: []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "refs"}}},
			obj: deployment("refs", "pull", func(s *corev1.PodSpec) {
				s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "harbor-pull"}}
			}),
		},
		{
			name: "ConfigMap not found", id: "configmap-not-found",
			field: "spec.template.spec.volumes[0].configMap.name",
			setup: []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "refs2"}}},
			obj: deployment("refs2", "cm", func(s *corev1.PodSpec) {
				s.Volumes = []corev1.Volume{{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: "cart-config"}}}}}
			}),
		},
		{
			name: "LimitRange maximum", id: "limit-range-violation",
			field: "spec.template.spec.containers[0].resources.limits[memory]",
			setup: []client.Object{
				&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "limited"}},
				&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "max", Namespace: "limited"}, Spec: corev1.LimitRangeSpec{
					Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Max: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")}}}}},
			},
			obj: deployment("limited", "big", func(s *corev1.PodSpec) { s.Containers[0].Resources = limits("2Gi") }),
		},
		{
			name: "Pod Security restricted", id: "pod-security-violation",
			field: "spec.template.spec.containers[0].securityContext.privileged",
			setup: []client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "locked",
				Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}}},
			obj: deployment("locked", "priv", func(s *corev1.PodSpec) {
				yes := true
				s.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: &yes}
			}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deny := severityDenies(t, tc.id)
			for _, o := range tc.setup {
				mustCreate(t, e.c, o)
			}
			eventually(t, poll, "verdict", func() error { return e.create(tc.obj, true).check(tc.id, "", deny) })
			// The real create gets the dry run's verdict.
			if err := e.create(tc.obj, false).check(tc.id, "", deny); err != nil {
				t.Error(err)
			}
		})
	}

	// A missing key or class only warns by default (MissingReference:
	// kubectl apply may create or update the object a moment later in the
	// same apply), so severityDenies says "warn" for both; the verdict
	// must follow the cache both ways. TestWebhookMissingReferencesEnforce
	// runs the same cases with denials.
	followsReferences(t, e, "", severityDenies(t, "configmap-key-not-found"))
	admitted := func(t *testing.T, obj client.Object, what string) { admittedClean(t, e, obj, what) }

	t.Run("Secret keys stay silent without the opt-in", func(t *testing.T) {
		mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "vault"}})
		obj := deployment("vault", "orders", secretKeyRef("db", "password"))
		// First the Secret is missing (a warning), then it exists without
		// the key: admitted without a warning once the cache has it, since
		// without --secret-keys podlint never learns its keys.
		eventually(t, poll, "the Secret missing", func() error {
			return e.create(obj, true).check("secret-not-found", containerPath+".env[0].valueFrom.secretKeyRef.name", false)
		})
		mustCreate(t, e.c, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "vault"}, Data: map[string][]byte{"user": []byte("orders")}})
		admitted(t, obj, "admitted once the Secret exists")
	})

	t.Run("nodeSelector follows the Nodes", func(t *testing.T) {
		deny := severityDenies(t, "node-selector-unsatisfiable")
		mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "sched"}})
		obj := deployment("sched", "ssd", func(s *corev1.PodSpec) { s.NodeSelector = map[string]string{"disktype": "ssd"} })
		eventually(t, poll, "unsatisfiable nodeSelector", func() error {
			return e.create(obj, true).check("node-selector-unsatisfiable", "spec.template.spec.nodeSelector[disktype]", deny)
		})
		createNode(t, e.c, node("ssd-1", map[string]string{"disktype": "ssd"}))
		eventually(t, poll, "admitted once a matching Node exists", func() error {
			v := e.create(obj, true)
			if v.err != nil {
				return v.err
			}
			if v.warnings != "" {
				return errors.New("warnings: " + v.warnings)
			}
			return nil
		})
	})
}

func daemonSet(ns, name string, mutate func(*corev1.PodSpec)) *appsv1.DaemonSet {
	d := deployment(ns, name, mutate)
	return &appsv1.DaemonSet{ObjectMeta: d.ObjectMeta, Spec: appsv1.DaemonSetSpec{Selector: d.Spec.Selector, Template: d.Spec.Template}}
}

func node(name string, labels map[string]string) *corev1.Node {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("4"),
		corev1.ResourceMemory: resource.MustParse("16Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Status:     corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
}

// createNode registers a Ready, untainted node. The API server's
// TaintNodesByCondition plugin taints every new Node not-ready until a
// kubelet reports; envtest has no kubelet, so the test plays its part.
func createNode(t *testing.T, c client.Client, n *corev1.Node) {
	t.Helper()
	status := n.Status
	mustCreate(t, c, n)
	n.Spec.Taints = nil
	if err := c.Update(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	n.Status = status
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	if err := c.Status().Update(t.Context(), n); err != nil {
		t.Fatal(err)
	}
}

func secretKeyRef(name, key string) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Containers[0].Env = []corev1.EnvVar{{Name: "V", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}}}}
	}
}

// admittedClean waits until obj is admitted without any warning (the
// cache has followed a change that fixed it), then creates it for real.
func admittedClean(t *testing.T, e *env, obj client.Object, what string) {
	t.Helper()
	eventually(t, 30*time.Second, what, func() error {
		v := e.create(obj, true)
		if v.err != nil {
			return v.err
		}
		if v.warnings != "" {
			return errors.New("warnings: " + v.warnings)
		}
		return nil
	})
	if v := e.create(obj, false); v.err != nil || v.warnings != "" {
		t.Errorf("create: %v, warnings %q", v.err, v.warnings)
	}
}

// followsReferences: a Deployment whose configMapKeyRef names a key the
// ConfigMap lacks gets deny (or a warning) until the key is added, then is
// admitted without warnings; the same for a PriorityClass that does not
// exist until it is created. suffix keeps the objects of separate runs
// against one API server apart.
func followsReferences(t *testing.T, e *env, suffix string, deny bool) {
	const poll = 30 * time.Second
	admitted := func(t *testing.T, obj client.Object, what string) { admittedClean(t, e, obj, what) }

	t.Run("configMapKeyRef follows the ConfigMap's keys", func(t *testing.T) {
		const id, field = "configmap-key-not-found", containerPath + ".env[0].valueFrom.configMapKeyRef.key"
		ns := "keys" + suffix
		mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cart-config", Namespace: ns}, Data: map[string]string{"port": "8080"}}
		mustCreate(t, e.c, cm)
		obj := deployment(ns, "cart", func(s *corev1.PodSpec) {
			s.Containers[0].Env = []corev1.EnvVar{{Name: "LOG_LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "cart-config"}, Key: "log_level"}}}}
		})
		eventually(t, poll, "the key missing from the ConfigMap", func() error { return e.create(obj, true).check(id, field, deny) })
		cm.Data["log_level"] = "info"
		if err := e.c.Update(t.Context(), cm); err != nil {
			t.Fatal(err)
		}
		admitted(t, obj, "admitted once the ConfigMap has the key")
	})

	t.Run("priorityClassName follows the PriorityClasses", func(t *testing.T) {
		const id, field = "priority-class-not-found", "spec.template.spec.priorityClassName"
		ns, class := "prio"+suffix, "batch-high"+suffix
		mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		obj := deployment(ns, "batch", func(s *corev1.PodSpec) { s.PriorityClassName = class })
		eventually(t, poll, "the PriorityClass missing", func() error { return e.create(obj, true).check(id, field, deny) })
		mustCreate(t, e.c, &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: class}, Value: 1000})
		admitted(t, obj, "admitted once the PriorityClass exists")
	})
}

// TestWebhookMissingReferencesEnforce runs the webhook with
// --missing-references=enforce: a Deployment whose configMapKeyRef key is
// missing from an existing ConfigMap is denied, and admitted once the key
// is added; the same for a PriorityClass before and after it is created.
func TestWebhookMissingReferencesEnforce(t *testing.T) {
	e := start(t, func(_ *rest.Config, o *webhook.Options, _ *webhook.ServerExtras) {
		o.MissingReferences = webhook.Enforce
	})
	followsReferences(t, e, "-enforce", true)
}

// TestWebhookSecretKeys runs the webhook with --secret-keys: a missing key
// of a cluster Secret is found (a warning, like every missing reference)
// and the verdict follows the Secret when the key is added.
func TestWebhookSecretKeys(t *testing.T) {
	e := start(t, func(_ *rest.Config, o *webhook.Options, _ *webhook.ServerExtras) { o.SecretKeys = true })
	const id, field = "secret-key-not-found", containerPath + ".env[0].valueFrom.secretKeyRef.key"
	deny := severityDenies(t, id)
	mustCreate(t, e.c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "vault"}})
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "vault"}, Data: map[string][]byte{"user": []byte("orders")}}
	mustCreate(t, e.c, sec)
	obj := deployment("vault", "orders", secretKeyRef("db", "password"))
	eventually(t, 30*time.Second, "the key missing from the Secret", func() error { return e.create(obj, true).check(id, field, deny) })
	sec.Data["password"] = []byte("hunter2")
	if err := e.c.Update(t.Context(), sec); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "admitted once the Secret has the key", func() error {
		v := e.create(obj, true)
		if v.err != nil {
			return v.err
		}
		if v.warnings != "" {
			return errors.New("warnings: " + v.warnings)
		}
		return nil
	})
}
