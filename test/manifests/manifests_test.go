package manifests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/podlint/podlint/certs"
	"github.com/podlint/podlint/checks"
	"github.com/podlint/podlint/test/need"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// rendered is one kustomize build, decoded.
type rendered struct {
	typed   map[string]any // "Kind/namespace/name" -> typed object
	foreign []*unstructured.Unstructured
	raw     []byte
}

func kustomize(t *testing.T, dir string) *rendered {
	t.Helper()
	kubectl := need.Kubectl(t)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), kubectl, "kustomize", filepath.Join(repoRoot(t), dir))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	r := &rendered{typed: map[string]any{}, raw: out}
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj, gvk, err := scheme.Codecs.UniversalDeserializer().Decode(doc, nil, nil)
		if err != nil {
			u := &unstructured.Unstructured{}
			if err := utilyaml.Unmarshal(doc, &u.Object); err != nil {
				t.Fatalf("decode %s: %v", doc, err)
			}
			r.foreign = append(r.foreign, u)
			continue
		}
		m := obj.(interface {
			GetNamespace() string
			GetName() string
		})
		r.typed[gvk.Kind+"/"+m.GetNamespace()+"/"+m.GetName()] = obj
	}
	return r
}

func get[T any](t *testing.T, r *rendered, key string) T {
	t.Helper()
	o, ok := r.typed[key]
	if !ok {
		keys := make([]string, 0, len(r.typed))
		for k := range r.typed {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Fatalf("%s not rendered; have %v", key, keys)
	}
	v, ok := o.(T)
	if !ok {
		t.Fatalf("%s is %T", key, o)
	}
	return v
}

const ns = certs.DefaultNamespace

func TestBaseRenders(t *testing.T) {
	r := kustomize(t, "manifests")
	want := []string{
		"Namespace//" + ns,
		"ServiceAccount/" + ns + "/podlint-webhook",
		"ClusterRole//podlint-webhook", "ClusterRoleBinding//podlint-webhook",
		"Role/" + ns + "/podlint-webhook", "RoleBinding/" + ns + "/podlint-webhook",
		"ConfigMap/" + ns + "/podlint-config",
		"Service/" + ns + "/" + certs.DefaultServiceName,
		"Deployment/" + ns + "/podlint-webhook",
		"PodDisruptionBudget/" + ns + "/podlint-webhook",
		"ValidatingWebhookConfiguration//" + certs.DefaultWebhookConfigName,
	}
	for _, k := range want {
		if _, ok := r.typed[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	if len(r.typed) != len(want) || len(r.foreign) != 0 {
		t.Errorf("rendered %d typed and %d other objects, want exactly %d", len(r.typed), len(r.foreign), len(want))
	}
}

func TestWebhookConfigurationIsSafe(t *testing.T) {
	r := kustomize(t, "manifests")
	vwc := get[*admissionregistrationv1.ValidatingWebhookConfiguration](t, r, "ValidatingWebhookConfiguration//"+certs.DefaultWebhookConfigName)
	if len(vwc.Webhooks) == 0 {
		t.Fatal("no webhooks")
	}
	covered := map[string]bool{}
	for _, w := range vwc.Webhooks {
		t.Run(w.Name, func(t *testing.T) {
			if w.FailurePolicy == nil || *w.FailurePolicy != admissionregistrationv1.Ignore {
				t.Errorf("failurePolicy = %v, want Ignore (fail open)", ptrString(w.FailurePolicy))
			}
			if w.TimeoutSeconds == nil || *w.TimeoutSeconds != 3 {
				t.Errorf("timeoutSeconds = %v, want 3", ptrString(w.TimeoutSeconds))
			}
			if w.SideEffects == nil || *w.SideEffects != admissionregistrationv1.SideEffectClassNone {
				t.Errorf("sideEffects = %v, want None", ptrString(w.SideEffects))
			}
			if !slices.Equal(w.AdmissionReviewVersions, []string{"v1"}) {
				t.Errorf("admissionReviewVersions = %v, want [v1]", w.AdmissionReviewVersions)
			}
			if len(w.ClientConfig.CABundle) != 0 {
				t.Error("caBundle is set in the manifest; it must be injected")
			}
			svc := w.ClientConfig.Service
			if svc == nil || svc.Namespace != ns || svc.Name != certs.DefaultServiceName || svc.Path == nil || *svc.Path != "/validate" || svc.Port == nil || *svc.Port != 443 {
				t.Errorf("clientConfig.service = %+v", svc)
			}
			if w.ObjectSelector != nil && (len(w.ObjectSelector.MatchLabels) > 0 || len(w.ObjectSelector.MatchExpressions) > 0) {
				t.Errorf("objectSelector %v would let objects opt out", w.ObjectSelector)
			}
			sel := w.NamespaceSelector
			if sel == nil || len(sel.MatchLabels) != 0 || len(sel.MatchExpressions) != 1 {
				t.Fatalf("namespaceSelector = %v, want one NotIn expression", sel)
			}
			e := sel.MatchExpressions[0]
			excluded := slices.Sorted(slices.Values(e.Values))
			if e.Key != "kubernetes.io/metadata.name" || e.Operator != "NotIn" ||
				!slices.Equal(excluded, []string{"kube-node-lease", "kube-system", ns}) {
				t.Errorf("namespaceSelector = %+v, want kubernetes.io/metadata.name NotIn [kube-system kube-node-lease %s]", e, ns)
			}
			for _, rule := range w.Rules {
				if ops := rule.Operations; !slices.Equal(ops, []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}) {
					t.Errorf("rule %v operations = %v, want [CREATE UPDATE]", rule.Resources, ops)
				}
				for _, g := range rule.APIGroups {
					for _, res := range rule.Resources {
						covered[g+"/"+res] = true
					}
				}
			}
			if slices.ContainsFunc(w.Rules, func(r admissionregistrationv1.RuleWithOperations) bool { return slices.Contains(r.Resources, "pods") }) {
				found := false
				for _, mc := range w.MatchConditions {
					found = found || (strings.Contains(mc.Expression, "kubernetes.io/config.mirror") && strings.HasPrefix(mc.Expression, "!has(object.metadata.annotations) ||"))
				}
				if !found {
					t.Errorf("pods webhook has no matchCondition skipping mirror pods: %+v", w.MatchConditions)
				}
			}
		})
	}
	var want []string
	for _, w := range checks.WorkloadKinds() {
		if w.RunsPods {
			want = append(want, w.Group+"/"+w.Resource)
		}
	}
	for _, k := range want {
		if !covered[k] {
			t.Errorf("no rule for %s", k)
		}
	}
	if len(covered) != len(want) {
		t.Errorf("rules cover %v, want exactly %v", covered, want)
	}
}

func TestDeployment(t *testing.T) {
	r := kustomize(t, "manifests")
	d := get[*appsv1.Deployment](t, r, "Deployment/"+ns+"/podlint-webhook")
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas = %v, want 2", d.Spec.Replicas)
	}
	ps := d.Spec.Template.Spec
	if ps.PriorityClassName != "system-cluster-critical" {
		t.Errorf("priorityClassName = %q", ps.PriorityClassName)
	}
	if ps.ServiceAccountName != "podlint-webhook" {
		t.Errorf("serviceAccountName = %q", ps.ServiceAccountName)
	}
	if len(ps.TopologySpreadConstraints) != 1 || ps.TopologySpreadConstraints[0].TopologyKey != corev1.LabelHostname ||
		ps.TopologySpreadConstraints[0].WhenUnsatisfiable != corev1.ScheduleAnyway {
		t.Errorf("topologySpreadConstraints = %+v, want spread over kubernetes.io/hostname, ScheduleAnyway", ps.TopologySpreadConstraints)
	}
	if psc := ps.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext = %+v", psc)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%d containers", len(ps.Containers))
	}
	c := ps.Containers[0]
	if !strings.HasPrefix(c.Image, "ghcr.io/podlint/podlint-webhook:v") {
		t.Errorf("image = %q", c.Image)
	}
	if !slices.Contains(c.Args, "--cert-mode=self") || !slices.Contains(c.Args, "--namespace=$(POD_NAMESPACE)") {
		t.Errorf("args = %v", c.Args)
	}
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("container securityContext = %+v", sc)
	}
	for _, q := range []struct {
		name string
		got  resource.Quantity
		want string
	}{
		// From the load test (docs/benchmarks.md).
		{"requests.cpu", c.Resources.Requests[corev1.ResourceCPU], "100m"},
		{"requests.memory", c.Resources.Requests[corev1.ResourceMemory], "128Mi"},
		{"limits.cpu", c.Resources.Limits[corev1.ResourceCPU], "1"},
		{"limits.memory", c.Resources.Limits[corev1.ResourceMemory], "256Mi"},
	} {
		if q.got.Cmp(resource.MustParse(q.want)) != 0 {
			t.Errorf("%s = %s, want %s", q.name, q.got.String(), q.want)
		}
	}
	// The Go memory limit follows the container's (webhook.MemoryLimitEnv).
	memEnv := false
	for _, e := range c.Env {
		if e.Name == "PODLINT_MEMORY_LIMIT" && e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil {
			r := e.ValueFrom.ResourceFieldRef
			memEnv = r.Resource == "limits.memory" && r.ContainerName == c.Name && (r.Divisor.IsZero() || r.Divisor.Cmp(resource.MustParse("1")) == 0)
		}
	}
	if !memEnv {
		t.Errorf("no PODLINT_MEMORY_LIMIT from resourceFieldRef limits.memory of %s (in bytes): env %+v", c.Name, c.Env)
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for name, probe := range map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != name || ports[probe.HTTPGet.Port.String()] == 0 {
			t.Errorf("probe %s = %+v (ports %v)", name, probe, ports)
		}
	}
	svc := get[*corev1.Service](t, r, "Service/"+ns+"/"+certs.DefaultServiceName)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 443 || ports[svc.Spec.Ports[0].TargetPort.String()] != 9443 {
		t.Errorf("service ports = %+v, want 443 -> 9443 (container ports %v)", svc.Spec.Ports, ports)
	}
	for k, v := range svc.Spec.Selector {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("service selector %s=%s does not match the pod template", k, v)
		}
	}
	pdb := get[*policyv1.PodDisruptionBudget](t, r, "PodDisruptionBudget/"+ns+"/podlint-webhook")
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("pdb minAvailable = %v, want 1", pdb.Spec.MinAvailable)
	}

	cm := get[*corev1.ConfigMap](t, r, "ConfigMap/"+ns+"/podlint-config")
	if _, err := checks.ParseConfig([]byte(cm.Data[".podlint.yaml"])); err != nil {
		t.Errorf("podlint-config .podlint.yaml does not parse: %v", err)
	}
}

