package checks

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestClusterPodView: the read-only view is the pod clusterPod builds, and
// building it leaves the target as it was.
func TestClusterPodView(t *testing.T) {
	lim := corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi"), corev1.ResourceCPU: resource.MustParse("1")}
	req := corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")}
	specs := map[string]corev1.PodSpec{
		"requests set": {Containers: []corev1.Container{{Name: "a", Resources: corev1.ResourceRequirements{Requests: lim, Limits: lim}}}},
		"limits only":  {Containers: []corev1.Container{{Name: "a", Resources: corev1.ResourceRequirements{Limits: lim}}}, InitContainers: []corev1.Container{{Name: "i"}}},
		"partial requests": {
			InitContainers: []corev1.Container{{Name: "i", Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}},
			Containers:     []corev1.Container{{Name: "a"}, {Name: "b", Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}},
			Resources:      &corev1.ResourceRequirements{Limits: lim},
			Tolerations:    make([]corev1.Toleration, 1, 8),
		},
	}
	for name, spec := range specs {
		for _, kind := range []string{"Deployment", "DaemonSet"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				obj := &appsv1.DaemonSet{
					TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: kind},
					ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "n"},
					Spec:       appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}}, Spec: *spec.DeepCopy()}},
				}
				var tg *Target
				if kind == "DaemonSet" {
					tg = NewTarget(obj, "apps/v1", kind)
				} else {
					d := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: kind}, ObjectMeta: obj.ObjectMeta,
						Spec: appsv1.DeploymentSpec{Template: obj.Spec.Template}}
					tg = NewTarget(d, "apps/v1", kind)
				}
				before := tg.Spec.DeepCopy()
				view := clusterPodView(tg)
				if want := clusterPod(tg); !apiequality.Semantic.DeepEqual(view, want) {
					t.Errorf("view\n%+v\nclusterPod\n%+v", view.Spec, want.Spec)
				}
				if !apiequality.Semantic.DeepEqual(tg.Spec, before) {
					t.Errorf("the target changed:\n%+v\nwas\n%+v", tg.Spec, before)
				}
			})
		}
	}
}
