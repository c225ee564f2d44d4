package scale

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type pool struct {
	name, itype, cpu, mem string
	taint                 *corev1.Taint
}

var pools = []pool{
	{"general", "m6i.2xlarge", "7910m", "29Gi", nil},
	{"general-large", "m6i.4xlarge", "15890m", "58Gi", nil},
	{"memory", "r6i.4xlarge", "15890m", "120Gi", &corev1.Taint{Key: "pool", Value: "memory", Effect: corev1.TaintEffectNoSchedule}},
	{"gpu", "g5.4xlarge", "15890m", "58Gi", &corev1.Taint{Key: "nvidia.com/gpu", Value: "present", Effect: corev1.TaintEffectNoSchedule}},
	{"system", "m6i.xlarge", "3920m", "14Gi", &corev1.Taint{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule}},
}

// Node is node i of a cluster in a few pools across three zones,
// with the well-known labels, pool taints, allocatable (capacity the
// same) and one node in 500 cordoned.
func Node(i int) *corev1.Node {
	p := pools[i%len(pools)]
	if i%10 < 6 {
		p = pools[0]
	}
	zone := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}[i%3]
	name := fmt.Sprintf("ip-10-%d-%d-%d.eu-west-1.compute.internal", i/65536, i/256%256, i%256)
	alloc := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse(p.cpu),
		corev1.ResourceMemory:           resource.MustParse(p.mem),
		corev1.ResourceEphemeralStorage: resource.MustParse("95Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
	}
	if p.name == "gpu" {
		alloc["nvidia.com/gpu"] = resource.MustParse("1")
	}
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname":           name,
			"kubernetes.io/os":                 "linux",
			"kubernetes.io/arch":               "amd64",
			"beta.kubernetes.io/os":            "linux",
			"beta.kubernetes.io/arch":          "amd64",
			"node.kubernetes.io/instance-type": p.itype,
			"topology.kubernetes.io/region":    "eu-west-1",
			"topology.kubernetes.io/zone":      zone,
			"eks.amazonaws.com/nodegroup":      p.name,
			"pool":                             p.name,
		}},
		Status: corev1.NodeStatus{Capacity: alloc, Allocatable: alloc},
	}
	if p.taint != nil {
		n.Spec.Taints = []corev1.Taint{*p.taint}
	}
	if i%500 == 7 {
		n.Spec.Unschedulable = true
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	}
	return n
}

// DaemonSet is DaemonSet i: namespace team-(i mod 50), scheduled on one
// pool, tolerating every taint, holding host port 20000+i.
func DaemonSet(i int) *appsv1.DaemonSet {
	labels := map[string]string{"app": fmt.Sprintf("agent-%d", i)}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("agent-%d", i), Namespace: fmt.Sprintf("team-%d", i%50)},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
				NodeSelector: map[string]string{"pool": pools[i%len(pools)].name},
				Tolerations:  []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
				Containers: []corev1.Container{{
					Name: "agent", Image: "registry.example.com/agents/agent:2.0",
					Ports: []corev1.ContainerPort{{ContainerPort: int32(20000 + i), HostPort: int32(20000 + i)}},
				}},
			}},
		},
	}
}

// Deployment is the 2-container Deployment the load is made of (requests,
// limits, probes, a nodeSelector for the general pool, no host port),
// named cart-i in namespace team-(i mod 50); one in four (i mod 4 = 3)
// asks for memory: 1024m, which podlint denies.
func Deployment(i int) *appsv1.Deployment {
	replicas := int32(3)
	labels := map[string]string{"app": "cart"}
	mem := "256Mi"
	if i%4 == 3 {
		mem = "1024m"
	}
	res := func(cpu, mem string) corev1.ResourceRequirements {
		return corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mem)},
		}
	}
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cart-%d", i), Namespace: fmt.Sprintf("team-%d", i%50), Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"pool": "general"},
					Containers: []corev1.Container{{
						Name: "cart", Image: "registry.example.com/shop/cart:1.4.2",
						Ports:     []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
						Resources: res("250m", mem), ReadinessProbe: probe, LivenessProbe: probe,
					}, {
						Name: "proxy", Image: "registry.example.com/infra/envoy:1.31.0",
						Ports:     []corev1.ContainerPort{{Name: "admin", ContainerPort: 9901}},
						Resources: res("100m", "128Mi"),
					}},
				},
			},
		},
	}
}