func TestRBACIsLeastPrivilege(t *testing.T) {
	r := kustomize(t, "manifests")
	cr := get[*rbacv1.ClusterRole](t, r, "ClusterRole//podlint-webhook")
	readOnly := []string{"list", "watch"}
	for _, rule := range cr.Rules {
		if slices.Contains(rule.Resources, "validatingwebhookconfigurations") {
			if !slices.Equal(rule.ResourceNames, []string{certs.DefaultWebhookConfigName}) {
				t.Errorf("webhook configuration rule not restricted to its own: %+v", rule)
			}
			continue
		}
		if !slices.Equal(rule.Verbs, readOnly) {
			t.Errorf("cluster rule %v has verbs %v, want only list/watch", rule.Resources, rule.Verbs)
		}
		if slices.Contains(rule.Resources, "*") || slices.Contains(rule.APIGroups, "*") {
			t.Errorf("wildcard in %+v", rule)
		}
	}
	role := get[*rbacv1.Role](t, r, "Role/"+ns+"/podlint-webhook")
	for _, rule := range role.Rules {
		if !slices.Contains(rule.Resources, "secrets") {
			continue
		}
		for _, v := range rule.Verbs {
			switch v {
			case "create":
				// RBAC cannot restrict create by name.
			case "get", "update", "patch":
				if !slices.Equal(rule.ResourceNames, []string{certs.DefaultSecretName}) {
					t.Errorf("secret %s not restricted to %s: %+v", v, certs.DefaultSecretName, rule)
				}
			default:
				t.Errorf("secret verb %q in the Role", v)
			}
		}
	}
	for _, key := range []string{"ClusterRoleBinding//podlint-webhook", "RoleBinding/" + ns + "/podlint-webhook"} {
		var subjects []rbacv1.Subject
		switch b := r.typed[key].(type) {
		case *rbacv1.ClusterRoleBinding:
			subjects = b.Subjects
		case *rbacv1.RoleBinding:
			subjects = b.Subjects
		}
		if len(subjects) != 1 || subjects[0].Name != "podlint-webhook" || subjects[0].Namespace != ns {
			t.Errorf("%s subjects = %+v", key, subjects)
		}
	}
}

