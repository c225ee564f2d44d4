package checks_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/podlint/podlint/checks"
)

// rawScalars is a ScalarSource over values as written, keyed by path.
type rawScalars map[string]checks.Scalar

func (r rawScalars) Scalar(p *field.Path) (checks.Scalar, bool) {
	s, ok := r[p.String()]
	return s, ok
}

// runStatic runs one registered check on a target.
func runStatic(t *testing.T, id string, target *checks.Target, inv checks.Inventory, cfg *checks.Config) []checks.Finding {
	t.Helper()
	ch := checks.Lookup(id)
	if ch == nil {
		t.Fatalf("check %q is not registered", id)
	}
	if cfg == nil {
		cfg = checks.DefaultConfig()
	}
	e := &checks.Engine{Checks: []*checks.Check{ch}, Config: cfg}
	return e.RunTarget(target, inv).Findings
}

func deploymentOf(name string, spec corev1.PodSpec) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}},
	}
}

func daemonSetOf(ns, name string, spec corev1.PodSpec) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: spec}},
	}
}

func deploymentTarget(spec corev1.PodSpec, raw checks.ScalarSource) *checks.Target {
	t := checks.NewTarget(deploymentOf("api", spec), "apps/v1", "Deployment")
	t.Raw = raw
	return t
}

// findingLines renders findings compactly for comparison.
func findingLines(fs []checks.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Field+": "+f.Message)
	}
	return out
}