func TestCertManagerOverlay(t *testing.T) {
	r := kustomize(t, "manifests/overlays/cert-manager")
	d := get[*appsv1.Deployment](t, r, "Deployment/"+ns+"/podlint-webhook")
	c := d.Spec.Template.Spec.Containers[0]
	const dir = "/tmp/k8s-webhook-server/serving-certs"
	if !slices.Contains(c.Args, "--cert-mode=external") || !slices.Contains(c.Args, "--cert-dir="+dir) || slices.Contains(c.Args, "--cert-mode=self") {
		t.Errorf("args = %v", c.Args)
	}
	var vol string
	for _, m := range c.VolumeMounts {
		if m.MountPath == dir {
			vol = m.Name
		}
	}
	var secretName string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == vol && v.Secret != nil {
			secretName = v.Secret.SecretName
		}
	}
	if secretName == "" {
		t.Fatalf("no secret volume mounted at %s", dir)
	}

	var cert *unstructured.Unstructured
	for _, u := range r.foreign {
		if u.GroupVersionKind() == (schema.GroupVersionKind{Group: "cert-manager.io", Version: "v1", Kind: "Certificate"}) {
			cert = u
		}
	}
	if cert == nil {
		t.Fatal("no cert-manager Certificate")
	}
	if got, _, _ := unstructured.NestedString(cert.Object, "spec", "secretName"); got != secretName {
		t.Errorf("Certificate writes %q, the Deployment mounts %q", got, secretName)
	}
	o := certs.Options{Namespace: ns, ServiceName: certs.DefaultServiceName, ClusterDomain: certs.DefaultClusterDomain}
	dns, _, _ := unstructured.NestedStringSlice(cert.Object, "spec", "dnsNames")
	if !slices.Equal(dns, o.DNSNames()) {
		t.Errorf("Certificate dnsNames = %v, want %v", dns, o.DNSNames())
	}

	vwc := get[*admissionregistrationv1.ValidatingWebhookConfiguration](t, r, "ValidatingWebhookConfiguration//"+certs.DefaultWebhookConfigName)
	if got, want := vwc.Annotations["cert-manager.io/inject-ca-from"], cert.GetNamespace()+"/"+cert.GetName(); got != want {
		t.Errorf("inject-ca-from = %q, want %q", got, want)
	}
	if fp := vwc.Webhooks[0].FailurePolicy; fp == nil || *fp != admissionregistrationv1.Ignore {
		t.Error("overlay lost failurePolicy Ignore")
	}
}

func ptrString[T any](p *T) string {
	if p == nil {
		return "<unset>"
	}
	return fmt.Sprint(*p)
}
